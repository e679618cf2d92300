"""The review queue."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from connectors.web.routes.workspace import Workspace
from docket.review import permissions
from docket.review.errors import ReviewError
from docket.review.queue import SORTS, QueueFilter, visible_queue
from docket.review.tasks import STATUSES, User


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()
    CurrentUser = Annotated[User, Depends(ws.require_user)]

    @routes.get("/reviews", response_class=HTMLResponse)
    def queue(request: Request, user: CurrentUser, legal_entity: str = "",
              document_type: str = "", reason: str = "", assignee: str = "", status: str = "open", q: str = "",
              sort: str = "due") -> Response:
        wanted = QueueFilter(legal_entity=legal_entity, document_type=document_type, reason=reason,
                             assignee=assignee, status=status, text=q, sort=sort)
        if not permissions.may_read_tasks(user):
            raise ReviewError(f"{user.login} works on users, not tasks", code="REVIEW_NOT_PERMITTED")
        # Only the asked-for status is loaded: closed tasks pile up, the open queue stays small.
        everything = ws.reviews.tasks(status=status or None, legal_entities=user.entities)
        shown = visible_queue(everything, user, wanted)
        choices = {
            "legal_entity": sorted({t.legal_entity for t in everything}),
            "document_type": sorted({t.document_type for t in everything}),
            "reason": sorted({r for t in everything for r in t.reasons}),
        }
        return ws.render(request, "queue.html", user, tasks=shown, filters=wanted, choices=choices, sorts=SORTS,
                         statuses=STATUSES, now=ws.clock(), query=urlencode)

    return routes
