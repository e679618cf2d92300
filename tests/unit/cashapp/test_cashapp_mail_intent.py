"""Customer-mail intents and what the mails name."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from devkit.train_mail_intent import DATA, labelled, train
from docket.cashapp.ledger import Ledger
from docket.cashapp.mail_intent import (
    INTENTS,
    IntentModel,
    MailModelError,
    classify_mail,
    default_model,
    extract_amounts,
    extract_dates,
    extract_invoice_numbers,
    open_items_named,
)


def test_amounts_in_either_convention() -> None:
    text = "Wir haben 2.750,40 EUR und USD 1,190.00 sowie 1 250,00 € bezahlt, Menge 12."
    assert extract_amounts(text) == [Decimal("2750.40"), Decimal("1190.00"), Decimal("1250.00")]


def test_dates_numeric_and_written_in_three_languages() -> None:
    text = "bis 05.12.2026, sonst 2026-12-10; by 30 November 2026 or December 5th; le 10 décembre; am 1. Dezember"
    found = set(extract_dates(text, year=2026))
    assert found == {date(2026, 12, 5), date(2026, 12, 10), date(2026, 11, 30), date(2026, 12, 1)}
    assert date(2026, 12, 1) not in extract_dates("am 1. Dezember")  # no year known: skipped


def test_invoice_numbers_are_not_amounts_or_dates() -> None:
    text = "Rechnungen INV-2026-004518, SI/26/01551 und 90041158 über 2.750,40 EUR vom 04.11.2026 (Jahr 2026)"
    assert extract_invoice_numbers(text) == ["INV-2026-004518", "SI/26/01551", "90041158"]


@pytest.mark.parametrize(("subject", "body", "intent"), [
    ("Payment", "We transferred 980.00 EUR today for invoice 2026-0312.", "remittance"),
    ("Rechnung 4711", "Wir widersprechen dieser Rechnung, die Ware wurde nie bestellt.", "dispute"),
    ("Skonto", "Wir haben 2% Skonto von der Rechnung 4711 abgezogen.", "deduction_claim"),
    ("Relance", "La facture 2026-0312 sera réglée au plus tard le 15 décembre.", "promise_to_pay"),
    ("Adresse", "Merci de noter notre nouvelle adresse de facturation.", "other"),
])
def test_mails_written_for_this_test_are_classified(subject: str, body: str, intent: str) -> None:
    result = classify_mail(subject, body, today=date(2026, 11, 20))
    assert result.intent == intent
    assert result.probability == max(result.probabilities.values())
    assert set(result.probabilities) == set(INTENTS)


def test_a_promise_carries_its_date_and_invoice() -> None:
    result = classify_mail("Re: reminder", "Invoice INV-2026-004513 will be paid by 30 November.",
                           today=date(2026, 11, 20))
    assert result.intent == "promise_to_pay"
    assert result.dates == (date(2026, 11, 30),) and result.invoice_numbers == ("INV-2026-004513",)


def test_shipped_model_is_the_one_the_training_split_gives() -> None:
    shipped = default_model()
    assert shipped.manifest["sha256"] == hashlib.sha256(DATA.read_bytes()).hexdigest()
    retrained = train()
    assert retrained.log_prior == pytest.approx(shipped.log_prior)
    assert retrained.log_likelihood["dispute"] == pytest.approx(shipped.log_likelihood["dispute"])
    assert {r["split"] for r in labelled("heldout")} == {"heldout"}
    assert shipped.manifest["train_rows"] == len(labelled("train"))


def test_a_malformed_model_is_refused() -> None:
    with pytest.raises(MailModelError) as raised:
        IntentModel.from_mapping(json.loads('{"log_prior": {}}'))
    assert raised.value.code == "MAIL_INTENT_MODEL_INVALID"


def test_a_mail_is_linked_to_the_open_items_it_names(small_ledger: Ledger) -> None:
    mail = classify_mail("Rechnung INV 2O26 004514",
                         "Wir widersprechen der Rechnung INV-2026-004514 und INV-2026-009999.")
    assert mail.invoice_numbers[-1] == "INV-2026-009999"
    assert open_items_named(mail, small_ledger) == ("B1",)
