"""The SQL behind the dashboard and the document search (SQLAlchemy Core over the audit tables;
SQLite and PostgreSQL). Read-only.

Every query takes ``entities``: the legal entities the caller may see (None: all; empty: none).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select

from connectors.stores import audit_tables as tables
from connectors.stores import review_tables
from docket.errors import DocketError
from docket.ops.crm import ChangeTaskRow, CrmPostingRow
from docket.ops.customer_mail import MailTaskRow, PromiseRow
from docket.ops.facts import DocumentRow, EventRow
from docket.ops.model import DocumentHit

_FACT_STAGES = ("received", "extracted", "enriched")


class SearchInputError(DocketError):
    """A search criterion cannot be read (an amount that is not a number)."""

    code = "OPS_SEARCH_INVALID"


def load_activity(engine: Engine, *, since: datetime, until: datetime,
                  entities: Sequence[str] | None = None) -> tuple[list[DocumentRow], list[EventRow]]:
    """The documents with at least one event in ``[since, until)`` and every event of theirs up to
    ``until`` (earlier ones too: a latency needs the receipt, an accuracy the review request)."""
    documents, events = tables.documents, tables.events
    active = select(events.c.document_id).where(events.c.occurred_at >= since, events.c.occurred_at < until)
    document_filter = [documents.c.document_id.in_(active), *_entity_filter(entities)]
    with engine.connect() as connection:
        document_rows = connection.execute(select(
            documents.c.document_id, documents.c.legal_entity, documents.c.first_seen, documents.c.current_state,
        ).where(*document_filter)).all()
        event_rows = connection.execute(select(
            events.c.document_id, events.c.stage, events.c.occurred_at, events.c.summary,
        ).join(documents, documents.c.document_id == events.c.document_id)
         .where(*document_filter, events.c.occurred_at < until).order_by(events.c.id)).all()
    return ([DocumentRow(document_id=r.document_id, legal_entity=r.legal_entity, first_seen=_aware(r.first_seen),
                         current_state=r.current_state) for r in document_rows],
            [EventRow(document_id=r.document_id, stage=r.stage, occurred_at=_aware(r.occurred_at),
                      summary=r.summary or {}) for r in event_rows])


def search_documents(engine: Engine, *, text: str | None = None, amount: str | None = None,
                     on_date: date | None = None, entities: Sequence[str] | None = None,
                     limit: int = 50) -> list[DocumentHit]:
    """Documents matching every criterion given, newest first, at most ``limit``.

    ``text`` matches (case-insensitive, anywhere) the document id, the document number, the
    supplier name or the resolved vendor id; ``amount`` equals the document total; ``on_date`` is
    the issue date or the day the document was first seen (UTC). With no criterion, the newest
    documents. Raises :class:`SearchInputError` for an amount that is not a number.
    """
    documents, events = tables.documents, tables.events
    summary = events.c.summary
    conditions: list[ColumnElement[bool]] = list(_entity_filter(entities))
    if text and text.strip():
        needle = text.strip().lower()
        conditions.append(or_(*(func.lower(column).contains(needle, autoescape=True) for column in (
            documents.c.document_id, summary["number"].as_string(), summary["supplier_name"].as_string(),
            summary["vendor"].as_string()))))
    if amount and amount.strip():
        conditions.append(summary["total"].as_string() == _amount_text(amount))
    if on_date is not None:
        day = datetime.combine(on_date, time(0), tzinfo=UTC)
        conditions.append(or_(summary["issue_date"].as_string() == on_date.isoformat(),
                              and_(documents.c.first_seen >= day, documents.c.first_seen < day + timedelta(days=1))))
    found = (select(documents.c.document_id, documents.c.first_seen).distinct()
             .select_from(documents.outerjoin(events, and_(events.c.document_id == documents.c.document_id,
                                                           events.c.stage.in_(_FACT_STAGES))))
             .where(*conditions).order_by(documents.c.first_seen.desc(), documents.c.document_id).limit(limit))
    with engine.connect() as connection:
        ids = [row.document_id for row in connection.execute(found)]
        if not ids:
            return []
        rows = connection.execute(select(documents).where(documents.c.document_id.in_(ids))).mappings().all()
        facts = connection.execute(select(events.c.document_id, events.c.summary)
                                   .where(events.c.document_id.in_(ids), events.c.stage.in_(_FACT_STAGES))
                                   .order_by(events.c.occurred_at, events.c.id)).all()
    known: dict[str, dict[str, Any]] = {}
    for fact in facts:  # later events win: a correction's revision replaces the first reading
        known.setdefault(fact.document_id, {}).update(
            {key: value for key, value in (fact.summary or {}).items() if value is not None})
    by_id = {row["document_id"]: row for row in rows}
    return [_hit(by_id[document_id], known.get(document_id, {})) for document_id in ids]


def load_customer_mail(engine: Engine, *, entities: Sequence[str] | None = None,
                       ) -> tuple[list[MailTaskRow], list[PromiseRow]]:
    """The open review tasks made from customers' mails (task ids ``mail:...``), and the promises to
    pay counted by legal entity, status and currency with the amounts they state."""
    t, p = review_tables.tasks, review_tables.promises
    task_filter = [t.c.status == "open", t.c.task_id.startswith("mail:", autoescape=True)]
    promise_query = (select(p.c.legal_entity, p.c.status, p.c.currency, func.count(),
                            func.coalesce(func.sum(p.c.amount), 0))
                     .group_by(p.c.legal_entity, p.c.status, p.c.currency))
    if entities is not None:
        task_filter.append(t.c.legal_entity.in_(list(entities)))
        promise_query = promise_query.where(p.c.legal_entity.in_(list(entities)))
    with engine.connect() as connection:
        task_rows = connection.execute(select(t.c.legal_entity, t.c.reasons, t.c.amount, t.c.currency)
                                       .where(*task_filter)).all()
        promise_rows = connection.execute(promise_query).all()
    tasks = [MailTaskRow(legal_entity=r.legal_entity, reasons=tuple(str(code) for code in r.reasons or ()),
                         amount=None if r.amount is None else Decimal(str(r.amount)), currency=r.currency)
             for r in task_rows]
    promises = [PromiseRow(legal_entity=r[0], status=r[1], currency=r[2], count=int(r[3]),
                           amount=Decimal(str(r[4]))) for r in promise_rows]
    return tasks, promises


def load_crm_postings(engine: Engine, *, entities: Sequence[str] | None = None,
                      posting_types: Sequence[str] = ("order_form", "contract")) -> list[CrmPostingRow]:
    """The posted CRM postings of ``posting_types`` (``crm_postings``, answered ``posted`` or ``already_posted``)."""
    rows = tables.crm_postings
    query = select(rows).where(rows.c.posting_type.in_(list(posting_types)),
                               rows.c.status.in_(["posted", "already_posted"]))
    if entities is not None:
        query = query.where(rows.c.legal_entity.in_(list(entities)))
    with engine.connect() as connection:
        found = connection.execute(query.order_by(rows.c.idempotency_key)).mappings().all()
    return [CrmPostingRow(
        legal_entity=r["legal_entity"], document_id=r["document_id"], posting_type=r["posting_type"],
        status=r["status"], target=r["target"], party_id=r["party_id"], customer_name=r["customer_name"],
        reference=r["reference"], document_number=r["document_number"], erp_reference=r["erp_reference"],
        amount=None if r["amount"] is None else Decimal(str(r["amount"])), currency=r["currency"],
        start_date=r["start_date"], end_date=r["end_date"], renewal_date=r["renewal_date"],
        notice_date=r["notice_date"], answered_at=None if r["answered_at"] is None else _aware(r["answered_at"]))
        for r in found]


def load_change_reviews(engine: Engine, *, entities: Sequence[str] | None = None) -> list[ChangeTaskRow]:
    """The open review tasks of customer change forms, with the customer they name."""
    t = review_tables.tasks
    conditions = [t.c.status == "open", t.c.document_type == "customer_change"]
    if entities is not None:
        conditions.append(t.c.legal_entity.in_(list(entities)))
    with engine.connect() as connection:
        found = connection.execute(select(t.c.legal_entity, t.c.task_id, t.c.document_id, t.c.reasons, t.c.payload,
                                          t.c.created_at, t.c.due_at).where(*conditions)).all()
    return [ChangeTaskRow(legal_entity=r.legal_entity, task_id=r.task_id, document_id=r.document_id,
                          customer=_task_customer(r.payload), reasons=tuple(str(code) for code in r.reasons or ()),
                          created_at=_aware(r.created_at), due_at=None if r.due_at is None else _aware(r.due_at))
            for r in found]


def _task_customer(payload: Any) -> str | None:
    """The resolved customer's name on a review task's request, else the name the form prints."""
    document = (payload or {}).get("document") or {}
    customer = document.get("customer") or {}
    return customer.get("name") or (document.get("record") or {}).get("buyer_name")


def _hit(row: Any, facts: dict[str, Any]) -> DocumentHit:
    def text(key: str) -> str | None:
        value = facts.get(key)
        return None if value is None else str(value)

    return DocumentHit(document_id=row["document_id"], legal_entity=row["legal_entity"],
                       current_state=row["current_state"], first_seen=_aware(row["first_seen"]),
                       document_type=text("document_type"), number=text("number"),
                       supplier_name=text("supplier_name"), vendor=text("vendor"), total=text("total"),
                       currency=text("currency"), issue_date=text("issue_date"))


def _entity_filter(entities: Sequence[str] | None) -> list[ColumnElement[bool]]:
    return [] if entities is None else [tables.documents.c.legal_entity.in_(list(entities))]


def _amount_text(amount: str) -> str:
    """The total as the audit summary stores it: a Decimal with four places (``119.0000``)."""
    try:
        value = Decimal(amount.strip().replace(",", "."))
    except InvalidOperation as error:
        raise SearchInputError(f"amount {amount!r} is not a number") from error
    if not value.is_finite():
        raise SearchInputError(f"amount {amount!r} is not a number")
    return str(value.quantize(Decimal("0.0001")))


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; the store writes UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
