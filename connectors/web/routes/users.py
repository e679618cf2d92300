"""Users administration (administrators only)."""

# No ``from __future__ import annotations``: FastAPI resolves the endpoints' annotations at runtime.
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from connectors.web import security
from connectors.web.config import WebConfig
from connectors.web.routes.workspace import Workspace
from docket.review import permissions
from docket.review.errors import ReviewError
from docket.review.passwords import hash_password
from docket.review.tasks import ROLES, User


def router(ws: Workspace) -> APIRouter:
    routes = APIRouter()
    CurrentUser = Annotated[User, Depends(ws.require_user)]

    @routes.get("/admin/users", response_class=HTMLResponse)
    def users_page(request: Request, user: CurrentUser) -> Response:
        permissions.check_manage_users(user)
        return ws.render(request, "users.html", user, users=ws.reviews.users(), roles=ROLES,
                         default_limit=ws.web.default_reviewer_limit)

    @routes.post("/admin/users")
    def add_user(request: Request, user: CurrentUser, csrf_token: str = Form(""), login: str = Form(...),
                 password: str = Form(...), role: str = Form(...), entities: str = Form(""),
                 approval_limit: str = Form(""), display_name: str = Form("")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        created = new_user(login, role, entities, approval_limit, display_name, ws.web)
        ws.reviews.add_user(created, hash_password(password), ws.clock())
        return RedirectResponse("/admin/users", status_code=303)

    @routes.post("/admin/users/{login}/active")
    def set_active(request: Request, user: CurrentUser, login: str, csrf_token: str = Form(""),
                   active: str = Form("0")) -> Response:
        security.check_csrf(request, csrf_token)
        permissions.check_manage_users(user)
        if login == user.login:
            raise ReviewError("administrators cannot deactivate themselves", code="REVIEW_NOT_PERMITTED")
        ws.reviews.set_active(login, active == "1")
        return RedirectResponse("/admin/users", status_code=303)

    return routes


def new_user(login: str, role: str, entities: str, approval_limit: str, display_name: str,
             web: WebConfig) -> User:
    """A user from the admin form or the CLI; raises REVIEW_USER_INVALID for a bad role, login or limit."""
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
