"""Every exercise as a learner meets it in JupyterLab: Run All from a fresh kernel and every check
says "Not answered yet"; then, with the keyboard, type a wrong answer into one auto-graded
question's answer cell and run it and its check (Shift+Enter twice): "Not right yet"; type the
right answer and run them again: "Correct"; then axe-core finds no critical, serious or
moderate problem in the course's own output (rendered markdown and outputs, as for the lessons)
but those accepted in ``conftest.ACCEPTED``. One Run All per exercise keeps it fast."""

from __future__ import annotations

import ast

import nbformat
import pytest
from playwright.sync_api import expect

from course import paths
from course.questions import source

pytestmark = pytest.mark.browser
EXERCISES = sorted(paths.EXERCISES.glob("*.ipynb"))
#: The kinds answered here, most preferred first: one short line to type, no quotes or brackets.
KINDS = ("single choice", "number")
VERDICT_MS = 60_000
#: A traceback: JupyterLab renders an error output with the stderr renderer (data-mime-type stderr).
FAILED = '[data-mime-type="application/vnd.jupyter.stderr"], [data-mime-type="application/vnd.jupyter.error"]'


def check_cells(nb) -> list[tuple[int, str]]:
    """(index, question id) of every check cell."""
    return [
        (i, c.metadata["course"]["question"])
        for i, c in enumerate(nb.cells)
        if isinstance(c.metadata.get("course"), dict) and c.metadata["course"].get("role") == "check"
    ]


def wrong_and_right(question) -> tuple[str, str]:
    """What a learner types after ``ID =``: a wrong answer and the right one. A choice is
    answered by its option's number (a wrong option that is not even partly right)."""
    if question.kind == "single choice":
        wrong = next(o for o in question.options if o != question.solution and o not in question.partly)
        return str(question.options.index(wrong) + 1), str(question.options.index(question.solution) + 1)
    return f"{question.solution + 10 * question.tolerance + 1:g}", repr(question.solution)


def pick(stem: str, checks: list[tuple[int, str]]):
    """The check cell's index and the question to answer: the first of the most preferred kind."""
    questions = source.load(stem)
    for kind in KINDS:
        for index, name in checks:
            if questions.find(name).kind == kind:
                return index, questions.find(name)
    pytest.fail(f"{stem} has no question of the kinds {KINDS}")


def answer(page, cell, name: str, typed: str) -> None:
    """Click into the answer cell's editor, replace its code with ``name = typed``, and run it
    and the check cell under it with Shift+Enter, Shift+Enter, as a learner would."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(f"{name} = {typed}")
    expect(cell.locator(".cm-content")).to_have_text(f"{name} = {typed}")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")


def see(cell, verdict: str, name: str) -> None:
    """Wait until the check cell ``cell`` shows ``verdict`` (or fails with a traceback, which is
    then quoted in the failure)."""
    error = cell.locator(FAILED)
    cell.locator(".course-feedback").filter(has_text=verdict).or_(error).first.wait_for(timeout=VERDICT_MS)
    assert error.count() == 0, f"check({name!r}, ...) raised: {error.first.inner_text()[-800:]}"
    expect(cell.locator(".course-feedback"), f"the check of {name}").to_contain_text(verdict)


@pytest.mark.parametrize("path", EXERCISES, ids=[p.name for p in EXERCISES])
def test_exercise_answered_wrong_then_right_in_lab(page, lab, path, axe_findings):
    nb = nbformat.read(str(path), as_version=4)
    checks = check_cells(nb)
    assert checks, f"{path.name} has no check cells"
    index, question = pick(path.stem, checks)
    wrong, right = wrong_and_right(question)
    # The answers are judged so by the question source itself, before any browser is involved.
    assert question.check(ast.literal_eval(wrong)).status == "incorrect", f"{wrong} is not simply wrong"
    assert question.check(ast.literal_eval(right)).status == "correct", f"{right} is not right"
    answer_cell = nb.cells[index - 1]
    assert answer_cell.cell_type == "code" and f"{question.name} = ..." in answer_cell.source

    lab.run_all(page, f"exercises/{path.name}", shown=".course-feedback")
    cells = page.locator(".jp-Notebook .jp-Cell")
    assert cells.count() == len(nb.cells)
    for i, name in checks:
        see(cells.nth(i), "○ Not answered yet", name)
    assert page.locator(".course-feedback").count() == len(checks)
    assert page.locator(FAILED).count() == 0, "Run All wrote to stderr or raised"

    answer(page, cells.nth(index - 1), question.name, wrong)
    see(cells.nth(index), "✗ Not right yet", question.name)
    answer(page, cells.nth(index - 1), question.name, right)
    see(cells.nth(index), "✓ Correct", question.name)
    # Checked on the same run, with the feedback of a right answer (its evidence quoted) shown.
    found = axe_findings(page, f"exercises/{path.name}")
    assert not found, "\n".join(found)
