"""The class list: who should have handed something in, read from what an LMS exports.

``--roster FILE`` accepts, told apart by the header line:

* a **Canvas** gradebook export: ``Student, ID, SIS User ID, SIS Login ID, Section, ...`` (the
  ``Points Possible`` row Canvas puts second, and a ``Manual Posting`` row, are skipped; so is
  Canvas' ``Student, Test``). ``ID`` is the Canvas user id that Canvas' download names carry
  (``smithjane_12345_67890_file.ipynb``). Assignment columns (``Name (12345)``) are kept for the
  grade import (``course.grading.lms``);
* a **Moodle** grade export or participants list: ``First name, Last name, ID number, Email
  address, ...`` (``Username`` too when the site shows it);
* a **Moodle** assignment grading worksheet: ``Identifier, Full name, Email address, Status,
  Grade, ...`` where ``Identifier`` is ``Participant 123456``, the number Moodle's download
  names carry (``Jane Smith_123456_assignsubmission_file_...``);
* a simple list: ``student, name, email`` (only ``student`` is required).

A file that cannot be read is refused with its line and the reason (``RosterError``).
Submissions are matched to students by LMS id, else by login, email or id number, else by name
(Unicode NFC, case-folded, only letters and digits compared), and the match says how.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from course.grading import marks

CANVAS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_TEST_STUDENT = "student, test"
_PARTICIPANT = re.compile(r"^\s*participant\s+(\d+)\s*$", re.I)
_MOODLE_FOLDER = re.compile(r"^(.*)_(\d+)_assign(?:submission|feedback)_\w+?_?$")
MAX_BYTES = 20 * 2**20


class RosterError(ValueError):
    """A roster that cannot be used, with the line and the reason."""


@dataclass
class Student:
    """One student of the roster; ``key`` is the name the gradebook and feedback use."""
    key: str
    name: str
    line: int
    lms_id: str = ""      # Canvas user id, Moodle participant id
    sis_id: str = ""      # Canvas SIS User ID, Moodle ID number
    login: str = ""       # Canvas SIS Login ID, Moodle username
    email: str = ""
    section: str = ""
    first: str = ""
    last: str = ""
    fields: dict[str, str] = field(default_factory=dict, repr=False)   # the row as exported

    def shown(self) -> str:
        """The name to greet the student by: ``Jane Smith`` for Canvas' ``Smith, Jane``."""
        last, comma, first = self.name.partition(",")
        return f"{first.strip()} {last.strip()}" if comma and first.strip() else self.name or self.key


@dataclass
class Roster:
    kind: str                    # canvas, moodle, moodle-worksheet, simple
    header: list[str]
    students: list[Student]
    path: Path | None = None
    skipped: list[str] = field(default_factory=list)   # rows left out on purpose, with why

    def assignment_columns(self) -> list[str]:
        """The Canvas assignment columns (``Name (12345)``) of the export, in order."""
        return [h for h in self.header if re.search(r"\(\d+\)\s*$", h) and h not in CANVAS]


