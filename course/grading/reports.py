"""What people read: each student's feedback (``feedback/``) and the instructor's summary
(``summary.md`` and ``summary-scores.png``), written from the gradebook's rows.

Like the tables (``course.grading.gradebook``), every file is written from sorted data with no
dates or timings in it, whole or not at all, and ``feedback/`` is swapped in as a whole.
Student text is escaped by ``course.grading.feedback`` before it goes into Markdown or HTML.
"""

from __future__ import annotations

import io
from pathlib import Path

from course.grading import feedback
from course.grading.gradebook import Row, file_name, fmt, replace_folder, write_atomic
from course.grading.judging import ExerciseResult

STATUS_WORDS = {
    "correct": "✓ correct", "partial": "◐ partly right", "incorrect": "✗ not right", "invalid": "⚠ not a valid answer",
    "unanswered": "○ not answered", "rejected": "⚠ not plain data", "to mark": "… to be marked", "marked": "✓ marked",
}


def _feedback_exercise(r: Row, comments: dict) -> list[str]:
    """One exercise's part of a student's feedback (student text escaped: see ``feedback``)."""
    lines = [f"## {feedback.text(r.exercise or r.file)}", ""]
    if r.points is not None and r.max_points:
        lines.append(f"**Score:** {fmt(r.points)} of {fmt(r.max_points)} points.  ")
    status = {"review": "under review by your instructor",
              "to mark": "the automatic part is graded; your written answer is still to be marked, "
                         "so this score is not final"}.get(r.status, r.status)
    lines.append(f"**Status:** {status}.  ")
    if r.late:
        lines.append("**Handed in late** (as the LMS recorded it).  ")
    if r.file:
        lines.append(f"**File{' graded' if r.result else ''}:** {feedback.code(r.file)}.")
    lines.append("")
    if r.status == "missing":
        return lines + ["No file for this exercise was found in your submission.", ""]
    if r.status == "link":  # the reason may name another student's file: not for this student
        return lines + ["This is a link (a shortcut) rather than the notebook itself, so it was not graded. "
                        "Please hand in the .ipynb file.", ""]
    if not r.result:
        return lines + [f"Your file could not be graded: {feedback.text(r.note)}. "
                        "Please check it opens in JupyterLab and submit it again.", ""]
    return lines + _feedback_questions(r, r.result, comments)


def _feedback_questions(r: Row, result: ExerciseResult, comments: dict) -> list[str]:
    """The table of questions, the instructor's marks and what happened in the run (``result``:
    the row's)."""
    lines = ["| Question | Points | Verdict | Comment |", "|---|---|---|---|"]
    for q in result.questions:
        comment = _sentence(q.reason)
        if q.status not in ("correct", "marked") and q.hint:
            comment += f" Hint: {q.hint}"
        comment = feedback.text(comment).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {q.id} | {fmt(q.points)} / {fmt(q.max_points)} | {STATUS_WORDS.get(q.status, q.status)} "
                     f"| {comment} |")
    lines.append("")
    for q in result.questions:
        extra = comments.get((r.student, r.exercise, q.id))
        if extra:
            lines += [f"Your instructor's marks for **{q.id}**, by rubric criterion:", "",
                      *[f"- {feedback.text(line)}" for line in extra], ""]
    shown = [n for n in result.notes if not n.startswith("written answers to mark")]
    if shown:
        lines += ["What happened when your notebook ran:", "", *[f"- {feedback.text(n)}" for n in shown], ""]
    return lines


def _unique(name: str, taken: dict) -> str:
    while f"{name}.md" in taken:
        name += "~"
    return name


def write_feedback(out: Path, rows: list[Row], comments: dict,
                   names: dict[str, str] | None = None) -> dict[str, list[str]]:
    """``feedback/<student>.md`` and ``.html`` for every student; per exercise, each student's
    part under the name an LMS bulk upload matches (``feedback/<stem>/``) and the same files in
    ``feedback/<stem>.zip``; headed with the roster's name (``names``: key -> name) when there
    is one. The folder is replaced as a whole. Returns, per exercise, the
    students with no file to attach their feedback to (nothing was handed in)."""
    by_student: dict[str, list[Row]] = {}
    for r in rows:
        if r.student and r.status != "duplicate":
            by_student.setdefault(r.student, []).append(r)
    files: dict[str, str | bytes] = {}
    uploads: dict[str, dict[str, str]] = {}
    unattached: dict[str, list[str]] = {}
    for student, srows in sorted(by_student.items()):
        title = f"Feedback for {(names or {}).get(student) or student}"
        parts = {r.exercise: _feedback_exercise(r, comments) for r in srows}
        text = "\n".join([f"# {feedback.text(title)}", "", *[x for p in parts.values() for x in p]]).rstrip() + "\n"
        name = _unique(file_name(student), files)
        files[f"{name}.md"], files[f"{name}.html"] = text, feedback.to_html(text, title)
        for r in srows:
            if not r.exercise:
                continue
            if not r.file or r.status == "missing":
                unattached.setdefault(r.exercise, []).append(student)
                continue
            page = "\n".join([f"# {feedback.text(title)}", "", *parts[r.exercise]]).rstrip() + "\n"
            upload = feedback.upload_name(r.file, r.exercise, name)
            uploads.setdefault(r.exercise, {})[upload] = feedback.to_html(page, f"{title}: {r.exercise}")
    for stem, pages in uploads.items():
        files.update({f"{stem}/{upload}": page for upload, page in pages.items()})
        files[f"{stem}.zip"] = feedback.zip_bytes(pages)
    replace_folder(out / "feedback", files)
    return unattached


