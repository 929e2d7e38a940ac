"""Exercises as issue 11 defines them: one per lesson, written once in solutions/, graded
questions of many kinds in questions/*.toml; the solutions' self-checks all say right, the
learners' copies run from a fresh kernel with every check saying "not answered yet", and no
solution line appears in a learner's copy."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import nbformat
import pytest

from course import paths
from course.authoring import minutes
from course.questions import source
from course.questions.generate import BEGIN, END

LESSON_STEMS = [lesson.path.stem for lesson in minutes.lessons()]
SOLUTIONS = sorted(paths.SOLUTIONS.glob("*.ipynb"))
EXERCISE_STEMS = [p.stem for p in SOLUTIONS]
#: Kinds every course must exercise somewhere (issue 11).
REQUIRED_KINDS = {"number", "ordering", "matching", "classification", "evidence finder", "written"}


def test_every_lesson_has_an_exercise():
    assert EXERCISE_STEMS == LESSON_STEMS, "solutions/ pairs with notebooks/ by stem"


@cache
def exercises_of(stem: str):
    """The stem's graded questions, read once for this module (the tests only read them)."""
    return source.load(stem).exercises


@pytest.mark.parametrize("stem", EXERCISE_STEMS)
def test_exercise_has_enough_questions_and_one_written_answer(stem):
    questions = exercises_of(stem)
    least = 3 if stem.startswith("00") else 5
    assert len(questions) >= least, f"{len(questions)} questions"
    assert [q.kind for q in questions].count("written") == 1, "one written answer, marked with a rubric"
    for q in questions:
        assert q.points > 0 and q.hint.strip(), f"{q.name}: points and a hint"
        assert q.kind == "written" or q.explanation.strip(), f"{q.name}: an explanation"


def test_the_course_has_fifty_questions_of_every_kind():
    kinds = Counter(q.kind for stem in EXERCISE_STEMS for q in exercises_of(stem))
    assert sum(kinds.values()) >= 50, kinds
    assert REQUIRED_KINDS <= set(kinds), f"missing kinds: {REQUIRED_KINDS - set(kinds)}"
    assert {"single choice", "multiple choice"} & set(kinds)


def outputs_text(cell) -> str:
    return "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_every_self_check_in_a_solution_says_right(path):
    nb = nbformat.read(str(path), as_version=4)
    checks = [c for c in nb.cells if c.metadata.get("course", {}).get("role") == "check"]
    assert len(checks) == len(exercises_of(path.stem))
    for cell in checks:
        shown = outputs_text(cell)
        assert shown.startswith(("✓ Correct", "✎ Received")), f"{cell.source}: {shown[:200]!r} (run make execute)"


def solution_lines(path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    lines = []
    for cell in nb.cells:
        for region in re.findall(rf"{re.escape(BEGIN)}\n(.*?)\n\s*{re.escape(END)}", cell.source, re.S):
            lines += [line.strip() for line in region.splitlines() if len(line.strip()) > 12]
    return lines


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_no_solution_line_is_in_the_learners_copy(path):
    nb = nbformat.read(str(paths.EXERCISES / path.name), as_version=4)
    learner = "\n".join(c.source for c in nb.cells if c.cell_type == "code")  # prompts show answer forms
    for line in solution_lines(path):
        assert line not in learner, f"a solution line is in exercises/{path.name}: {line!r}"
    written = [q for q in exercises_of(path.stem) if q.kind == "written"]
    for q in written:
        raw = (paths.EXERCISES / path.name).read_text(encoding="utf-8")
        assert q.solution[:60] not in raw, "the model answer is in the learner's copy"


@pytest.mark.parametrize("stem", EXERCISE_STEMS)
def test_written_model_answers_cite_claims_that_exist(stem):
    from course.questions.kinds.written import cited_claims

    known = set(__import__("course").claims()["claim_id"])
    for q in exercises_of(stem):
        if q.kind == "written":
            cited = cited_claims(q.solution or "")
            assert cited and set(cited) <= known, f"{q.name}: model answer cites {cited}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.name for p in SOLUTIONS])
def test_learners_copy_runs_and_every_check_says_not_answered_yet(path, tmp_path):
    from course.authoring.notebooks import execute, read_notebook

    learner = paths.EXERCISES / path.name
    nb = execute(read_notebook(learner), paths.EXERCISES)
    checks = [c for c in nb.cells if c.metadata.get("course", {}).get("role") == "check"]
    assert checks
    for cell in checks:
        assert outputs_text(cell).startswith("○ Not answered yet"), (cell.source, outputs_text(cell)[:200])
