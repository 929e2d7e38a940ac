"""Hooks for the whole run, notebooks (nbval) included: the time each tier of the suite took,
printed at the end of `make test` (a conftest under tests/ would not see the notebooks' items)."""

from __future__ import annotations

import pytest

from course.authoring.bench import BUDGETS

# ---------------------------------------------------------------- the tiers' times, printed at the end

#: Seconds per tier of the suite (setup, call and teardown of each test), for the closing summary.
_TIER_SECONDS: dict[str, float] = {}
#: What `make test` may take, wall-clock on 2 cores after install (written once, in `course.authoring.bench`).
SUITE_BUDGET = BUDGETS["make test"]


def tier_of(report: pytest.TestReport) -> str:
    """The tier a test belongs to: browser, slow (kernels, servers, builds), nbval or fast."""
    if "browser" in report.keywords:
        return "browser"
    if "slow" in report.keywords:
        return "slow"
    if ".ipynb::" in report.nodeid:
        return "nbval"
    return "fast"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tier = tier_of(report)
    _TIER_SECONDS[tier] = _TIER_SECONDS.get(tier, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if not _TIER_SECONDS:
        return
    terminalreporter.section("time per tier (sum of test durations)")
    for tier in ("fast", "slow", "nbval", "browser"):
        if tier in _TIER_SECONDS:
            terminalreporter.write_line(f"{tier:<8} {_TIER_SECONDS[tier]:7.1f} s")
    total = sum(_TIER_SECONDS.values())
    terminalreporter.write_line(f"{'all':<8} {total:7.1f} s of test time, summed over the workers; "
                                f"make test's budget is {SUITE_BUDGET:.0f} s wall (pytest's last line) on 2 cores")
