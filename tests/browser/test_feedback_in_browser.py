"""The feedback the grader writes for students, as a student reads it in a browser, checked
with axe-core: no critical, serious or moderate finding but those accepted in
``conftest.ACCEPTED``.

The grader writes ``feedback/<student>.md``; a student sees it rendered (in JupyterLab's
Markdown preview, or an LMS). It is rendered here with mistune, the converter Jupyter's
nbconvert uses, raw HTML escaped, into a page of its own, and axe-core checks the whole page.
The feedback comes from a real run of the grader on two submissions of exercise 03: the
solution's answers, and wrong ones."""

from __future__ import annotations

import html

import pytest

from course.grading import cli, runner, synthetic

pytestmark = pytest.mark.browser
STEM = "03-money-and-policy"
LIMITS = runner.Limits(cell_timeout=10, notebook_timeout=60)
WRONG = {"blog_vs_shenzhen": "blog_vs_shenzhen = 12", "find_inefficiency": 'find_inefficiency = "C101"'}


def page_of(markdown: str, title: str) -> str:
    """A feedback file as the HTML page a student's browser shows."""
    import mistune

    body = mistune.create_markdown(escape=True, plugins=["table"])(markdown)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"</head><body><main>{body}</main></body></html>")


@pytest.fixture(scope="module")
def feedback(tmp_path_factory) -> dict[str, str]:
    """Student -> the feedback file the grader wrote."""
    base = tmp_path_factory.mktemp("feedback")
    exercise, right = synthetic.exercise(STEM), synthetic.solution_code(STEM)
    for student, answers in {"right": right, "wrong": {**right, **WRONG}}.items():
        synthetic.write(base / "submissions" / student / f"{STEM}.ipynb", synthetic.submission(exercise, answers))
    cli.grade(base / "submissions", base / "out", workers=2, limits=LIMITS, progress=False)
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted((base / "out" / "feedback").glob("*.md"))}


@pytest.mark.parametrize("student", ["right", "wrong"])
def test_feedback_page_has_no_accessibility_problem(browser, feedback, student, axe_findings):
    assert student in feedback, f"the grader wrote no feedback for {student}: {sorted(feedback)}"
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.set_content(page_of(feedback[student], f"Feedback for {student}"))
        assert tab.locator("h1").count() == 1 and tab.locator("table th").count() >= 4
        found = axe_findings(tab, f"feedback/{student}.md", context=None)
        assert not found, "\n".join(found)
    finally:
        context.close()
