"""``docket web``: the review workspace server and its users.

* ``docket web serve [--host --port]`` serves the workspace (``connectors/web``) with uvicorn;
* ``docket web user add LOGIN --role reviewer --entity DE01 [--entity FR01] [--limit 5000]``
  creates or replaces a login; the password comes from ``DOCKET_REVIEW_PASSWORD`` or a prompt;
* ``docket web user list`` prints the logins.

The database is the audit trail's (``DOCKET_AUDIT_URL``, default SQLite in the state directory).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def register(app: typer.Typer) -> None:
    web = typer.Typer(help="The review workspace: serve it, manage its users.", no_args_is_help=True)
    users = typer.Typer(help="Workspace logins.", no_args_is_help=True)
    web.command("serve")(serve)
    users.command("add")(add_user)
    users.command("list")(list_users)
    web.add_typer(users, name="user")
    app.add_typer(web, name="web")


def serve(host: Annotated[str | None, typer.Option(help="default DOCKET_REVIEW_HOST or 127.0.0.1")] = None,
          port: Annotated[int | None, typer.Option(help="default DOCKET_REVIEW_PORT or 8300")] = None) -> None:
    """Serve the review workspace (queue, task pages, users admin, dashboard)."""
    import uvicorn

    from connectors.web.app import create_app
    from connectors.web.config import WebConfig
    from streams.lag import worker_lag_reader
    from streams.settings import get_settings

    settings = get_settings()
    config = WebConfig.from_settings(settings)
    if settings.review_session_secret is None:
        console.print("[yellow]DOCKET_REVIEW_SESSION_SECRET is not set: sessions end when the server stops[/]")
    if config.secure_cookies:
        console.print("The session cookie is Secure: serve the workspace behind HTTPS (for plain http on your "
                      "own machine only: DOCKET_REVIEW_SECURE_COOKIES=0)")
    elif (host or config.host) not in LOOPBACK:
        console.print("[yellow]DOCKET_REVIEW_SECURE_COOKIES=0 on a non-loopback address: session cookies "
                      "travel in clear[/]")
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    from docket.capture import default_engine

    page_ocr = default_engine() if settings.review_page_ocr else None
    app = create_app(settings, config=config, lag_reader=worker_lag_reader(settings), page_ocr=page_ocr)
    uvicorn.run(app, host=host or config.host, port=port or config.port, log_level="info")


def add_user(login: Annotated[str, typer.Argument()],
             role: Annotated[str, typer.Option(help="reviewer, approver, administrator or auditor")],
             entity: Annotated[list[str] | None, typer.Option(help="legal entity (repeat; * for all)")] = None,
             limit: Annotated[str | None, typer.Option(help="approval limit (reviewers default to "
                                                            "DOCKET_REVIEW_DEFAULT_LIMIT)")] = None,
             name: Annotated[str, typer.Option(help="display name")] = "") -> None:
    """Create or replace a workspace login (password from DOCKET_REVIEW_PASSWORD or a prompt)."""
    from connectors.stores.review import ReviewStore
    from connectors.web.app import new_user
    from connectors.web.config import WebConfig
    from docket.errors import DocketError
    from docket.review.passwords import hash_password
    from streams.settings import get_settings

    password = os.environ.get("DOCKET_REVIEW_PASSWORD") or typer.prompt("Password", hide_input=True,
                                                                       confirmation_prompt=True)
    settings = get_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    try:
        user = new_user(login, role, ",".join(entity or []), limit or "", name, WebConfig.from_settings(settings))
        store = ReviewStore(settings.audit_database_url)
        store.add_user(user, hash_password(password), datetime.now(UTC))
        store.close()
    except DocketError as error:
        console.print(f"[red]{error.code}[/] {error.message}")
        raise typer.Exit(1) from error
    console.print(f"{user.login}: {user.role}, entities {', '.join(sorted(user.entities)) or 'none'}, "
                  f"approval limit {user.approval_limit if user.approval_limit is not None else 'none'}")


def list_users() -> None:
    """The workspace logins with role, entities, limit and whether they are active."""
    from connectors.stores.review import ReviewStore
    from streams.settings import get_settings

    store = ReviewStore(get_settings().audit_database_url)
    table = Table("login", "role", "entities", "limit", "active")
    for user, active in store.users():
        table.add_row(user.login, user.role, ", ".join(sorted(user.entities)),
                      "none" if user.approval_limit is None else str(user.approval_limit), "yes" if active else "no")
    store.close()
    console.print(table)