def fold(text: str) -> str:
    """Text compared for a match: NFC, case-folded, trimmed."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def letters(text: str) -> str:
    """Only the letters and digits of ``text``, folded: ``Smith, Jane`` -> ``smithjane``, which is
    how Canvas spells a student in its download names."""
    return "".join(c for c in fold(text) if c.isalnum())


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterError(f"{path}: cannot be opened ({error.strerror})") from error
    if data.startswith(b"PK\x03\x04"):
        raise RosterError(f"{path}: line 1: this is a spreadsheet (.xlsx) or a zip, not CSV; save it as CSV")
    if len(data) > MAX_BYTES:
        raise RosterError(f"{path}: larger than {MAX_BYTES // 2**20} MB: not a class list")
    if b"\0" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError(f"{path}: line 1: binary data (a NUL byte), not CSV text")
    return marks.decode(data)


def _kind(header: list[str]) -> str:
    names = {fold(h) for h in header}
    if {"student", "id"} <= names and names & {"sis user id", "sis login id", "section"}:
        return "canvas"
    if {"identifier", "full name"} <= names:
        return "moodle-worksheet"
    if {"first name", "last name"} <= names:
        return "moodle"
    if "student" in names:
        return "simple"
    return ""


def read(path: Path) -> Roster:
    """The roster at ``path``; raises RosterError naming the line and the reason."""
    path = Path(path)
    text = _decode(path)
    if not text.strip():
        raise RosterError(f"{path}: the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=marks.delimiter(text), strict=True)
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
        kind = _kind(header)
        if not kind:
            raise RosterError(
                f"{path}: line 1: not a roster header ({', '.join(header)[:120]}); expected a Canvas gradebook "
                "export (Student, ID, SIS User ID, SIS Login ID, Section, ...), a Moodle export (First name, "
                "Last name, ID number, Email address, ...), a Moodle grading worksheet (Identifier, Full name, "
                "...) or a simple list (student, name, email)")
        roster = Roster(kind, header, [], path)
        line = 1
        for fields in reader:
            _add(roster, fields, line + 1)
            line = reader.line_num
    except csv.Error as error:
        raise RosterError(f"{path}: line {reader.line_num}: {error}") from error
    if not roster.students:
        raise RosterError(f"{path}: no students in it (only a header)")
    _check_unique(roster)
    return roster


def _add(roster: Roster, fields: list[str], line: int) -> None:
    """One line of the file as a student (blank lines and the LMS's own extra rows skipped)."""
    if not any(f.strip() for f in fields):
        return
    if len(fields) > len(roster.header) and any(f.strip() for f in fields[len(roster.header):]):
        raise RosterError(f"{roster.path}: line {line}: {len(fields)} fields but the header has "
                          f"{len(roster.header)} (a comma inside a name that is not in quotes?)")
    row = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(roster.header)}
    by = {fold(h): v for h, v in row.items()}
    student = {"canvas": _canvas, "moodle": _moodle, "moodle-worksheet": _worksheet, "simple": _simple}[roster.kind](
        by, line, roster)
    if student is not None:
        student.fields = row
        student.key = unicodedata.normalize("NFC", student.key)
        roster.students.append(student)


def _canvas(row: dict[str, str], line: int, roster: Roster) -> Student | None:
    name, uid = row.get("student", ""), row.get("id", "")
    if not uid:
        if not name or fold(name) == "points possible" or set(row.values()) <= {"", "Manual Posting",
                                                                               "(read only)", "Points Possible"}:
            roster.skipped.append(f"line {line}: Canvas' {name.strip() or 'posting policy'} row")
            return None
        raise RosterError(f"{roster.path}: line {line}: student {name!r} has no ID (the Canvas user id)")
    if not uid.isdigit():
        raise RosterError(f"{roster.path}: line {line}: ID {uid[:30]!r} is not a Canvas user id (a number)")
    if fold(name) == CANVAS_TEST_STUDENT:
        roster.skipped.append(f"line {line}: Canvas' test student")
        return None
    return Student(f"{letters(name) or 'student'}_{uid}", name, line, lms_id=uid, sis_id=row.get("sis user id", ""),
                   login=row.get("sis login id", ""), section=row.get("section", ""))


def _moodle(row: dict[str, str], line: int, roster: Roster) -> Student | None:
    first, last = row.get("first name", ""), row.get("last name", "")
    email, idnumber, login = row.get("email address", ""), row.get("id number", ""), row.get("username", "")
    if not (first or last):
        raise RosterError(f"{roster.path}: line {line}: no first or last name")
    if not (email or idnumber or login):
        raise RosterError(f"{roster.path}: line {line}: {first} {last} has no email address, ID number or "
                          "username, so no grade could be imported for them")
    name = f"{first} {last}".strip()
    return Student(name, name, line, sis_id=idnumber, login=login, email=email, first=first, last=last)


