"""Honest minutes: each lesson's stated teaching minutes lie within
``course.authoring.minutes.TOLERANCE`` of the estimate computed from its cells (CONTRIBUTING.md,
"Minutes")."""

from __future__ import annotations

import nbformat
import pytest

from course.authoring import minutes

LESSONS = minutes.lessons()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_stated_minutes_are_near_the_estimate(lesson):
    estimate = lesson.estimated.minutes
    assert abs(lesson.teaching - estimate) <= minutes.TOLERANCE * estimate, (
        f"{lesson.name} states {lesson.teaching} teaching minutes; the estimate is {lesson.estimated}. "
        "State the estimate (rounded to 5), or trim or split the lesson."
    )


def test_the_estimate_counts_words_code_checks_and_figures():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(" ".join(["word"] * 400)),
        nbformat.v4.new_code_cell("a = 1\n\nb = 2\nc = 3\n"),
        nbformat.v4.new_code_cell("x", metadata={"course": {"question": "q1"}}),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=" ".join(["out"] * 200)),
        nbformat.v4.new_output("display_data", data={"text/html": '<img src="x.png">', "text/plain": "[figure: x]"}),
    ]
    found = minutes.estimate(nb)
    assert (found.words, found.code_lines, found.checks, found.figures) == (600, 3, 1, 1)
    assert found.minutes == pytest.approx(600 / 200 + 3 * 15 / 60 + 1 + 1)
