"""The demo's CRM samples: rebuilt byte for byte by their builder, and read as the forms they are."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from docket.capture import capture_document
from docket.crm.record import crm_record
from docket.crm.terms import contract_terms

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
sys.path.insert(0, str(SAMPLES))
from crm_forms import contract, order_form  # noqa: E402  (samples/ is a folder of scripts, not a package)


@pytest.mark.parametrize(("name", "build"), [("11-globex-order-form.pdf", order_form),
                                             ("12-globex-contract.pdf", contract)])
def test_the_committed_sample_is_what_its_builder_makes(name: str, build: object) -> None:
    assert callable(build)
    assert (SAMPLES / "documents" / name).read_bytes() == build()


def test_the_order_form_names_its_customer_number_quote_and_net_amount() -> None:
    captured, = capture_document((SAMPLES / "documents" / "11-globex-order-form.pdf").read_bytes(),
                                 "11-globex-order-form.pdf", "application/pdf")
    values = {field.name: field.value for field in captured.fields}
    assert captured.document_type == "order_form"
    assert (values["customer_reference"], values["opportunity_reference"]) == ("C-2001", "Q-2026-014")
    assert (values["net_total"], values["total"], values["signature_date"]) == ("4800.00", "5712.00", "2026-03-01")


def test_the_contract_renews_on_1_april_2027_with_notice_by_the_end_of_2026() -> None:
    captured, = capture_document((SAMPLES / "documents" / "12-globex-contract.pdf").read_bytes(),
                                 "12-globex-contract.pdf", "application/pdf")
    assert captured.document_type == "contract"
    terms = contract_terms(crm_record(captured.fields))
    assert terms is not None
    assert (str(terms.end_date), str(terms.renewal_date), str(terms.notice_date)) == (
        "2027-03-31", "2027-04-01", "2026-12-31")