def _worksheet(row: dict[str, str], line: int, roster: Roster) -> Student | None:
    found = _PARTICIPANT.match(row.get("identifier", ""))
    if not found:
        raise RosterError(f"{roster.path}: line {line}: Identifier {row.get('identifier', '')[:30]!r} is not "
                          "Moodle's 'Participant <number>'")
    name = row.get("full name", "")
    return Student(f"{name}_{found[1]}" if name else f"Participant {found[1]}", name, line, lms_id=found[1],
                   email=row.get("email address", ""), sis_id=row.get("id number", ""))


def _simple(row: dict[str, str], line: int, roster: Roster) -> Student | None:
    key = row.get("student", "")
    if not key:
        raise RosterError(f"{roster.path}: line {line}: the student column is empty")
    return Student(key, row.get("name", "") or key, line, lms_id=row.get("lms_id", "") or row.get("id", ""),
                   login=row.get("login", ""), email=row.get("email", ""), section=row.get("section", ""))


def _check_unique(roster: Roster) -> None:
    """Two lines for one student would give one of them the other's grades: refused."""
    seen: dict[tuple[str, str], int] = {}
    for s in roster.students:
        for what, value in (("student", fold(s.key)), ("LMS id", s.lms_id), ("email", fold(s.email)),
                            ("ID number", s.sis_id)):
            if value and (what, value) in seen:
                raise RosterError(f"{roster.path}: line {s.line}: the same {what} as line {seen[(what, value)]} "
                                  f"({value})")
            seen.setdefault((what, value), s.line)


# -- matching submissions to students ---------------------------------------------------------
def lms_id(key: str, identity: tuple) -> str:
    """The LMS user id a submission carries: Canvas' or Moodle's number in a flat download name,
    or in a Moodle folder name (``Jane Smith_123456_assignsubmission_file``)."""
    if identity[:1] == ("lms",) and len(identity) > 2:
        return str(identity[2])
    found = _MOODLE_FOLDER.match(key)
    return found[2] if found else ""


def _name_part(key: str) -> str:
    """The name in a student key: ``smithjane`` of ``smithjane_12345``, ``Jane Smith`` of a Moodle folder."""
    found = _MOODLE_FOLDER.match(key)
    if found:
        return found[1]
    return re.sub(r"_\d+(~\d+)?$", "", key)


def _names(s: Student) -> set[str]:
    forms = {letters(s.name), letters(s.key)}
    if s.first or s.last:
        forms |= {letters(f"{s.first}{s.last}"), letters(f"{s.last}{s.first}")}
    if "," in s.name:
        last, first = s.name.split(",", 1)
        forms.add(letters(first + last))
    words = s.name.split()
    if len(words) > 1:
        forms.add(letters(words[-1] + "".join(words[:-1])))   # Canvas' lastfirst
    return forms - {""}


class Matcher:
    """Which roster student a submission's key belongs to, and how that was decided."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.by_id = {s.lms_id: s for s in roster.students if s.lms_id}
        self.by_login: dict[str, list[Student]] = {}
        self.by_name: dict[str, list[Student]] = {}
        for s in roster.students:
            for value in {fold(s.key), fold(s.login), fold(s.email), fold(s.email.split("@")[0]), fold(s.sis_id)}:
                if value:
                    self.by_login.setdefault(value, []).append(s)
            for form in _names(s):
                self.by_name.setdefault(form, []).append(s)

    def match(self, key: str, identity: tuple) -> tuple[Student | None, str]:
        """(student or None, how): by LMS id, then login, email or id number, then name."""
        uid = lms_id(key, identity)
        if uid and uid in self.by_id:
            return self.by_id[uid], f"roster: matched by LMS id {uid}"
        if uid and self.by_id:
            return None, f"not on the roster: no student on it has LMS id {uid}"
        found = self.by_login.get(fold(_name_part(key)), [])
        if len(found) == 1:
            return found[0], "roster: matched by login, email or ID number"
        named = self.by_name.get(letters(_name_part(key)), [])
        if len(named) == 1:
            return named[0], f"roster: matched by NAME only to '{named[0].name}' (line {named[0].line}): check it"
        if len(named) > 1 or len(found) > 1:
            return None, f"not on the roster: the name matches {max(len(named), len(found))} students; rename the file"
        return None, "not on the roster"
