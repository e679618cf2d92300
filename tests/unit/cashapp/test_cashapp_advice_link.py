"""Remittance advices meet the bank line that brings their money (docket/cashapp/advice_link.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from docket.cashapp.advice_link import LinkBook, Party, advice_of, match_key, same_payer
from docket.cashapp.application import decide, ledger_for, payment_key
from docket.cashapp.intake import remittance_payment
from docket.cashapp.ledger import Ledger
from docket.model import LineItem, PaymentReceived
from tests import factories
from tests.unit.cashapp.conftest import NOW, customer, item
from tests.unit.cashapp.test_cashapp_stream import _extracted

ACME_ACCOUNT = "DE44500105175407324931"


def _ledger() -> Ledger:
    items = [item("A1", "CA", "INV-2026-004512", "1190.00", day=5),
             item("A2", "CA", "INV-2026-004513", "1190.00", day=6),
             item("A3", "CA", "INV-2026-004520", "310.55", day=7),
             item("A4", "CA", "INV-2026-004521", "640.00", day=8)]
    return ledger_for("LE1", items, [customer("CA", "Acme Logistics GmbH")])


def _advice(total: str = "1450.00", day: str = "2026-11-19", payer: str = "Acme Logistics GmbH",
            deduction: str | None = "50.00") -> PaymentReceived:
    field = factories.field
    second = [field("invoice_number", "INV-2026-004520"), field("amount_paid", "260.00")]
    if deduction:
        second.append(field("deduction", deduction))
    extracted = _extracted(
        "adv-1", "remittance_advice",
        fields=[field("payer_name", payer), field("currency", "EUR"), field("payment_date", day),
                field("total", total)],
        line_items=[LineItem(index=0, fields=[field("invoice_number", "INV-2026-004512"),
                                              field("amount_paid", "1190.00")]),
                    LineItem(index=1, fields=second)])
    return remittance_payment(extracted, producer="t", now=NOW)


def _line(amount: str = "1450.00", day: date = date(2026, 11, 21), payment_id: str = "camt.053:X:S1:1",
          **overrides: object) -> PaymentReceived:
    values: dict[str, object] = {
        "envelope": factories.envelope(document_id="stmt-1", correlation_id="stmt-1", legal_entity="LE1"),
        "payment_id": payment_id, "amount": Decimal(amount), "currency": "EUR", "value_date": day,
        "payer_name": "ACME LOGISTICS GMBH", "payer_account": ACME_ACCOUNT, "remittance_structured": None,
        "remittance_text": "PAYMENT ADVICE 4711", "source_format": "camt.053"}
    values.update(overrides)
    return factories.payment(**values)


def test_advice_and_its_bank_line_share_a_key_and_other_amounts_do_not() -> None:
    advice = _advice()
    assert advice.remittance_lines[1].deduction == Decimal("50.00")
    assert match_key(advice) == match_key(_line()) == "LE1|EUR|145000"
    assert match_key(_line("1450.01")) != match_key(advice)


def test_same_payer_by_account_else_name_within_the_window() -> None:
    advice = Party.of(_advice())
    assert same_payer(advice, Party.of(_line()))
    assert not same_payer(advice, Party.of(_line(payer_name="Nordic Foods B.V.")))
    assert not same_payer(advice, Party.of(_line(day=date(2026, 12, 20))))
    # both accounts known: the accounts decide, whatever the names say
    assert not same_payer(Party("DE1", "acme logistics", None), Party("DE2", "acme logistics", None))
    assert not same_payer(Party(None, None, None), Party(None, None, None))


def test_a_bank_line_meeting_a_waiting_advice_is_applied_line_by_line_and_posted() -> None:
    book = LinkBook()
    assert book.read(_advice()).decide is None
    assert len(book.waiting()) == 1
    step = book.read(_line())
    assert step.decide is not None and step.advice is not None and book.waiting() == []
    outcome = decide(step.decide, _ledger(), producer="t", now=NOW, advice=advice_of(step.advice))
    application = outcome.application
    assert application.status in ("applied", "partial") and "remittance_advice" in application.evidence
    assert {(a.open_item_id, a.amount_applied) for a in application.applications} == {
        ("A1", Decimal("1190.00")), ("A3", Decimal("260.00"))}
    assert application.deduction_amount == Decimal("50.00")
    assert outcome.posting is not None
    assert outcome.posting.idempotency_key == payment_key(_line().payment_id, "tryton")


def test_without_the_advice_the_same_line_is_not_applied_to_those_items() -> None:
    outcome = decide(_line(), _ledger(), producer="t", now=NOW)
    applied = {a.open_item_id for a in outcome.application.applications}
    assert applied != {"A1", "A3"} and outcome.posting is None


def test_an_advice_arriving_after_an_unapplied_line_reopens_it_and_one_after_an_applied_line_does_not() -> None:
    book = LinkBook()
    first = book.read(_line())
    assert first.decide is not None and first.advice is None
    alone = decide(first.decide, _ledger(), producer="t", now=NOW)
    assert alone.application.status in ("review", "unapplied") and alone.posting is None
    book.decided(first.decide.payment_id, alone.application, alone.posting)
    step = book.read(_advice())
    assert step.decide is not None and step.decide.payment_id == _line().payment_id and step.advice is not None

    applied = LinkBook()
    applied.read(_line())
    done = alone.application.model_copy(update={"status": "applied"})
    applied.decided(_line().payment_id, done, None)
    late = applied.read(_advice())
    assert late.decide is None and late.advice_met is not None and applied.waiting() == []


def test_replays_repeat_the_recorded_decision_and_the_book_survives_json() -> None:
    book = LinkBook()
    book.read(_advice())
    step = book.read(_line())
    assert step.decide is not None and step.advice is not None
    outcome = decide(step.decide, _ledger(), producer="t", now=NOW, advice=advice_of(step.advice))
    book.decided(step.decide.payment_id, outcome.application, outcome.posting)
    book = LinkBook.from_json(book.to_json())
    again = book.read(_line())
    assert again.decide is None and again.repeat is not None
    assert again.repeat.application == outcome.application and again.repeat.posting == outcome.posting
    assert book.read(_advice()).decide is None
    # a second line of the same key and payer does not take an advice already met
    other = book.read(_line(payment_id="camt.053:X:S1:2"))
    assert other.decide is not None and other.advice is None


def test_an_advice_no_money_meets_stays_waiting_and_a_line_of_another_payer_leaves_it() -> None:
    book = LinkBook()
    book.read(_advice())
    step = book.read(_line(payer_name="Nordic Foods B.V.", payer_account="DE89370400440532013000"))
    assert step.decide is not None and step.advice is None
    assert [p.payment_id for p in book.waiting()] == [_advice().payment_id]


def test_a_line_read_but_never_decided_is_decided_again_with_its_advice() -> None:
    book = LinkBook()
    book.read(_advice())
    book.read(_line())
    again = book.read(_line())
    assert again.decide is not None and again.advice is not None and again.repeat is None


def test_debit_lines_are_decided_alone() -> None:
    book = LinkBook()
    book.read(_advice())
    step = book.read(_line("-1450.00"))
    assert step.decide is not None and step.advice is None and len(book.waiting()) == 1


def test_the_book_forgets_what_is_older_than_the_topics_keep() -> None:
    book = LinkBook()
    book.read(_advice(day="2026-06-01"))
    book.read(_line(day=date(2026, 11, 21)))
    book.prune(date(2026, 11, 30))
    assert book.waiting() == [] and list(book.lines) == [_line().payment_id]
