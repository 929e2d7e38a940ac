"""The checks of the tables' own columns (values, dates, hedges, notes) and of the sources'
manifest (data/README.md: dates and their precision, qualifiers, the course's reading)."""

from __future__ import annotations

import re
from datetime import date

from course.authoring.datacheck.files import Data, Problem, Row, rows

READING = "Course's reading"

#: The words in value_text that each qualifier stands for.
HEDGES = {
    "about": ("around", "about", "~"),
    "more than": ("more than", "over"),
    "up to": ("up to",),
    "estimated": ("estimated",),
}
#: The manifest's columns that fields.csv must describe, and those that are the course's labels.
DESCRIBED = ("title", "outlet", "authors", "date_published", "kind", "shows_citations", "citation_style")
COURSE_LABELS = ("kind", "shows_citations", "citation_style")
FIELDS = "sources/fields.csv"


def unit_problems(data: Data) -> list[Problem]:
    """A value has a unit (and, where the table has the column, a measure)."""
    return [
        Problem(file, line, "value-unit", "a value needs a unit and a measure")
        for file, line, row in rows(data)
        if row.get("value") and not (row.get("unit") and row.get("measure", "x"))
    ]


def _date_problem(row: Row) -> str | None:
    date_text, precision = row["date"], row["date_precision"]
    if bool(date_text) != (precision != "unknown"):
        return "a date needs a precision, and 'unknown' no date"
    if precision == "month" and not date_text.endswith("-01"):
        return "a month is stored as its first day"
    if precision == "year" and not date_text.endswith("-01-01"):
        return "a year is stored as 1 January"
    if precision == "day" and not re.search(rf"\b0?{int(date_text[8:10])}\b", row["date_text"]):
        return f"precision 'day' but {row['date_text']!r} gives no day"
    return None


def date_problems(data: Data) -> list[Problem]:
    """A date agrees with its precision, and a day is stored only when the text gives the day."""
    problems = []
    for file, line, row in rows(data):
        message = _date_problem(row) if "date_precision" in row else None
        if message:
            problems.append(Problem(file, line, "date-precision", message))
    return problems


def reading_problems(data: Data) -> list[Problem]:
    """What the cited words do not give is marked as the course's reading: an inferred year
    (from the article's date line) in dating_note, a qualifier the text does not use in note."""
    problems = []
    for file, line, row in rows(data):
        if row.get("date") and row["date"][:4] not in row["date_text"] and READING not in row["dating_note"]:
            message = f'the year is inferred; begin the dating_note with "{READING}:"'
            problems.append(Problem(file, line, "date-inferred-year", message))
        hedge = row.get("qualifier")
        if (
            hedge
            and not any(w in row["value_text"].lower() for w in HEDGES.get(hedge, ()))
            and READING not in row["note"]
        ):
            message = f'qualifier {hedge!r} is not in {row["value_text"]!r}; say why in note ("{READING}: ...")'
            problems.append(Problem(file, line, "qualifier-hedge", message))
    return problems


def agreement_problems(data: Data) -> list[Problem]:
    """A row of agreement.csv that is not agreement says how in its note."""
    return [
        Problem(file, line, "agreement-note", f"a {row['relation']!r} row needs a note saying how")
        for file, line, row in rows(data, ("agreement",) if "agreement" in data.tables else ())
        if row["relation"] in ("disagrees", "differs in detail") and not row["note"]
    ]


def _stated_problems(source_id: str, column: str, value: str, snippets: list[str]) -> list[str]:
    """A stated field is written in its evidence (a date in one of the ways texts write dates)."""
    if column == "date_published":
        day = date.fromisoformat(value)
        shown = {value, f"{day:%B} {day.day}, {day.year}", f"{day:%b} {day.day}, {day.year}"}
        if not any(form in s for s in snippets for form in shown):
            return [f"{source_id}.date_published {value} is not written in its evidence"]
        return []
    plain = " ".join(snippets).replace("\u00a0", " ")
    return [f"{source_id}.{column}: {part!r} is not in its evidence" for part in value.split("; ") if part not in plain]


def _field_problems(entry: Row, value: str, text: str) -> list[str]:
    source_id, column, kind = entry["source_id"], entry["field"], entry["basis"]
    snippets = [s for s in entry["evidence"].split(" | ") if s]
    problems = []
    if (kind == "not stated") != (value == ""):
        problems.append(f"{source_id}.{column} is {kind!r} but the manifest cell is {value!r}")
    if kind in ("stated", "inferred"):
        if not snippets:
            problems.append(f"{source_id}.{column} is {kind} from nothing: give the words in evidence")
        problems += [f"{source_id}.{column}: evidence {s!r} is not in the text" for s in snippets if s not in text]
    if column in COURSE_LABELS and kind != "inferred":
        problems.append(f"{source_id}.{column} is the course's label, so 'inferred', not {kind!r}")
    if kind == "stated":
        problems += _stated_problems(source_id, column, value, snippets)
    return problems


def field_problems(data: Data) -> list[Problem]:
    """sources/fields.csv says, for each field of each text, whether the text states it,
    the course infers it (and from which words), or the text is silent."""
    line_of = {(f["source_id"], f["field"]): line for line, f in enumerate(data.fields, 2)}
    basis = {(f["source_id"], f["field"]): f for f in data.fields}
    problems = [
        Problem(FIELDS, 0, "manifest-field", f"no row ('*', {column!r})")
        for column in (data.manifest[0] if data.manifest else {})
        if column not in DESCRIBED and ("*", column) not in basis
    ]
    for row in data.manifest:
        for column in DESCRIBED:
            key = (row["source_id"], column)
            if key not in basis:
                problems.append(Problem(FIELDS, 0, "manifest-field", f"no row {key!r}"))
                continue
            messages = _field_problems(basis[key], row[column], data.texts.get(row["source_id"], ""))
            problems += [Problem(FIELDS, line_of[key], "manifest-field", m) for m in messages]
    return problems

