"""The general rules that read CRM forms beyond "Label: value" lines: one test per rule.

Documents are drawn with reportlab at fixed positions (points from the bottom left of an A4 page)
and captured whole, so every rule is exercised through the same path a real upload takes.
"""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from docket.capture import capture_document
from docket.understanding.crm_forms import classify_crm, classify_crm_lines, extract_crm, head_type

Item = tuple[float, float, str] | tuple[float, float, str, float]


def _pdf(items: list[Item]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for item in items:
        x, y, text = item[0], item[1], item[2]
        pdf.setFont("Helvetica", item[3] if len(item) > 3 else 10)
        pdf.drawString(x, y, text)
    pdf.save()
    return buffer.getvalue()


def _captured(items: list[Item]) -> tuple[str, dict[str, str]]:
    document, = capture_document(_pdf(items), "form.pdf", "application/pdf")
    return document.document_type, {field.name: field.value for field in document.fields}


def _values(lines: list[str], kind: str) -> dict[str, str]:
    fields, _ = extract_crm(lines, kind)
    return {field.name: field.value for field in fields}


# --- classification ----------------------------------------------------------------------------

def test_a_title_names_its_type_by_its_head_noun_and_a_german_compound_by_its_last_part() -> None:
    assert [head_type(t) for t in ("Software Licence Agreement", "Proposal Acceptance", "Change of Address",
                                   "Rahmenvertrag", "Vertragsänderung")] == [
        "contract", "order_form", "customer_change", "contract", "customer_change"]
    assert classify_crm(["Nordlicht GmbH", "Maintenance Agreement"]) is not None


def test_a_line_with_digits_or_a_colon_or_many_words_has_no_title_head() -> None:
    assert head_type("Maintenance contract, quarterly fee 150.00") is None
    assert head_type("Contract: 4711") is None
    assert head_type("We thank you for signing the enclosed service agreement") is None


def test_a_letter_subject_under_the_address_window_is_its_title() -> None:
    items: list[Item] = [(57, 800, "Nordlicht Beratung GmbH", 14),
                         (57, 715, "Nordlicht Beratung GmbH · Hafen 1 · Kiel", 6.5), (57, 695, "Globex Retail AG"),
                         (57, 681, "Marktstraße 4"), (57, 667, "20095 Hamburg"),
                         (355, 715, "Kundennummer"), (440, 715, "C-2001"), (355, 650, "Ihr Zeichen"),
                         (440, 650, "AB"), (355, 636, "Unser Zeichen"), (440, 636, "CD"),
                         (355, 622, "Hamburg, 03.03.2026"), (57, 572, "Wartungsvertrag", 12),
                         (57, 540, "Vertragsnummer: K-2026-031")]

    kind, values = _captured(items)

    assert kind == "contract" and values["contract_number"] == "K-2026-031"


def test_a_weak_title_gives_way_to_a_document_type_the_classifier_is_sure_of() -> None:
    from docket.capture import default_engine
    from docket.reading.read import read_pages
    from docket.understanding.layout import document_lines

    items: list[Item] = [(57, 800, "Nordlicht GmbH"), *[(57, 790 - 12 * i, f"Zeile {i}") for i in range(6)],
                         (57, 650, "Maintenance Agreement")]
    pages, _ = read_pages(_pdf(items), "application/pdf", engine=default_engine(), max_pages=2,
                          max_pixels=10**8, dpi=200, min_text_words=1, force_ocr=False)
    lines = document_lines(pages)

    assert classify_crm_lines(lines, "invoice", 0.4) is not None
    assert classify_crm_lines(lines, "invoice", 0.95) is None


def test_bank_details_without_any_amount_make_an_untitled_form_a_customer_change() -> None:
    items: list[Item] = [(57, 800, "Globex Retail AG", 14), (57, 740, "Wijziging"),
                         (57, 700, "Rekening"), (200, 700, "DE29 1001 0010 0987 6543 21"),
                         (57, 680, "Contact"), (200, 680, "ap@globex.example")]

    kind, values = _captured(items)

    assert kind == "customer_change"
    assert (values["new_iban"], values["email"]) == ("DE29100100100987654321", "ap@globex.example")


def test_durations_with_a_billing_period_and_an_amount_make_an_untitled_form_a_contract() -> None:
    items: list[Item] = [(57, 800, "Nordlicht GmbH", 14), (57, 740, "Abonnement"),
                         (57, 700, "Duur"), (200, 700, "24 maanden"), (57, 680, "Opzeggen"), (200, 680, "3 maanden"),
                         (57, 660, "Prijs"), (200, 660, "EUR 400,00 per maand")]

    kind, values = _captured(items)

    assert kind == "contract"
    assert (values["value"], values["billing_frequency"], values["currency"]) == ("400.00", "monthly", "EUR")


# --- where values stand ------------------------------------------------------------------------

def test_a_table_header_row_gives_each_label_the_value_under_it() -> None:
    items: list[Item] = [(57, 800, "Quote Acceptance", 16), (57, 760, "Customer"), (230, 760, "Customer number"),
                         (400, 760, "Quote reference"), (57, 745, "Globex Retail AG"), (230, 745, "C-2001"),
                         (400, 745, "Q-2026-014")]

    kind, values = _captured(items)

    assert kind == "order_form"
    assert (values["buyer_name"], values["customer_reference"], values["opportunity_reference"]) == (
        "Globex Retail AG", "C-2001", "Q-2026-014")


def test_a_label_starting_a_column_reads_the_value_beside_it_and_nr_is_nummer() -> None:
    items: list[Item] = [(57, 800, "Wartungsvertrag", 16), (57, 760, "Globex Retail AG · Marktstraße 4"),
                         (355, 760, "Kunden-Nr."), (440, 760, "C-2001"), (57, 745, "Vertrags-Nr."),
                         (160, 745, "K-2026-031")]

    _, values = _captured(items)

    assert (values["customer_reference"], values["contract_number"]) == ("C-2001", "K-2026-031")


def test_the_place_and_date_over_a_signature_line_is_the_signature_date() -> None:
    items: list[Item] = [(57, 800, "Signed Order Form", 16), (57, 760, "Customer: Globex Retail AG"),
                         (355, 760, "London, 2nd March 2026"), (57, 200, "Leeds, 1st April 2026"),
                         (57, 186, "Place and date", 7)]

    _, values = _captured(items)

    assert values["signature_date"] == "2026-04-01"


def test_the_addressee_under_a_return_address_line_is_the_customer() -> None:
    items: list[Item] = [(57, 800, "Nordlicht GmbH", 14), (57, 715, "Nordlicht GmbH · Hafen 1 · 24103 Kiel", 6.5),
                         (57, 695, "Globex Retail AG"), (57, 681, "Marktstraße 4"), (57, 667, "20095 Hamburg"),
                         (57, 572, "Dienstleistungsvertrag", 12)]

    _, values = _captured(items)

    assert values["buyer_name"] == "Globex Retail AG"


# --- values ------------------------------------------------------------------------------------

def test_currency_comes_from_the_amount_and_the_fee_phrase_gives_amount_and_period() -> None:
    values = _values(["Service Agreement", "Contract value: 3.400,68 EUR pro Monat", "Billing: pro Quartal"],
                     "contract")

    assert (values["value"], values["currency"]) == ("3400.68", "EUR")
    assert values["billing_frequency"] == "quarterly"
    assert _values(["Service Agreement", "Billing: every three months"], "contract").get("billing_frequency") is None


def test_durations_are_read_in_every_supported_language() -> None:
    values = _values(["Service Agreement", "Initial term: 2 jaar", "Notice period: 3 mois"], "contract")

    assert (values["term_months"], values["notice_period"]) == ("24", "90")
    assert _values(["Service Agreement", "Term: 24 meses", "Notice period: 90 días"], "contract")[
        "notice_period"] == "90"


def test_country_names_are_read_in_every_supported_language() -> None:
    assert _values(["Change of Customer Details", "Country: Royaume-Uni"], "customer_change")["country"] == "GB"
    assert _values(["Change of Customer Details", "Land: Nederland"], "customer_change")["country"] == "NL"


def test_a_caption_list_is_no_label_and_a_postal_code_starts_at_its_digits() -> None:
    values = _values(["Stammdatenänderung", "PLZ: neu 50667", "Ort, Datum    Unterschrift"], "customer_change")

    assert values["postal_code"] == "50667"
    assert "city" not in values


def test_an_order_form_without_total_labels_takes_the_largest_amount_and_its_net_by_the_vat_ratio() -> None:
    items: list[Item] = [(57, 800, "Quote Acceptance", 16), (57, 760, "Customer: Globex Retail AG"),
                         (57, 700, "Prix"), (200, 700, "EUR 1.000,00"), (57, 680, "Avec TVA"),
                         (200, 680, "EUR 1.190,00"), (57, 660, "Acompte"), (200, 660, "EUR 300,00")]

    _, values = _captured(items)

    assert (values["total"], values["net_total"], values["currency"]) == ("1190.00", "1000.00", "EUR")


def test_bank_details_beside_amounts_without_currency_are_no_change_form() -> None:
    items: list[Item] = [(57, 800, "Lieferant GmbH", 14), (57, 740, "Beleg 471102"), (57, 700, "Trennblätter A4"),
                         (400, 700, "198,00"), (57, 660, "Bankverbindung"), (200, 660, "DE08 7009 0100 1234 5678 90")]

    kind, _ = _captured(items)

    assert kind != "customer_change"


def test_a_signed_form_with_amounts_and_no_duration_is_an_order_form() -> None:
    items: list[Item] = [(57, 800, "Nordlicht GmbH", 14), (57, 740, "Akkoord"), (57, 700, "Bedrag"),
                         (200, 700, "EUR 4.800,00"), (57, 680, "Met btw"), (200, 680, "EUR 5.808,00"),
                         (57, 200, "Utrecht, 1 april 2026"), (57, 186, "Plaats en datum", 7)]

    kind, values = _captured(items)

    assert kind == "order_form"
    assert (values["total"], values["net_total"], values["signature_date"]) == ("5808.00", "4800.00", "2026-04-01")


def test_a_signed_form_without_any_number_with_decimals_is_a_change_form() -> None:
    items: list[Item] = [(57, 800, "Nordlicht GmbH", 14), (57, 740, "Wijziging"), (57, 700, "Mail"),
                         (200, 700, "finance@globex.example"), (57, 200, "Utrecht, 01.04.2026"),
                         (57, 186, "Plaats en datum", 7)]

    kind, values = _captured(items)

    assert kind == "customer_change"
    assert values["email"] == "finance@globex.example"


def test_a_contract_runs_from_its_earliest_unlabelled_date_to_its_latest() -> None:
    items: list[Item] = [(57, 800, "Maintenance Agreement", 16), (355, 760, "Leeds, 20/03/2026"),
                         (57, 700, "Desde"), (200, 700, "01/04/2026"), (57, 680, "Hasta"), (200, 680, "31/03/2027"),
                         (57, 200, "Leeds, 25/03/2026")]

    _, values = _captured(items)

    assert (values["start_date"], values["end_date"], values["signature_date"]) == (
        "2026-04-01", "2027-03-31", "2026-03-25")


def test_only_a_place_and_nothing_but_a_date_make_a_place_date() -> None:
    from docket.understanding.crm_layout import is_place_date

    assert is_place_date("Bad Homburg, 1. April 2026") and is_place_date("Dublin 2, 01/04/2026")
    assert not is_place_date("es, wenn Sie uns ein Mandat erteilen, zur Fälligkeit 21.05.2014")
    assert not is_place_date("Ort, Datum")


def test_the_one_international_phone_number_in_the_body_of_a_change_form_is_its_phone() -> None:
    items: list[Item] = [(57, 800, "Change of Customer Details", 16), (57, 760, "Customer: Globex Retail AG"),
                         (57, 700, "Mobil"), (200, 700, "+49 170 1234 567")]

    _, values = _captured(items)

    assert values["phone"] == "+49 170 1234 567"
