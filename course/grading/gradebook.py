"""What the grader writes into OUT: gradebooks, per-question rows, feedback for students, a
summary for the instructor and the written answers to mark.

Every file is written from sorted data with no dates or timings in it, so running the grader
again on the same submissions (and marks) writes the same bytes.

* ``gradebook.csv``      student, exercise, points, max_points, status, late, note, file
* ``gradebook-wide.csv`` one row per student, one column per exercise, then total (spreadsheet/LMS import)
* ``questions.csv``      student, exercise, question, kind, points, max_points, status, reason
* ``feedback/<student>.md`` what each student reads
* ``summary.md`` (+ ``summary-scores.png``) per-question statistics and the distribution of scores
* ``marking/written-answers.csv`` one row per student, written question and rubric criterion:
  fill in ``points`` (and ``comment``); the next run merges the marks.
  ``marking/written-answers.md`` shows the answers with the rubric, for reading, and says which
  answers are identical to the model answer or to another student's.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from course.grading.judging import ExerciseResult

MARKING_FIELDS = ["student", "exercise", "question", "criterion", "max_points", "points", "comment", "answer_sha"]
STATUS_WORDS = {
    "correct": "✓ correct", "partial": "◐ partly right", "incorrect": "✗ not right", "invalid": "⚠ not a valid answer",
    "unanswered": "○ not answered", "rejected": "⚠ not plain data", "to mark": "… to be marked", "marked": "✓ marked",
}


@dataclass
class Row:
    """One line of the gradebook: a student's exercise (or a file that is not one)."""
    student: str
    exercise: str
    status: str
    points: float | None
    max_points: float | None
    note: str
    file: str
    result: ExerciseResult | None = None
    late: bool = False


def points_word(x: float) -> str:
    return f"{fmt(x)} point" + ("" if float(x) == 1 else "s")


def fmt(x: float | None) -> str:
    if x is None:
        return ""
    x = round(float(x), 2)
    return f"{x:g}"


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _normalised(text: str) -> str:
    """Text compared for identical answers: case, spaces and line breaks do not count."""
    return " ".join(text.split()).casefold()


def answer_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


# -- marks --------------------------------------------------------------------------------
def read_marks(out: Path) -> dict[tuple[str, str, str, str], dict]:
    """Marks already entered in ``marking/written-answers.csv``, by (student, exercise,
    question, criterion)."""
    path = out / "marking" / "written-answers.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as handle:
        return {(r["student"], r["exercise"], r["question"], r["criterion"]): r for r in csv.DictReader(handle)}


Marks = tuple[float, bool, str]  # points given so far, every criterion marked?, "k of n"


def marks_for(existing: dict, student: str, exercise: str, question) -> tuple[Marks | None, list[str]]:
    """((points given, every criterion marked?, "k of n"), comments) for one written question,
    or (None, comments) when no criterion is marked yet."""
    total, marked, comments = 0.0, 0, []
    criteria = _criteria(question)
    for criterion in criteria:
        row = existing.get((student, exercise, question.id, criterion["criterion"]))
        if not row:
            continue
        text = (row.get("points") or "").strip()
        given = None
        if text:
            try:
                given = max(0.0, min(float(text), float(criterion["points"])))
                total += given
                marked += 1
            except ValueError:
                pass
        said = (row.get("comment") or "").strip()
        if given is not None or said:
            score = f"{fmt(given) if given is not None else '–'} / {fmt(criterion['points'])}"
            comments.append(f"{score}: {criterion['criterion']}" + (f" — *{said}*" if said else ""))
    return ((total, marked == len(criteria), f"{marked} of {len(criteria)}") if marked else None), comments


def _criteria(question) -> list[dict]:
    rubric = list(getattr(question, "rubric", None) or [])
    return rubric or [{"criterion": "overall", "points": question.points}]


