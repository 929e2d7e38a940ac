"""``make bench``: how long students wait, measured against what they would wait anyway, and how
long contributors wait for the test suite, part by part.

Two figures for students, each as a ratio to a floor that the course cannot go below:

* importing the ``course`` helpers, beyond pandas + matplotlib + ipywidgets;
* executing each notebook from a fresh kernel, against a notebook that only imports
  those libraries.

Start-up with the lock as it is and as it was (``course.authoring.startup``): ``import nbformat``,
``python -m course grade --help`` and JupyterLab ready, side by side.

Then the suite's parts, each run on its own (wall-clock seconds and test counts), so that their
growth is visible as lessons, exercises and the grader land: unit/data (``make test-fast``),
slow (kernels, ``make lab``, the Binder plan), nbval on the committed notebooks, the browser, and
grading (tests/grading/ or the ``grading`` marker, once either exists).

A benchmark, not a test: it prints figures and never fails on them. Usage::

    python -m course.authoring.bench [--only imports|startup|notebooks|suite ...]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from course import paths
from course.authoring import notebooks

LIBRARIES = "import pandas, matplotlib, matplotlib.pyplot, ipywidgets"
#: What a lesson typically touches: every helper module, imported for real.
COURSE_MODULES = (
    "course", "course.texts", "course.evidence", "course.plots",
    "course.questions.learner", "course.questions.source", "course.questions.widgets",
)
REPEATS = 5
NOTEBOOK_REPEATS = 3


def _import_seconds() -> tuple[float, float]:
    """Seconds for the libraries alone, and for the course modules on top of them,
    measured in one fresh interpreter."""
    probe = (
        "import importlib, time\n"
        "t0 = time.perf_counter()\n"
        f"{LIBRARIES}\n"
        "t1 = time.perf_counter()\n"
        f"for name in {COURSE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "t2 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    libraries, course = map(float, out.split())
    return libraries, course


def _floor_notebook():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(LIBRARIES)]
    return nb


def _execute_seconds(nb, cwd: Path) -> float:
    start = time.perf_counter()
    notebooks.execute(nb, cwd)
    return time.perf_counter() - start


def _bench_student() -> None:
    print(f"Python {sys.version.split()[0]}; medians of {REPEATS} fresh interpreters (imports, floor) "
          f"and {NOTEBOOK_REPEATS} fresh kernels (each notebook)\n")

    runs = [_import_seconds() for _ in range(REPEATS)]
    libraries = statistics.median(r[0] for r in runs)
    course = statistics.median(r[1] for r in runs)
    print("import")
    print(f"  {'pandas + matplotlib + ipywidgets':<42} {libraries * 1000:6.0f} ms")
    print(f"  {'course helpers on top':<42} {course * 1000:6.0f} ms   ratio {course / libraries:.2f}")


def _bench_notebooks() -> None:
    floor = statistics.median(_execute_seconds(_floor_notebook(), paths.ROOT) for _ in range(REPEATS))
    print("\nnotebook execution from a fresh kernel")
    print(f"  {'floor (imports only)':<42} {floor:6.2f} s")
    # exercises/ too: what a student waits for on a learner's copy (never saved: it keeps no outputs)
    for path in notebooks.notebook_paths((*notebooks.EXECUTED_FOLDERS, "exercises")):
        seconds = statistics.median(
            _execute_seconds(notebooks.read_notebook(path), path.parent) for _ in range(NOTEBOOK_REPEATS)
        )
        print(f"  {str(path.relative_to(paths.ROOT)):<50} {seconds:6.2f} s   ratio {seconds / floor:.2f}")


#: nbval's switches; the Makefile passes its own NBVAL so that they are written once.
NBVAL_DEFAULT = "-p nbval --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg"
#: The plugins, named (no autoload), as the Makefile's PLUGINS, which it passes too (nbval's is in NBVAL).
PLUGINS_DEFAULT = "--disable-plugin-autoload -p xdist -p hypothesispytest"
#: The fast tier's selection, as the Makefile's FAST, which it passes too.
FAST_DEFAULT = '-m "not slow and not browser" --ignore=tests/browser'


def suite_parts(root: Path = paths.ROOT) -> list[tuple[str, list[str]]]:
    """The suite's parts as (name, pytest arguments); together they are ``make test``."""
    pytest_config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]
    options = pytest_config["ini_options"]
    grading_marker = any(m.split(":")[0].strip() == "grading" for m in options.get("markers", []))
    grading_dir = root / "tests" / "grading"
    not_grading = " and not grading" if grading_marker else ""
    ignore = [f"--ignore={grading_dir.relative_to(root)}"] if grading_dir.is_dir() else []
    notebook_dirs = [d for d in options["testpaths"] if d != "tests" and any((root / d).glob("*.ipynb"))]
    # Browser tests only, all marked so by its conftest: the unit part does not even import them.
    browser_dir = root / "tests" / "browser"
    no_browser = [f"--ignore={browser_dir.relative_to(root)}"] if browser_dir.is_dir() else []
    parts = [
        ("unit, data, generated files",
         ["-m", f"not slow and not browser{not_grading}", "tests", *ignore, *no_browser]),
        ("slow: kernels, make lab, Binder", ["-m", f"slow and not browser{not_grading}", "tests", *ignore]),
        ("nbval: committed notebooks", [*shlex.split(os.environ.get("NBVAL", NBVAL_DEFAULT)), *notebook_dirs]),
        ("browser: JupyterLab in Chromium", ["-m", f"browser{not_grading}", "tests", *ignore]),
    ]
    if grading_dir.is_dir() or grading_marker:
        where = [str(grading_dir.relative_to(root))] if grading_dir.is_dir() else ["tests"]
        parts.append(("grading", [*(["-m", "grading"] if grading_marker else []), *where]))
    return parts


