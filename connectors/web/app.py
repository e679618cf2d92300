"""The review workspace web app: login, the queue, the task page, decisions, users admin.

:func:`create_app` builds it from the settings (database, blob store, Kafka) and optional
collaborators for tests (a store, a verdict publisher, a clock). Pages are rendered on the
server (Jinja2); ``static/review.js`` adds box clicking and highlighting. The routes live in
:mod:`connectors.web.routes` (one module per area, sharing a :class:`Workspace`). The operations
dashboard, the document search and ``/metrics`` (:mod:`connectors.web.dashboard`,
:mod:`connectors.web.prometheus`) are served by the same app, behind the same login.
"""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from connectors.blobstore import LocalBlobStore
from connectors.sources.config import SourceSettings
from connectors.stores.review import ReviewStore
from connectors.stores.review_sessions import SessionStore
from connectors.web import security
from connectors.web.config import WebConfig
from connectors.web.publisher import KafkaVerdictPublisher, VerdictPublisher
from connectors.web.routes import api_tokens, auth, decisions, queue, tasks, users
from connectors.web.routes.users import new_user
from connectors.web.routes.workspace import Workspace
from connectors.web.sessions import ServerSessionMiddleware
from connectors.web.tokens import TokenFile
from docket.errors import DocketError
from docket.reading.ocr import OcrEngine
from docket.review.throttle import LoginThrottle
from streams.producer import EventProducer
from streams.settings import Settings

__all__ = ["STATUS_BY_CODE", "create_app", "new_user"]

HERE = Path(__file__).parent
STATUS_BY_CODE = {"REVIEW_TASK_STALE": 409, "REVIEW_TASK_CLOSED": 409, "REVIEW_NOT_PERMITTED": 403,
                  "REVIEW_ABOVE_LIMIT": 403, "REVIEW_TASK_NOT_FOUND": 404, "REVIEW_PAGE_UNAVAILABLE": 404,
                  "REVIEW_PUBLISH_FAILED": 503, "REVIEW_LOGIN_THROTTLED": 429}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: Settings, *, producer: EventProducer | None = None,
               clock: Callable[[], datetime] = _utc_now, store: ReviewStore | None = None,
               publisher: VerdictPublisher | None = None, config: WebConfig | None = None,
               tokens_file: Path | None = None, lag_reader: Callable[[], Any] | None = None,
               page_ocr: OcrEngine | None = None) -> FastAPI:
    """The workspace app over the review store in ``settings.audit_database_url`` and the blobs in
    ``settings.blob_root``; verdicts go to Kafka through ``publisher`` (default: ``producer`` or a new one).
    ``tokens_file`` is the HTTP source's API token file administrators edit (default: ``DOCKET_API_TOKENS_FILE``).
    ``lag_reader`` gives the dashboard and ``/metrics`` the workers' consumer lag (none: left out, with a note).
    ``page_ocr`` reads the words of scanned pages on the task page (none: scans show only the fields' boxes)."""
    web = config or WebConfig.from_settings(settings)
    reviews = store or ReviewStore(settings.audit_database_url)
    ws = Workspace(reviews=reviews, verdicts=publisher or KafkaVerdictPublisher(settings, producer),
                   blobs=LocalBlobStore(settings.blob_root),
                   tokens=TokenFile(tokens_file if tokens_file is not None else SourceSettings().api_tokens_file),
                   templates=Jinja2Templates(directory=str(HERE / "templates")), web=web, clock=clock,
                   require_user=security.user_dependency(reviews), throttle=LoginThrottle(web.throttle),
                   page_ocr=page_ocr)

    app = FastAPI(title="Docket review workspace", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(ServerSessionMiddleware, store=SessionStore(reviews.engine), secret=web.session_secret,
                       idle=timedelta(hours=web.session_hours), secure=web.secure_cookies, clock=clock)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store = reviews
    _handle_errors(app, ws)
    for area in (auth, queue, tasks, decisions, users, api_tokens):
        app.include_router(area.router(ws))
    _include_operations(app, ws, lag_reader)
    return app


def _handle_errors(app: FastAPI, ws: Workspace) -> None:
    """A missing login redirects to the login page; refusals and failures are a page with the stable code."""

    @app.exception_handler(security.LoginRequired)
    async def to_login(request: Request, error: security.LoginRequired) -> Response:
        return RedirectResponse(security.login_redirect_target(error.next_url), status_code=303)

    @app.exception_handler(DocketError)
    async def refused(request: Request, error: DocketError) -> Response:
        """Refusals and failures as a page with the stable code (ReviewError is a DocketError)."""
        return ws.render(request, "error.html", ws.logged_in(request),
                         status_code=STATUS_BY_CODE.get(error.code, 400), error=error)


def _include_operations(app: FastAPI, ws: Workspace, lag_reader: Callable[[], Any] | None) -> None:
    """The dashboard, search and document pages (behind the login) and ``/metrics`` (for scrapers)."""
    from connectors.web.dashboard import dashboard_router
    from connectors.web.prometheus import metrics_app

    app.include_router(dashboard_router(lambda: ws.reviews.audit, ws.require_user, templates=ws.templates,
                                        lag_reader=lag_reader))
    app.include_router(metrics_app(lambda: ws.reviews.audit, lag_reader))
