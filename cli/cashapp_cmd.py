"""``docket cashapp``: parse statements and apply their payments to open items, without Kafka."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from docket.cashapp.fx import FxRates
from docket.cashapp.ledger import Ledger
from docket.cashapp.matching import ApplicationDraft, MatchPolicy, apply_payment
from docket.cashapp.metrics import CashMetrics, cash_metrics, describe
from docket.cashapp.open_items_csv import read_open_items
from docket.cashapp.statements import CsvLayout, StatementLine, parse_statement
from docket.errors import DocketError
from docket.model import OpenItem


def _rates(specs: list[str]) -> FxRates:
    """``EUR:USD=1.085`` → rates; a malformed spec is a usage error."""
    rates: dict[tuple[str, str], Decimal] = {}
    for spec in specs:
        try:
            pair, value = spec.split("=")
            source, target = pair.upper().split(":")
            rates[(source, target)] = Decimal(value)
        except Exception as exc:
            raise typer.BadParameter(f"rate {spec!r} is not FROM:TO=RATE") from exc
    return FxRates(rates)


def _as_json(line: StatementLine, draft: ApplicationDraft) -> dict[str, Any]:
    return {
        "payment_id": draft.payment_id, "source_format": line.source_format, "amount": str(draft.payment_amount),
        "currency": draft.currency, "value_date": line.value_date.isoformat() if line.value_date else None,
        "payer_name": line.payer_name, "payer_account": line.payer_account,
        "bank_reference": line.bank_reference, "end_to_end_id": line.end_to_end_id,
        "account_servicer_reference": line.account_servicer_reference, "status": draft.status,
        "customer_id": draft.customer_id,
        "confidence": draft.confidence, "evidence": list(draft.evidence),
        "evidence_weights": [{"name": c.name, "value": round(c.value, 4), "log_odds": round(c.weight, 4)}
                             for c in draft.contributions],
        "applications": [{"open_item_id": a.open_item_id, "invoice_number": a.invoice_number,
                          "amount_applied": str(a.amount_applied), "currency": a.currency,
                          "fx_difference": str(a.fx_difference) if a.fx_difference is not None else None}
                         for a in draft.applications],
        "unapplied_amount": str(draft.unapplied_amount),
        "deduction_amount": str(draft.deduction_amount) if draft.deduction_amount is not None else None,
        "deduction_reason": draft.deduction_reason,
        "candidates": [{"customer_id": c.customer_id, "open_item_ids": c.open_item_ids, "score": c.score,
                        "evidence": c.evidence} for c in draft.candidates],
    }


def _as_text(line: StatementLine, draft: ApplicationDraft) -> str:
    head = (f"{draft.payment_id}  {draft.payment_amount} {draft.currency}  {line.payer_name or '-'}  "
            f"-> {draft.status.upper()} customer={draft.customer_id or '-'} confidence={draft.confidence:.3f}")
    rows = [head, f"    evidence: {', '.join(draft.evidence) or '-'}"]
    if draft.contributions:
        rows.append("    weighed: " + ", ".join(f"{c.name} {c.weight:+.2f}" for c in draft.contributions))
    rows += [f"    applied {a.amount_applied} {a.currency} to {a.invoice_number} ({a.open_item_id})"
             + (f" fx difference {a.fx_difference}" if a.fx_difference else "") for a in draft.applications]
    if draft.deduction_amount:
        rows.append(f"    deduction {draft.deduction_amount} {draft.currency} ({draft.deduction_reason})")
    if draft.unapplied_amount:
        rows.append(f"    unapplied {draft.unapplied_amount} {draft.currency}")
    if draft.status == "review":
        rows += [f"    candidate {c.score:.3f}: {', '.join(c.open_item_ids)} [{', '.join(c.evidence)}]"
                 for c in draft.candidates]
    return "\n".join(rows)


def cashapp(
    statements: Annotated[list[Path], typer.Argument(help="camt.053/.054, MT940, BAI2 or CSV files")],
    open_items: Annotated[Path, typer.Option("--open-items", help="open items CSV")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON document on stdout")] = False,
    csv_layout: Annotated[Path | None, typer.Option("--csv-layout", help="YAML layout for CSV statements")] = None,
    rate: Annotated[list[str] | None, typer.Option("--rate", help="FX rate FROM:TO=RATE, repeatable")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="auto-apply confidence")] = None,
    legal_entity: Annotated[str, typer.Option("--legal-entity")] = "default",
) -> None:
    """Parse STATEMENT files and print how each payment applies to the open items."""
    now = datetime.now(UTC)
    policy = MatchPolicy() if threshold is None else MatchPolicy(auto_apply_threshold=threshold)
    try:
        layout = CsvLayout.from_mapping(yaml.safe_load(csv_layout.read_text())) if csv_layout else None
        items, customers = read_open_items(open_items.read_bytes(), legal_entity=legal_entity, now=now)
        ledger = Ledger.build(items, customers)
        fx = _rates(rate or [])
        results: list[tuple[StatementLine, ApplicationDraft]] = []
        for path in statements:
            for line in parse_statement(path.read_bytes(), csv_layout=layout):
                results.append((line, apply_payment(line, ledger, fx=fx, policy=policy)))
    except DocketError as exc:
        typer.echo(f"error {exc.code}: {exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    except OSError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    figures = _metrics(results, items, now.date())
    if as_json:
        typer.echo(json.dumps({"applications": [_as_json(line, d) for line, d in results],
                               "metrics": [_metrics_json(m) for m in figures]}, indent=2))
    else:
        for line, draft in results:
            typer.echo(_as_text(line, draft))
        for metrics in figures:
            for row in describe(metrics):
                typer.echo(row)


def _metrics(results: list[tuple[StatementLine, ApplicationDraft]], items: list[OpenItem],
             today: date) -> list[CashMetrics]:
    """Figures per payment currency, as of the latest payment date (today when none is dated)."""
    dates = [d for line, _ in results if (d := line.value_date or line.booking_date)]
    as_of = max(dates, default=today)
    return [cash_metrics(results, items, currency=currency, as_of=as_of)
            for currency in sorted({draft.currency for _, draft in results})]


def _metrics_json(metrics: CashMetrics) -> dict[str, Any]:
    rate = metrics.auto_match
    return {"currency": metrics.currency, "payments": rate.payments, "auto_applied": rate.auto_applied,
            "auto_match_by_count": round(rate.by_count, 4), "auto_match_by_amount": round(rate.by_amount, 4),
            "unapplied_cash": str(metrics.unapplied), "invoice_to_cash_days": metrics.invoice_to_cash_days,
            "dso_days": metrics.dso_days, "period_days": metrics.period_days}


def register(app: typer.Typer) -> None:
    """Add the ``cashapp`` command to the ``docket`` CLI."""
    app.command("cashapp")(cashapp)
