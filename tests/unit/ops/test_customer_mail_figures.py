"""What customers wrote, counted per legal entity: disputes, deduction claims, open and broken promises."""

from __future__ import annotations

from decimal import Decimal

from docket.ops.customer_mail import MailTaskRow, PromiseRow, customer_mail_figures


def test_tasks_and_promises_are_counted_with_their_amounts_per_currency() -> None:
    tasks = [MailTaskRow("DE01", ("CUSTOMER_DISPUTE",), Decimal("100.00"), "EUR"),
             MailTaskRow("DE01", ("CUSTOMER_DISPUTE",), Decimal("50.00"), "USD"),
             MailTaskRow("DE01", ("DEDUCTION_CLAIM",), Decimal("20.00"), "EUR"),
             MailTaskRow("FR01", ("CUSTOMER_DISPUTE",), None, None),
             MailTaskRow("FR01", ("CUSTOMER_MAIL",), Decimal("9.00"), "EUR")]
    promises = [PromiseRow("DE01", "open", "EUR", 2, Decimal("300.00")),
                PromiseRow("DE01", "broken", "EUR", 1, Decimal("70.00")),
                PromiseRow("DE01", "kept", "EUR", 5, Decimal("999.00")),
                PromiseRow("NL01", "open", None, 1, Decimal(0))]
    germany, france, netherlands = customer_mail_figures(tasks, promises)
    assert germany.legal_entity == "DE01" and germany.disputes == 2 and germany.deduction_claims == 1
    assert germany.dispute_amounts == {"EUR": Decimal("100.00"), "USD": Decimal("50.00")}
    assert germany.deduction_amounts == {"EUR": Decimal("20.00")}
    assert (germany.promises_open, germany.promised_amounts) == (2, {"EUR": Decimal("300.00")})
    assert (germany.promises_broken, germany.broken_amounts) == (1, {"EUR": Decimal("70.00")})
    assert (france.disputes, france.dispute_amounts, france.deduction_claims) == (1, {}, 0)
    assert (netherlands.promises_open, netherlands.promised_amounts) == (1, {})


def test_nothing_written_shows_nothing() -> None:
    assert customer_mail_figures([], [PromiseRow("DE01", "kept", "EUR", 3, Decimal("1.00"))]) == []
