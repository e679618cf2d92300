"""What reviewers do with a task: approve (with corrections), reject, mark duplicate, assign, unmask."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
import json
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from connectors.web import security
from connectors.web.routes.workspace import SESSION_UNMASKED, Workspace
from docket.model import BBox, ReviewCompleted
from docket.review import workflow
from docket.review.errors import ReviewError
from docket.review.masking import unmasking
from docket.review.tasks import Task, User


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()
    CurrentUser = Annotated[User, Depends(ws.require_user)]

    def publish(verdict: ReviewCompleted) -> Callable[[], None]:
        return lambda: ws.verdicts.publish(verdict)

    @routes.post("/reviews/{task_id}/approve")
    async def approve(request: Request, user: CurrentUser, task_id: str) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        security.check_csrf(request, form.get("csrf_token"))
        return await run_in_threadpool(approve_task, user, task_id, form)

    def approve_task(user: User, task_id: str, form: dict[str, str]) -> Response:
        task = ws.visible_task(user, task_id)
        review_request = ws.reviews.request(task_id)
        seen = _version(form)
        record = review_request.document.record
        if review_request.cash_application is not None:  # a payment: the items to settle, not the record
            corrections = workflow.payment_corrections(review_request, form)
        else:
            fields = {key[2:]: value for key, value in form.items() if key.startswith("f_")}
            corrections = workflow.corrections_from_form(workflow.record_values(record), fields, user,
                                                         _boxes_from_form(form))
            workflow.check_corrections(record, corrections)
        now = ws.clock()
        changed = workflow.decide(task, decision="approve", seen_version=seen, user=user, now=now,
                                  corrections=corrections)
        current_vendor = review_request.document.vendor.party_id if review_request.document.vendor else None
        vendor_id = form.get("vendor_id") or None
        verdict = workflow.completion(task, review_request, decision="approve", user=user, seen_version=seen,
                                      now=now, corrections=corrections,
                                      vendor_id=vendor_id if vendor_id != current_vendor else None)
        ws.reviews.commit_change(changed, seen_version=seen, actor=user.login, action="approve", now=now,
                                 review=verdict, publish=publish(verdict),
                                 publish_positions=ws.verdicts.publish_positions)
        return _done(task, f"approved with {len(corrections)} correction(s)")

    @routes.post("/reviews/{task_id}/reject")
    def reject(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""), version: str = Form(""),
               reason: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        return close(user, task_id, "reject", _version({"version": version}), reason=reason)

    @routes.post("/reviews/{task_id}/duplicate")
    def duplicate(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""),
                  version: str = Form(""), duplicate_of: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        return close(user, task_id, "duplicate", _version({"version": version}), duplicate_of=duplicate_of)

    def close(user: User, task_id: str, decision: str, seen: int, *, reason: str = "",
              duplicate_of: str = "") -> Response:
        task = ws.visible_task(user, task_id)
        now = ws.clock()
        changed = workflow.decide(task, decision=decision, seen_version=seen, user=user, now=now)
        verdict = workflow.completion(task, ws.reviews.request(task_id), decision=decision, user=user,
                                      seen_version=seen, now=now, reason=reason.strip(),
                                      duplicate_of=duplicate_of.strip())
        ws.reviews.commit_change(changed, seen_version=seen, actor=user.login, action=decision, now=now,
                                 detail=reason.strip() or duplicate_of.strip() or None, review=verdict,
                                 publish=publish(verdict))
        return _done(task, f"{changed.status}")

    @routes.post("/reviews/{task_id}/assign")
    def assign(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""), version: str = Form(""),
               assignee: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        task = ws.visible_task(user, task_id)
        seen = _version({"version": version})
        changed = workflow.assign(task, assignee=assignee.strip() or None, seen_version=seen, user=user)
        ws.reviews.commit_change(changed, seen_version=seen, actor=user.login, action="assign", now=ws.clock(),
                                 detail=changed.assignee or "nobody")
        return RedirectResponse(f"/reviews/{task_id}", status_code=303)

    @routes.post("/reviews/{task_id}/unmask")
    def unmask(request: Request, user: CurrentUser, task_id: str, csrf_token: str = Form(""),
               field: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        task = ws.visible_task(user, task_id)
        ws.reviews.log_unmasking(unmasking(user, task.document_id, field, ws.clock()))
        shown = dict(request.session.get(SESSION_UNMASKED, {}))
        shown[task.document_id] = sorted({*shown.get(task.document_id, []), field})
        request.session[SESSION_UNMASKED] = shown
        return RedirectResponse(f"/reviews/{task_id}", status_code=303)

    return routes


def _done(task: Task, message: str) -> Response:
    return RedirectResponse(f"/reviews?{urlencode({'done': task.task_id, 'message': message})}", status_code=303)


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


def _version(form: dict[str, str]) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError as error:
        raise ReviewError("the form does not say which task version it decides", code="REVIEW_VERSION_MISSING") \
            from error
