"""The review workspace web app: login, the queue, the task page, decisions, users admin.

:func:`create_app` builds it from the settings (database, blob store, Kafka) and optional
collaborators for tests (a store, a verdict publisher, a clock). Pages are rendered on the
server (Jinja2); ``static/review.js`` adds box clicking and highlighting. The operations
dashboard, the document search and ``/metrics`` (:mod:`connectors.web.dashboard`,
:mod:`connectors.web.prometheus`) are served by the same app, behind the same login.
"""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from connectors.blobstore import LocalBlobStore
from connectors.sources.config import SourceSettings
from connectors.sources.tokens import KNOWN_SCOPES
from connectors.stores.review import ReviewStore
from connectors.web import pages, security
from connectors.web.config import WebConfig
from connectors.web.publisher import KafkaVerdictPublisher, VerdictPublisher
from connectors.web.task_view import record_field_of, task_view
from connectors.web.tokens import TokenFile
from docket.errors import DocketError
from docket.model import BBox, ReviewCompleted
from docket.review import permissions, workflow
from docket.review.errors import ReviewError
from docket.review.masking import bank_account_words, is_protected, masked_values, may_unmask, unmasking
from docket.review.passwords import hash_password
from docket.review.queue import SORTS, QueueFilter, visible_queue
from docket.review.tasks import ROLES, STATUSES, Task, User
from streams.producer import EventProducer
from streams.settings import Settings

HERE = Path(__file__).parent
PageUnavailable = pages.PageError
STATUS_BY_CODE = {"REVIEW_TASK_STALE": 409, "REVIEW_TASK_CLOSED": 409, "REVIEW_NOT_PERMITTED": 403,
                  "REVIEW_ABOVE_LIMIT": 403, "REVIEW_TASK_NOT_FOUND": 404, "REVIEW_PAGE_UNAVAILABLE": 404,
                  "REVIEW_PUBLISH_FAILED": 503}
SESSION_UNMASKED = "unmasked"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _boxes_from_form(form: dict[str, str]) -> dict[str, BBox]:
    """``box_<field>`` form values (JSON boxes set by the page script when a box was clicked)."""
    boxes: dict[str, BBox] = {}
    for key, value in form.items():
        if key.startswith("box_") and value:
            try:
                boxes[key[4:]] = BBox.model_validate(json.loads(value))
            except ValueError as error:
                raise ReviewError(f"box of {key[4:]} is malformed", code="REVIEW_BOX_INVALID") from error
    return boxes


