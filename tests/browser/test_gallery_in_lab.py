"""The widget gallery in a real JupyterLab: run all cells, answer wrong then right by mouse and by
keyboard, read the feedback a student sees, and check the course's own output with axe-core.

One Run All serves every step (each Run All costs 10-20 s): the steps run in one test, in a fixed
order. The number question and the choice question are independent; on the choice question the
count of tries matters only to the Show answer step, which therefore goes first on it, and every
later step sets the option it checks and waits for a verdict unlike the one shown before it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

#: The questions of instructors/widget-gallery.ipynb that these tests answer.
CHOICE = ".course-q-share_2027"
NUMBER = ".course-q-grid_spending"

#: Records when the Check button is clicked and when the feedback next changes, in the page's
#: own clock, so the latency excludes Playwright's polling.
WATCH_FEEDBACK = """
([question]) => {
  const root = document.querySelector(question);
  const button = [...root.querySelectorAll('button')].find(b => b.textContent.trim() === 'Check');
  const feedback = root.querySelector('.course-live-region');
  window.__courseClick = null; window.__courseFeedback = null;
  button.addEventListener('click', () => { window.__courseClick = performance.now(); }, {capture: true, once: true});
  new MutationObserver((_, observer) => {
    if (window.__courseClick !== null) { window.__courseFeedback = performance.now(); observer.disconnect(); }
  }).observe(feedback, {childList: true, subtree: true, characterData: true});
}
"""


def feedback_of(page, question: str):
    return page.locator(f"{question} .course-live-region")


def check_and_time(page, question: str, press) -> float:
    """Press Check (``press`` clicks it or uses the keyboard); return click-to-feedback in ms."""
    page.evaluate(WATCH_FEEDBACK, [question])
    press()
    page.wait_for_function("window.__courseFeedback !== null")
    return page.evaluate("window.__courseFeedback - window.__courseClick")


def choice_wrong_then_right_by_clicking(page, timings, record_property):
    question = page.locator(CHOICE)
    question.scroll_into_view_if_needed()
    check = question.get_by_role("button", name="Check")
    question.get_by_label("34%").check()
    wrong = check_and_time(page, CHOICE, check.click)
    assert "Not right yet" in feedback_of(page, CHOICE).inner_text()
    assert "✗" in feedback_of(page, CHOICE).inner_text()
    question.get_by_label("82%").check()
    right = check_and_time(page, CHOICE, check.click)
    text = feedback_of(page, CHOICE).inner_text()
    assert "✓" in text and "Correct" in text and "Evidence" in text
    timings.setdefault("click-to-feedback (mouse)", []).extend([wrong, right])
    record_property("click_to_feedback_ms", [round(wrong), round(right)])


def number_wrong_then_right_by_keyboard(page, timings, record_property):
    question = page.locator(NUMBER)
    question.scroll_into_view_if_needed()
    box = question.get_by_role("textbox")
    box.focus()
    page.keyboard.type("twelve")
    tab_to(page, "Check")
    page.keyboard.press("Enter")
    feedback_of(page, NUMBER).get_by_text("is not a number", exact=False).wait_for()
    retype(page, box, "400")
    wrong = check_and_time(page, NUMBER, lambda: page.keyboard.press("Enter"))
    assert "✗ Not right yet" in feedback_of(page, NUMBER).inner_text()
    retype(page, box, "564")
    right = check_and_time(page, NUMBER, lambda: page.keyboard.press("Space"))
    assert "✓ Correct" in feedback_of(page, NUMBER).inner_text()
    timings.setdefault("press-to-feedback (keyboard)", []).extend([wrong, right])
    record_property("key_to_feedback_ms", [round(wrong), round(right)])


def retype(page, box, text: str) -> None:
    """Replace what a text box holds, then Tab on to the Check button, keyboard only."""
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Tab")


def tab_to(page, name: str, limit: int = 12) -> None:
    """Press Tab until the button called ``name`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    pytest.fail(f"{name!r} cannot be reached with Tab")


def choice_by_keyboard_and_show_answer(page):
    """Needs the choice question untried: its first wrong try leaves 1 more before Show answer."""
    question = page.locator(CHOICE)
    question.scroll_into_view_if_needed()
    first = question.get_by_role("radio").first
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    tab_to(page, "Check")
    page.keyboard.press("Enter")
    feedback_of(page, CHOICE).get_by_text("after 1 more try", exact=False).wait_for()
    page.keyboard.press("Enter")  # the focus stays on Check: a second wrong try
    feedback_of(page, CHOICE).get_by_text("Or show the answer", exact=False).wait_for()
    tab_to(page, "Show answer")
    page.keyboard.press("Enter")
    feedback_of(page, CHOICE).get_by_text("Answer:", exact=False).first.wait_for()
    text = feedback_of(page, CHOICE).inner_text()
    assert "ℹ" in text and "82%" in text and "Evidence" in text


def radio_group_is_one_tab_stop_with_arrow_keys(page):
    question = page.locator(CHOICE)
    question.scroll_into_view_if_needed()
    radios = question.get_by_role("radio")
    assert question.get_by_role("group").count() == 1, "the options form one labelled group"
    radios.first.focus()
    page.keyboard.press("ArrowDown")
    assert radios.nth(1).is_checked() and not radios.first.is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Check", "one Tab leaves the group"
    region = question.locator('[role="status"][aria-live="polite"]')
    assert region.count() == 1
    handle = region.element_handle()
    before = region.inner_html()  # what the step before left, a verdict unlike this one's
    page.keyboard.press("Enter")
    page.wait_for_function("([el, before]) => el.innerHTML !== before", arg=[handle, before])
    feedback_of(page, CHOICE).get_by_text("Check your answer", exact=False).or_(
        feedback_of(page, CHOICE).get_by_text("Not right yet", exact=False)).or_(
        feedback_of(page, CHOICE).get_by_text("Correct", exact=False)).first.wait_for()
    assert page.evaluate("(el) => el.isConnected", handle), "the live region is updated, not replaced"


def no_accessibility_problem_in_course_output(page, axe_findings):
    """Runs after a right answer, so the wait below is for the new wrong verdict."""
    page.locator(CHOICE).get_by_label("34%").check()
    page.locator(CHOICE).get_by_role("button", name="Check").click()
    feedback_of(page, CHOICE).get_by_text("Not right yet", exact=False).wait_for()
    found = axe_findings(page, "instructors/widget-gallery.ipynb")
    assert not found, "\n".join(found)


def test_gallery_by_mouse_and_keyboard_in_one_run_all(page, lab, timings, record_property, axe_findings):
    """The steps in an order where each one's wait is for a new verdict (the choice question
    lists 34%, 82%, 70%; 82% is right): Show answer on the untried question (34% twice, then
    revealed); arrow keys to 82% (correct); click 34% (wrong), 82% (correct); 34% (wrong) for axe."""
    lab.run_all(page, "widget-gallery.ipynb")
    number_wrong_then_right_by_keyboard(page, timings, record_property)
    choice_by_keyboard_and_show_answer(page)
    radio_group_is_one_tab_stop_with_arrow_keys(page)
    choice_wrong_then_right_by_clicking(page, timings, record_property)
    no_accessibility_problem_in_course_output(page, axe_findings)
