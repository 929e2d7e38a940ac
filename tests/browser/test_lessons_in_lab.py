"""Every lesson as a student meets it in JupyterLab: Run All from a fresh kernel, every
self-check appears as a widget (its code collapsed), nothing goes to stderr, a check answers
a click, and axe-core finds no critical, serious or moderate problem in the lesson's own output
(figures included: their alt text is the sentence that says what they show) but those accepted,
with their reason, in ``conftest.ACCEPTED``."""

from __future__ import annotations

import nbformat
import pytest

from course import paths
from course.questions import source

pytestmark = pytest.mark.browser
LESSONS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


def check_names(path) -> list[str]:
    nb = nbformat.read(str(path), as_version=4)
    return [c.metadata["course"]["question"] for c in nb.cells if isinstance(c.metadata.get("course"), dict)]


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_lesson_runs_in_lab_with_every_check_shown(page, lab, path, axe_findings):
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
    found = axe_findings(page, f"notebooks/{path.name}")
    assert not found, "\n".join(found)
    # Two lessons are also answered, on the same Run All (each Run All costs a kernel and ~20 s).
    if path.stem in CLICKED:
        CLICKED[path.stem](page)


def explanation_opens_only_when_right(page):
    """Lesson 00: the explanation is nowhere in the page until the answer is right."""
    explanation = source.load("00-start-here").find("think_tank").explanation
    assert explanation not in page.content(), "the explanation is in the page before any answer"
    question = page.locator(".course-q-think_tank")
    question.scroll_into_view_if_needed()
    question.get_by_label("wsj").check()
    question.get_by_role("button", name="Check").click()
    question.locator(".course-feedback").get_by_text("Not right yet", exact=False).wait_for()
    assert "Why:" not in question.inner_text() and explanation not in page.content()
    question.get_by_label("merics").check()
    question.get_by_role("button", name="Check").click()
    question.locator(".course-feedback").get_by_text("Correct", exact=False).wait_for()
    text = question.locator(".course-feedback").inner_text()
    assert "C041" in text and "Why:" in text and explanation in text


def show_answer_after_two_wrong_tries(page):
    """Lesson 03: "Show answer" appears after the second wrong try and reveals answer and why."""
    plain = source.load("03-money-and-policy").find("heaviest_support")
    wrong = [o for o in plain.options if o != plain.solution][:2]
    question = page.locator(".course-q-heaviest_support")
    question.scroll_into_view_if_needed()
    reveal = question.get_by_role("button", name="Show answer")
    assert not reveal.is_visible()
    for tries, option in enumerate(wrong, 1):
        question.get_by_label(option).check()
        question.get_by_role("button", name="Check").click()
        question.locator(".course-feedback").get_by_text(f"{option}” is not the answer", exact=False).wait_for()
        if tries == 1:
            assert not reveal.is_visible(), "Show answer appears only after the set number of tries"
    reveal.wait_for(state="visible")
    reveal.click()
    question.locator(".course-feedback").get_by_text("Answer:", exact=False).first.wait_for()
    text = question.locator(".course-feedback").inner_text()
    assert plain.solution in text and plain.explanation in text


CLICKED = {"00-start-here": explanation_opens_only_when_right, "03-money-and-policy": show_answer_after_two_wrong_tries}
