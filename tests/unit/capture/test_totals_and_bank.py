"""Totals reconciled by net + tax = total, qualified total labels set apart in columns, kerned
party headings, and labelled IBANs whose check digits fail."""

from __future__ import annotations

from collections.abc import Sequence

from docket.reading.page import Page, Word
from docket.understanding.classify import classify_pages
from docket.understanding.extract import Context, extract_fields
from docket.understanding.values import parse_labelled_iban

Row = tuple[float, float, str]


def _page(rows: Sequence[Row]) -> Page:
    words = []
    for x, y, text in rows:
        cursor = x
        for part in text.split():
            end = cursor + 0.009 * len(part)
            words.append(Word(part, cursor, y, end, y + 0.011))
            cursor = end + 0.004
    return Page(number=1, words=tuple(words), width=595.0, height=842.0, source="text_layer", engine="text_layer")


def _fields(rows: Sequence[Row]) -> dict[str, str]:
    page = _page(rows)
    ctx = Context.build([page])
    kind = classify_pages([page], ctx.lines, ctx.tokens).document_type
    return {f.name: f.value for f in extract_fields(ctx, kind).fields}


HEAD = [(0.1, 0.05, "Muster Handel GmbH"), (0.1, 0.07, "Hauptstraße 1, 10115 Berlin"),
        (0.6, 0.12, "Rechnung Nr. 2024-17"), (0.6, 0.14, "Datum: 05.03.2024"),
        (0.1, 0.20, "Pos"), (0.2, 0.20, "Beschreibung"), (0.7, 0.20, "Betrag"),
        (0.1, 0.22, "1"), (0.2, 0.22, "Beratung"), (0.7, 0.22, "100,00")]


def test_net_total_comes_from_the_amounts_that_add_up_to_the_total() -> None:
    rows = [*HEAD, (0.4, 0.30, "Summe der Positionen"), (0.7, 0.30, "100,00"),
            (0.4, 0.32, "Umsatzsteuer"), (0.7, 0.32, "19,00"),
            (0.4, 0.34, "Gesamtbetrag"), (0.7, 0.34, "119,00")]
    fields = _fields(rows)
    assert fields["tax_total"] == "19.00"
    assert fields["total"] == "119.00"
    assert fields["net_total"] == "100.00"


def test_an_amount_due_after_a_prepayment_gives_way_to_the_consistent_total() -> None:
    rows = [*HEAD, (0.4, 0.30, "Summe der Positionen"), (0.7, 0.30, "100,00"),
            (0.4, 0.32, "Umsatzsteuer"), (0.7, 0.32, "19,00"),
            (0.4, 0.34, "Bruttosumme"), (0.7, 0.34, "119,00"),
            (0.4, 0.36, "Erhaltene Anzahlungen"), (0.7, 0.36, "-50,00"),
            (0.4, 0.38, "Zahlbetrag"), (0.7, 0.38, "69,00")]
    fields = _fields(rows)
    assert (fields["net_total"], fields["tax_total"], fields["total"]) == ("100.00", "19.00", "119.00")


def test_totals_that_agree_with_no_printed_amount_are_left_alone() -> None:
    rows = [*HEAD, (0.4, 0.32, "Umsatzsteuer"), (0.7, 0.32, "19,00"), (0.4, 0.34, "Zahlbetrag"), (0.7, 0.34, "150,00")]
    fields = _fields(rows)
    assert fields["total"] == "150.00"
    assert "net_total" not in fields


def test_a_qualified_net_label_printed_in_two_columns_is_one_label() -> None:
    rows = [*HEAD, (0.3, 0.30, "Rechnungssumme"), (0.45, 0.30, "ohne USt."), (0.7, 0.30, "100,00"),
            (0.3, 0.32, "Steuerbetrag"), (0.7, 0.32, "19,00"), (0.3, 0.34, "Bruttosumme"), (0.7, 0.34, "119,00")]
    fields = _fields(rows)
    assert fields["net_total"] == "100.00"
    assert fields["total"] == "119.00"