def write_marking(out: Path, rows: list[Row], questions: dict[str, list], existing: dict) -> int:
    """The marking sheet, keeping every mark already entered; returns rows still to mark."""
    folder = out / "marking"
    folder.mkdir(parents=True, exist_ok=True)
    sheet, pending = [], 0
    readable = ["# Written answers to mark", "",
                "Enter points per criterion in `written-answers.csv` (column `points`, and a `comment` "
                "the student will read), then run the grader again: the marks are merged.", ""]
    by_question: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        if not row.result:
            continue
        for q in row.result.questions:
            if q.kind != "written" or not isinstance(q.answer, str) or not q.answer.strip():
                continue
            by_question.setdefault((row.exercise, q.id), []).append((row.student, q.answer))
    order = {(stem, q.id): (stem, n) for stem, qs in questions.items() for n, q in enumerate(qs)}
    for (exercise, qid), answers in sorted(by_question.items(), key=lambda item: order.get(item[0], (item[0][0], 0))):
        question = next(q for q in questions[exercise] if q.id == qid)
        model = _normalised(getattr(question, "model_answer", "") or "")
        same: dict[str, list[str]] = {}
        for student, text in answers:
            same.setdefault(_normalised(text), []).append(student)
        readable += [f"## {exercise} · {qid} ({points_word(question.points)})", "", question.prompt, "", "Rubric:"]
        readable += [f"- {c['criterion']} ({points_word(c['points'])})" for c in _criteria(question)]
        if getattr(question, "model_answer", ""):
            readable += ["", f"Model answer: {question.model_answer}"]
        readable.append("")
        for student, text in sorted(answers):
            sha = answer_sha(text)
            readable += [f"### {student}", ""]
            if model and _normalised(text) == model:
                readable += ["**Identical to the model answer.**", ""]
            others = [s for s in same[_normalised(text)] if s != student]
            if others:
                readable += [f"**Identical to the answer of {', '.join(others)}.**", ""]
            readable += [*[f"> {line}" for line in text.strip().splitlines()], ""]
            for criterion in _criteria(question):
                old = existing.get((student, exercise, qid, criterion["criterion"]), {})
                points = (old.get("points") or "").strip()
                comment = (old.get("comment") or "").strip()
                if old.get("answer_sha") and old.get("answer_sha") != sha and points:
                    comment = (comment + " " if comment else "") + "[answer changed since marked]"
                pending += not points
                sheet.append([student, exercise, qid, criterion["criterion"], fmt(criterion["points"]), points,
                              comment, sha])
    _write_csv(folder / "written-answers.csv", MARKING_FIELDS, sheet)
    (folder / "written-answers.md").write_text("\n".join(readable).rstrip() + "\n", encoding="utf-8")
    return pending


# -- gradebooks ---------------------------------------------------------------------------
def write_gradebooks(out: Path, rows: list[Row], stems: list[str]) -> None:
    _write_csv(out / "gradebook.csv", ["student", "exercise", "points", "max_points", "status", "late", "note", "file"],
               [[r.student, r.exercise, fmt(r.points), fmt(r.max_points), r.status, "late" if r.late else "", r.note,
                 r.file] for r in rows])
    students = sorted({r.student for r in rows if r.exercise})
    best = {(r.student, r.exercise): r for r in rows if r.exercise and r.status != "duplicate"}
    wide = []
    for student in students:
        cells, total, maximum = [], 0.0, 0.0
        for stem in stems:
            row = best.get((student, stem))
            points = row.points if row and row.points is not None else 0.0
            cells.append(fmt(points))
            total += points
            maximum += row.max_points if row and row.max_points else 0.0
        wide.append([student, *cells, fmt(total), fmt(maximum)])
    _write_csv(out / "gradebook-wide.csv", ["student", *stems, "total", "max_total"], wide)
    qrows = []
    for r in rows:
        if r.result and r.status != "duplicate":
            for q in r.result.questions:
                qrows.append([r.student, r.exercise, q.id, q.kind, fmt(q.points), fmt(q.max_points), q.status,
                              q.reason])
    _write_csv(out / "questions.csv",
               ["student", "exercise", "question", "kind", "points", "max_points", "status", "reason"], qrows)


