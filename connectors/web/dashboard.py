"""The operations dashboard, the document search and a document's trail, as server-rendered pages.

Who sees what, as in the review workspace (:mod:`docket.review.permissions`): a user sees the
documents of ``user.entities`` (legal entity codes) only, every entity when they hold ``*`` or
their ``role`` is ``administrator`` (who runs the system), none when they hold no entity. A filter
for an entity the user does not serve is refused (403); a document of such an entity is answered
as unknown (404), so its existence is not disclosed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from connectors.stores.audit import AuditStore
from connectors.stores.ops_queries import (
    SearchInputError,
    load_activity,
    load_change_reviews,
    load_crm_postings,
    load_customer_mail,
    search_documents,
)
from docket.audit.trail import trail_data
from docket.ops import Dashboard, OpsInputError, build_dashboard
from docket.ops.charts import bar_chart
from docket.ops.crm import crm_board
from docket.ops.customer_mail import customer_mail_figures
from docket.ops.model import ConsumerLag
from docket.ops.windows import default_bucket, parse_window

TEMPLATES = Path(__file__).with_name("templates")
UNRESTRICTED_ROLES = frozenset({"administrator"})
TrailReader = Callable[[str], dict[str, Any]]
LagReader = Callable[[], Sequence[ConsumerLag]]


def visible_entities(user: Any) -> list[str] | None:
    """The legal entities ``user`` may see; None means all (see the module docstring)."""
    entities = list(getattr(user, "entities", None) or [])
    if getattr(user, "role", None) in UNRESTRICTED_ROLES or "*" in entities:
        return None
    return sorted(entities)


def dashboard_router(store_factory: Callable[[], AuditStore], require_user: Callable[..., Any], *,
                     templates: Jinja2Templates | None = None, lag_reader: LagReader | None = None,
                     trail_reader: TrailReader | None = None,
                     clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> APIRouter:
    """``GET /dashboard`` (+ ``/dashboard.json``), ``GET /search``, ``GET /documents/{document_id}``.

    Every route depends on ``require_user``. ``store_factory`` returns the shared audit store;
    ``lag_reader`` adds consumer lag to the dashboard (left out, with a note, if it fails);
    ``trail_reader`` builds a document's trail data (default: :func:`docket.audit.trail.trail_data` on the store).
    ``templates`` defaults to this package's templates (which extend ``base.html``).
    """
    pages = templates or Jinja2Templates(directory=str(TEMPLATES))
    router = APIRouter()
    # A default, not Annotated: with postponed annotations FastAPI cannot resolve a local alias.
    current_user = Depends(require_user)

    def board_for(user: Any, entity: str | None, document_type: str | None, window: str,
                  bucket: str | None) -> tuple[Dashboard, str | None]:
        entities = _entities_for(user, entity)
        try:
            span = parse_window(window)
            size = parse_window(bucket) if bucket else default_bucket(span)
        except OpsInputError as error:
            raise HTTPException(status_code=422, detail=error.message) from error
        now = clock()
        lag, lag_note = _read_lag(lag_reader)
        documents, events = load_activity(store_factory().engine, since=now - span, until=now, entities=entities)
        mail_tasks, promises = load_customer_mail(store_factory().engine, entities=entities)
        crm = crm_board(load_crm_postings(store_factory().engine, entities=entities),
                        load_change_reviews(store_factory().engine, entities=entities),
                        today=now.date(), won_since=now - span, entities=entities)
        try:
            board = build_dashboard(documents, events, now=now, window=span, bucket=size, entities=entities,
                                    document_type=document_type or None, consumer_lag=lag,
                                    customer_mail=customer_mail_figures(mail_tasks, promises), crm=crm)
        except OpsInputError as error:
            raise HTTPException(status_code=422, detail=error.message) from error
        return board, lag_note

    @router.get("/dashboard", response_class=HTMLResponse)
    def dashboard_page(request: Request, user: Any = current_user, entity: str | None = None,
                       document_type: str | None = None, window: str = "24h",
                       bucket: str | None = None) -> HTMLResponse:
        board, lag_note = board_for(user, entity, document_type, window, bucket)
        return pages.TemplateResponse(request, "dashboard.html", {
            "user": user, "board": board, "charts": _charts(board), "lag_note": lag_note,
            "bucket_text": _duration_text(board.bucket_size),
            "filters": {"entity": entity or "", "document_type": document_type or "", "window": window,
                        "bucket": bucket or ""},
            "entity_choices": visible_entities(user)})

    @router.get("/dashboard.json")
    def dashboard_json(user: Any = current_user, entity: str | None = None,
                       document_type: str | None = None, window: str = "24h",
                       bucket: str | None = None) -> JSONResponse:
        board, lag_note = board_for(user, entity, document_type, window, bucket)
        return JSONResponse({**board.model_dump(mode="json"), "lag_note": lag_note})

    @router.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, user: Any = current_user, q: str = "", amount: str = "",
                    on: Annotated[str, Query(alias="date")] = "") -> HTMLResponse:
        entities = visible_entities(user)
        error: str | None = None
        hits: list[Any] = []
        try:
            day = date.fromisoformat(on) if on.strip() else None
            hits = search_documents(store_factory().engine, text=q, amount=amount, on_date=day, entities=entities)
        except ValueError:
            error = f"date {on!r} is not YYYY-MM-DD"
        except SearchInputError as problem:
            error = problem.message
        return pages.TemplateResponse(request, "search.html", {
            "user": user, "hits": hits, "error": error, "query": {"q": q, "amount": amount, "date": on}},
            status_code=422 if error else 200)

    @router.get("/documents/{document_id}", response_class=HTMLResponse)
    def document_page(request: Request, document_id: str, user: Any = current_user) -> HTMLResponse:
        state = store_factory().document(document_id)
        allowed = visible_entities(user)
        if state is None or (allowed is not None and state.legal_entity not in allowed):
            raise HTTPException(status_code=404, detail=f"document {document_id} is unknown")
        trail = trail_reader(document_id) if trail_reader else trail_data(store_factory(), document_id)
        return pages.TemplateResponse(request, "document.html", {"user": user, "trail": trail})

    return router


def _entities_for(user: Any, entity: str | None) -> list[str] | None:
    allowed = visible_entities(user)
    if not entity:
        return allowed
    if allowed is not None and entity not in allowed:
        raise HTTPException(status_code=403, detail=f"you do not serve legal entity {entity}")
    return [entity]


def _read_lag(lag_reader: LagReader | None) -> tuple[Sequence[ConsumerLag], str | None]:
    from docket.errors import DocketError

    if lag_reader is None:
        return (), "consumer lag is not configured for this server"
    try:
        return lag_reader(), None
    except DocketError as error:
        return (), f"consumer lag unavailable: {error}"


def _charts(board: Dashboard) -> dict[str, str]:
    labels = [_bucket_label(bucket.start, board.bucket_size) for bucket in board.series]
    series = board.series
    return {
        "received": bar_chart([b.documents_received for b in series], labels, title="documents received"),
        "posted": bar_chart([b.documents_posted for b in series], labels, title="documents posted"),
        "stp": bar_chart([None if b.stp_rate is None else b.stp_rate * 100 for b in series], labels,
                         title="straight-through %", maximum=100.0, unit="%"),
        "latency": bar_chart([b.posting_latency_p95_seconds for b in series], labels,
                             title="posting latency p95", unit="s"),
        "errors": bar_chart([b.posting_errors for b in series], labels, title="posting errors"),
    }


def _bucket_label(start: datetime, size: timedelta) -> str:
    return start.strftime("%Y-%m-%d" if size >= timedelta(days=1) else "%Y-%m-%d %H:%M")


def _duration_text(size: timedelta) -> str:
    minutes = int(size.total_seconds() // 60)
    for unit, length in (("week", 10080), ("day", 1440), ("hour", 60)):
        if minutes % length == 0:
            count = minutes // length
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{minutes} minutes"
