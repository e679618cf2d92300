"""The committed labelled documents replayed through capture and the posting mapping: no field that the
stored baseline reads right may read wrong now, and no posting payload may change unseen
(``make regress`` prints the same comparison as a table)."""

from __future__ import annotations

import json
from pathlib import Path

from cli.regress_payloads import PayloadMaker
from docket.understanding.learn.regress import compare, replay

TESTS = Path(__file__).resolve().parents[1]
FOLDERS = [TESTS / "golden", TESTS / "data" / "einvoices"]
BASELINE = TESTS / "golden" / "regress_baseline.json"


def test_no_labelled_field_regresses_against_the_committed_baseline() -> None:
    stored = json.loads(BASELINE.read_text(encoding="utf-8"))
    current = replay(FOLDERS, payload=PayloadMaker())
    report = compare(stored, current)
    assert report["gone_files"] == 0 and report["new_files"] == 0, "re-baseline with `docket regress --update`"
    assert sum(row["unchanged"] + row["improved"] for row in report["per_field"].values()) > 100
    assert report["regressions"] == [], report["regressions"]
    # The posting payloads are a snapshot: a change must be accepted with `docket regress --update`.
    assert sum(1 for payload in current.payloads.values() if payload and "error" not in payload) >= 8
    assert report["payload_changes"] == [], report["payload_changes"]
