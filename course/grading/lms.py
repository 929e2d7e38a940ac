"""Grade-import files in an LMS's own format (``--lms canvas``, ``--lms moodle``), from the
roster (``course.grading.roster``) and the gradebook rows, into ``OUT/lms/``.

* **Canvas** (``canvas-grades.csv``): ``Student, ID, SIS User ID, SIS Login ID, Section``, then one
  column per exercise, and the ``Points Possible`` row second, as Canvas exports it; import it at
  Grades -> Import. Canvas finds the student by ``ID`` (then the SIS columns) and an existing
  assignment by a header of the form ``Name (assignment id)``: the roster's own column for the
  exercise when its name holds the exercise's (``03 Money and policy (4567)``), or the one given
  with ``--lms-column 03="Money and policy (4567)"``; otherwise the exercise's stem, which Canvas
  offers to create as a new assignment.
* **Moodle** (``moodle-grades.csv``): ``First name, Last name, ID number, Email address`` and one
  column per exercise; at Grades -> Import -> CSV file, map from ``Email address`` to ``Email
  address`` (or ``ID number`` to ``ID number``) and each exercise column to its grade item. From a
  grading worksheet roster, ``moodle-worksheet-<stem>.csv`` is that worksheet with ``Grade``
  filled in, for the assignment's *Upload grading worksheet*.

Only final grades are exported (``graded``, ``partly graded``). A cell whose status is ``to mark``
(a written answer waits for marks), ``review``, ``missing`` or a file that could not be graded is
left empty, and the summary says how many and why.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from course.grading.marks import fmt
from course.grading.roster import Roster, letters

FINAL = {"graded", "partly graded"}
MOODLE = ["First name", "Last name", "ID number", "Email address"]
IDENTITY = {"student", "id", "sis user id", "sis login id", "section", "integration id", "first name", "last name",
            "id number", "email address", "username", "institution", "department", "identifier", "full name",
            "status", "grade", "maximum grade", "name", "email", "login"}


class ExportError(ValueError):
    """A roster that lacks what the LMS needs to find its students."""


def parse_columns(values: list[str], stems: list[str]) -> dict[str, str]:
    """``--lms-column 03="Name (4567)"`` values as stem -> header. Raises ValueError."""
    found = {}
    for value in values:
        key, sep, header = value.partition("=")
        matches = [s for s in stems if s == key.strip() or s.split("-")[0] == key.strip()]
        if not sep or not header.strip() or len(matches) != 1:
            raise ValueError(f"--lms-column {value!r}: expected EXERCISE=COLUMN with an exercise graded in this run "
                             f"({', '.join(stems)})")
        found[matches[0]] = header.strip()
    return found


def column_for(stem: str, roster: Roster, given: dict[str, str]) -> tuple[str, str]:
    """(header, how) of the LMS column for ``stem``: given, the roster's own, or the stem."""
    if stem in given:
        return given[stem], "given with --lms-column"
    slug = letters(stem.split("-", 1)[-1])
    titles = {h: letters(re.sub(r"\((\d+|real)\)\s*$", "", h, flags=re.I)) for h in roster.header
              if h.strip().lower() not in IDENTITY}
    own = [h for h, title in titles.items() if slug and slug in title]
    if len(own) == 1:
        return own[0], "the roster's column"
    return stem, ("no column of the roster names this exercise" if not own else
                  f"{len(own)} columns of the roster name this exercise") + ": a new column"


def _cells(rows: list, stems: list[str], roster: Roster) -> tuple[dict[tuple[str, str], str], Counter]:
    """(student, stem) -> the exported cell, and how many cells of the roster's students were
    left empty, per status."""
    cells: dict[tuple[str, str], str] = {}
    empty: Counter[str] = Counter()
    keys = {s.key for s in roster.students}
    for r in rows:
        if not r.exercise or r.status == "duplicate" or r.exercise not in stems or r.student not in keys:
            continue
        if r.status in FINAL and r.points is not None:
            cells[(r.student, r.exercise)] = fmt(r.points)
        else:
            empty[r.status] += 1
    return cells, empty


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def check(system: str, roster: Roster | None) -> None:
    """Refuse, before any grading, a roster the LMS could not find its students by."""
    if roster is None:
        raise ExportError(f"--lms {system} needs --roster (the LMS's class list: its ids go into the import)")
    name = roster.path.name if roster.path else "the roster"
    if system == "canvas":
        lacking = [s for s in roster.students if not s.lms_id]
        if lacking:
            raise ExportError(f"--lms canvas needs each student's Canvas ID; line {lacking[0].line} of {name} has "
                              "none (use Canvas' gradebook export as the roster)")
    elif roster.kind != "moodle-worksheet":
        lacking = [s for s in roster.students if not (s.email or s.sis_id)]
        if lacking:
            raise ExportError(f"--lms moodle needs each student's email address or ID number; line "
                              f"{lacking[0].line} of {name} has neither")


