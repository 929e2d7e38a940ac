"""The marking sheet ``OUT/marking/written-answers.csv``: read from whatever a spreadsheet
saved, and merged (never rebuilt) on every run, so no mark an instructor entered is lost.

A mark belongs to a student, an exercise, a question, a rubric criterion and the answer it was
given for (``answer_sha``, a hash of the answer's text). A mark counts only for that answer: when
a student hands in a changed answer, the old marks move to ``previous_marks`` (still visible) and
the line goes back to ``to mark``. Lines for students or answers not in this run are kept as they
are. The sheet is read as UTF-8 (with or without a BOM), UTF-16 or cp1252, separated by commas,
semicolons or tabs, with a decimal point or a decimal comma; a line that cannot be used is named
with its line number and the reason, and kept.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FIELDS = ["student", "exercise", "question", "criterion", "max_points", "points", "comment", "answer_sha", "state",
          "previous_marks"]
KEY = ("student", "exercise", "question", "criterion")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass
class Sheet:
    """What was read from the marking sheet."""
    path: Path
    rows: list[dict] = field(default_factory=list)      # each with "_line" and "_points" (float or None)
    problems: list[str] = field(default_factory=list)   # "line 7: ..." for the instructor
    readable: bool = True                               # False: the file is left as it is, never rewritten


def answer_sha(text: str) -> str:
    """A short hash of an answer's text (any text, lone surrogates included)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def decode(data: bytes) -> str:
    """A spreadsheet export's text: UTF-8 (BOM or not), UTF-16 with a BOM, else cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def delimiter(text: str) -> str:
    """The separator the header line uses: comma, semicolon or tab."""
    header = text.split("\n", 1)[0]
    return max([",", ";", "\t"], key=header.count)


def parse_points(text: str) -> float | None:
    """Points as entered: '' is no mark; '2.5' and '2,5' are two and a half. Raises ValueError
    with a message for anything else."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if not _NUMBER.match(text):
        raise ValueError(f"points {text[:20]!r} is not a number")
    value = float(text.replace(",", "."))
    if value < 0:
        raise ValueError(f"points {text!r} is negative")
    return value


def read(path: Path) -> Sheet:
    """Every line of the sheet at ``path`` (none when it does not exist yet)."""
    sheet = Sheet(path=path)
    if not path.exists():
        return sheet
    try:
        text = decode(path.read_bytes())
    except OSError as error:
        return _unreadable(sheet, f"it cannot be opened ({error.strerror})")
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader, [])]
        missing = [name for name in (*KEY, "points") if name not in header]
        if missing:
            return _unreadable(sheet, f"its first line has no column {', '.join(missing)}")
        line = 1
        for fields in reader:
            _add_row(sheet, header, fields, line + 1)
            line = reader.line_num
    except csv.Error as error:
        return _unreadable(sheet, f"line {reader.line_num}: {error}")
    return sheet


def _unreadable(sheet: Sheet, why: str) -> Sheet:
    sheet.readable = False
    sheet.problems.append(f"{sheet.path.name} cannot be read: {why}. It is left as it is; the new sheet is written "
                          f"to {sheet.path.with_suffix('.new.csv').name}. Fix or replace it and run again.")
    return sheet


def _add_row(sheet: Sheet, header: list[str], fields: list[str], line: int) -> None:
    """One line of the sheet as a row (kept even when it cannot be used, with the reason)."""
    if not any(f.strip() for f in fields):
        return
    extra = [f for f in fields[len(header):] if f.strip()]
    given = {name: (fields[i] if i < len(fields) else "") for i, name in enumerate(header) if name}
    row: dict[str, Any] = {name: given.get(name, "") for name in FIELDS} | {"_line": line, "_points": None}
    for name in KEY:
        row[name] = unicodedata.normalize("NFC", row[name].strip())
    problem = ""
    split_comma = len(fields) > len(header) and row["points"].strip().isdigit() and row["comment"].strip().isdigit()
    if extra or split_comma:
        problem = (f"{len(fields)} fields but the header has {len(header)} (a decimal comma in a comma-separated "
                   "file? write 2.5, or quote \"2,5\")")
    empty = [name for name in KEY if not row[name].strip()]
    if empty:
        problem = f"no {', '.join(empty)}"
        row["state"] = f"unreadable: {problem}"
    try:
        row["_points"] = None if problem else parse_points(row["points"])
    except ValueError as error:
        problem = str(error)
    if problem:
        sheet.problems.append(f"{sheet.path.name} line {line}: {problem}; this mark is not counted until corrected")
    elif row["_points"] is not None:
        _check_maximum(sheet, row, line)
    sheet.rows.append(row)


