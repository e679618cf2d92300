"""Master data from CSV: the shipped samples, and a clear error for every bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from docket.errors import DocketError
from docket.masterdata_csv import KINDS, MasterDataCsvError, kind_of, parse_masterdata_csv, record_key
from docket.model import PurchaseOrder, Vendor

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "masterdata"
VENDOR_HEADER = "legal_entity,party_id,name,vat_id,country,ibans,aliases,currency,active\n"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_sample_file_parses(kind: str) -> None:
    records = parse_masterdata_csv(kind, (SAMPLES / f"{kind}.csv").read_text(encoding="utf-8"), now=NOW)
    assert records and all(isinstance(r, KINDS[kind].model) for r in records)
    keys = [record_key(kind_of(kind), r) for r in records]
    assert len(set(keys)) == len(keys)


def test_vendor_row_is_normalized() -> None:
    text = VENDOR_HEADER + ("DE01,V-9,Alpha GmbH,de 136 695 976,DE,DE89 3704 0044 0532 0130 00;,"
                            "Alpha;Alpha Berlin,eur,no\n")
    (vendor,) = parse_masterdata_csv("vendors", text, now=NOW)
    assert isinstance(vendor, Vendor)
    assert vendor.vat_id == "DE136695976" and vendor.ibans == ["DE89370400440532013000"]
    assert vendor.aliases == ["Alpha", "Alpha Berlin"] and vendor.currency == "EUR" and vendor.active is False
    assert vendor.updated_at == NOW


def test_every_bad_row_is_reported_with_its_row_and_column() -> None:
    text = (VENDOR_HEADER
            + "DE01,V-1,Good GmbH,,DE,,,EUR,\n"
            + "DE01,V-2,Bad IBAN GmbH,,DE,DE89370400440532013001,,EUR,\n"
            + "DE01,V-3,Bad VAT GmbH,DE136695977,DE,,,EUR,\n"
            + "DE01,V-4,Bad currency,,DE,,,EURO,maybe\n"
            + "DE01,,No id,,DE,,,EUR,\n"
            + "DE01,V-1,Again GmbH,,DE,,,EUR,\n")
    with pytest.raises(MasterDataCsvError) as caught:
        parse_masterdata_csv("vendors", text, now=NOW)
    error = caught.value
    assert error.code == "MASTERDATA_CSV_INVALID"
    found = {(p.row, p.column) for p in error.problems}
    assert {(3, "ibans"), (4, "vat_id"), (5, "currency"), (5, "active"), (7, None)} <= found
    assert any(p.row == 6 and p.column == "party_id" for p in error.problems)
    assert 2 not in {p.row for p in error.problems}
    assert "row 3, column ibans" in error.message


def test_unknown_and_missing_columns_are_header_problems() -> None:
    with pytest.raises(MasterDataCsvError) as caught:
        parse_masterdata_csv("vendors", "legal_entity,name,colour\nDE01,X,red\n", now=NOW)
    messages = [str(p) for p in caught.value.problems]
    assert any("colour" in m for m in messages) and any("party_id" in m for m in messages)
    assert all(p.row == 1 for p in caught.value.problems)


def test_purchase_order_rows_become_one_order_with_lines() -> None:
    text = ("legal_entity,po_number,vendor_id,currency,total,line_no,description,quantity,unit_price\n"
            "DE01,PO-1,V-1,EUR,50.00,1,Paper,2,10.00\n"
            "DE01,PO-1,V-1,EUR,50.00,2,Toner,1,30.00\n"
            "DE01,PO-2,V-2,EUR,,1,Chairs,4,99.50\n")
    first, second = parse_masterdata_csv("purchase_orders", text, now=NOW)
    assert isinstance(first, PurchaseOrder) and isinstance(second, PurchaseOrder)
    assert [(ln.line_no, ln.quantity, ln.unit_price) for ln in first.lines] == [
        (1, Decimal("2"), Decimal("10.00")), (2, Decimal("1"), Decimal("30.00"))]
    assert second.total is None and len(second.lines) == 1


def test_purchase_order_rows_that_disagree_on_the_order_are_reported() -> None:
    text = ("legal_entity,po_number,vendor_id,currency,line_no,description,quantity,unit_price\n"
            "DE01,PO-1,V-1,EUR,1,Paper,2,10.00\n"
            "DE01,PO-1,V-9,EUR,2,Toner,x,30.00\n")
    with pytest.raises(MasterDataCsvError) as caught:
        parse_masterdata_csv("purchase_orders", text, now=NOW)
    assert {(p.row, p.column) for p in caught.value.problems} >= {(3, None), (3, "quantity")}


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(DocketError) as caught:
        parse_masterdata_csv("suppliers", "a\n1\n", now=NOW)
    assert caught.value.code == "MASTERDATA_KIND_UNKNOWN" and "vendors" in caught.value.message


@pytest.mark.parametrize("body", ['DE01,V-1,Acme\rGmbH,,DE,,,,,,,,,,,true\n', 'DE01,"V-1,Acme\n',
                                  "DE01,V-1," + "x" * 200_000 + ",,DE,,,,,,,,,,,true\n"])
def test_a_file_csv_cannot_read_is_reported_as_invalid_master_data(body: str) -> None:
    from docket.masterdata_csv import parse_masterdata_csv

    header = ("legal_entity,party_id,name,vat_id,country,address,ibans,bic,default_gl_account,tax_code,cost_center,"
              "payment_terms,currency,aliases,erp_id,active\n")
    with pytest.raises(DocketError) as caught:
        parse_masterdata_csv("vendors", header + body, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert caught.value.code == "MASTERDATA_CSV_INVALID"


@pytest.mark.parametrize("amount", ["1e99999", "-1E+999999999", "9" * 40])
def test_an_amount_beyond_any_scale_is_a_row_problem(amount: str) -> None:
    header = ("legal_entity,item_id,customer_id,invoice_number,invoice_date,due_date,currency,amount_total,"
              "amount_open,structured_reference,erp_id\n")
    row = f"DE01,OI-1,C-1,INV-1,2026-10-20,2026-11-19,EUR,{amount},1.00,,I1\n"
    with pytest.raises(MasterDataCsvError) as caught:
        parse_masterdata_csv("open_items", header + row, now=NOW)
    assert caught.value.code == "MASTERDATA_CSV_INVALID" and "amount_total" in caught.value.message
