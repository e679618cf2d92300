"""Under ``CI=true`` a skipped or xfailed test fails the run.

A skip in CI is a test that did not run while the run says green; the suite never skips on
purpose (a service that cannot start is an error, not a skip), so any skip is a defect to see.
"""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True when the ``CI`` variable says so (``true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


class CiGuard:
    """Collects every skip, xfail and xpass; fails an otherwise green session in CI."""

    def __init__(self) -> None:
        self.not_run: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped:
            kind = "xfailed" if hasattr(report, "wasxfail") else "skipped"
            self.not_run.append(f"{report.nodeid} ({kind}: {_reason(report)})")
        elif report.when == "call" and hasattr(report, "wasxfail"):
            self.not_run.append(f"{report.nodeid} (xpassed)")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if in_ci() and self.not_run and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if in_ci() and self.not_run:
            terminalreporter.section("CI=true: skipped or xfailed tests fail the run", red=True)
            for line in self.not_run:
                terminalreporter.line(line)


def _reason(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2])
    return str(getattr(report, "wasxfail", "") or "")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(CiGuard(), "docket-ci-guard")