def _run_part(args: list[str]) -> tuple[float, dict[str, int], list[str]]:
    """Wall-clock seconds of one pytest run, its counts and its failed tests, from the JUnit report."""
    with tempfile.TemporaryDirectory(prefix="course-bench-") as folder:
        report = Path(folder) / "report.xml"
        plugins = shlex.split(os.environ.get("PLUGINS", PLUGINS_DEFAULT))
        command = [sys.executable, "-m", "pytest", *plugins, "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
                   *args]
        start = time.perf_counter()
        subprocess.run(command, cwd=paths.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        failed: list[str] = []
        if report.exists():
            root = ElementTree.parse(report).getroot()
            for suite in root.iter("testsuite"):
                for key in counts:
                    counts[key] += int(suite.get(key, 0))
            failed = [f"{case.get('classname')}::{case.get('name')}" for case in root.iter("testcase")
                      if case.find("failure") is not None or case.find("error") is not None]
    return seconds, counts, failed


#: What contributors may wait, wall-clock on 2 cores after install (issue budgets; CONTRIBUTING.md).
BUDGETS = {"make test-fast": 15.0, "make test": 240.0}
#: How `make test` spreads the tests (the Makefile's XDIST).
XDIST_DEFAULT = "-n 2 --dist loadfile --no-loadscope-reorder"


def _print_failed(failed: list[str]) -> None:
    """Name each failed test, so that a failure seen only under the bench's load can be found again."""
    for test in failed:
        print(f"      failed: {test}")


def _bench_suite() -> None:
    print("\ntest suite, part by part (wall-clock, each part on its own; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)")
    total = 0.0
    for name, args in suite_parts():
        seconds, counts, failed = _run_part(args)
        total += seconds
        bad = counts["failures"] + counts["errors"]
        note = f"   {bad} FAILED" if bad else ""
        print(f"  {name:<34} {seconds:7.1f} s  {counts['tests']:4d} tests ({counts['skipped']} skipped){note}")
        _print_failed(failed)
    print(f"  {'all parts, one after another':<34} {total:7.1f} s")
    xdist = shlex.split(os.environ.get("XDIST", XDIST_DEFAULT))
    nbval = shlex.split(os.environ.get("NBVAL", NBVAL_DEFAULT))
    fast = shlex.split(os.environ.get("FAST", FAST_DEFAULT))
    runs = {"make test-fast": [*fast, *xdist, "tests"], "make test": [*nbval, *xdist]}
    print("\nthe two commands as contributors run them, against their budgets")
    for name, args in runs.items():
        seconds, counts, failed = _run_part(args)
        verdict = "within" if seconds <= BUDGETS[name] else "OVER"
        print(f"  {name:<34} {seconds:7.1f} s  {counts['tests']:4d} tests   budget {BUDGETS[name]:.0f} s: {verdict}")
        _print_failed(failed)


def _bench_startup() -> None:
    from course.authoring.startup import bench_startup

    bench_startup()


STEPS = {"imports": _bench_student, "startup": _bench_startup, "notebooks": _bench_notebooks, "suite": _bench_suite}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m course.authoring.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(STEPS), help="run only these parts (repeatable)")
    chosen = parser.parse_args(argv).only or list(STEPS)
    for name, step in STEPS.items():
        if name in chosen:
            step()


if __name__ == "__main__":
    main()