def write_feedback(out: Path, rows: list[Row], questions: dict[str, list], comments: dict) -> None:
    folder = out / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    by_student: dict[str, list[Row]] = {}
    for r in rows:
        if r.exercise or r.student != "unknown":
            by_student.setdefault(r.student, []).append(r)
    for student, srows in sorted(by_student.items()):
        lines = [f"# Feedback for {student}", ""]
        for r in srows:
            if r.status == "duplicate":
                continue
            title = r.exercise or r.file
            lines += [f"## {title}", ""]
            if r.points is not None and r.max_points:
                lines.append(f"**Score:** {fmt(r.points)} of {fmt(r.max_points)} points.  ")
            status = {"review": "under review by your instructor",
                      "to mark": "the automatic part is graded; your written answer is still to be marked, "
                                 "so this score is not final"}.get(r.status, r.status)
            lines.append(f"**Status:** {status}.  ")
            if r.late:
                lines.append("**Handed in late** (as the LMS recorded it).  ")
            if r.file:
                lines.append(f"**File graded:** `{r.file}`.")
            lines.append("")
            if r.status in ("missing",):
                lines += ["No file for this exercise was found in your submission.", ""]
            elif not r.result:
                lines += [f"Your file could not be graded: {r.note}. "
                          "Please check it opens in JupyterLab and submit it again.", ""]
            if r.result:
                lines += ["| Question | Points | Verdict | Comment |", "|---|---|---|---|"]
                for q in r.result.questions:
                    comment = _sentence(q.reason)
                    if q.status not in ("correct", "marked") and q.hint:
                        comment += f" Hint: {q.hint}"
                    comment = comment.replace("|", "\\|").replace("\n", " ")
                    verdict = STATUS_WORDS.get(q.status, q.status)
                    lines.append(f"| {q.id} | {fmt(q.points)} / {fmt(q.max_points)} | {verdict} | {comment} |")
                lines.append("")
                for q in r.result.questions:
                    extra = comments.get((student, r.exercise, q.id))
                    if extra:
                        lines += [f"Your instructor's marks for **{q.id}**, by rubric criterion:", "",
                                  *[f"- {line}" for line in extra], ""]
                shown = [n for n in r.result.notes if not n.startswith("written answers to mark")]
                if shown:
                    lines += ["What happened when your notebook ran:", "", *[f"- {n}" for n in shown], ""]
        (folder / f"{student}.md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def _sentence(text: str) -> str:
    """A reason as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    if text and text[-1] not in ".!?…”\"'":
        text += "."
    return text


# -- summary ------------------------------------------------------------------------------
def _distribution_figure(out: Path, percents: list[float]) -> str | None:
    """A bar chart of how many student-exercises fall in each 10-point band; returns the
    sentence that says what it shows (used as alt text too)."""
    if not percents:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course.plots import HATCHES, OKABE_ITO, chart

    bands = [0] * 10
    for p in percents:
        bands[min(9, int(p // 10))] += 1
    labels = [f"{10 * i}–{10 * i + 9 if i < 9 else 100}" for i in range(10)]
    fig, ax = chart("Scores of graded exercises", x="score (% of the exercise's points)", y="student-exercises (count)")
    ax.bar(labels, bands, color=OKABE_ITO[0], hatch=HATCHES[1], edgecolor="#000000")
    ax.tick_params(axis="x", labelrotation=45)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.savefig(out / "summary-scores.png", format="png", metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    most = max(bands)
    tops = [f"{labels[i]} %" for i in range(10) if bands[i] == most]
    median = sorted(percents)[len(percents) // 2]
    where = tops[0] if len(tops) == 1 else ", ".join(tops[:-1]) + " and " + tops[-1]
    bands_are = "bands are" if len(tops) > 1 else "band is"
    return (f"Of {len(percents)} graded student-exercises, the most common score {bands_are} "
            f"{where} of the points ({most} each); the median score is {median:.0f} %.")


def write_summary(out: Path, rows: list[Row], questions: dict[str, list], sandbox_note: str, pending: int) -> None:
    lines = ["# Grading summary", ""]
    if sandbox_note:
        lines += [f"> **Warning:** {sandbox_note}", ""]
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
    percents = [100 * r.points / r.max_points for r in graded if r.max_points]
    says = _distribution_figure(out, percents)
    if says:
        lines += ["## Distribution of scores", "", f"![{says}](summary-scores.png)", "",
                  f"**What the figure shows:** {says}", "", "| score band (%) | student-exercises |", "|---|---|"]
        bands = [0] * 10
        for p in percents:
            bands[min(9, int(p // 10))] += 1
        lines += [f"| {10 * i}–{10 * i + 9 if i < 9 else 100} | {n} |" for i, n in enumerate(bands)]
        lines.append("")
    lines += ["## Per question", "",
              "| exercise | question | kind | max | mean points | correct | partly | wrong or invalid | not answered "
              "| to mark |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for stem in sorted(questions):
        results = [q for r in graded if r.exercise == stem for q in r.result.questions]
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
    lines.append("")
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
            lines.append(f"| {r.student} | {r.exercise} | {r.status} | {r.file} | {r.note.replace('|', '/')} |")
        lines.append("")
    (out / "summary.md").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
