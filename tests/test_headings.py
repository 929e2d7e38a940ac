"""Headings in order in every notebook and page a learner or instructor reads: one h1, first,
and no level skipped on the way down (an h1 then an h3 leaves a screen-reader user, who moves
by heading, wondering what was lost). Checked on the generated markdown itself."""

from __future__ import annotations

import itertools
import re

import nbformat
import pytest

from course import paths
from course.questions.generate import ANSWER_KEY, heading_levels

#: An HTML heading written into markdown (``<h2>``), which JupyterLab renders like ``## …``.
HTML_HEADING = re.compile(r"<h([1-6])\b", re.I)
NOTEBOOKS = sorted(
    [*paths.NOTEBOOKS.glob("*.ipynb"), *paths.EXERCISES.glob("*.ipynb"), *paths.SOLUTIONS.glob("*.ipynb"),
     *(paths.ROOT / "instructors").glob("*.ipynb")]
)


def levels_of(markdown: str) -> list[int]:
    """Every heading level of a markdown text, in order (markdown headings, then any HTML one
    on the same text: the course writes HTML headings nowhere, so order between them is moot)."""
    return heading_levels(markdown) + [int(level) for level in HTML_HEADING.findall(markdown)]


def notebook_levels(path) -> list[int]:
    nb = nbformat.read(str(path), as_version=4)
    return [level for cell in nb.cells if cell.cell_type == "markdown" for level in levels_of(cell.source)]


def problems(levels: list[int]) -> list[str]:
    """What is wrong with a page's heading outline, in words (empty when nothing is)."""
    if not levels:
        return ["no heading at all"]
    found = []
    if levels[0] != 1:
        found.append(f"the first heading is an h{levels[0]}, not the page's h1")
    if levels.count(1) != 1:
        found.append(f"{levels.count(1)} h1 headings, not one")
    found += [f"h{before} then h{after} (heading {n + 2} skips a level)"
              for n, (before, after) in enumerate(itertools.pairwise(levels)) if after > before + 1]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.name}" for p in NOTEBOOKS])
def test_notebook_headings_are_in_order(path):
    assert not problems(notebook_levels(path)), f"{path.name}: {problems(notebook_levels(path))}"


def test_answer_key_headings_are_in_order():
    text = (paths.ROOT / ANSWER_KEY).read_text(encoding="utf-8")
    assert not problems(levels_of(text))


@pytest.mark.parametrize(("levels", "wrong"), [
    ([1, 3], "skips a level"), ([2, 3], "not the page's h1"), ([1, 2, 1], "2 h1 headings"), ([], "no heading"),
])
def test_a_skipped_level_or_a_second_h1_is_found(levels, wrong):
    assert any(wrong in problem for problem in problems(levels))


def test_going_back_up_any_number_of_levels_is_fine():
    assert problems([1, 2, 3, 4, 2, 3, 2]) == []


def test_a_question_heading_sits_one_below_its_section():
    from course.questions.generate import prompt_source
    from course.questions.source import build

    question = build({"id": "pick", "kind": "multiple choice", "prompt": "Which?", "options": ["a", "b", "c"],
                      "answer": ["a"], "hint": "h", "explanation": "e", "evidence": ["C008"]}, "99-test", "exercise")
    text = prompt_source(question, 1, level=3)
    assert text.startswith("### Question 1")
    assert "[ ]" not in text and "( )" not in text, "no task-list boxes, which render as unlabelled checkboxes"
    listed = "".join(f"{n}. {option}\n" for n, option in enumerate(question.options, 1))
    assert f"Which?\n\n{listed}\n" in text, "the options are plain numbered text, an ordered list"
