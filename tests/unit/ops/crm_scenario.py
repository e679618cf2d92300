"""CRM postings and change-form reviews whose dashboard lists can be worked out by hand.

``NOW`` is 2026-11-22 12:00 UTC (as in :mod:`tests.unit.ops.scenario`); the horizon is 90 days, to
2027-02-20. Every document is DE01 unless said otherwise:

* con-1: K-1 from 2026-01-01 for 12 months, renews automatically, 90 days' notice: ends 2026-12-31,
  renews 2027-01-01 (listed, 40 days), notice was due 2026-10-02 (past: not listed).
* con-2: K-2 from 2026-03-01 for 12 months, renews, 30 days' notice: renews 2027-03-01 (beyond the
  horizon), notice 2027-01-29 (listed) ...
* con-2b: ... amended by a later contract K-2 with 60 days' notice: notice 2026-12-30 (listed
  instead of 2027-01-29).
* con-3: K-3 from 2026-01-16 for 12 months, does not renew: ends 2027-01-15 (listed as ``end``).
* con-4: K-4 from 2026-11-01 for 24 months: nothing in the horizon.
* con-5: K-5 renewing 2026-12-01, refused by the target: not listed.
* con-6: FR01 contract K-6 renewing 2027-01-10: listed only for FR01.
* con-7: K-7 renewing 2027-02-01, its answer recorded before its request: listed.
* of-1: order form for quote Q-1 (4,800.00 EUR net), posted at 11:00 as opportunity OPP-1.
* of-2: order form posted two days ago (outside a 24 h window).
* of-3: order form still retrying: not won.
* chg-1: bank-detail change waiting since 08:00; chg-2: address change waiting since 07:00;
  chg-3: an address change already approved (not waiting).
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from docket.model import (
    CrmRecord,
    Event,
    InvoiceRecord,
    PartyMatch,
    PostingRequested,
    PostingResult,
    ReviewRequested,
    RouteReason,
    idempotency_key,
)
from tests import factories

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
_ids = itertools.count(1)


def _envelope(document_id: str, when: datetime, entity: str) -> Any:
    return factories.envelope(event_id=f"crm-{next(_ids):05d}", document_id=document_id, correlation_id=document_id,
                              legal_entity=entity, occurred_at=when)


def _request(document_id: str, posting_type: str, crm: CrmRecord, when: datetime, *, entity: str = "DE01",
             number: str | None = None, net: Decimal | None = None) -> PostingRequested:
    record = InvoiceRecord(document_type=posting_type, number=number, currency="EUR", net_total=net, total=net,
                           buyer_name="Globex Retail AG", crm=crm)
    return PostingRequested(envelope=_envelope(document_id, when, entity),
                            idempotency_key=idempotency_key(document_id, 0, "crm"), target="crm",
                            posting_type=posting_type, mapping_version="crm/1", party_id="C-2001",
                            party_xrefs={"tryton.customer": "23"}, record=record)


def _answer(document_id: str, when: datetime, status: str, reference: str | None, *,
            entity: str = "DE01") -> PostingResult:
    return PostingResult(envelope=_envelope(document_id, when, entity),
                         idempotency_key=idempotency_key(document_id, 0, "crm"), target="crm", status=status,
                         erp_reference=reference, error_code=None if status == "posted" else "POSTING_REJECTED")


def _contract(number: str, start: date, months: int, *, renews: bool = True, notice: int | None = 90,
              value: str = "400.00") -> CrmRecord:
    return CrmRecord(contract_number=number, start_date=start, term_months=months, auto_renewal=renews,
                     notice_days=notice, value=Decimal(value), billing_frequency="monthly")


def _posted_contract(document_id: str, crm: CrmRecord, when: datetime, *, entity: str = "DE01",
                     status: str = "posted") -> list[Event]:
    reference = f"SUB-{document_id}" if status == "posted" else None
    return [_request(document_id, "contract", crm, when, entity=entity, number=crm.contract_number),
            _answer(document_id, when + timedelta(seconds=2), status, reference, entity=entity)]


def _change_task(document_id: str, when: datetime, crm: CrmRecord, reasons: list[str]) -> ReviewRequested:
    document = factories.enriched(
        record=InvoiceRecord(document_type="customer_change", buyer_name="Globex Retail AG", crm=crm),
        vendor=None, customer=PartyMatch(role="customer", party_id="C-2001", name="Globex Retail AG",
                                         method="customer_number", score=1.0))
    return ReviewRequested(envelope=_envelope(document_id, when, "DE01"), task_id=f"{document_id}:0",
                           reasons=[RouteReason(code=code, message=code.lower()) for code in reasons],
                           due_at=when + timedelta(days=1), document=document)


def crm_events() -> list[Event]:
    day = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    seven = _contract("K-7", date(2026, 2, 1), 12)
    return [
        *_posted_contract("con-1", _contract("K-1", date(2026, 1, 1), 12), day),
        *_posted_contract("con-2", _contract("K-2", date(2026, 3, 1), 12, notice=30), day),
        *_posted_contract("con-2b", _contract("K-2", date(2026, 3, 1), 12, notice=60), day + timedelta(days=3)),
        *_posted_contract("con-3", _contract("K-3", date(2026, 1, 16), 12, renews=False, notice=None), day),
        *_posted_contract("con-4", _contract("K-4", date(2026, 11, 1), 24), day),
        *_posted_contract("con-5", _contract("K-5", date(2025, 12, 1), 12), day, status="rejected"),
        *_posted_contract("con-6", _contract("K-6", date(2026, 1, 10), 12), day, entity="FR01"),
        _answer("con-7", day + timedelta(seconds=5), "posted", "SUB-con-7"),
        _request("con-7", "contract", seven, day + timedelta(seconds=1), number="K-7"),
        _request("of-1", "order_form", CrmRecord(opportunity_reference="Q-1"), NOW - timedelta(hours=1, seconds=3),
                 number="OF-1", net=Decimal("4800.00")),
        _answer("of-1", NOW - timedelta(hours=1), "posted", "OPP-1"),
        _request("of-2", "order_form", CrmRecord(opportunity_reference="Q-2"), NOW - timedelta(days=2),
                 number="OF-2", net=Decimal("900.00")),
        _answer("of-2", NOW - timedelta(days=2) + timedelta(seconds=2), "posted", "OPP-2"),
        _request("of-3", "order_form", CrmRecord(opportunity_reference="Q-3"), NOW - timedelta(hours=2),
                 number="OF-3", net=Decimal("100.00")),
        _answer("of-3", NOW - timedelta(hours=2) + timedelta(seconds=2), "retrying", None),
    ]


def change_tasks() -> list[ReviewRequested]:
    return [
        _change_task("chg-1", NOW - timedelta(hours=4), CrmRecord(new_iban="DE29100100100987654321"),
                     ["BANK_DETAILS_CHANGE_REQUESTED"]),
        _change_task("chg-2", NOW - timedelta(hours=5), CrmRecord(street="Hafenstraße 1"), ["LOW_CONFIDENCE"]),
        _change_task("chg-3", NOW - timedelta(hours=6), CrmRecord(city="Hamburg"), ["LOW_CONFIDENCE"]),
    ]
