"""The field-map language: paths, literals, filters, lists, versions, and what it refuses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.mapping import (
    MAPPINGS_DIR,
    MappingFailed,
    MappingInvalid,
    field_map_from_dict,
    load_field_map,
    parse_expression,
    select_field_map,
)
from tests.unit.connectors.sink_requests import make_request


def _apply(fields: dict[str, Any], **record_changes: Any) -> dict[str, Any]:
    field_map = field_map_from_dict({"name": "t", "version": 3, "fields": fields,
                                     "tables": {"kinds": {"supplier_invoice": "AP"}}})
    return field_map.apply(make_request("doc-1", **record_changes))


def test_paths_literals_and_nested_objects() -> None:
    payload = _apply({"number": "record.number", "entity": "envelope.legal_entity",
                      "first_sku": "record.lines.0.sku", "missing": "record.lines.9.sku",
                      "label": "'fixed text'", "count": "42", "flag": "true", "nothing": "null",
                      "const": {"$const": "as is | not parsed"}, "party": {"id": "request.party_id"},
                      "version": "mapping.version"})
    assert payload == {"number": "RE-2026-0042", "entity": "acme-de", "first_sku": "PA4-80", "missing": None,
                       "label": "fixed text", "count": 42, "flag": True, "nothing": None,
                       "const": "as is | not parsed", "party": {"id": "V-100"}, "version": "t/3"}


def test_filters() -> None:
    payload = _apply({
        "total": "record.total | decimal(1)", "total_text": "record.total | decimal(2) | text",
        "negated": "record.total | negate | text", "date": "record.issue_date | date('%d.%m.%Y')",
        "iso": "record.issue_date | date", "upper": "record.supplier_name | upper",
        "fallback": "record.amends_number | default('none')", "short": "record.supplier_name | truncate(6)",
        "kind": "request.posting_type | lookup('kinds')", "other": "'x' | lookup('kinds', 'ZZ')",
        "lines": "record.lines | count", "qty": "record.lines.0.quantity | trim | text",
        "none_stays_none": "record.amends_number | decimal(2) | upper",
        "line_no": "record.lines.1.index | add(1)", "plus_fee": "record.total | add(0.05) | text"},
        total=Decimal("146.95"))
    assert payload["total"] == Decimal("147.0")  # half up, as invoices print
    assert payload["total_text"] == "146.95" and payload["negated"] == "-146.9500"
    assert payload["date"] == "03.11.2026" and payload["iso"] == "2026-11-03"
    assert payload["upper"] == "MUSTER BÜROBEDARF GMBH" and payload["short"] == "Muster"
    assert payload["fallback"] == "none" and payload["kind"] == "AP" and payload["other"] == "ZZ"
    assert payload["lines"] == 2 and payload["qty"] == "10" and payload["none_stays_none"] is None
    assert payload["line_no"] == 2 and isinstance(payload["line_no"], int)
    assert payload["plus_fee"] == "147.0000"


def test_each_renders_a_list_with_its_own_name() -> None:
    payload = _apply({"rows": {"$each": "record.lines", "$as": "row",
                               "$fields": {"n": "row.index", "amt": "row.amount | decimal(2) | text",
                                           "doc": "record.number"}}})
    assert payload["rows"] == [{"n": 0, "amt": "100.00", "doc": "RE-2026-0042"},
                               {"n": 1, "amt": "23.45", "doc": "RE-2026-0042"}]


def test_required_fails_with_its_message() -> None:
    with pytest.raises(MappingFailed, match="no invoice number"):
        _apply({"number": "record.number | required('no invoice number')"}, number=None)


def test_lookup_of_an_unknown_code_fails_the_mapping() -> None:
    with pytest.raises(MappingFailed, match="not in table"):
        _apply({"kind": "record.currency | lookup('kinds')"})


def test_wrong_type_is_a_mapping_failure_not_a_crash() -> None:
    with pytest.raises(MappingFailed):
        _apply({"date": "record.supplier_name | date"})


@pytest.mark.parametrize("source", [
    "", "record.total |", "record.total | nosuchfilter", "__import__('os').system('true')",
    "record.total | decimal(2", "record..total", "1 + 1", "record.total; drop"])
def test_malformed_expressions_are_refused(source: str) -> None:
    with pytest.raises(MappingInvalid):
        parse_expression(source)


def test_field_map_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingInvalid):
        load_field_map("no_such_map.v9")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nfields:\n  a: record.total | bogus\n")
    with pytest.raises(MappingInvalid, match=r"x\.a"):
        load_field_map(bad)
    with pytest.raises(MappingInvalid):
        field_map_from_dict({"name": "x", "fields": {}})
    with pytest.raises(MappingInvalid):
        field_map_from_dict({"name": "x", "version": 1, "fields": {"a": {"$eahc": "record.lines"}}})


def test_select_by_posting_type() -> None:
    invoices = field_map_from_dict({"name": "inv", "version": 1, "posting_types": ["supplier_invoice"],
                                    "fields": {}})
    anything = field_map_from_dict({"name": "any", "version": 1, "fields": {}})
    request = make_request("doc-1", posting_type="supplier_credit_note")
    assert select_field_map([invoices, anything], request).name == "any"
    with pytest.raises(MappingFailed) as caught:
        select_field_map([invoices], request)
    assert caught.value.code == "POSTING_MAPPING_MISSING"


def test_every_shipped_map_loads_and_maps_the_sample() -> None:
    files = sorted(MAPPINGS_DIR.glob("*.yaml"))
    assert files
    for path in files:
        field_map = load_field_map(path)
        assert field_map.version.startswith(field_map.name + "/")
        request = make_request("doc-1")
        if not field_map.handles(request.posting_type):  # a CRM map: the same record as a CRM posting type
            request = request.model_copy(update={"posting_type": field_map.posting_types[0],
                                                 "party_xrefs": {"crm": "ACC-1"}})
        payload = field_map.apply(request)
        assert payload["lines"] and len(payload["lines"]) == 2
