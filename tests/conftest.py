"""Shared pytest set-up: tests on real services (integration, browser) are marked ``integration`` by folder."""

from __future__ import annotations

from pathlib import Path

import pytest

# Under CI=true a skipped or xfailed test fails the run; `pytester` runs the guard's own test.
pytest_plugins = ["tests.plugins.ci_guard", "pytester"]

REAL_SERVICE_DIRS = (Path(__file__).parent / "integration", Path(__file__).parent / "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(folder in Path(str(item.fspath)).parents for folder in REAL_SERVICE_DIRS):
            item.add_marker(pytest.mark.integration)