def test_a_kerned_seller_heading_names_the_supplier() -> None:
    rows = [(0.1, 0.02, "Lesbare Darstellung der Rechnungsdaten"), (0.1, 0.06, "Handelsrechnung Nr. 471102"),
            (0.1, 0.10, "Ver käufer:"), (0.1, 0.12, "Lieferant GmbH"), (0.1, 0.14, "Lieferantenstraße 20"),
            (0.1, 0.18, "Käufer:"), (0.1, 0.20, "Kunden AG Mitte"), (0.1, 0.22, "Kundenstraße 15")]
    assert _fields(rows)["supplier_name"] == "Lieferant GmbH"


def test_a_compound_iban_label_keeps_a_specimen_iban_of_the_right_length() -> None:
    rows = [*HEAD, (0.1, 0.40, "Verkäufer-IBAN :"), (0.3, 0.40, "DE12 1234 5678 9012 3456 78")]
    assert _fields(rows)["supplier_iban"] == "DE12123456789012345678"


def test_labelled_iban_needs_the_countrys_length() -> None:
    assert parse_labelled_iban("DE12123456781234567890") == "DE12123456781234567890"
    assert parse_labelled_iban("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert parse_labelled_iban("DE5467894567876500") is None


def test_a_key_and_value_in_one_segment_under_the_seller_heading_is_no_name() -> None:
    rows = [(0.1, 0.02, "Lesbare Darstellung der Rechnungsdaten"), (0.1, 0.06, "Handelsrechnung Nr. 471102"),
            (0.1, 0.10, "Verkäufer:"), (0.1, 0.12, "Globale Nummer: 4000001123452 (GLN)"),
            (0.1, 0.14, "Lieferant GmbH"), (0.1, 0.16, "Lieferantenstraße 20"),
            (0.1, 0.20, "Käufer:"), (0.1, 0.22, "Kunden AG Mitte")]
    assert _fields(rows)["supplier_name"] == "Lieferant GmbH"


def test_a_compound_title_going_on_with_number_and_date_outweighs_an_order_reference() -> None:
    rows = [(0.1, 0.02, "Lesbare Darstellung der Rechnungsdaten"),
            (0.1, 0.16, "Handelsrechnung Nr. 471102 vom 05.06.2018"),
            (0.1, 0.30, "Bestellung"), (0.3, 0.30, ": 2013-471331"),
            (0.1, 0.35, "Verkäufer:"), (0.1, 0.37, "Lieferant GmbH")]
    page = _page(rows)
    ctx = Context.build([page])
    assert classify_pages([page], ctx.lines, ctx.tokens).document_type == "invoice"


def test_an_invoice_without_a_date_label_takes_the_date_printed_with_a_time_of_day() -> None:
    from docket.understanding.extract.invoice import extract_invoice

    rows = [(0.1, 0.02, "KEDAI MAJU SDN BHD"), (0.1, 0.05, "TAX INVOICE"), (0.1, 0.08, "Invoice No: 1042"),
            (0.1, 0.11, "27 Mar 2018 18:46"), (0.1, 0.20, "Total"), (0.6, 0.20, "12.50")]
    ctx = Context.build([_page(rows)])
    fields = {f.name: f.value for f in extract_invoice(ctx).fields}
    assert fields["invoice_date"] == "2018-03-27"


def test_a_charge_row_with_its_rate_before_the_tax_label_is_not_the_tax_total() -> None:
    rows = [*HEAD, (0.4, 0.30, "Rechnungssumme ohne USt."), (0.7, 0.30, "100,00"),
            (0.4, 0.32, "Steuerbetrag"), (0.7, 0.32, "19,00"), (0.4, 0.34, "Bruttosumme"), (0.7, 0.34, "119,00"),
            (0.1, 0.40, "Zuschlag Versandkosten"), (0.4, 0.40, "10,00"), (0.5, 0.40, "7 % UST (S)"),
            (0.7, 0.40, "0,70")]
    assert _fields(rows)["tax_total"] == "19.00"
