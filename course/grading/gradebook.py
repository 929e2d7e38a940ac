"""What the grader writes into OUT: gradebooks, per-question rows, feedback for students, a
summary for the instructor and the written answers to mark.

Every file is written from sorted data with no dates or timings in it, so running the grader
again on the same submissions (and marks) writes the same bytes. Every file is written whole or
not at all (a temporary file, then a rename) and ``feedback/`` is swapped in as a whole, so an
interrupted run leaves the previous outputs as they were.

* ``files.csv``          every entry under SUBMISSIONS: path, kind, student, exercise, status, reason

* ``gradebook.csv``      student, exercise, points, max_points, status, late, note, file
* ``gradebook-wide.csv`` one row per student, one column per exercise, then total (spreadsheet/LMS import)
* ``questions.csv``      student, exercise, question, kind, points, max_points, status, reason
* ``feedback/<student>.md`` what each student reads
* ``summary.md`` (+ ``summary-scores.png``) per-question statistics and the distribution of scores
* ``marking/written-answers.csv`` one row per student, written question and rubric criterion:
  fill in ``points`` (and ``comment``); the next run merges the marks (``course.grading.marks``).
  ``marking/written-answers.md`` shows the answers with the rubric, for reading, and says which
  answers are identical to the model answer or to another student's.
"""

from __future__ import annotations

import csv
import ctypes
import hashlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from course.grading import feedback, marks
from course.grading.judging import ExerciseResult

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


def _encode(text: str) -> bytes:
    """UTF-8, whatever the text holds: a lone surrogate from a student's notebook is written as
    an escape rather than stopping the run."""
    return text.encode("utf-8", "backslashreplace")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``path`` whole or not at all: a temporary file in the same folder, then a rename,
    so an interrupted run leaves the previous file as it was."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(_encode(data) if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, buffer.getvalue())


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where that
    is not available."""
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return function(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def replace_folder(folder: Path, files: dict[str, str | bytes]) -> None:
    """Make ``folder`` hold exactly ``files`` (relative name -> text or bytes; names may hold one
    subfolder, ``03-money/x.html``): written into a new folder beside it,
    then swapped in whole, so a kill leaves either the old folder or the new one, never half."""
    new, old = folder.with_name(f".{folder.name}.new"), folder.with_name(f".{folder.name}.old")
    if old.exists() and not folder.exists():
        os.replace(old, folder)  # a swap of an earlier run stopped between its two steps
    for leftover in (new, old):
        shutil.rmtree(leftover, ignore_errors=True)
    new.mkdir(parents=True)
    for name, data in sorted(files.items()):
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        (new / name).write_bytes(_encode(data) if isinstance(data, str) else data)
    if folder.exists() and _exchange(new, folder):
        shutil.rmtree(new)
        return
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    shutil.rmtree(old, ignore_errors=True)


def file_name(key: str) -> str:
    """A student's key as a file name: no leading dot, at most about 200 bytes (longer keys
    keep a hash so two never share a name)."""
    name = key.replace("/", "-").replace("\0", "")
    name = "_" + name if not name or name.startswith(".") else name
    if len(name.encode("utf-8", "backslashreplace")) > 200:
        digest = hashlib.sha256(key.encode("utf-8", "backslashreplace")).hexdigest()[:10]
        name = name.encode("utf-8", "backslashreplace")[:180].decode("utf-8", "ignore") + "-" + digest
    return name


def _normalised(text: str) -> str:
    """Text compared for identical answers: case, spaces and line breaks do not count."""
    return " ".join(text.split()).casefold()


def _written_answers(rows: list[Row], questions: dict[str, list]) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(exercise, question id, [(student, answer)]) for every written answer handed in, in the
    exercises' question order."""
    by_question: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        if not row.result or row.status == "duplicate":
            continue
        for q in row.result.questions:
            if q.kind == "written" and isinstance(q.answer, str) and q.answer.strip():
                by_question.setdefault((row.exercise, q.id), []).append((row.student, q.answer))
    order = {(stem, q.id): n for stem, qs in questions.items() for n, q in enumerate(qs)}
    ordered = sorted(by_question.items(), key=lambda item: (item[0][0], order.get(item[0], 0), item[0][1]))
    return [(exercise, qid, sorted(answers)) for (exercise, qid), answers in ordered]


