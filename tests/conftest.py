"""Shared pytest set-up: tests on real services (integration, browser) are marked ``integration`` by folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Under CI=true a skipped or xfailed test fails the run; `pytester` runs the guard's own test.
pytest_plugins = ["tests.plugins.ci_guard", "pytester"]

REAL_SERVICE_DIRS = (Path(__file__).parent / "integration", Path(__file__).parent / "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(folder in Path(str(item.fspath)).parents for folder in REAL_SERVICE_DIRS):
            item.add_marker(pytest.mark.integration)


_TRYTON_PG_RUNNING_BEFORE = pytest.StashKey[bool]()


def pytest_sessionstart(session: pytest.Session) -> None:
    from infra import postgres, tryton_pg

    session.config.stash[_TRYTON_PG_RUNNING_BEFORE] = postgres.status(tryton_pg.port()) is not None


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the PostgreSQL server Tryton's test databases live in when this session started it
    (unless DOCKET_KEEP_INFRA=1); a server that ran before (a demo's) is left alone."""
    from infra import postgres, tryton_pg

    if os.environ.get("DOCKET_KEEP_INFRA") == "1" or session.config.stash.get(_TRYTON_PG_RUNNING_BEFORE, True):
        return
    postgres.stop(tryton_pg.port())
