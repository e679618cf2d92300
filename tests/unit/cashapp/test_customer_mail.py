"""A customer's mail → a remittance payment, a dispute or deduction task, a promise; broken promises."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from docket.cashapp.application import ledger_for
from docket.cashapp.customer_mail import (
    MAIL_BODY_PART,
    MAIL_PART_KEY,
    broken_promises,
    handle_mail,
    is_mail_body,
    promise_broken_review,
)
from docket.model import DocumentReceived, OpenItem
from tests import factories

NOW = factories.NOW
ITEMS = [factories.open_item(), factories.open_item(item_id="OI-10024", invoice_number="INV-10024",
                                                     amount_total=Decimal("500.00"), amount_open=Decimal("500.00"))]
LEDGER = ledger_for("DE01", ITEMS, [factories.customer()])


def _mail(subject: str, body: str) -> DocumentReceived:
    return factories.received(channel="mail", media_type="text/plain", filename="mail-body.txt",
                              metadata={MAIL_PART_KEY: MAIL_BODY_PART, "mail_from": "ap@beispiel.example",
                                        "mail_subject": subject, "mail_body": body})


def test_only_a_mail_body_is_a_customer_mail() -> None:
    assert is_mail_body(_mail("s", "b"))
    assert not is_mail_body(factories.received(channel="mail"))
    assert not is_mail_body(factories.received(metadata={MAIL_PART_KEY: MAIL_BODY_PART}))


def test_a_dispute_becomes_a_task_linked_to_its_open_item() -> None:
    outcome = handle_mail(_mail("Invoice INV-10023 disputed", "We dispute invoice INV-10023: the goods arrived "
                                "damaged and we do not accept the charge. Please issue a credit note."),
                          LEDGER, producer="t", now=NOW)
    assert outcome.payment is None and outcome.promise is None and outcome.review is not None
    (reason,) = outcome.review.reasons
    assert (reason.code, reason.fields) == ("CUSTOMER_DISPUTE", ["OI-10023"])
    assert outcome.review.task_id == "mail:doc-1"
    assert outcome.review.customer_mail is not None and "damaged" in outcome.review.customer_mail.body
    assert outcome.review.customer_mail.open_item_ids == ["OI-10023"]
    assert [f.fields for f in outcome.review.document.findings] == [["OI-10023"]]


def test_a_deduction_claim_is_coded_as_such() -> None:
    outcome = handle_mail(_mail("Deduction INV-10024", "We have deducted 50.00 from invoice INV-10024 for the "
                                "late delivery penalty as agreed in the contract."), LEDGER, producer="t", now=NOW)
    assert outcome.review is not None
    assert [(r.code, r.fields) for r in outcome.review.reasons] == [("DEDUCTION_CLAIM", ["OI-10024"])]


def test_a_remittance_in_the_body_becomes_a_payment_naming_its_invoices() -> None:
    outcome = handle_mail(_mail("Payment advice", "Hello, today we transferred 1,690.00 EUR covering invoices "
                                "INV-10023 and INV-10024. Regards, Accounts Payable"), LEDGER, producer="t", now=NOW)
    assert outcome.review is None and outcome.payment is not None
    payment = outcome.payment
    assert (payment.amount, payment.currency, payment.source_format) == (Decimal("1690.00"), "EUR", "remittance")
    assert "INV-10023" in (payment.remittance_text or "") and "INV-10024" in (payment.remittance_text or "")
    assert payment.payer_name == "Beispiel Handels AG"


def test_a_promise_to_pay_is_recorded_with_its_date() -> None:
    outcome = handle_mail(_mail("INV-10023", "We will pay invoice INV-10023 of 1,190.00 on 15.12.2026. "
                                "Sorry for the delay."), LEDGER, producer="t", now=NOW)
    assert outcome.review is None and outcome.promise is not None
    promise = outcome.promise
    assert (promise.promised_date, promise.open_item_ids, promise.amount) == (
        date(2026, 12, 15), ("OI-10023",), Decimal("1190.00"))
    assert promise.customer_id == "C-2001" and promise.legal_entity == "DE01"


def test_a_mail_naming_no_open_item_still_reaches_a_person() -> None:
    outcome = handle_mail(_mail("Dispute", "We dispute your last invoice, the prices are wrong."), LEDGER,
                          producer="t", now=NOW)
    assert outcome.review is not None and [r.code for r in outcome.review.reasons] == ["CUSTOMER_MAIL"]
    unlinked = handle_mail(_mail("Payment", "We will pay invoice INV-99999 on 15.12.2026."), LEDGER,
                           producer="t", now=NOW)
    assert unlinked.promise is None and unlinked.review is not None  # a promise no one could check
    past = handle_mail(_mail("INV-10023", "We will pay invoice INV-10023 on 15.11.2026."), LEDGER,
                       producer="t", now=NOW)
    assert past.promise is None and past.review is not None  # a date already gone is no promise


def test_a_promise_is_broken_only_after_its_date_while_the_item_is_open() -> None:
    outcome = handle_mail(_mail("INV-10023", "We will pay invoice INV-10023 on 15.12.2026."), LEDGER,
                          producer="t", now=NOW)
    promise = outcome.promise
    assert promise is not None
    open_items: dict[tuple[str, str], OpenItem] = {("DE01", i.item_id): i for i in ITEMS}

    def look_up(entity: str, item_id: str) -> OpenItem | None:
        return open_items.get((entity, item_id))

    assert broken_promises([promise], look_up, date(2026, 12, 15)) == []
    assert broken_promises([promise], look_up, date(2026, 12, 16)) == [promise]
    open_items[("DE01", "OI-10023")] = ITEMS[0].model_copy(update={"amount_open": Decimal(0)})
    assert broken_promises([promise], look_up, date(2026, 12, 16)) == []
    del open_items[("DE01", "OI-10023")]
    assert broken_promises([promise], look_up, date(2026, 12, 16) + timedelta(days=30)) == []


def test_a_broken_promise_becomes_its_own_task() -> None:
    outcome = handle_mail(_mail("INV-10023", "We will pay invoice INV-10023 on 15.12.2026."), LEDGER,
                          producer="t", now=NOW)
    assert outcome.promise is not None
    task = promise_broken_review(outcome.promise, [ITEMS[0]], factories.envelope(versions={}), producer="t",
                                 now=NOW)
    assert task.task_id == "mail:doc-1:promise"
    assert [(r.code, r.fields) for r in task.reasons] == [("PROMISE_BROKEN", ["OI-10023"])]
    assert task.customer_mail is not None and task.customer_mail.promised_date == date(2026, 12, 15)
