"""The CI guard: under CI=true a skip or an xfail fails an otherwise green run; outside CI it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SUITE = """
import pytest

def test_runs():
    assert True

def test_skipped():
    pytest.skip("no service")

@pytest.mark.xfail(reason="known")
def test_xfailed():
    assert False
"""

GREEN = """
def test_runs():
    assert True
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str, ci: str) -> pytest.RunResult:
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("PYTHONPATH", str(REPO))  # the subprocess imports the guard from this checkout
    pytester.makepyfile(test_sample=source)
    return pytester.runpytest_subprocess("-p", "tests.plugins.ci_guard", "-q")


def test_a_skip_and_an_xfail_fail_the_run_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, SUITE, "true")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*CI=true: skipped or xfailed tests fail the run*",
                                 "*test_skipped (skipped: *no service*", "*test_xfailed (xfailed: *known*"])


def test_outside_ci_a_skip_is_reported_but_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, SUITE, "")
    assert result.ret == pytest.ExitCode.OK
    result.assert_outcomes(passed=1, skipped=1, xfailed=1)


def test_a_green_run_stays_green_in_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, GREEN, "true")
    assert result.ret == pytest.ExitCode.OK
