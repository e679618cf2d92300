"""``docket ops report``: the operations dashboard's figures as tables in the terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from docket.errors import DocketError
from docket.model import OpenItem
from docket.ops import Dashboard, build_dashboard
from docket.ops.model import ConsumerLag, CrmBoard, Figures

console = Console()


def register(app: typer.Typer) -> None:
    ops_app = typer.Typer(help="Operations figures from the audit store.", no_args_is_help=True)
    ops_app.command("report")(report)
    app.add_typer(ops_app, name="ops")


def report(
    entity: Annotated[list[str] | None, typer.Option("--entity", help="legal entity (repeatable; default all)")] = None,
    document_type: Annotated[str | None, typer.Option("--document-type", help="only this document type")] = None,
    window: Annotated[str, typer.Option("--window", help="trailing window: 90m, 24h, 7d, 4w")] = "24h",
    bucket: Annotated[str | None, typer.Option("--bucket", help="time bucket (default from the window)")] = None,
    now: Annotated[str | None, typer.Option("--now", help="end of the window, ISO 8601 (default: now)")] = None,
    database: Annotated[str | None, typer.Option("--database", help="audit store URL (default: settings)")] = None,
    lag: Annotated[bool, typer.Option("--lag/--no-lag", help="read the worker's consumer lag")] = False,
    open_items: Annotated[Path | None, typer.Option("--open-items", help="open items CSV, for "
                                                    "invoice-to-cash days")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the dashboard as JSON")] = False,
) -> None:
    """Print the dashboard figures: overall, over time, per entity and document type, cash, lag."""
    from connectors.stores.audit import AuditStore
    from connectors.stores.ops_queries import load_activity, load_change_reviews, load_crm_postings
    from docket.ops.crm import crm_board
    from docket.ops.windows import default_bucket, parse_window
    from streams.settings import get_settings

    try:
        end = _instant(now)
        span = parse_window(window)
        size = parse_window(bucket) if bucket else default_bucket(span)
        settings = get_settings()
        store = AuditStore(database or settings.audit_database_url)
        entities = entity or None  # no --entity: every entity
        documents, events = load_activity(store.engine, since=end - span, until=end, entities=entities)
        crm = crm_board(load_crm_postings(store.engine, entities=entities),
                        load_change_reviews(store.engine, entities=entities), today=end.date(),
                        won_since=end - span, entities=entities)
        board = build_dashboard(documents, events, now=end, window=span, bucket=size, entities=entities,
                                document_type=document_type, consumer_lag=_lag(lag),
                                open_items=_open_items(open_items, entities, end), crm=crm)
    except DocketError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    if as_json:
        print(json.dumps(board.model_dump(mode="json"), indent=2))
        return
    _print(board)


def _instant(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter(f"--now {text!r} is not ISO 8601") from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _lag(wanted: bool) -> list[ConsumerLag]:
    if not wanted:
        return []
    from streams.lag import worker_lag
    from streams.settings import get_settings

    try:
        return worker_lag(get_settings())
    except DocketError as error:
        console.print(f"[yellow]consumer lag left out: {error}[/yellow]")
        return []


def _open_items(path: Path | None, entities: list[str] | None, now: datetime) -> dict[str, OpenItem] | None:
    if path is None:
        return None
    from docket.cashapp.open_items_csv import read_open_items

    entity = entities[0] if entities else "default"
    items, _ = read_open_items(path.read_bytes(), legal_entity=entity, now=now)
    return {item.item_id: item for item in items}


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} s"


_ROWS: list[tuple[str, str, str]] = [
    ("documents received", "documents_received", "count"), ("documents routed", "documents_routed", "count"),
    ("straight-through rate", "stp_rate", "rate"), ("exception rate", "exception_rate", "rate"),
    ("documents posted", "documents_posted", "count"),
    ("posting latency p50", "posting_latency_p50_seconds", "seconds"),
    ("posting latency p95", "posting_latency_p95_seconds", "seconds"),
    ("field accuracy", "field_accuracy", "rate"), ("duplicate prevention", "duplicate_prevention_rate", "rate"),
    ("manual touch p50", "manual_touch_p50_seconds", "seconds"),
    ("manual touch mean", "manual_touch_mean_seconds", "seconds"),
    ("automation coverage", "automation_coverage", "rate"), ("data-sync accuracy", "data_sync_accuracy", "rate"),
    ("posting retries", "posting_retries", "count"),
]


def _shown(figures: Figures, name: str, kind: str) -> str:
    value = getattr(figures, name)
    return _rate(value) if kind == "rate" else _seconds(value) if kind == "seconds" else str(value)


def _print(board: Dashboard) -> None:
    title = f"{board.since:%Y-%m-%d %H:%M} - {board.now:%Y-%m-%d %H:%M} UTC"
    scopes = [("all", board.figures), *((row.key, row.figures) for row in board.by_entity)]
    figures = Table("figure", *(key for key, _ in scopes), title=f"operations {title}")
    for label, name, kind in _ROWS:
        figures.add_row(label, *(_shown(f, name, kind) for _, f in scopes))
    console.print(figures)
    kinds = Table("document type", "received", "STP", "exceptions", "posted", "latency p95",
                  title="by document type")
    for row in board.by_document_type:
        f = row.figures
        kinds.add_row(row.key, str(f.documents_received), _rate(f.stp_rate), _rate(f.exception_rate),
                      str(f.documents_posted), _seconds(f.posting_latency_p95_seconds))
    console.print(kinds)
    series = Table("bucket start", "received", "posted", "STP", "latency p95", "errors", title="over time")
    for bucket in board.series:
        series.add_row(f"{bucket.start:%Y-%m-%d %H:%M}", str(bucket.documents_received),
                       str(bucket.documents_posted), _rate(bucket.stp_rate),
                       _seconds(bucket.posting_latency_p95_seconds), str(bucket.posting_errors))
    console.print(series)
    if board.figures.posting_errors:
        errors = Table("target", "error code", "answers", title="posting errors")
        for error in board.figures.posting_errors:
            errors.add_row(error.target, error.error_code, str(error.count))
        console.print(errors)
    cash = board.cash
    unapplied = ", ".join(f"{amount} {currency}" for currency, amount in sorted(cash.unapplied_cash.items()))
    days = "-" if cash.invoice_to_cash_days is None else f"{cash.invoice_to_cash_days:.1f} days"
    console.print(f"order to cash: {cash.payments} receipts, auto-match {_rate(cash.auto_match_rate_count)} "
                  f"by count / {_rate(cash.auto_match_rate_amount)} by amount, unapplied {unapplied or '-'}, "
                  f"invoice-to-cash {days}")
    if board.crm is not None:
        _print_crm(board.crm)
    if board.consumer_lag:
        console.print(f"consumer lag: {board.total_lag} records over {len(board.consumer_lag)} partitions")


def _money(amount: Decimal | None, currency: str | None) -> str:
    return "-" if amount is None else f"{amount:.2f} {currency or ''}".strip()


def _print_crm(crm: CrmBoard) -> None:
    """Contract dates in the horizon, opportunities won, change forms waiting (left out when empty)."""
    if crm.contract_dates:
        dates = Table("date", "what", "days", "contract", "customer", "ERP record", "value",
                      title=f"contracts: renewals, notice and end dates to {crm.today + timedelta(crm.horizon_days)}")
        for d in crm.contract_dates:
            dates.add_row(str(d.date), d.kind, str(d.days_left), d.contract_number or d.document_id, d.customer or "-",
                          d.erp_reference or "-", _money(d.value, d.currency))
        console.print(dates)
    if crm.opportunities_won:
        won = Table("won", "customer", "quote", "order form", "opportunity", "amount",
                    title="opportunities won from order forms")
        for o in crm.opportunities_won:
            won.add_row(f"{o.won_at:%Y-%m-%d %H:%M}" if o.won_at else "-", o.customer or "-", o.quote_reference or "-",
                        o.order_number or o.document_id, o.erp_reference or "-", _money(o.amount, o.currency))
        console.print(won)
    if crm.changes_waiting:
        console.print(f"customer change forms waiting for review: {len(crm.changes_waiting)} "
                      f"({sum(1 for c in crm.changes_waiting if c.bank_change)} with new bank details)")