def _check_maximum(sheet: Sheet, row: dict, line: int) -> None:
    try:
        top = parse_points(row["max_points"])
    except ValueError:
        return
    if top is not None and row["_points"] > top:
        sheet.problems.append(f"{sheet.path.name} line {line}: {row['points'].strip()} points is more than the "
                              f"criterion's {row['max_points'].strip()}; counted as {row['max_points'].strip()}")


# -- merging -------------------------------------------------------------------------------
Marks = tuple[float, bool, str]  # points given so far, every criterion marked?, "k of n"


@dataclass(frozen=True)
class Entry:
    """One line the sheet must have in this run: a rubric criterion of an answer handed in."""
    student: str
    exercise: str
    question: str
    criterion: str
    max_points: float
    sha: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.student, self.exercise, self.question, self.criterion


def criteria(question) -> list[dict]:
    """A written question's rubric criteria (one ``overall`` criterion when it has none)."""
    rubric = list(getattr(question, "rubric", None) or [])
    return rubric or [{"criterion": "overall", "points": question.points}]


def fmt(x: float | None) -> str:
    """Points as a gradebook and the marking sheet show them: at most 2 decimals, no trailing zeros."""
    return "" if x is None else f"{round(float(x), 2):g}"


def index(sheet: Sheet) -> dict[tuple[str, str, str, str], list[dict]]:
    """The sheet's rows by (student, exercise, question, criterion)."""
    found: dict[tuple[str, str, str, str], list[dict]] = {}
    for row in sheet.rows:
        found.setdefault(tuple(row[name] for name in KEY), []).append(row)
    return found


def current(rows: list[dict], sha: str) -> dict | None:
    """The row that marks the answer with hash ``sha`` (or a row with no hash, from a sheet
    written before hashes were kept); the last such row when there are several."""
    same = [r for r in rows if r["answer_sha"].strip() == sha] or [r for r in rows if not r["answer_sha"].strip()]
    return same[-1] if same else None


def _previous(rows: list[dict], mine: dict | None) -> str:
    """Marks given to earlier answers of the same line, kept in view."""
    said = [mine["previous_marks"].strip()] if mine and mine["previous_marks"].strip() else []
    for row in rows:
        if row is mine or not row["answer_sha"].strip() or not (row["points"].strip() or row["comment"].strip()):
            continue
        text = f"{row['points'].strip() or '-'} for answer {row['answer_sha'].strip()}"
        said.append(text + (f" ({row['comment'].strip()})" if row["comment"].strip() else ""))
        said.extend([row["previous_marks"].strip()] if row["previous_marks"].strip() else [])
    return "; ".join(dict.fromkeys(said))


def merge(sheet: Sheet, entries: list[Entry]) -> tuple[list[list[str]], int]:
    """The sheet's new lines, and how many are still to mark: a line per entry (its marks if
    the same answer was marked before; earlier answers' marks in ``previous_marks``), then every
    other line of the old sheet, kept."""
    by_key, lines, pending, used = index(sheet), [], 0, set()
    for entry in entries:
        old = by_key.get(entry.key, [])
        mine = current(old, entry.sha)
        counted = mine is not None and mine["_points"] is not None
        points = "" if mine is None else fmt(mine["_points"]) if counted else mine["points"].strip()
        previous = _previous(old, mine)
        state = ("marked" if counted else "not counted: see the summary" if points
                 else "answer changed: mark again" if previous else "to mark")
        pending += not counted
        lines.append([*entry.key, fmt(entry.max_points), points, mine["comment"].strip() if mine else "", entry.sha,
                      state, previous])
        used.add(entry.key)
    for row in sheet.rows:
        if tuple(row[name] for name in KEY) not in used:
            state = row["state"] if row["state"].startswith("unreadable") else "kept: not in this run"
            lines.append([row[name] for name in FIELDS[:-2]] + [state, row["previous_marks"]])
    return lines, pending


def marks_for(by_key: dict, entry_sha: str, student: str, exercise: str, question) -> tuple[Marks | None, list[str]]:
    """((points given, every criterion marked?, "k of n"), comments) for one written answer
    (the marks given to this very answer), or (None, comments) when none is marked yet."""
    total, marked, comments = 0.0, 0, []
    rubric = criteria(question)
    for criterion in rubric:
        row = current(by_key.get((student, exercise, question.id, criterion["criterion"]), []), entry_sha)
        if row is None:
            continue
        given = row["_points"]
        if given is not None:
            given = min(given, float(criterion["points"]))
            total, marked = total + given, marked + 1
        said = row["comment"].strip()
        if given is not None or said:
            score = f"{fmt(given) if given is not None else '–'} / {fmt(criterion['points'])}"
            comments.append(f"{score}: {criterion['criterion']}" + (f" — *{said}*" if said else ""))
    return ((total, marked == len(rubric), f"{marked} of {len(rubric)}") if marked else None), comments
