"""``make bench``: how long students wait, measured against what they would wait anyway.

Two figures, each as a ratio to a floor that the course cannot go below:

* importing the ``course`` helpers, beyond pandas + matplotlib + ipywidgets;
* executing each notebook from a fresh kernel, against a notebook that only imports
  those libraries.

A benchmark, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from course import notebooks, paths

LIBRARIES = "import pandas, matplotlib, matplotlib.pyplot, ipywidgets"
#: What a lesson typically touches: every helper module, imported for real.
COURSE_MODULES = ("course", "course.texts", "course.evidence", "course.plots", "course.questions.learner", "course.questions.source", "course.questions.widgets")
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


def main() -> None:
    print(f"Python {sys.version.split()[0]}; medians of {REPEATS} fresh interpreters (imports, floor) "
          f"and {NOTEBOOK_REPEATS} fresh kernels (each notebook)\n")

    runs = [_import_seconds() for _ in range(REPEATS)]
    libraries = statistics.median(r[0] for r in runs)
    course = statistics.median(r[1] for r in runs)
    print("import")
    print(f"  {'pandas + matplotlib + ipywidgets':<42} {libraries * 1000:6.0f} ms")
    print(f"  {'course helpers on top':<42} {course * 1000:6.0f} ms   ratio {course / libraries:.2f}")

    floor = statistics.median(_execute_seconds(_floor_notebook(), paths.ROOT) for _ in range(REPEATS))
    print("\nnotebook execution from a fresh kernel")
    print(f"  {'floor (imports only)':<42} {floor:6.2f} s")
    for path in notebooks.notebook_paths():
        seconds = statistics.median(
            _execute_seconds(notebooks.read_notebook(path), path.parent) for _ in range(NOTEBOOK_REPEATS)
        )
        print(f"  {str(path.relative_to(paths.ROOT)):<42} {seconds:6.2f} s   ratio {seconds / floor:.2f}")


if __name__ == "__main__":
    main()
