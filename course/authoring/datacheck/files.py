"""The files under data/ as the checks read them, and :class:`Problem`, what a check reports.

They are read directly (csv and json), not through ``course.evidence``, so a bug in the
learners' helpers cannot hide a bug in the data.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from course import paths

Row = dict[str, str]
CLAIMS = "claims.csv"


@dataclass(frozen=True)
class Problem:
    """One broken rule: where (a file under data/ and its line, 0 for the whole file) and which."""

    file: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"data/{self.file}:{self.line}" if self.line else f"data/{self.file}"
        return f"{where}: {self.message} [{self.rule}]"


@dataclass
class Data:
    """The files the checks read: claims, ignored numbers, tables by name, texts by source id."""

    claims: list[Row]
    ignored: list[Row] = field(default_factory=list)
    tables: dict[str, list[Row]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    manifest: list[Row] = field(default_factory=list)
    fields: list[Row] = field(default_factory=list)
    table_files: dict[str, str] = field(default_factory=dict)


def read_rows(path: Path) -> list[Row]:
    """A CSV file as a list of rows (every cell a string); the one CSV reader of the authoring tools."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_texts(data: Path = paths.DATA) -> dict[str, str]:
    """Every text in data/sources, by id (its file name without .txt)."""
    return {p.stem: p.read_bytes().decode("utf-8") for p in sorted((data / "sources").glob("*.txt"))}


def package(data: Path = paths.DATA) -> dict:
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8"))


def table_paths(data: Path = paths.DATA) -> dict[str, Path]:
    """Each table described in data/datapackage.json, by name."""
    return {r["name"]: data / r["path"] for r in package(data)["resources"] if r["path"].startswith("tables/")}


def load(data: Path = paths.DATA) -> Data:
    tables = table_paths(data)
    return Data(
        claims=read_rows(data / CLAIMS),
        ignored=read_rows(data / "ignored_numbers.csv"),
        tables={name: read_rows(path) for name, path in tables.items()},
        texts=read_texts(data),
        manifest=read_rows(data / "sources" / "sources.csv"),
        fields=read_rows(data / "sources" / "fields.csv"),
        table_files={name: path.relative_to(data).as_posix() for name, path in tables.items()},
    )


def table_file(data: Data, name: str) -> str:
    return data.table_files.get(name, f"tables/{name}.csv")


def rows(data: Data, names: tuple[str, ...] | None = None) -> Iterator[tuple[str, int, Row]]:
    """(file, line, row) for every row of the tables (or of ``names``), header as line 1."""
    for name in tuple(data.tables) if names is None else names:
        for line, row in enumerate(data.tables[name], 2):
            yield table_file(data, name), line, row


def schema_problems(data_dir: Path) -> list[Problem]:
    """data/datapackage.json validates (frictionless), and describes every table on disk."""
    from frictionless import validate

    report = validate(data_dir / "datapackage.json")
    file_of = {r["name"]: r["path"] for r in package(data_dir)["resources"]}
    problems = [
        Problem(file_of.get(task.name, task.name), getattr(error, "row_number", 0) or 0, error.type, error.message)
        for task in report.tasks
        for error in task.errors
    ]
    described = {path.resolve() for path in table_paths(data_dir).values()}
    problems += [
        Problem(path.relative_to(data_dir).as_posix(), 0, "schema-described", "this table is not in datapackage.json")
        for path in sorted((data_dir / "tables").glob("*.csv"))
        if path.resolve() not in described
    ]
    return problems