def _marking_markdown(exercise: str, question, answers: list[tuple[str, str]]) -> list[str]:
    """The readable part for one question: prompt, rubric, model answer, every answer (and
    which are identical to the model answer or to each other)."""
    model = _normalised(getattr(question, "model_answer", "") or "")
    same: dict[str, list[str]] = {}
    for student, text in answers:
        same.setdefault(_normalised(text), []).append(student)
    lines = [f"## {exercise} · {question.id} ({points_word(question.points)})", "", question.prompt, "", "Rubric:"]
    lines += [f"- {c['criterion']} ({points_word(c['points'])})" for c in marks.criteria(question)]
    if getattr(question, "model_answer", ""):
        lines += ["", f"Model answer: {question.model_answer}"]
    lines.append("")
    for student, text in answers:
        lines += [f"### {student}", ""]
        if model and _normalised(text) == model:
            lines += ["**Identical to the model answer.**", ""]
        others = [s for s in same[_normalised(text)] if s != student]
        if others:
            lines += [f"**Identical to the answer of {', '.join(others)}.**", ""]
        lines += [*[f"> {line}" for line in text.strip().splitlines()], ""]
    return lines


def write_marking(out: Path, rows: list[Row], questions: dict[str, list], sheet: marks.Sheet) -> int:
    """The marking sheet, merged with the one already there (see ``course.grading.marks``);
    returns the lines still to mark. A sheet that could not be read is left as it is and the
    new one written beside it."""
    folder = out / "marking"
    folder.mkdir(parents=True, exist_ok=True)
    readable = ["# Written answers to mark", "",
                "Enter points per criterion in `written-answers.csv` (column `points`, and a `comment` "
                "the student will read), then run the grader again: the marks are merged.", ""]
    entries = []
    for exercise, qid, answers in _written_answers(rows, questions):
        question = next(q for q in questions[exercise] if q.id == qid)
        readable += _marking_markdown(exercise, question, answers)
        entries += [marks.Entry(student, exercise, qid, c["criterion"], float(c["points"]), marks.answer_sha(text))
                    for student, text in answers for c in marks.criteria(question)]
    lines, pending = marks.merge(sheet, entries)
    target = "written-answers.csv" if sheet.readable else "written-answers.new.csv"
    _write_csv(folder / target, marks.FIELDS, lines)
    write_atomic(folder / "written-answers.md", "\n".join(readable).rstrip() + "\n")
    return pending


# -- gradebooks ---------------------------------------------------------------------------
def write_gradebooks(out: Path, rows: list[Row], stems: list[str]) -> None:
    _write_csv(out / "gradebook.csv", ["student", "exercise", "points", "max_points", "status", "late", "note", "file"],
               [[r.student, r.exercise, fmt(r.points), fmt(r.max_points), r.status, "late" if r.late else "", r.note,
                 r.file] for r in rows])
    students = sorted({r.student for r in rows if r.exercise and r.student})
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
    return lines + _feedback_questions(r, comments)


def _feedback_questions(r: Row, comments: dict) -> list[str]:
    """The table of questions, the instructor's marks and what happened in the run."""
    lines = ["| Question | Points | Verdict | Comment |", "|---|---|---|---|"]
    for q in r.result.questions:
        comment = _sentence(q.reason)
        if q.status not in ("correct", "marked") and q.hint:
            comment += f" Hint: {q.hint}"
        comment = feedback.text(comment).replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {q.id} | {fmt(q.points)} / {fmt(q.max_points)} | {STATUS_WORDS.get(q.status, q.status)} "
                     f"| {comment} |")
    lines.append("")
    for q in r.result.questions:
        extra = comments.get((r.student, r.exercise, q.id))
        if extra:
            lines += [f"Your instructor's marks for **{q.id}**, by rubric criterion:", "",
                      *[f"- {feedback.text(line)}" for line in extra], ""]
    shown = [n for n in r.result.notes if not n.startswith("written answers to mark")]
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


def write_files(out: Path, entries: list[list[str]]) -> None:
    """``files.csv``: every entry under SUBMISSIONS and what became of it."""
    _write_csv(out / "files.csv", ["path", "kind", "student", "exercise", "status", "reason"], entries)


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
