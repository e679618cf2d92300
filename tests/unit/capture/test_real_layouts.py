"""Layouts of real documents, rebuilt as word boxes: e-invoice visualisations (number and date in the
title line, the seller under a "Verkäufer" heading), till slips (titled Tax Invoice, paid = tendered minus
change, SDN BHD as a legal form), sideways OCR words, and the field-confidence model's training."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from docket.model import BBox, ExtractedField
from docket.reading.ocr.base import OcrWord
from docket.reading.ocr.page import ocr_page
from docket.reading.page import Page, Word
from docket.understanding.classify import classify_pages
from docket.understanding.extract import Context, extract_fields
from docket.understanding.learn.confidence import ConfidenceModel, FieldExample, example_of, train
from docket.understanding.learn.judge import verdict
from docket.understanding.learn.labels import xml_labels
from docket.understanding.values import parse_date

Row = tuple[float, float, str]  # x, y, text of one segment


def _page(rows: Sequence[Row], *, width: float = 595.0, height: float = 842.0, source: str = "text_layer") -> Page:
    """A page whose segments start at (x, y); words of a segment are spaced like printed text."""
    words = []
    aspect = height / width
    for x, y, text in rows:
        cursor = x
        for part in text.split():
            end = cursor + 0.009 * len(part) * aspect / 1.414
            words.append(Word(part, cursor, y, end, y + 0.011))
            cursor = end + 0.004
    return Page(number=1, words=tuple(words), width=width, height=height, source=source,
                engine="text_layer" if source == "text_layer" else "test-ocr")


def _fields(page: Page) -> tuple[str, dict[str, str]]:
    ctx = Context.build([page])
    kind = classify_pages([page], ctx.lines, ctx.tokens).document_type
    extraction = extract_fields(ctx, kind)
    return kind, {f.name: f.value for f in extraction.fields}


VISUALISATION = [
    (0.10, 0.02, "Beispiel-Rechnungen für ein Beispiel, (c) 2022"),
    (0.11, 0.06, "Handelsrechnung (380)"), (0.35, 0.06, "Nr. 471102"), (0.48, 0.06, "vom"), (0.54, 0.06, "05.03.2018"),
    (0.12, 0.11, "Währung:"), (0.44, 0.11, "EUR"),
    (0.12, 0.19, "Verkäufer"),
    (0.12, 0.21, "Nummer:"), (0.44, 0.21, "549910"),
    (0.12, 0.235, "Globale Nummer:"), (0.44, 0.235, "4000001123452 (GLN)"),
    (0.12, 0.26, "Name:"), (0.44, 0.26, "Lieferant GmbH"),
    (0.12, 0.28, "Anschrift:"), (0.44, 0.28, "Lieferantenstraße 20"),
    (0.12, 0.34, "USt.-Id.-Nr.:"), (0.44, 0.34, "DE123456789"),
    (0.12, 0.41, "Käufer/Leistungsempfänger"),
    (0.12, 0.43, "Nummer:"), (0.44, 0.43, "GE2020211"),
    (0.12, 0.45, "Name:"), (0.44, 0.45, "Kunden AG Mitte"),
    (0.36, 0.66, "Rechnungssumme ohne USt."), (0.86, 0.66, "473,00"),
    (0.36, 0.70, "Steuerbetrag"), (0.87, 0.70, "56,87"),
    (0.36, 0.74, "Bruttosumme"), (0.86, 0.74, "529,87"),
    (0.12, 0.91, "Zahlbar innerhalb 30 Tagen netto bis 04.04.2018, 3% Skonto"),
]


def test_an_einvoice_visualisation_reads_its_title_line_and_headed_blocks() -> None:
    kind, fields = _fields(_page(VISUALISATION))
    assert kind == "invoice"
    assert fields["invoice_number"] == "471102"
    assert fields["invoice_date"] == "2018-03-05"
    assert fields["supplier_name"] == "Lieferant GmbH"
    assert fields["buyer_name"] == "Kunden AG Mitte"
    assert fields["supplier_vat_id"] == "DE123456789"  # a specimen number: shape right, checksum not
    assert (fields["net_total"], fields["tax_total"], fields["total"]) == ("473.00", "56.87", "529.87")
    assert fields["due_date"] == "2018-04-04"


SLIP = [
    (0.22, 0.04, "tan woon yann"),
    (0.21, 0.10, "MR D.I.Y. (JOHOR) SDN BHD"),
    (0.30, 0.12, "(CO.REG:933109-X)"),
    (0.12, 0.14, "LOT 1851-A & 1851-B, JALAN KPB 6,"),
    (0.16, 0.16, "43300 SERI KEMBANGAN, SELANGOR"),
    (0.25, 0.18, "TEL 07-3523888"),
    (0.38, 0.21, "-TAX INVOICE-"),
    (0.05, 0.30, "CHOPPING BOARD"), (0.81, 0.30, "19.00"),
    (0.05, 0.34, "TOTAL"), (0.77, 0.34, "RM 33.92"),
    (0.05, 0.36, "ROUNDING ADJUSTMENT"), (0.77, 0.36, "-RM 0.02"),
    (0.05, 0.38, "TOTAL ROUNDED"), (0.77, 0.38, "RM 33.90"),
    (0.05, 0.40, "CASH"), (0.77, 0.40, "RM 50.00"),
    (0.05, 0.42, "CHANGE"), (0.77, 0.42, "RM 16.10"),
    (0.05, 0.46, "12-01-19 21:13 CASHIER T4"),
    (0.05, 0.50, "GOODS SOLD ARE NOT RETURNABLE. THANK YOU"),
]


def test_a_till_slip_titled_tax_invoice_is_a_receipt_paid_as_tendered_minus_change() -> None:
    kind, fields = _fields(_page(SLIP, width=1049.0, height=2169.0, source="ocr"))
    assert kind == "receipt"
    assert fields["supplier_name"] == "MR D.I.Y. (JOHOR) SDN BHD"
    assert fields["supplier_address"].startswith("LOT 1851-A & 1851-B")
    assert "SELANGOR" in fields["supplier_address"] and "TEL" not in fields["supplier_address"]
    assert fields["total"] == "33.90"
    assert fields["receipt_date"] == "2019-01-12"
    assert fields["currency"] == "MYR"  # RM; the legal form "SDN BHD" is no Bahraini dinar


def test_month_name_dates_with_short_years_and_years_glued_to_the_time() -> None:
    assert parse_date("05 MAR 2018") == "2018-03-05"
    assert parse_date("28 MAR 18") == "2018-03-28"
    assert parse_date("12-01-1921:13") == "2019-01-12"


class _SidewaysThenUpright:
    """An engine that reads words on their side unless the image is turned a quarter."""

    name = "test-ocr"

    def __init__(self) -> None:
        self.calls = 0

    def recognize(self, image: npt.NDArray[np.uint8]) -> list[OcrWord]:
        self.calls += 1
        height, width = image.shape[:2]
        if height > width:  # the original, upright page: words are wider than tall
            return [OcrWord(f"WORD{i}", 10, 10 + 30 * i, 200, 30 + 30 * i, 0.97) for i in range(5)]
        return [OcrWord(f"SIDE{i}", 10 + 30 * i, 10, 30 + 30 * i, 200, 0.9) for i in range(5)]


def test_words_standing_on_their_side_make_the_page_read_a_quarter_turn_back() -> None:
    engine = _SidewaysThenUpright()
    # A landscape image: the pixel test keeps it, the engine reads its words sideways, the page is turned.
    page = ocr_page(np.full((300, 600, 3), 255, dtype=np.uint8), 1, engine)
    assert engine.calls == 2
    assert [w.text for w in page.words][:2] == ["WORD0", "WORD1"]
    assert page.rotation in (90, 270)


def test_embedded_cii_xml_labels_what_the_page_prints() -> None:
    xml = b"""<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
      xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
      xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
      <rsm:ExchangedDocument><ram:ID>471102</ram:ID><ram:TypeCode>381</ram:TypeCode>
        <ram:IssueDateTime><udt:DateTimeString format="102">20180305</udt:DateTimeString></ram:IssueDateTime>
      </rsm:ExchangedDocument>
      <rsm:SupplyChainTradeTransaction><ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty>
        <ram:Name>Lieferant GmbH</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>
      <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
        <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
          <ram:TaxBasisTotalAmount>473.00</ram:TaxBasisTotalAmount>
          <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
          <ram:GrandTotalAmount>529.87</ram:GrandTotalAmount>
        </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
      </ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"""
    kind, labels = xml_labels(xml)
    assert kind == "credit_note"
    assert labels == {"invoice_number": "471102", "invoice_date": "2018-03-05", "supplier_name": "Lieferant GmbH",
                      "supplier_vat_id": "DE123456789", "currency": "EUR", "total": "529.87", "net_total": "473.00",
                      "tax_total": "56.87"}
    assert verdict("supplier_name", "Lieferant GmbH", "LIEFERANT GMBH.") == (False, True)
    assert verdict("total", "529.87", "529.870") == (True, True)


def _examples(count: int) -> list[FieldExample]:
    rng = np.random.default_rng(3)
    examples = []
    for index in range(count):
        method = ("label", "layout", "pattern")[index % 3]
        raw = float(rng.uniform(0.5, 1.0))
        right = bool(rng.uniform() < (0.95 if method == "label" else 0.4))
        field = ExtractedField(name="total" if index % 2 else "supplier_name", value=f"{index}.00", raw_text="",
                               confidence=raw, bbox=BBox(page=1, x0=0.1, y0=0.5, x1=0.2, y1=0.52), method=method,
                               engine="text_layer")
        examples.append(example_of(field, "invoice", 0.9, False, 8, right))
    return examples


def test_the_confidence_model_learns_which_methods_are_right_and_retrains_identically() -> None:
    examples = _examples(600)
    first, second = train(examples, seed=11), train(examples, seed=11)
    assert first == second  # fixed seeds, one thread: the same data gives the same model
    model = ConfidenceModel(first)
    label, pattern = model.predict([examples[0], examples[2]])  # methods label and pattern
    assert label > 0.8 > 0.6 > pattern


ONE_LINE_LETTERHEAD = [
    (0.19, 0.034, "Au bon moulin SARL - 1242 chemin de l'olive - 84340 Malaucène - France"),
    (0.19, 0.044, "+33 4 50 44 68 99 - http://www.aubonmoulin.fr"),
    (0.19, 0.055, "TVA : FR11999999998 - SIRET : 99999999800010 - APE : 4778C"),
    (0.10, 0.108, "Facture FA-2017-0010"),
    (0.10, 0.143, "Adresse de livraison"), (0.10, 0.155, "Ma jolie boutique"),
    (0.10, 0.167, "35 rue de la République"), (0.10, 0.179, "69001 Lyon"),
    (0.55, 0.143, "Ma jolie boutique"), (0.55, 0.155, "35 rue de la République"), (0.55, 0.167, "69001 Lyon"),
    (0.10, 0.25, "Date de facture 13/11/2017"),
    (0.10, 0.60, "Total HT"), (0.80, 0.60, "624,90 €"),
    (0.10, 0.62, "Total TTC"), (0.80, 0.62, "671,15 €"),
]


def test_a_one_line_letterhead_names_the_issuer_before_its_address_and_a_title_word_stays_in_the_name() -> None:
    kind, fields = _fields(_page(ONE_LINE_LETTERHEAD))

    assert kind == "invoice"
    assert fields["supplier_name"] == "Au bon moulin SARL"
    assert fields["buyer_name"] == "Ma jolie boutique"
