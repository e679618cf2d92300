"""The workspace store on SQLite: schema, tasks from requests, compare-and-set decisions, learning."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from connectors.stores.audit import AuditStore
from connectors.stores.audit_tables import metadata
from connectors.stores.review import ReviewStore
from docket.model import BBox, FieldCorrection
from docket.review.errors import ReviewError
from docket.review.masking import Unmasking
from docket.review.passwords import hash_password, password_matches
from docket.review.positions import learned_position
from docket.review.workflow import completion, decide
from tests import factories
from tests.unit.review.builders import T0, anna, request, rita


@pytest.fixture
def store(tmp_path: Path) -> ReviewStore:
    return ReviewStore(f"sqlite:///{tmp_path / 'review.db'}")


def test_the_migrations_create_what_the_tables_declare(store: ReviewStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": "docket_audit_alembic_version"})
        assert compare_metadata(context, metadata) == []
    assert {"review_tasks", "review_users", "review_unmask_log"} <= set(metadata.tables)


def test_a_request_opens_a_task_once_and_a_newer_one_supersedes_it(store: ReviewStore) -> None:
    assert store.add_request(request("doc-1", 0)) is True
    assert store.add_request(request("doc-1", 0)) is False
    first = store.task("doc-1:0")
    assert (first.status, first.version, first.amount, first.reasons) == ("open", 1, 119, ("LOW_CONFIDENCE",))
    assert store.add_request(request("doc-1", 1, minutes=5)) is True
    assert store.task("doc-1:0").status == "superseded"
    assert [t.task_id for t in store.tasks()] == ["doc-1:1"]
    assert store.request("doc-1:1").document.revision == 1


def test_two_approvals_of_the_same_version_store_one(store: ReviewStore) -> None:
    store.add_request(request())
    seen = store.mark_opened("doc-1:0", "rita", T0)
    assert seen.opened_at == T0
    first = decide(seen, decision="approve", seen_version=1, user=rita, now=T0)
    second = decide(seen, decision="approve", seen_version=1, user=anna, now=T0)
    published: list[str] = []
    verdict = completion(seen, store.request("doc-1:0"), decision="approve", user=rita, seen_version=1, now=T0)
    store.commit_change(first, seen_version=1, actor="rita", action="approve", now=T0, review=verdict,
                        publish=lambda: published.append("rita"))
    with pytest.raises(ReviewError) as caught:
        store.commit_change(second, seen_version=1, actor="anna", action="approve", now=T0,
                            publish=lambda: published.append("anna"))
    assert caught.value.code == "REVIEW_TASK_CLOSED"
    assert published == ["rita"]
    assert store.task("doc-1:0").decided_by == "rita"
    assert [a["action"] for a in store.actions("doc-1:0")] == ["opened", "approve"]


def test_a_failed_publish_leaves_the_task_open(store: ReviewStore) -> None:
    store.add_request(request())
    seen = store.task("doc-1:0")

    def broker_down() -> None:
        raise RuntimeError("broker down")

    with pytest.raises(RuntimeError):
        store.commit_change(decide(seen, decision="approve", seen_version=1, user=rita, now=T0), seen_version=1,
                            actor="rita", action="approve", now=T0, publish=broker_down)
    assert store.task("doc-1:0").status == "open" and store.actions("doc-1:0") == []


def test_a_consumed_verdict_closes_the_task_once(store: ReviewStore) -> None:
    store.add_request(request())
    verdict = factories.review_completed(task_id="doc-1:0", envelope=factories.envelope(event_id="v-1",
                                                                                        document_id="doc-1"))
    assert store.apply_completion(verdict, T0) is True
    assert store.apply_completion(verdict, T0) is False
    task = store.task("doc-1:0")
    assert (task.status, task.version, task.decided_by) == ("approved", 2, "rita")
    assert len(store.actions("doc-1:0")) == 1


def test_an_approval_with_clicked_boxes_teaches_the_vendor_positions(store: ReviewStore) -> None:
    store.add_request(request())
    seen = store.task("doc-1:0")
    box = BBox(page=1, x0=0.6, y0=0.8, x1=0.8, y1=0.82)
    corrections = [FieldCorrection(field="total", old_value="119.00", new_value="120.00", bbox=box),
                   FieldCorrection(field="number", old_value="X", new_value="Y")]
    verdict = completion(seen, store.request("doc-1:0"), decision="approve", user=rita, seen_version=1, now=T0,
                         corrections=corrections)
    store.commit_change(decide(seen, decision="approve", seen_version=1, user=rita, now=T0, corrections=corrections),
                        seen_version=1, actor="rita", action="approve", now=T0, review=verdict)
    (position,) = store.field_positions("DE01", "V-1001")
    assert (position.field, position.page, position.samples, position.x0) == ("total", 1, 1, 0.6)


def test_positions_average_over_samples() -> None:
    box = BBox(page=1, x0=0.2, y0=0.2, x1=0.4, y1=0.3)
    first = learned_position(None, legal_entity="DE01", vendor_id="V", document_type="invoice", field="total",
                             box=box, now=T0)
    moved = learned_position(first, legal_entity="DE01", vendor_id="V", document_type="invoice", field="total",
                             box=box.model_copy(update={"x0": 0.4}), now=T0 + timedelta(days=1))
    assert moved.samples == 2 and moved.x0 == pytest.approx(0.3) and moved.y1 == pytest.approx(0.3)


def test_users_and_the_unmask_log(store: ReviewStore) -> None:
    store.add_user(rita, hash_password("correct horse battery"), T0)
    found = store.login_record("rita")
    assert found is not None and found[0] == rita.__class__(**{**rita.__dict__, "display_name": "rita"})
    assert password_matches(found[1], "correct horse battery") and not password_matches(found[1], "wrong one!!")
    store.set_active("rita", False)
    assert store.login_record("rita") is None
    store.log_unmasking(Unmasking("anna", "doc-1", "supplier_iban", T0))
    assert store.unmaskings("doc-1") == [Unmasking("anna", "doc-1", "supplier_iban", T0)]


def test_a_store_opened_on_an_audit_store_shares_its_engine(tmp_path: Path) -> None:
    audit = AuditStore(f"sqlite:///{tmp_path / 'shared.db'}")
    reviews = ReviewStore(audit)
    assert reviews.engine is audit.engine and reviews.audit is audit
    reviews.close()


def test_every_vendors_positions_become_one_record_per_vendor_and_type(store: ReviewStore) -> None:
    store.add_request(request())
    seen = store.task("doc-1:0")
    box = BBox(page=1, x0=0.6, y0=0.8, x1=0.8, y1=0.82)
    corrections = [FieldCorrection(field="total", old_value="119.00", new_value="120.00", bbox=box),
                   FieldCorrection(field="number", old_value="X", new_value="Y", bbox=box)]
    verdict = completion(seen, store.request("doc-1:0"), decision="approve", user=rita, seen_version=1, now=T0,
                         corrections=corrections)
    published: list[list[Any]] = []
    store.commit_change(decide(seen, decision="approve", seen_version=1, user=rita, now=T0, corrections=corrections),
                        seen_version=1, actor="rita", action="approve", now=T0, review=verdict,
                        publish_positions=published.append)
    (record,) = store.positions_records(T0)
    assert (record.legal_entity, record.vendor_id, record.document_type) == ("DE01", "V-1001", "invoice")
    assert [p.field for p in record.positions] == ["number", "total"]
    assert published == [[record]]  # what the decision published is the store's state


def test_a_failed_positions_publish_undoes_the_decision(store: ReviewStore) -> None:
    store.add_request(request())
    seen = store.task("doc-1:0")
    box = BBox(page=1, x0=0.6, y0=0.8, x1=0.8, y1=0.82)
    corrections = [FieldCorrection(field="total", old_value="119.00", new_value="120.00", bbox=box)]
    verdict = completion(seen, store.request("doc-1:0"), decision="approve", user=rita, seen_version=1, now=T0,
                         corrections=corrections)

    def broker_down(records: list[Any]) -> None:
        raise RuntimeError("broker down")

    with pytest.raises(RuntimeError):
        store.commit_change(decide(seen, decision="approve", seen_version=1, user=rita, now=T0,
                                   corrections=corrections), seen_version=1, actor="rita", action="approve", now=T0,
                            review=verdict, publish_positions=broker_down)
    assert store.task("doc-1:0").status == "open" and store.field_positions("DE01", "V-1001") == []