def create_app(settings: Settings, *, producer: EventProducer | None = None,
               clock: Callable[[], datetime] = _utc_now, store: ReviewStore | None = None,
               publisher: VerdictPublisher | None = None, config: WebConfig | None = None,
               tokens_file: Path | None = None, lag_reader: Callable[[], Any] | None = None) -> FastAPI:
    """The workspace app over the review store in ``settings.audit_database_url`` and the blobs in
    ``settings.blob_root``; verdicts go to Kafka through ``publisher`` (default: ``producer`` or a new one).
    ``tokens_file`` is the HTTP source's API token file administrators edit (default: ``DOCKET_API_TOKENS_FILE``).
    ``lag_reader`` gives the dashboard and ``/metrics`` the workers' consumer lag (none: left out, with a note)."""
    web = config or WebConfig.from_settings(settings)
    reviews = store or ReviewStore(settings.audit_database_url)
    verdicts = publisher or KafkaVerdictPublisher(settings, producer)
    blobs = LocalBlobStore(settings.blob_root)
    tokens = TokenFile(tokens_file if tokens_file is not None else SourceSettings().api_tokens_file)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    require_user = security.user_dependency(reviews)
    CurrentUser = Annotated[User, Depends(require_user)]

    app = FastAPI(title="Docket review workspace", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SessionMiddleware, secret_key=web.session_secret, session_cookie="docket_session",
                       max_age=int(web.session_hours * 3600), same_site="strict", https_only=web.secure_cookies)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.store = reviews

    def render(request: Request, name: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, {"user": user, "csrf": security.csrf_token(request),
                                                          **context}, status_code=status_code)

    @app.exception_handler(security.LoginRequired)
    async def to_login(request: Request, error: security.LoginRequired) -> Response:
        return RedirectResponse(security.login_redirect_target(error.next_url), status_code=303)

    def logged_in(request: Request) -> User | None:
        login = request.session.get(security.SESSION_LOGIN)
        found = reviews.login_record(login) if isinstance(login, str) else None
        return None if found is None else found[0]

    @app.exception_handler(DocketError)
    async def refused(request: Request, error: DocketError) -> Response:
        """Refusals and failures as a page with the stable code (ReviewError is a DocketError)."""
        return render(request, "error.html", logged_in(request), status_code=STATUS_BY_CODE.get(error.code, 400),
                      error=error)

    # -- login --------------------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/reviews", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/reviews") -> Response:
        return render(request, "login.html", None, next=next, failed=False)

    @app.post("/login")
    def login(request: Request, login: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
              next: str = Form("/reviews")) -> Response:
        security.check_csrf(request, csrf_token)
        user = security.authenticate(reviews, login.strip(), password)
        if user is None:
            return render(request, "login.html", None, status_code=401, next=next, failed=True)
        security.start_session(request, user)
        # Only a path on this site: "//host" and "/\\host" would send the user elsewhere.
        target = next if next.startswith("/") and next[1:2] not in ("/", "\\") else "/reviews"
        if permissions.may_manage_users(user) and target == "/reviews":
            target = "/admin/users"
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    # -- the queue ----------------------------------------------------------------------------------

    @app.get("/reviews", response_class=HTMLResponse)
    def queue(request: Request, user: CurrentUser, legal_entity: str = "",
              document_type: str = "", reason: str = "", assignee: str = "", status: str = "open", q: str = "",
              sort: str = "due") -> Response:
        wanted = QueueFilter(legal_entity=legal_entity, document_type=document_type, reason=reason,
                             assignee=assignee, status=status, text=q, sort=sort)
        if not permissions.may_read_tasks(user):
            raise ReviewError(f"{user.login} works on users, not tasks", code="REVIEW_NOT_PERMITTED")
        # Only the asked-for status is loaded: closed tasks pile up, the open queue stays small.
        everything = reviews.tasks(status=status or None, legal_entities=user.entities)
        shown = visible_queue(everything, user, wanted)
        choices = {
            "legal_entity": sorted({t.legal_entity for t in everything}),
            "document_type": sorted({t.document_type for t in everything}),
            "reason": sorted({r for t in everything for r in t.reasons}),
        }
        return render(request, "queue.html", user, tasks=shown, filters=wanted, choices=choices, sorts=SORTS,
                      statuses=STATUSES, now=clock(), query=urlencode)

    # -- a task -------------------------------------------------------------------------------------

    def visible_task(user: User, task_id: str) -> Task:
        task = reviews.task(task_id)
        permissions.check_view(user, task)
        return task

    def unmasked_fields(request: Request, user: User, document_id: str) -> frozenset[str]:
        if not may_unmask(user):
            return frozenset()
        return frozenset(request.session.get(SESSION_UNMASKED, {}).get(document_id, []))

    def document_bytes(task: Task) -> tuple[str, bytes]:
        document = reviews.request(task.task_id).document
        if not document.blob_uri:  # a bank payment has no document image
            raise PageUnavailable("this task has no document image (a payment from a bank statement)")
        return document.sha256, blobs.get(document.blob_uri)

    @app.get("/reviews/{task_id}", response_class=HTMLResponse)
    def task_page(request: Request, user: CurrentUser, task_id: str) -> Response:
        task = visible_task(user, task_id)
        if permissions.may_decide(user) and task.is_open:
            task = reviews.mark_opened(task_id, user.login, clock())
        review_request = reviews.request(task_id)
        layout: pages.DocumentPages | None = None
        try:
            sha256, data = document_bytes(task)
            layout = pages.page_layout(sha256, data)
            page_count, words, missing = layout.count, layout.words, None
        except DocketError as error:
            page_count, words, missing = 0, {}, error.message
        extracted = reviews.extracted_fields(task.document_id)
        unmasked = unmasked_fields(request, user, task.document_id)
        hidden = hidden_boxes(extracted, layout, user, unmasked)
        view = task_view(task, review_request, user, extracted=extracted, unmasked=unmasked, page_count=page_count,
                         words={n: [w for w in ws if not _overlaps_any(w, hidden.get(n, []))]
                                for n, ws in words.items()})
        return render(request, "task.html", user, view=view, document_missing=missing,
                      actions=_masked_actions(reviews.actions(task_id), user, unmasked),
                      duplicates=review_request.document.duplicates)

    def hidden_boxes(extracted: list[dict[str, Any]], layout: pages.DocumentPages | None, user: User,
                     unmasked: frozenset[str]) -> dict[int, list[pages.Box]]:
        """Boxes of protected values this user sees masked, blacked out on the page image too: the
        extracted protected fields and any words on the page that spell an IBAN."""
        hidden: dict[int, list[pages.Box]] = {}
        for item in extracted:
            target = record_field_of(str(item.get("name", ""))) or str(item.get("name", ""))
            box = item.get("bbox")
            if box and is_protected(target) and target not in unmasked:
                hidden.setdefault(int(box["page"]), []).append((box["x0"], box["y0"], box["x1"], box["y1"]))
        if layout is not None and "supplier_iban" not in unmasked:
            for number, words in layout.words.items():
                for index in sorted(bank_account_words([w.text for w in words])):
                    w = words[index]
                    hidden.setdefault(number, []).append((w.x0, w.y0, w.x1, w.y1))
        return hidden

    @app.get("/reviews/{task_id}/pages/{number}.png")
    async def page_image(request: Request, user: CurrentUser, task_id: str, number: int) -> Response:
        task = visible_task(user, task_id)
        sha256, data = document_bytes(task)
        extracted = reviews.extracted_fields(task.document_id)
        layout = await run_in_threadpool(pages.page_layout, sha256, data)
        unmasked = unmasked_fields(request, user, task.document_id)
        hidden = hidden_boxes(extracted, layout, user, unmasked).get(number, [])
        png = await run_in_threadpool(pages.page_png, sha256, data, number, hidden)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})

    # -- actions ------------------------------------------------------------------------------------

    def publish(verdict: ReviewCompleted) -> Callable[[], None]:
        return lambda: verdicts.publish(verdict)

    def done(task: Task, message: str) -> Response:
        return RedirectResponse(f"/reviews?{urlencode({'done': task.task_id, 'message': message})}", status_code=303)

    @app.post("/reviews/{task_id}/approve")
    async def approve(request: Request, user: CurrentUser, task_id: str) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        security.check_csrf(request, form.get("csrf_token"))
        return await run_in_threadpool(approve_task, user, task_id, form)

    def approve_task(user: User, task_id: str, form: dict[str, str]) -> Response:
        task = visible_task(user, task_id)
        review_request = reviews.request(task_id)
        seen = _version(form)
        record = review_request.document.record
        if review_request.cash_application is not None:  # a payment: the items to settle, not the record
            corrections = workflow.payment_corrections(review_request, form)
        else:
            fields = {key[2:]: value for key, value in form.items() if key.startswith("f_")}
            corrections = workflow.corrections_from_form(workflow.record_values(record), fields, user,
                                                         _boxes_from_form(form))
            workflow.check_corrections(record, corrections)
        now = clock()
        changed = workflow.decide(task, decision="approve", seen_version=seen, user=user, now=now,
                                  corrections=corrections)
        current_vendor = review_request.document.vendor.party_id if review_request.document.vendor else None
        vendor_id = form.get("vendor_id") or None
        verdict = workflow.completion(task, review_request, decision="approve", user=user, seen_version=seen,
                                      now=now, corrections=corrections,
                                      vendor_id=vendor_id if vendor_id != current_vendor else None)
        reviews.commit_change(changed, seen_version=seen, actor=user.login, action="approve", now=now,
                              review=verdict, publish=publish(verdict))
        return done(task, f"approved with {len(corrections)} correction(s)")

    @app.post("/reviews/{task_id}/reject")
    def reject(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""), version: str = Form(""),
               reason: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        return close(user, task_id, "reject", _version({"version": version}), reason=reason)

    @app.post("/reviews/{task_id}/duplicate")
    def duplicate(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""),
                  version: str = Form(""), duplicate_of: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        return close(user, task_id, "duplicate", _version({"version": version}), duplicate_of=duplicate_of)

    def close(user: User, task_id: str, decision: str, seen: int, *, reason: str = "",
              duplicate_of: str = "") -> Response:
        task = visible_task(user, task_id)
        now = clock()
        changed = workflow.decide(task, decision=decision, seen_version=seen, user=user, now=now)
        verdict = workflow.completion(task, reviews.request(task_id), decision=decision, user=user,
                                      seen_version=seen, now=now, reason=reason.strip(),
                                      duplicate_of=duplicate_of.strip())
        reviews.commit_change(changed, seen_version=seen, actor=user.login, action=decision, now=now,
                              detail=reason.strip() or duplicate_of.strip() or None, review=verdict,
                              publish=publish(verdict))
        return done(task, f"{changed.status}")

    @app.post("/reviews/{task_id}/assign")
    def assign(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""), version: str = Form(""),
               assignee: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        task = visible_task(user, task_id)
        seen = _version({"version": version})
        changed = workflow.assign(task, assignee=assignee.strip() or None, seen_version=seen, user=user)
        reviews.commit_change(changed, seen_version=seen, actor=user.login, action="assign", now=clock(),
                              detail=changed.assignee or "nobody")
        return RedirectResponse(f"/reviews/{task_id}", status_code=303)

    @app.post("/reviews/{task_id}/unmask")
    def unmask(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""),
               field: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        task = visible_task(user, task_id)
        reviews.log_unmasking(unmasking(user, task.document_id, field, clock()))
        shown = dict(request.session.get(SESSION_UNMASKED, {}))
        shown[task.document_id] = sorted({*shown.get(task.document_id, []), field})
        request.session[SESSION_UNMASKED] = shown
        return RedirectResponse(f"/reviews/{task_id}", status_code=303)

    # -- users (administrators) ---------------------------------------------------------------------

    @app.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request, user: CurrentUser) -> Response:
        permissions.check_manage_users(user)
        return render(request, "users.html", user, users=reviews.users(), roles=ROLES,
                      default_limit=web.default_reviewer_limit)

    @app.post("/admin/users")
    def add_user(request: Request, user: CurrentUser, csrf_token: str = Form(""), login: str = Form(...),
                 password: str = Form(...), role: str = Form(...), entities: str = Form(""),
                 approval_limit: str = Form(""), display_name: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        created = new_user(login, role, entities, approval_limit, display_name, web)
        reviews.add_user(created, hash_password(password), clock())
        return RedirectResponse("/admin/users", status_code=303)

    @app.post("/admin/users/{login}/active")
    def set_active(request: Request, user: CurrentUser, login: str, csrf_token: str = Form(""),
                   active: str = Form("0")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        if login == user.login:
            raise ReviewError("administrators cannot deactivate themselves", code="REVIEW_NOT_PERMITTED")
        reviews.set_active(login, active == "1")
        return RedirectResponse("/admin/users", status_code=303)

    @app.get("/admin/tokens", response_class=HTMLResponse)
    def tokens_page(request: Request, user: CurrentUser) -> Response:
        permissions.check_manage_users(user)
        return render(request, "tokens.html", user, tokens=tokens.entries(), issued=None, scopes=sorted(KNOWN_SCOPES))

    @app.post("/admin/tokens", response_class=HTMLResponse)
    async def issue_token(request: Request, user: CurrentUser) -> Response:
        form = await request.form()
        security.check_csrf(request, str(form.get("csrf_token", "")))
        permissions.check_manage_users(user)
        entities = [e.strip() for e in str(form.get("entities", "")).split(",") if e.strip()]
        name = str(form.get("name", ""))
        issued = tokens.issue(name, [str(s) for s in form.getlist("scope")], entities)
        return render(request, "tokens.html", user, tokens=tokens.entries(), issued=(name.strip(), issued),
                      scopes=sorted(KNOWN_SCOPES))

    @app.post("/admin/tokens/{name}/revoke")
    def revoke_token(request: Request, user: CurrentUser, name: str, csrf_token: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        tokens.revoke(name)
        return RedirectResponse("/admin/tokens", status_code=303)

    _include_operations(app, reviews, require_user, templates, lag_reader)
    return app


def new_user(login: str, role: str, entities: str, approval_limit: str, display_name: str,
             web: WebConfig) -> User:
    """A user from the admin form or the CLI; raises REVIEW_USER_INVALID for a bad role, login or limit."""
    from decimal import Decimal, InvalidOperation

    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}", code="REVIEW_USER_INVALID")
    if not login.strip() or any(c.isspace() for c in login.strip()):
        raise ReviewError("a login is one word", code="REVIEW_USER_INVALID")
    try:
        limit = Decimal(approval_limit) if approval_limit.strip() else None
    except InvalidOperation as error:
        raise ReviewError(f"approval limit {approval_limit!r} is not an amount", code="REVIEW_USER_INVALID") from error
    codes = frozenset(e.strip() for e in entities.replace(";", ",").split(",") if e.strip())
    return User(login=login.strip(), role=role, entities=codes,
                approval_limit=permissions.reviewer_limit(role, limit, web.default_reviewer_limit),
                display_name=display_name.strip() or login.strip())


def _masked_actions(actions: list[dict[str, Any]], user: User, unmasked: frozenset[str]) -> list[dict[str, Any]]:
    """The task history with corrected protected values masked as the form masks them."""
    def shown(field: str, value: Any) -> Any:
        return masked_values({field: value}, user, unmasked)[field]

    return [{**action, "corrections": [{**c, "old_value": shown(c["field"], c.get("old_value")),
                                        "new_value": shown(c["field"], c.get("new_value"))}
                                       for c in action["corrections"]]} for action in actions]


def _version(form: dict[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError as error:
        raise ReviewError("the form does not say which task version it decides", code="REVIEW_VERSION_MISSING") \
            from error


def _overlaps_any(word: Any, boxes: list[pages.Box]) -> bool:
    return any(word.x0 < x1 and x0 < word.x1 and word.y0 < y1 and y0 < word.y1 for x0, y0, x1, y1 in boxes)


def _include_operations(app: FastAPI, reviews: ReviewStore, require_user: Callable[..., Any],
                        templates: Jinja2Templates, lag_reader: Callable[[], Any] | None) -> None:
    """The dashboard, search and document pages (behind the login) and ``/metrics`` (for scrapers)."""
    from connectors.web.dashboard import dashboard_router
    from connectors.web.prometheus import metrics_app

    app.include_router(dashboard_router(lambda: reviews.audit, require_user, templates=templates,
                                        lag_reader=lag_reader))
    app.include_router(metrics_app(lambda: reviews.audit, lag_reader))