def canvas(roster: Roster, rows: list, stems: list[str], maxima: dict[str, float],
           given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(files, summary lines) of the Canvas grade import."""
    check("canvas", roster)
    cells, empty = _cells(rows, stems, roster)
    columns = [column_for(stem, roster, given) for stem in stems]
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *[c for c, _ in columns]]
    lines = [["    Points Possible", "", "", "", "", *[f"{maxima[s]:g}" for s in stems]]]
    lines += [[s.name, s.lms_id, s.sis_id, s.login, s.section, *[cells.get((s.key, stem), "") for stem in stems]]
              for s in roster.students]
    notes = [f"- `{stem}` -> column `{c}` ({how})" for stem, (c, how) in zip(stems, columns, strict=True)]
    return {"canvas-grades.csv": _csv(header, lines)}, notes + _empty_note(empty)


def moodle(roster: Roster, rows: list, stems: list[str], maxima: dict[str, float],
           given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """(files, summary lines) of the Moodle grade import (or filled grading worksheets)."""
    cells, empty = _cells(rows, stems, roster)
    if roster.kind == "moodle-worksheet":
        return _worksheets(roster, cells, stems), _empty_note(empty)
    check("moodle", roster)
    columns = [column_for(stem, roster, given) for stem in stems]
    lines = [[s.first or s.name, s.last, s.sis_id, s.email, *[cells.get((s.key, stem), "") for stem in stems]]
             for s in roster.students]
    by = "Email address" if all(s.email for s in roster.students) else "ID number"
    notes = [f"- Moodle: Grades -> Import -> CSV file; identify users by mapping from `{by}` to `{by}`."]
    notes += [f"- `{stem}` -> column `{c}` ({how}); map it to its grade item"
              for stem, (c, how) in zip(stems, columns, strict=True)]
    return {"moodle-grades.csv": _csv([*MOODLE, *[c for c, _ in columns]], lines)}, notes + _empty_note(empty)


def _worksheets(roster: Roster, cells: dict, stems: list[str]) -> dict[str, str]:
    """The grading worksheet per exercise, its ``Grade`` column filled (other columns as exported)."""
    grade = next((h for h in roster.header if h.strip().lower() == "grade"), "Grade")
    header = roster.header if grade in roster.header else [*roster.header, grade]
    files = {}
    for stem in stems:
        lines = [[cells.get((s.key, stem), "") if h == grade else s.fields.get(h, "") for h in header]
                 for s in roster.students]
        files[f"moodle-worksheet-{stem}.csv"] = _csv(header, lines)
    return files


def _empty_note(empty: Counter) -> list[str]:
    if not empty:
        return ["- Every cell holds a final grade."]
    said = ", ".join(f"{n} {status}" for status, n in sorted(empty.items()))
    return [f"- Left empty, not final: {said}. A `to mark` exercise still waits for your marks on its written "
            "answer (see `marking/`); `review` waits for your look; `missing` and files that could not be graded "
            "have no grade. Enter them in the LMS, or mark, re-grade and export again."]


def write(system: str, roster: Roster, rows: list, stems: list[str], maxima: dict[str, float],
          given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The import files of ``system`` (canvas or moodle) and the summary's lines about them."""
    files, notes = (canvas if system == "canvas" else moodle)(roster, rows, stems, maxima, given)
    return files, [f"## Grades for {system.capitalize()}", "",
                   f"Written to `lms/`: {', '.join(f'`{n}`' for n in sorted(files))}.", "", *notes, ""]
