"""Hooks for the whole run, notebooks (nbval) included: the time each tier of the suite took,
printed at the end of `make test` (a conftest under tests/ would not see the notebooks' items),
and the files ordered longest first, so that the workers finish together."""

from __future__ import annotations

from collections import defaultdict

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
    _TEST_SECONDS[report.nodeid] += report.duration


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


# ---------------------------------------------------------------- the longest files first
# `--dist loadfile` hands each worker a whole file at a time, in the order collected (the
# Makefile's XDIST turns off xdist's own reordering, by number of tests). Longest first, the
# short files come last and even out the workers' ends; a long file handed out last would leave
# one worker running it alone. A file takes what its selected tests took last time (pytest's
# cache, .pytest_cache/), each test not timed yet a guess from its tier.

#: The cache key of the seconds each test took (setup, call and teardown), by node id.
TEST_SECONDS = "course/test-seconds"
#: Seconds this run spent on each test.
_TEST_SECONDS: defaultdict[str, float] = defaultdict(float)
#: A test's guessed seconds, by tier, when no earlier run timed it.
GUESS = {"browser": 8.0, "slow": 2.0, "nbval": 0.2, "fast": 0.02}


def file_of(nodeid: str) -> str:
    """The file a test belongs to: the unit `--dist loadfile` hands out."""
    return nodeid.split("::", 1)[0]


def _known_seconds(config: pytest.Config) -> dict[str, float]:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller's copy, the same in every worker
        return config.workerinput.get(TEST_SECONDS, {})
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    known = cache.get(TEST_SECONDS, {}) if cache is not None else {}
    return known if isinstance(known, dict) else {}


def _guess(item: pytest.Item) -> float:
    if item.get_closest_marker("browser"):
        return GUESS["browser"]
    if item.get_closest_marker("slow"):
        return GUESS["slow"]
    return GUESS["nbval"] if ".ipynb::" in item.nodeid else GUESS["fast"]


@pytest.hookimpl(trylast=True)  # after -m has deselected, and tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Sort the files longest first; a file's own tests keep their order (a notebook's cells too)."""
    known = _known_seconds(config)
    seconds: defaultdict[str, float] = defaultdict(float)
    for item in items:
        seconds[file_of(item.nodeid)] += known.get(item.nodeid, _guess(item))
    items.sort(key=lambda item: -seconds[file_of(item.nodeid)])


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """xdist, in the controller: give every worker the same seconds, so that they collect the
    tests in the same order (xdist stops a run whose workers' collections differ)."""
    node.workerinput[TEST_SECONDS] = _known_seconds(node.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep what each test took this time, for the next run's order (in the controller only)."""
    cache = getattr(session.config, "cache", None)
    if cache is None or hasattr(session.config, "workerinput") or not _TEST_SECONDS:
        return
    known = _known_seconds(session.config)
    cache.set(TEST_SECONDS, known | {nodeid: round(seconds, 3) for nodeid, seconds in _TEST_SECONDS.items()})
