"""Logging in and out."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from connectors.web import security
from connectors.web.routes.workspace import Workspace
from docket.review import permissions
from docket.review.errors import ReviewError


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()

    @routes.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/reviews", status_code=303)

    @routes.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/reviews") -> Response:
        return ws.render(request, "login.html", None, next=next, failed=False)

    @routes.post("/login")
    def login(request: Request, login: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
              next: str = Form("/reviews")) -> Response:
        security.check_csrf(request, csrf_token)
        address = security.client_address(request)
        try:
            ws.throttle.check(login, address, ws.clock())
        except ReviewError as refused:
            # Refused before the password is checked: a locked login is not opened by the right one.
            response = ws.render(request, "login.html", None, status_code=429, next=next, failed=False,
                                 throttled=refused)
            response.headers["Retry-After"] = refused.details.get("retry_after_seconds", "60")
            return response
        user = security.authenticate(ws.reviews, login.strip(), password)
        if user is None:
            ws.throttle.failed(login, address, ws.clock())
            return ws.render(request, "login.html", None, status_code=401, next=next, failed=True)
        ws.throttle.succeeded(login)
        security.start_session(request, user)
        # Only a path on this site: "//host" and "/\\host" would send the user elsewhere.
        target = next if next.startswith("/") and next[1:2] not in ("/", "\\") else "/reviews"
        if permissions.may_manage_users(user) and target == "/reviews":
            target = "/admin/users"
        return RedirectResponse(target, status_code=303)

    @routes.post("/logout")
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        security.end_session(request)
        return RedirectResponse("/login", status_code=303)

    return routes
