"""The generator on a small notebook of its own: placeholders become prompts, checks and keys;
the learner's copy has no solution and no output; running it twice changes nothing; a
notebook that does not fit its question file gets a message that says how to fix it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course.questions import seal
from course.questions.generate import GenerateError, exercise_from, update_lesson, update_solution
from course.questions.source import QuestionSet, build

ENTRIES = [
    {"id": "rate", "kind": "number", "prompt": "Compute the implied rate.", "answer": 7.2, "tolerance": 0.05,
     "unit": "yuan per USD", "hint": "Divide.", "explanation": "Yuan over dollars gives the article's own rate.",
     "evidence": ["C008"], "points": 2},
    {"id": "which", "kind": "single choice", "prompt": "Which city?", "options": ["Shanghai", "Shenzhen", "Beijing"],
     "answer": "Shanghai", "hint": "Read C008.", "explanation": "The billions article names Shanghai.",
     "evidence": ["C008"]},
]


def qset(section: str) -> QuestionSet:
    questions = [build(entry, "99-test", section) for entry in ENTRIES]
    result = QuestionSet("99-test", Path("questions/99-test.toml"))
    setattr(result, "exercises" if section == "exercise" else "checks", questions)
    return result


def solution_notebook() -> nbformat.NotebookNode:
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md("# Exercise 99"),
        code("import math"),
        code("# question: keys"),
        code("# question: rate"),
        code("### BEGIN SOLUTION\nrate = 1_000_000_000 / 139_000_000\n### END SOLUTION"),
        md("A worked note.<!-- BEGIN SOLUTION --> The rate is about 7.19.<!-- END SOLUTION -->"),
        code("# question: which"),
        code(
            "def helper():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n"
            "### BEGIN SOLUTION\nwhich = 'Shanghai'\n### END SOLUTION"
        ),
    ]
    for n, cell in enumerate(nb.cells):
        cell.id = f"cell-{n}"
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="7.19\n")]
    return nb


def test_solution_gets_keys_prompts_and_checks_and_is_stable():
    nb = update_solution(solution_notebook(), qset("exercise"), "test")
    roles = [(c.metadata.get("course", {}).get("question"), c.metadata.get("course", {}).get("role")) for c in nb.cells]
    assert roles == [(None, None), (None, None), ("keys", "keys"), ("rate", "prompt"), (None, None), ("rate", "check"),
                     (None, None), ("which", "prompt"), (None, None), ("which", "check")]
    assert nb.cells[3].cell_type == "markdown" and "## Question 1 · `rate` (2 points)" in nb.cells[3].source
    assert "**Answer with** the text of one option, or its number" in nb.cells[7].source
    assert nb.cells[5].source == "check('rate', rate)"
    again = update_solution(nbformat.from_dict(nb), qset("exercise"), "test")
    assert nbformat.writes(again) == nbformat.writes(nb), "running the generator twice changes nothing"


def test_exercise_blanks_every_solution_region_and_output():
    nb = update_solution(solution_notebook(), qset("exercise"), "test")
    student = exercise_from(nb, qset("exercise"), "test")
    text = nbformat.writes(student)
    assert "1_000_000_000" not in text and "return 1" not in text and "'Shanghai'\n" not in text
    assert "7.19" not in text, "solution outputs and marked notes are removed"
    assert student.cells[4].source == "# YOUR CODE HERE\nrate = ..."
    assert student.cells[8].source == "def helper():\n    # YOUR CODE HERE\n# YOUR CODE HERE\nwhich = ..."
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")
    blob = student.cells[2].source.split("'")[-2]
    specs = seal.unpack(blob)["questions"]
    assert [s["name"] for s in specs] == ["rate", "which"] and all("answer" not in s for s in specs)


def test_the_learners_check_judges_each_case():
    from course.questions import load_checks

    nb = update_solution(solution_notebook(), qset("exercise"), "test")
    check = load_checks("99-test", nb.cells[2].source.split("'")[-2])
    assert check("rate", ...).status == "unanswered"
    assert check("rate", "seven").status == "invalid"
    assert check("rate", 7.0).status == "incorrect" and check("rate", 7.0).hint == "Divide."
    good = check("rate", 1e9 / 139e6)
    assert good.correct and good.explanation.startswith("Yuan over dollars") and good.evidence
    number = check.questions["which"].options.index("Shanghai") + 1
    assert check("which", number).correct, "an option may be given by its number as listed"
    assert check("which", ["Shanghai"]).status == "invalid"
    assert check("nope", 1).status == "invalid" and "rate, which" in check("nope", 1).message
    assert check.questions["which"].reveal().status == "invalid", "a graded exercise never shows the answer"


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda nb: nb.cells.pop(4), "needs, right after"),
        (lambda nb: nb.cells.pop(2), "question: keys"),
        (lambda nb: nb.cells.pop(6), "no cell for ['which']"),
        (lambda nb: setattr(nb.cells[4], "source", "rate = 7"), "needs, right after"),
        (lambda nb: nb.cells.append(nbformat.v4.new_code_cell("# question: other")), "no [[exercise]] for"),
    ],
)
def test_a_notebook_that_does_not_fit_gets_a_clear_message(damage, message):
    nb = solution_notebook()
    damage(nb)
    with pytest.raises(GenerateError, match=message.replace("[", r"\[").replace("]", r"\]")):
        update_solution(nb, qset("exercise"), "test")


def test_lesson_placeholders_become_sealed_checks():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# question: which"), nbformat.v4.new_code_cell("# question: rate")]
    out = update_lesson(nb, qset("check"), "test")
    assert all(c.metadata["jupyter"]["source_hidden"] and "unseal(" in c.source for c in out.cells)
    assert "names Shanghai" not in out.cells[0].source, "the explanation is sealed"
    with pytest.raises(GenerateError, match="no cell for"):
        update_lesson(nbformat.from_dict({**nb, "cells": nb.cells[:1]}), qset("check"), "test")
