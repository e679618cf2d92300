"""Cash application as the stream sees it: statement files to payment events, payments to decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docket.capture import capture_document
from docket.cashapp.application import decide, ledger_for, line_of, payment_key
from docket.cashapp.errors import RemittanceError, StatementError
from docket.cashapp.intake import advice_from_extracted, is_cash_document, remittance_payment, statement_payments
from docket.cashapp.ledger import Ledger
from docket.cashapp.statements import parse_statement
from docket.cashapp.statements.camt_write import CamtEntry, render_camt053
from docket.model import DocumentExtracted, LineItem, PaymentReceived
from tests import factories
from tests.unit.cashapp.conftest import NOW, customer, item, sample

ACME_ACCOUNT = "DE44500105175407324931"
NEW_ACCOUNT = "DE89370400440532013000"


def _statement(*entries: CamtEntry, statement_id: str = "STMT-7") -> bytes:
    return render_camt053(statement_id, "DE75512108001245126199", "EUR", list(entries), created=NOW)


def _extracted(document_id: str, document_type: str = "bank_statement", **overrides: object) -> DocumentExtracted:
    envelope = factories.envelope(document_id=document_id, correlation_id=document_id, legal_entity="LE1",
                                  event_id=f"00000000-0000-4000-8000-{abs(hash(document_id)) % 10**12:012d}")
    values: dict[str, object] = {"envelope": envelope, "document_type": document_type, "reading": "structured",
                                 "fields": [], "line_items": [], "missing": [], "page_count": 0}
    values.update(overrides)
    return factories.extracted(**values)


def test_written_camt_reads_back_line_for_line_and_is_classified_as_a_statement() -> None:
    entries = [CamtEntry(Decimal("1190.00"), date(2026, 11, 20), "Acme Logistics GmbH", ACME_ACCOUNT,
                         reference="RF32INV2026004512"),
               CamtEntry(Decimal("-25.50"), date(2026, 11, 21), "Bank fees", text="Kontoführung")]
    data = _statement(*entries)
    lines = parse_statement(data)
    assert [line.amount for line in lines] == [Decimal("1190.00"), Decimal("-25.50")]
    assert lines[0].remittance_structured == "RF32INV2026004512"
    assert lines[0].payer_account == ACME_ACCOUNT and lines[0].payer_name == "Acme Logistics GmbH"
    assert lines[1].remittance_text == "Kontoführung"
    (captured,) = capture_document(data, "statement.xml")
    assert captured.document_type == "bank_statement"


def test_a_resubmitted_statement_yields_the_same_payment_ids_under_new_events() -> None:
    data = _statement(CamtEntry(Decimal("100.00"), date(2026, 11, 20), "A", text="INV-1"),
                      CamtEntry(Decimal("200.00"), date(2026, 11, 20), "B", text="INV-2"))
    first = statement_payments(data, _extracted("doc-a"), producer="t", now=NOW)
    again = statement_payments(data, _extracted("doc-b"), producer="t", now=NOW)
    assert [p.payment_id for p in first] == [p.payment_id for p in again]
    assert len({p.payment_id for p in first}) == 2
    assert {p.envelope.event_id for p in first}.isdisjoint({p.envelope.event_id for p in again})
    replayed = statement_payments(data, _extracted("doc-a"), producer="t", now=NOW)
    assert [p.envelope.event_id for p in replayed] == [p.envelope.event_id for p in first]
    assert all(p.envelope.document_id == "doc-a" and p.source_format == "camt.053" for p in first)


@pytest.mark.parametrize("name", ["camt053_truncated.xml", "camt053_entry_without_amount.xml", "mt940_bad_tag.sta"])
def test_a_statement_that_does_not_parse_raises_its_stable_code(name: str) -> None:
    with pytest.raises(StatementError) as caught:
        statement_payments(sample(name), _extracted("doc-bad"), producer="t", now=NOW)
    assert caught.value.code.startswith("CASHAPP_STATEMENT_")


def test_only_statements_and_advices_are_cash_documents() -> None:
    assert is_cash_document(_extracted("d", "bank_statement"))
    assert is_cash_document(_extracted("d", "remittance_advice"))
    assert not is_cash_document(_extracted("d", "invoice"))


def _advice(**overrides: object) -> DocumentExtracted:
    field = factories.field
    values: dict[str, object] = {
        "fields": [field("payer_name", "Acme Logistics GmbH"), field("currency", "EUR"),
                   field("payment_date", "2026-11-19"), field("total", "1500.55")],
        "line_items": [LineItem(index=0, fields=[field("invoice_number", "INV-2026-004512"),
                                                 field("amount_paid", "1190.00")]),
                       LineItem(index=1, fields=[field("invoice_number", "INV-2026-004520"),
                                                 field("amount_paid", "310.55")])]}
    values.update(overrides)
    return _extracted("adv-1", "remittance_advice", **values)


def test_a_remittance_advice_becomes_one_payment_naming_its_invoices() -> None:
    advice = advice_from_extracted(_advice())
    assert advice.total_paid == Decimal("1500.55") and len(advice.lines) == 2
    payment = remittance_payment(_advice(), producer="t", now=NOW)
    assert payment.source_format == "remittance" and payment.amount == Decimal("1500.55")
    assert payment.remittance_text is not None and "INV-2026-004520" in payment.remittance_text
    assert payment.value_date == date(2026, 11, 19)


def test_an_advice_without_currency_or_with_a_bad_date_is_refused() -> None:
    field = factories.field
    with pytest.raises(RemittanceError):
        advice_from_extracted(_advice(fields=[field("total", "10.00")]))
    with pytest.raises(RemittanceError):
        advice_from_extracted(_advice(fields=[field("currency", "EUR"), field("payment_date", "19.11.2026"),
                                              field("total", "1500.55")]))


# -- decisions --------------------------------------------------------------------------------------


def _ledger(*, known_account: bool = True) -> Ledger:
    items = [item("A1", "CA", "INV-2026-004512", "1190.00", day=5, reference="RF32INV2026004512"),
             item("A2", "CA", "INV-2026-004513", "1190.00", day=6),
             item("A3", "CA", "INV-2026-004520", "310.55", day=7),
             item("B1", "CB", "INV-2026-004514", "2500.00", day=5)]
    other_entity = item("X1", "CA", "INV-2026-004599", "77.00").model_copy(update={"legal_entity": "LE2"})
    acme = customer("CA", "Acme Logistics GmbH", *([ACME_ACCOUNT] if known_account else []))
    return ledger_for("LE1", [*items, other_entity], [acme, customer("CB", "Nordic Foods B.V.")])


def _payment(amount: str, **overrides: object) -> PaymentReceived:
    values: dict[str, object] = {
        "envelope": factories.envelope(document_id="stmt-1", correlation_id="stmt-1", legal_entity="LE1"),
        "payment_id": "camt.053:DE75:STMT-7:1", "amount": Decimal(amount), "currency": "EUR",
        "payer_name": "Acme Logistics GmbH", "payer_account": ACME_ACCOUNT, "remittance_structured": None,
        "remittance_text": None, "source_format": "camt.053"}
    values.update(overrides)
    return factories.payment(**values)


def test_ledger_for_keeps_one_legal_entity() -> None:
    assert "X1" not in _ledger().items and "A1" in _ledger().items


def test_a_confident_match_is_applied_and_posted_once_per_payment() -> None:
    payment = _payment("1190.00", remittance_structured="RF32INV2026004512")
    outcome = decide(payment, _ledger(), producer="t", now=NOW)
    assert outcome.application.status == "applied"
    assert [a.open_item_id for a in outcome.application.applications] == ["A1"]
    assert outcome.posting is not None and outcome.review is None
    assert outcome.posting.posting_type == "payment" and outcome.posting.target == "tryton"
    assert outcome.posting.idempotency_key == payment_key(payment.payment_id, "tryton")
    assert outcome.posting.cash_application == outcome.application
    assert outcome.posting.party_id == "CA"
    # the same payment seen again (replay, resubmitted statement) asks for the same posting
    again = decide(payment, _ledger(), producer="t", now=NOW)
    assert again.posting is not None and again.posting.idempotency_key == outcome.posting.idempotency_key
    assert again.application.envelope.event_id == outcome.application.envelope.event_id


def test_a_confirmed_match_from_an_unknown_account_teaches_the_account() -> None:
    payment = _payment("1190.00", remittance_structured="RF32INV2026004512", payer_account=NEW_ACCOUNT)
    outcome = decide(payment, _ledger(known_account=False), producer="t", now=NOW)
    assert outcome.application.status == "applied"
    (xref,) = outcome.learned
    assert (xref.external_id, xref.kind, xref.party_id, xref.legal_entity) == (NEW_ACCOUNT, "bank_account", "CA",
                                                                               "LE1")
    known = decide(_payment("1190.00", remittance_structured="RF32INV2026004512"), _ledger(), producer="t", now=NOW)
    assert known.learned == ()


def test_an_ambiguous_payment_goes_to_review_with_ranked_candidates() -> None:
    # two invoices of the payer are open for exactly this amount, nothing tells them apart
    outcome = decide(_payment("1190.00"), _ledger(), producer="t", now=NOW)
    assert outcome.application.status == "review"
    assert outcome.posting is None and outcome.learned == ()
    assert outcome.review is not None
    assert outcome.review.reasons[0].code == "CASH_LOW_CONFIDENCE"
    assert outcome.review.task_id == "cash:camt.053:DE75:STMT-7:1"
    candidate_items = {tuple(f.fields) for f in outcome.review.document.findings}
    assert {("A1",), ("A2",)} <= candidate_items
    assert outcome.review.document.record.total == Decimal("1190.00")
    assert outcome.review.document.record.document_type == "payment"


def test_an_unmatched_receipt_goes_to_review_and_a_debit_goes_nowhere() -> None:
    unmatched = decide(_payment("12.34", payer_name="Someone Else", payer_account=None), _ledger(),
                       producer="t", now=NOW)
    assert unmatched.application.status == "unapplied"
    assert unmatched.review is not None and unmatched.review.reasons[0].code == "CASH_UNMATCHED"
    debit = decide(_payment("-40.00"), _ledger(), producer="t", now=NOW)
    assert debit.application.status == "unapplied" and "not_a_receipt" in debit.application.evidence
    assert debit.review is None and debit.posting is None


def test_an_advice_is_applied_but_not_posted_until_the_money_arrives() -> None:
    payment = remittance_payment(_advice(), producer="t", now=NOW)
    outcome = decide(payment, _ledger(), producer="t", now=NOW)
    assert outcome.application.status == "applied"
    assert {a.open_item_id for a in outcome.application.applications} == {"A1", "A3"}
    assert outcome.posting is None


def test_line_of_keeps_every_matching_field() -> None:
    payment = _payment("5.00", remittance_structured="RF32INV2026004512", remittance_text="x", payer_bic="B")
    line = line_of(payment)
    assert (line.payment_id, line.amount, line.payer_account, line.remittance_structured, line.remittance_text,
            line.payer_bic) == (payment.payment_id, payment.amount, payment.payer_account, "RF32INV2026004512",
                                "x", "B")
