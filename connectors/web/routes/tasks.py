"""A task's page and its document's page images (protected values blacked out as the form masks them)."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from connectors.web import pages
from connectors.web.routes.workspace import Workspace
from connectors.web.task_view import record_field_of, task_view
from docket.errors import DocketError
from docket.review import permissions
from docket.review.masking import bank_account_words, is_protected, masked_values
from docket.review.tasks import User


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()
    CurrentUser = Annotated[User, Depends(ws.require_user)]

    @routes.get("/reviews/{task_id}", response_class=HTMLResponse)
    def task_page(request: Request, user: CurrentUser, task_id: str) -> Response:
        task = ws.visible_task(user, task_id)
        if permissions.may_decide(user) and task.is_open:
            task = ws.reviews.mark_opened(task_id, user.login, ws.clock())
        review_request = ws.reviews.request(task_id)
        layout: pages.DocumentPages | None = None
        try:
            sha256, data = ws.document_bytes(task)
            layout = pages.page_layout(sha256, data, ws.page_ocr)
            page_count, words, missing = layout.count, layout.words, None
        except DocketError as error:
            page_count, words, missing = 0, {}, error.message
        extracted = ws.reviews.extracted_fields(task.document_id)
        unmasked = ws.unmasked_fields(request, user, task.document_id)
        hidden = hidden_boxes(extracted, layout, unmasked)
        view = task_view(task, review_request, user, extracted=extracted, unmasked=unmasked, page_count=page_count,
                         words={n: [w for w in page_words if not _overlaps_any(w, hidden.get(n, []))]
                                for n, page_words in words.items()})
        return ws.render(request, "task.html", user, view=view, document_missing=missing,
                         actions=_masked_actions(ws.reviews.actions(task_id), user, unmasked),
                         duplicates=review_request.document.duplicates)

    @routes.get("/reviews/{task_id}/pages/{number}.png")
    async def page_image(request: Request, user: CurrentUser, task_id: str, number: int) -> Response:
        task = ws.visible_task(user, task_id)
        sha256, data = ws.document_bytes(task)
        extracted = ws.reviews.extracted_fields(task.document_id)
        layout = await run_in_threadpool(pages.page_layout, sha256, data, ws.page_ocr)
        unmasked = ws.unmasked_fields(request, user, task.document_id)
        hidden = hidden_boxes(extracted, layout, unmasked).get(number, [])
        png = await run_in_threadpool(pages.page_png, sha256, data, number, hidden)
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})

    return routes


def hidden_boxes(extracted: list[dict[str, Any]], layout: pages.DocumentPages | None,
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


def _masked_actions(actions: list[dict[str, Any]], user: User, unmasked: frozenset[str]) -> list[dict[str, Any]]:
    """The task history with corrected protected values masked as the form masks them."""
    def shown(field: str, value: Any) -> Any:
        return masked_values({field: value}, user, unmasked)[field]

    return [{**action, "corrections": [{**c, "old_value": shown(c["field"], c.get("old_value")),
                                        "new_value": shown(c["field"], c.get("new_value"))}
                                       for c in action["corrections"]]} for action in actions]


def _overlaps_any(word: Any, boxes: list[pages.Box]) -> bool:
    return any(word.x0 < x1 and x0 < word.x1 and word.y0 < y1 and y0 < word.y1 for x0, y0, x1, y1 in boxes)
