"""What the grader writes into OUT: the tables (gradebooks, per-question rows, the files found)
and the written answers to mark, and the safe writing every output uses. Each student's
feedback and the instructor's summary are written by ``course.grading.reports``.

Every file is written from sorted data with no dates or timings in it, so running the grader
again on the same submissions (and marks) writes the same bytes. Every file is written whole or
not at all (a temporary file, then a rename) and ``feedback/`` is swapped in as a whole, so an
interrupted run leaves the previous outputs as they were.

* ``files.csv``          every entry under SUBMISSIONS: path, kind, student, exercise, status, reason

* ``gradebook.csv``      student, exercise, points, max_points, status, late, note, file
* ``gradebook-wide.csv`` one row per student, one column per exercise, then total (spreadsheet/LMS import)
* ``questions.csv``      student, exercise, question, kind, points, max_points, status, reason
* ``feedback/<student>.md`` what each student reads (``reports``)
* ``summary.md`` (+ ``summary-scores.png``) per-question statistics and the distribution of scores (``reports``)
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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from course.grading import marks
from course.grading.judging import ExerciseResult
from course.grading.marks import fmt


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


def replace_folder(folder: Path, files: Mapping[str, str | bytes]) -> None:
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










def write_files(out: Path, entries: list[list[str]]) -> None:
    """``files.csv``: every entry under SUBMISSIONS and what became of it."""
    _write_csv(out / "files.csv", ["path", "kind", "student", "exercise", "status", "reason"], entries)
