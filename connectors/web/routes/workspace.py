"""What every route of the review workspace shares: the store, blobs, verdict publisher, token file,
templates, settings and clock, the logged-in-user dependency and page rendering."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from connectors.blobstore import LocalBlobStore
from connectors.stores.review import ReviewStore
from connectors.web import pages, security
from connectors.web.config import WebConfig
from connectors.web.publisher import VerdictPublisher
from connectors.web.tokens import TokenFile
from docket.reading.ocr import OcrEngine
from docket.review import permissions
from docket.review.masking import may_unmask
from docket.review.tasks import Task, User
from docket.review.throttle import LoginThrottle

SESSION_UNMASKED = "unmasked"
PageUnavailable = pages.PageError


@dataclass(frozen=True)
class Workspace:
    """The collaborators of one workspace app (built once by :func:`connectors.web.app.create_app`)."""

    reviews: ReviewStore
    verdicts: VerdictPublisher
    blobs: LocalBlobStore
    tokens: TokenFile
    templates: Jinja2Templates
    web: WebConfig
    clock: Callable[[], datetime]
    require_user: Callable[..., Any]
    throttle: LoginThrottle
    page_ocr: OcrEngine | None = None  # reads the words of scanned pages (clickable, IBANs masked)

    def render(self, request: Request, name: str, user: User | None, status_code: int = 200,
               **context: Any) -> Response:
        """The page ``name`` with the user and the session's CSRF token."""
        return self.templates.TemplateResponse(request, name, {"user": user, "csrf": security.csrf_token(request),
                                                               **context}, status_code=status_code)

    def logged_in(self, request: Request) -> User | None:
        """The session's user, or None (for pages shown with or without a login)."""
        login = request.session.get(security.SESSION_LOGIN)
        found = self.reviews.login_record(login) if isinstance(login, str) else None
        return None if found is None else found[0]

    def visible_task(self, user: User, task_id: str) -> Task:
        """The task, if ``user`` may see it (REVIEW_TASK_NOT_FOUND / REVIEW_NOT_PERMITTED otherwise)."""
        task = self.reviews.task(task_id)
        permissions.check_view(user, task)
        return task

    def unmasked_fields(self, request: Request, user: User, document_id: str) -> frozenset[str]:
        """The protected fields this session unmasked on the document (none for users who may not)."""
        if not may_unmask(user):
            return frozenset()
        return frozenset(request.session.get(SESSION_UNMASKED, {}).get(document_id, []))

    def document_bytes(self, task: Task) -> tuple[str, bytes]:
        """The task's document image: its sha256 and bytes (REVIEW_PAGE_UNAVAILABLE without one)."""
        request = self.reviews.request(task.task_id)
        document = request.document
        if not document.blob_uri:  # a bank payment or a customer's mail has no document image
            raise PageUnavailable("this task has no document image (" + (
                "a customer's mail: its text is above" if request.customer_mail is not None
                else "a payment from a bank statement") + ")")
        return document.sha256, self.blobs.get(document.blob_uri)
