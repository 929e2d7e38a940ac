"""Every lesson as a student meets it in JupyterLab: Run All from a fresh kernel, every
self-check appears as a widget (its code collapsed), nothing goes to stderr, a check answers
a click, and axe-core finds no serious problem in the lesson's own output (figures included:
their alt text is the sentence that says what they show)."""

from __future__ import annotations

import nbformat
import pytest

from course import paths

pytestmark = pytest.mark.browser
LESSONS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def check_names(path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [
        c.source.split("=", 1)[0].strip()
        for c in nb.cells
        if c.cell_type == "code" and "check" in c.metadata.get("tags", [])
    ]


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_runs_in_lab_with_every_check_shown(page, lab, path, serious_violations):
    lab.run_all(page, f"notebooks/{path.name}")
    names = check_names(path)
    for name in names:
        page.locator(f".course-q-{name}").wait_for(state="attached")
    assert page.locator(".course-question").count() == len(names)
    assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
    assert page.locator('[data-mime-type="application/vnd.jupyter.error"]').count() == 0
    images = page.locator(".jp-OutputArea-output img")
    for i in range(images.count()):
        assert len((images.nth(i).get_attribute("alt") or "").split()) >= 6, "a figure without alt text"
    serious = serious_violations(page)
    assert not serious, "\n".join(serious)


def test_a_lesson_check_answers_a_click(page, lab):
    lab.run_all(page, "notebooks/00-start-here.ipynb")
    question = page.locator(".course-q-think_tank")
    question.scroll_into_view_if_needed()
    question.get_by_label("wsj").check()
    question.get_by_role("button", name="Check").click()
    question.locator(".course-feedback").get_by_text("Not right yet", exact=False).wait_for()
    question.get_by_label("merics").check()
    question.get_by_role("button", name="Check").click()
    question.locator(".course-feedback").get_by_text("Correct", exact=False).wait_for()
    assert "C041" in question.locator(".course-feedback").inner_text()
