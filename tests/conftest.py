"""Shared fixtures for the whole suite.

Lists that several test files need (the source ids) are written once, here; lists that the
package already knows (the tables, the claim kinds, the lessons) are read from it:
``course.table_names()``, ``course.evidence.KINDS``, ``course.notebooks.notebook_paths(("notebooks",))``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course import paths

#: The five texts the course is built on, in manifest order: a fixed part of the design
#: (data/sources/sources.csv must list exactly these; see test_sources.py and test_data.py).
SOURCE_IDS = ("billions", "merics", "curbs", "wsj", "blog")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return paths.ROOT


@pytest.fixture(scope="session")
def in_ci() -> bool:
    """True on CI, where a skipped requirement is a failure rather than a skip."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def source_ids() -> list[str]:
    """The ids of the five source texts, in manifest order."""
    return list(SOURCE_IDS)



# ---------------------------------------------------------------- the tiers' times, printed at the end

#: Seconds per tier of the suite (setup, call and teardown of each test), for the closing summary.
_TIER_SECONDS: dict[str, float] = {}
#: What `make test` may take, wall-clock on 2 cores after install (`make bench` compares too).
SUITE_BUDGET = 240.0


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
    terminalreporter.write_line(f"{'all':<8} {sum(_TIER_SECONDS.values()):7.1f} s   (budget for make test: "
                                f"{SUITE_BUDGET:.0f} s wall on 2 cores)")
