"""API tokens of the HTTP source (administrators only): list, issue (shown once), revoke."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from connectors.sources.tokens import KNOWN_SCOPES
from connectors.web import security
from connectors.web.routes.workspace import Workspace
from docket.review import permissions
from docket.review.tasks import User


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()
    CurrentUser = Annotated[User, Depends(ws.require_user)]

    @routes.get("/admin/tokens", response_class=HTMLResponse)
    def tokens_page(request: Request, user: CurrentUser) -> Response:
        permissions.check_manage_users(user)
        return ws.render(request, "tokens.html", user, tokens=ws.tokens.entries(), issued=None,
                         scopes=sorted(KNOWN_SCOPES))

    @routes.post("/admin/tokens", response_class=HTMLResponse)
    async def issue_token(request: Request, user: CurrentUser) -> Response:
        form = await request.form()
        security.check_csrf(request, str(form.get("csrf_token", "")))
        permissions.check_manage_users(user)
        entities = [e.strip() for e in str(form.get("entities", "")).split(",") if e.strip()]
        name = str(form.get("name", ""))
        issued = ws.tokens.issue(name, [str(s) for s in form.getlist("scope")], entities)
        return ws.render(request, "tokens.html", user, tokens=ws.tokens.entries(), issued=(name.strip(), issued),
                         scopes=sorted(KNOWN_SCOPES))

    @routes.post("/admin/tokens/{name}/revoke")
    def revoke_token(request: Request, user: CurrentUser, name: str, csrf_token: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        ws.tokens.revoke(name)
        return RedirectResponse("/admin/tokens", status_code=303)

    return routes
