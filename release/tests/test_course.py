"""The student copy works: the texts and tables load, and every lesson and exercise runs top to
bottom from a fresh kernel, each exercise's checks saying "not answered yet" until answered."""

from __future__ import annotations

import pytest

import course
from course import paths
from course.authoring import notebooks

LESSONS = notebooks.notebook_paths(("notebooks",))
EXERCISES = notebooks.notebook_paths(("exercises",))


def test_the_course_is_all_here():
    assert LESSONS and [p.name for p in LESSONS] == [p.name for p in EXERCISES]
    assert len(course.sources()) == len(list(paths.SOURCES.glob("*.txt")))
    for name in course.table_names():
        assert len(course.load_table(name)) > 0, name


def check_outputs(nb) -> list[str]:
    """The text each exercise's check cell printed."""
    checks = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("course", {}).get("role") == "check"]
    return ["".join(_text(output) for output in cell.outputs) for cell in checks]


def _text(output) -> str:
    return str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", ""))


@pytest.mark.parametrize("path", LESSONS + EXERCISES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs_from_a_fresh_kernel(path):
    nb = notebooks.execute(notebooks.read_notebook(path), path.parent)
    if path.parent == paths.EXERCISES:
        shown = check_outputs(nb)
        assert shown, "an exercise has check cells"
        for text in shown:
            assert text.startswith("○ Not answered yet"), text[:200]
