"""``docket demo`` against the test stack: every row of the README's outcome table holds.

The table is read from README.md itself, so the promise and the test cannot drift apart: each
row's route must be the document's route, and every code or ERP reference the row quotes
(`...`) must be in what the demo reports for it (its outcome, reasons, the invoice's state, or what
Tryton holds for a CRM posting: the opportunity won, the subscription's renewal).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.process import free_port
from streams.settings import Settings
from tests.integration.harness import REPO

TABLE_HEADER = "| document | route | outcome |"


def readme_rows() -> list[tuple[str, str, str]]:
    """``(file name, route, outcome)`` for each row of the README's demo table."""
    lines = (REPO / "README.md").read_text().splitlines()
    start = lines.index(TABLE_HEADER) + 2  # skip the header and the |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        document, route, outcome = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((document.split(" ", 1)[0], route, outcome))
    return rows


def quoted(outcome: str) -> list[str]:
    """The codes and references a row quotes; a year in a reference is this year's (Tryton numbers by year),
    a date (``2027-04-01``: a contract's renewal) is the date it says, and a number that cannot be this
    decade's year (the party code ``C-2001``) is no year."""
    return [re.sub(r"\b20[2-9]\d\b(?!-\d\d-\d\d)", str(datetime.now(UTC).year), token)
            for token in re.findall(r"`([^`]+)`", outcome)]


def test_the_demo_ends_as_the_readme_says(infra: Settings, tmp_path: Path) -> None:
    rows = readme_rows()
    assert len(rows) >= 8, "the README's demo table went missing"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKET_")}
    env.update({"DOCKET_STATE_DIR": str(infra.state_dir), "DOCKET_KAFKA_PORT": str(infra.kafka_port),
                "DOCKET_KAFKA_CONTROLLER_PORT": str(infra.kafka_controller_port),
                "DOCKET_REGISTRY_PORT": str(infra.registry_port), "DOCKET_TRYTON_PORT": str(free_port())})
    if "DOCKET_TRYTON_PG_PORT" in os.environ:  # the PostgreSQL server this test stack's Tryton uses
        env["DOCKET_TRYTON_PG_PORT"] = os.environ["DOCKET_TRYTON_PG_PORT"]
    summary_path = infra.state_dir / "demo" / "summary.json"
    summary_path.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-m", "cli.main", "demo"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"docket demo failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    summary: dict[str, Any] = json.loads(summary_path.read_text())
    by_file = {row["filename"].split(" ", 1)[0]: row for row in summary["documents"]}
    states = summary["customer_invoice_states"]
    for filename, route, outcome in rows:
        assert filename in by_file, f"{filename} (README) was not in the demo run: {sorted(by_file)}"
        seen = by_file[filename]
        assert seen["route"] == route, f"{filename}: README says {route}, the demo {seen['route']} ({seen['outcome']})"
        # Each demo run posts into a fresh copy of the ERP: nothing can have been posted before.
        assert "already_posted" not in seen["outcome"], f"{filename}: a fresh ERP answered {seen['outcome']!r}"
        reported = " ".join([seen["outcome"], *seen["notes"], seen.get("erp_state") or "",
                             *(f"{n} {s}" for n, s in states.items())])
        for token in quoted(outcome):
            assert token in reported, f"{filename}: README quotes {token!r}, the demo reported {reported!r}"
    assert len(summary["documents"]) == len(rows), "the demo ran documents the README does not list"
