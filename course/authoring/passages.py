"""What a learner reads, gathered for the checks in ``course.authoring.drift`` and
``course.authoring.readings``: the markdown of the notebooks, the fields of questions/*.toml a
learner sees, and the course's words in table cells, each as a :class:`Passage` saying where
it sits; and data/ as those checks read it (claims by id, tables by name).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from course import paths
from course.authoring.datacheck.files import read_rows

CLAIM_ID = re.compile(r"\bC\d{3}\b")


@dataclass(frozen=True)
class Passage:
    """One piece of text a learner reads, and where it sits (file and cell or field)."""

    where: str
    text: str


# ---------------------------------------------------------------- reading the files


def claims_by_id(data: Path | None = None) -> dict[str, dict[str, str]]:
    """claims.csv, by claim id."""
    return {row["claim_id"]: row for row in read_rows((data or paths.DATA) / "claims.csv")}


def tables(data: Path | None = None) -> dict[str, list[dict[str, str]]]:
    """Every table in data/tables, by name (its file name without .csv)."""
    return {p.stem: read_rows(p) for p in sorted(((data or paths.DATA) / "tables").glob("*.csv"))}


def _relative(path: Path, root: Path | None = None) -> str:
    try:
        return path.resolve().relative_to((root or paths.ROOT).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def notebook_passages(path: Path, root: Path | None = None) -> list[Passage]:
    """A notebook's markdown cells, and the sentence under each figure (a code output that
    begins "What the figure shows" or holds it)."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        where = f"{_relative(path, root)} cell {index}"
        if cell.cell_type == "markdown":
            found.append(Passage(where, cell.source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/plain", "") if "data" in output else ""
                text = "".join(text) if isinstance(text, list) else text
                if "What the figure shows:" in text:
                    found.append(Passage(f"{where} (caption)", text))
    return found


#: The fields of a question a learner reads.
QUESTION_TEXT = ("prompt", "hint", "explanation", "model_answer", "options", "labels", "partly")


def question_passages(path: Path, root: Path | None = None) -> list[Passage]:
    """Every learner-facing text of a question file: prompts, hints, explanations, options,
    items (the keys of a matching or classification answer) and model answers."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for section in ("check", "exercise"):
        for entry in data.get(section, []):
            where = f"{_relative(path, root)} {entry.get('id', '?')}"
            for name in QUESTION_TEXT:
                value = entry.get(name)
                for text in strings(value):
                    found.append(Passage(f"{where} {name}", text))
            answer = entry.get("answer")
            if isinstance(answer, Mapping):
                found += [Passage(f"{where} item", item) for item in answer]
    return found


def strings(value: object) -> list[str]:
    """Every string inside a TOML value (keys of a table included), in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in (*value.keys(), *value.values()) for s in strings(v)]
    if isinstance(value, Sequence):
        return [s for v in value for s in strings(v)]
    return []


#: Table cells that hold the course's words about a row.
NOTE_COLUMNS = ("note", "dating_note", "position")


def table_passages(all_tables: Mapping[str, list[dict[str, str]]]) -> list[Passage]:
    """The note, dating note and position cells of every table."""
    found = []
    for name, rows in all_tables.items():
        for row in rows:
            key = row_key(name, row)
            for column in NOTE_COLUMNS:
                if row.get(column):
                    found.append(Passage(f"data/tables/{name}.csv {key} {column}", row[column]))
    return found


def row_key(table: str, row: Mapping[str, str]) -> str:
    """A row's key as the audit ledger writes it: the first column, or 'topic/source_id' in
    the agreement table (whose key has two columns)."""
    if table == "agreement":
        return f"{row['topic']}/{row['source_id']}"
    return next(iter(row.values()))


def course_passages(root: Path | None = None) -> list[Passage]:
    """Everything a learner reads that the checkers scan: lessons (notebooks/), question
    files (questions/) and table notes."""
    root = root or paths.ROOT
    found = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        found += notebook_passages(path, root)
    for path in sorted((root / "questions").glob("*.toml")):
        found += question_passages(path, root)
    return found + table_passages(tables(root / "data"))


def sentences(text: str) -> list[str]:
    """Split prose into sentences (roughly: at '. ', '? ', '! ', ': ' before a capital,
    and line breaks)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z“\"'*(`])|\n+", text)
    return [p for p in parts if p.strip()]


def question_entries(root: Path | None = None) -> list[tuple[str, Mapping[str, object]]]:
    """Every question entry of questions/*.toml, with 'file id' as where it sits."""
    root = root or paths.ROOT
    found = []
    for path in sorted((root / "questions").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for entry in [*data.get("check", []), *data.get("exercise", [])]:
            found.append((f"{_relative(path, root)} {entry.get('id', '?')}", entry))
    return found
