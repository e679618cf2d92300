"""The REST target as a CRM target: the ``rest_crm.v1`` field map names the account by the CRM id of the
cross-references, works out a contract's renewal and notice dates, and never carries unapproved bank details."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.base import PostingRejected
from connectors.mapping import MappingFailed, load_field_map
from connectors.rest import RestSink
from connectors.target_config import RestTarget, check_targets
from connectors.targets import rest_sink
from docket.model import CrmRecord
from streams.settings import Settings
from tests.contract.harness import invoice_request
from tests.unit.connectors.contract_harnesses import crm_posting
from tests.unit.connectors.fake_rest_erp import FakeErp, running_erp

CRM_MAP = load_field_map("rest_crm.v1")


@pytest.fixture
def crm_api() -> Iterator[tuple[FakeErp, str]]:
    with running_erp() as (state, base):
        yield state, base


def test_a_contract_carries_its_crm_account_and_its_worked_out_renewal_and_notice_dates() -> None:
    payload = CRM_MAP.apply(crm_posting("k1"))

    assert payload["event"] == "SUBSCRIPTION_UPSERT"
    assert payload["account"] == {"id": "ACC-0042", "customerNumber": "C-2001", "erpPartyId": "23",
                                  "name": "Globex Retail AG"}
    subscription = payload["subscription"]
    assert (subscription["startDate"], subscription["endDate"]) == ("2026-04-01", "2027-03-31")
    assert (subscription["renewalDate"], subscription["noticeDate"]) == ("2027-04-01", "2026-12-31")
    assert (subscription["value"], subscription["billingFrequency"]) == ("400.00", "monthly")


def test_an_order_form_carries_the_quote_it_wins_and_its_net_amount() -> None:
    request = crm_posting("o1", "order_form", crm=CrmRecord(opportunity_reference="Q-2026-014",
                                                            signature_date=date(2026, 3, 1)))
    payload = CRM_MAP.apply(request)

    assert payload["event"] == "OPPORTUNITY_WON"
    assert payload["opportunity"] == {"reference": "Q-2026-014", "signedOn": "2026-03-01", "amount": "4800.00"}
    assert payload["subscription"]["renewalDate"] is None


def test_a_customer_without_a_crm_account_id_is_refused_not_matched_by_name() -> None:
    with pytest.raises(MappingFailed) as refused:
        CRM_MAP.apply(crm_posting("n1", account=None))
    assert "no CRM account id" in refused.value.message


def test_an_unapproved_bank_change_never_reaches_the_crm(crm_api: tuple[FakeErp, str]) -> None:
    state, base = crm_api
    sink = RestSink(url=f"{base}/crm", maps=CRM_MAP, target="rest", timeout=5.0)
    change = CrmRecord(new_iban="DE29100100100987654321", old_iban="DE75512108001245126199")

    with pytest.raises(PostingRejected) as refused:
        sink.post(crm_posting("b1", "customer_change", crm=change))
    approved = sink.post(crm_posting("b2", "customer_change",
                                     crm=change.model_copy(update={"bank_change_approved_by": "rita"})))
    sink.close()

    assert refused.value.details["reason"] == "bank_change_not_approved"
    assert list(state.created) == ["customer_change-b2:0:rest"]
    sent = state.created["customer_change-b2:0:rest"]["payload"]["change"]
    assert (sent["newIban"], sent["approvedBy"]) == ("DE29100100100987654321", "rita")
    assert approved.status == "posted" and "DE29100100100987654321" not in json.dumps(approved.request)


def test_one_rest_target_with_two_field_maps_posts_invoices_and_crm_records(crm_api: tuple[FakeErp, str],
                                                                            tmp_path: Path) -> None:
    state, base = crm_api
    settings = Settings(state_dir=tmp_path, posting_targets="rest", rest_url=f"{base}/invoices",
                        rest_field_map="rest_invoice.v1, rest_crm.v1")
    config = check_targets(settings)["rest"]
    assert isinstance(config, RestTarget)
    assert [m.version for m in config.field_maps] == ["rest_invoice/1", "rest_crm/1"]
    sink = rest_sink(config)

    contract = sink.post(crm_posting("t1"))
    invoice = sink.post(invoice_request("i1", target="rest"))
    sink.close()

    assert contract.status == "posted" and invoice.status == "posted"
    assert contract.request["mapping_version"] == "rest_crm/1"
    assert invoice.request["mapping_version"] == "rest_invoice/1"
    sent = state.created["contract-t1:0:rest"]["payload"]
    assert sent["account"]["id"] == "ACC-0042" and Decimal(sent["subscription"]["value"]) == Decimal("400.00")
    assert "event" not in state.created[invoice.idempotency_key]["payload"]


def test_an_empty_field_map_setting_names_the_setting(tmp_path: Path) -> None:
    from connectors.target_config import TargetConfigError

    settings = Settings(state_dir=tmp_path, posting_targets="rest", rest_url="http://crm.example/api",
                        rest_field_map=" , ")
    with pytest.raises(TargetConfigError) as error:
        check_targets(settings)
    assert error.value.details == {"target": "rest", "setting": "DOCKET_REST_FIELD_MAP"}