def _sentence(text: str) -> str:
    """A reason as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?…”\"'":
        text += "."
    return text


def _distribution_figure(out: Path, percents: list[float]) -> str | None:
    """A bar chart of how many student-exercises fall in each 10-point band; returns the
    sentence that says what it shows (used as alt text too)."""
    if not percents:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from course.plots import HATCHES, OKABE_ITO, chart

    labels, bands = score_bands(percents)
    fig, ax = chart("Scores of graded exercises", x="score (% of the exercise's points)", y="student-exercises (count)")
    ax.bar(labels, bands, color=OKABE_ITO[0], hatch=HATCHES[1], edgecolor="#000000")
    ax.tick_params(axis="x", labelrotation=45)
    locator = ax.yaxis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # matplotlib's default (AutoLocator) is one
        locator.set_params(integer=True)
    image = io.BytesIO()
    fig.savefig(image, format="png", metadata={"Software": None}, bbox_inches="tight")
    write_atomic(out / "summary-scores.png", image.getvalue())
    plt.close(fig)
    most = max(bands)
    tops = [f"{labels[i]} %" for i in range(10) if bands[i] == most]
    median = sorted(percents)[len(percents) // 2]
    where = tops[0] if len(tops) == 1 else ", ".join(tops[:-1]) + " and " + tops[-1]
    bands_are = "bands are" if len(tops) > 1 else "band is"
    return (f"Of {len(percents)} graded student-exercises, the most common score {bands_are} "
            f"{where} of the points ({most} each); the median score is {median:.0f} %.")


def score_bands(percents: list[float]) -> tuple[list[str], list[int]]:
    """The ten score bands (0–9 … 90–100 %) and how many scores fall in each."""
    bands = [0] * 10
    for p in percents:
        bands[min(9, int(p // 10))] += 1
    return [f"{10 * i}–{10 * i + 9 if i < 9 else 100}" for i in range(10)], bands


def write_summary(out: Path, rows: list[Row], questions: dict[str, list], sandbox_note: str, pending: int,
                  marks_problems: list[str] | None = None, extra: list[str] | None = None) -> None:
    """``summary.md``; ``extra`` holds sections about the roster, LMS files and feedback."""
    lines = ["# Grading summary", ""]
    if sandbox_note:
        lines += [f"> **Warning:** {sandbox_note}", ""]
    if marks_problems:
        lines += ["## Marks that could not be used", "", "Correct these lines in `marking/written-answers.csv` and "
                  "run again (nothing was deleted):", "", *[f"- {p}" for p in marks_problems], ""]
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    students = sorted({r.student for r in rows if r.exercise})
    lines += [f"{len(students)} students, {len(rows)} gradebook rows: "
              + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + ".", ""]
    if pending:
        lines += [f"{pending} rubric lines of written answers are still to mark: see `marking/written-answers.md` "
                  "and enter points in `marking/written-answers.csv`. Until then the scores below (and the "
                  "exercises with status `to mark`) leave out those points.", ""]
    graded = [r for r in rows if r.result and r.status != "duplicate"]
    percents = [100 * r.points / r.max_points for r in graded if r.max_points and r.points is not None]
    says = _distribution_figure(out, percents)
    if says:
        lines += ["## Distribution of scores", "", f"![{says}](summary-scores.png)", "",
                  f"**What the figure shows:** {says}", "", "| score band (%) | student-exercises |", "|---|---|"]
        lines += [f"| {label} | {n} |" for label, n in zip(*score_bands(percents), strict=True)]
        lines.append("")
    lines += _per_question(graded, questions)
    lines.append("")
    lines += _review_and_problems(rows) + list(extra or [])
    write_atomic(out / "summary.md", "\n".join(lines).rstrip() + "\n")


def _per_question(graded: list[Row], questions: dict[str, list]) -> list[str]:
    """The summary's table: how the class did on each question."""
    lines = ["## Per question", "",
             "| exercise | question | kind | max | mean points | correct | partly | wrong or invalid | not answered "
             "| to mark |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for stem in sorted(questions):
        results = [q for r in graded if r.exercise == stem and r.result for q in r.result.questions]
        for question in questions[stem]:
            mine = [q for q in results if q.id == question.id]
            n = len(mine) or 1

            def share(*states: str, mine: list = mine, n: int = n) -> str:
                return f"{100 * sum(q.status in states for q in mine) / n:.0f} %"

            unmarked = question.kind == "written" and mine and not any(q.status == "marked" or q.points for q in mine)
            mean = "–" if unmarked else f"{sum(q.points for q in mine) / n:.2f}"
            lines.append(f"| {stem} | {question.id} | {question.kind} | {fmt(question.points)} | {mean} | "
                         f"{share('correct', 'marked')} | {share('partial')} | "
                         f"{share('incorrect', 'invalid', 'rejected')} | {share('unanswered')} | {share('to mark')} |")
    return lines


def _review_and_problems(rows: list[Row]) -> list[str]:
    """The summary's lists of submissions to review and of files not graded."""
    lines = []
    flagged = [r for r in rows if r.status == "review"]
    if flagged:
        lines += ["## For review", "", "Scored as usual, but the code did something a person should look at:", ""]
        for r in flagged:
            why = "; ".join(r.result.review if r.result else [])
            lines.append(f"- **{r.student}**, {r.exercise} (`{r.file}`): {why}")
        lines.append("")
    problems = [r for r in rows if r.status not in ("graded", "review", "partly graded", "to mark")]
    if problems:
        lines += ["## Files not graded, and missing exercises", "",
                  "| student | exercise | status | file | note |", "|---|---|---|---|---|"]
        for r in problems:
            cells = [r.student, r.exercise, r.status, r.file, r.note]
            lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
        lines.append("")
    return lines
