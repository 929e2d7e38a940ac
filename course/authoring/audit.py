"""The second-reader audit's report, computed from its ledgers.

Each reader of issue 16's audit records what it read in ``data/audit/read-AREA.csv``
(``item,unit,reader``) and what it found in ``data/audit/findings-AREA.csv``
(``item,unit,rule,finding,action,note``). This module counts them against the units that
exist in the files now (every lesson cell a learner reads, every question id, every claim,
every table row, every manifest row) and writes ``data/AUDIT-2.md``, so the numbers in the
report are computed, never typed. Any number of AREA files is read.

    python -m course.authoring.audit           # write data/AUDIT-2.md
    python -m course.authoring.audit --check   # exit 1 if the committed report is stale
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from course import paths
from course.authoring.datacheck.files import read_rows
from course.authoring.passages import row_key

REPORT = "AUDIT-2.md"
FOLDER = "audit"
ALL_CELLS = "all cells"
RULES = (
    "says more than text",
    "wrong key",
    "second defensible answer",
    "false hint/explanation/option",
    "speaker",
    "kind",
    "split",
    "count not computed",
    "unmarked reading",
    "stale after data fix",
    "relation",
    "place/date precision",
    "typography",
    "other",
)
ACTIONS = ("fixed", "left")
#: The families of units, in the report's order, and whether the audit must read all of them.
FAMILIES = {"lessons": True, "questions": True, "claims": True, "tables": True, "manifest": True, "solutions": False}


@dataclass
class Ledger:
    """Every reader's rows, read from data/audit."""

    read: list[dict[str, str]] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_ledger(folder: Path | None = None) -> Ledger:
    """Read every read-*.csv and findings-*.csv; a row that breaks the shared format is a
    problem (named with its file and line), not a crash."""
    folder = folder or paths.DATA / FOLDER
    ledger = Ledger()
    for path in sorted(folder.glob("read-*.csv")):
        area = path.stem.removeprefix("read-")
        for number, row in _rows(path, ("item", "unit", "reader"), ledger.problems):
            if row["reader"] != area:
                ledger.problems.append(f"{path.name} line {number}: reader {row['reader']!r} is not the area {area!r}")
            ledger.read.append(row)
    for path in sorted(folder.glob("findings-*.csv")):
        area = path.stem.removeprefix("findings-")
        for number, row in _rows(path, ("item", "unit", "rule", "finding", "action", "note"), ledger.problems):
            row = {**row, "reader": area, "where": f"{path.name} line {number}"}
            if row["rule"] not in RULES:
                ledger.problems.append(f"{path.name} line {number}: rule {row['rule']!r} is not one of the ledger's")
            if row["action"] not in ACTIONS:
                ledger.problems.append(f"{path.name} line {number}: action {row['action']!r} is not fixed or left")
            if not row["note"].strip():
                ledger.problems.append(
                    f"{path.name} line {number}: a {row['action'] or 'finding'} needs a note "
                    "(what was changed, or why it is right to leave it)"
                )
            ledger.findings.append(row)
    return ledger


def _rows(path: Path, columns: Sequence[str], problems: list[str]) -> Iterable[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if list(reader.fieldnames or []) != list(columns):
            problems.append(f"{path.name}: columns must be {','.join(columns)}, not {reader.fieldnames}")
            return
        for number, row in enumerate(reader, 2):
            yield number, {k: (v or "").strip() for k, v in row.items()}


# ---------------------------------------------------------------- the units that exist


def family(item: str) -> str:
    """Which family a ledger item belongs to."""
    if item.startswith("notebooks/"):
        return "lessons"
    if item.startswith("questions/"):
        return "questions"
    if item.startswith("solutions/"):
        return "solutions"
    if item == "data/claims.csv":
        return "claims"
    if item.startswith("data/tables/"):
        return "tables"
    if item.startswith("data/sources/"):
        return "manifest"
    return "other"


def existing_units(root: Path | None = None) -> dict[str, set[str]]:
    """Every unit a learner reads, by file: each markdown cell of a lesson and each code cell
    with an output (a table, a figure's sentence, a printed value); each markdown cell of a
    solution; each question id; each claim id; each table row's key; each manifest row."""
    import nbformat

    root = root or paths.ROOT
    units: dict[str, set[str]] = {}
    for folder in ("notebooks", "solutions"):
        for path in sorted((root / folder).glob("*.ipynb")):
            nb = nbformat.read(str(path), as_version=4)
            units[f"{folder}/{path.name}"] = {
                f"cell {i}"
                for i, cell in enumerate(nb.cells)
                if cell.cell_type == "markdown" or (folder == "notebooks" and cell.get("outputs"))
            }
    for path in sorted((root / "questions").glob("*.toml")):
        questions = tomllib.loads(path.read_text(encoding="utf-8"))
        units[f"questions/{path.name}"] = {e["id"] for s in ("check", "exercise") for e in questions.get(s, [])}
    data = root / "data"
    units["data/claims.csv"] = {r["claim_id"] for r in read_rows(data / "claims.csv")}
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["path"].startswith("tables/"):
            rows = read_rows(data / resource["path"])
            units[f"data/{resource['path']}"] = {row_key(resource["name"], r) for r in rows}
    units["data/sources/sources.csv"] = {r["source_id"] for r in read_rows(data / "sources" / "sources.csv")}
    units["data/sources/fields.csv"] = {
        f"{r['source_id']}/{r['field']}" for r in read_rows(data / "sources" / "fields.csv")
    }
    return units


# ---------------------------------------------------------------- counting


@dataclass
class Coverage:
    """What was read of one file."""

    item: str
    existing: set[str]
    read: set[str]
    readers: set[str]

    @property
    def covered(self) -> set[str]:
        return self.existing & self.read

    @property
    def missing(self) -> set[str]:
        return self.existing - self.read

    @property
    def unknown(self) -> set[str]:
        """Units the ledger names that the file no longer has (a cell moved, a row renamed)."""
        return self.read - self.existing


def coverage(ledger: Ledger, units: Mapping[str, set[str]]) -> list[Coverage]:
    """Per file, the units read of the units that exist ('all cells' reads every cell)."""
    read: dict[str, set[str]] = defaultdict(set)
    readers: dict[str, set[str]] = defaultdict(set)
    for row in ledger.read:
        item = row["item"]
        readers[item].add(row["reader"])
        read[item] |= units.get(item, set()) if row["unit"] == ALL_CELLS else {row["unit"]}
    items = sorted(
        set(units) | set(read), key=lambda i: (list(FAMILIES).index(family(i)) if family(i) in FAMILIES else 99, i)
    )
    return [Coverage(i, set(units.get(i, set())), read.get(i, set()), readers.get(i, set())) for i in items]


def family_totals(covered: Sequence[Coverage]) -> dict[str, tuple[int, int]]:
    """Per family: (units read that exist, units that exist)."""
    totals: dict[str, list[int]] = {name: [0, 0] for name in FAMILIES}
    for c in covered:
        if family(c.item) in totals:
            totals[family(c.item)][0] += len(c.covered)
            totals[family(c.item)][1] += len(c.existing)
    return {name: (a, b) for name, (a, b) in totals.items()}


def fixed_but_gone(ledger: Ledger, units: Mapping[str, set[str]], root: Path | None = None) -> list[str]:
    """A `fixed` finding whose file is gone, or whose claim, row or question no longer exists
    (a lesson's cells move as lessons change, so only the file is checked for lessons)."""
    root = root or paths.ROOT
    problems = []
    for f in ledger.findings:
        if f["action"] != "fixed":
            continue
        if f["item"] not in units and not (root / f["item"]).exists():
            problems.append(f"{f['where']}: fixed in {f['item']!r}, which no longer exists")
        elif family(f["item"]) in ("claims", "tables", "manifest", "questions") and f["unit"] not in units.get(
            f["item"], {f["unit"]}
        ):
            problems.append(f"{f['where']}: fixed {f['item']} {f['unit']!r}, which no longer exists")
    return problems


# ---------------------------------------------------------------- the report


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "–"


def _header() -> list[str]:
    """The title and what the report counts."""
    return [
        "# Second-reader audit, round 2 (issue 16)",
        "",
        "Generated by `python -m course.authoring.audit` from the ledgers in [`audit/`](audit/) "
        "(`read-AREA.csv`: what each reader read; `findings-AREA.csv`: what it found, by which rule, "
        "and whether it was fixed or left, with why). Do not edit by hand: `tests/test_audit.py` fails "
        "when this file differs from what the ledgers and the files give now. Round 1 is "
        "[AUDIT.md](AUDIT.md).",
        "",
        "Units: a lesson's markdown cells and the code cells with an output (a table, a figure's "
        "sentence, a printed value); a "
        "question file's question ids; a claim id; a table row's key (`topic/source_id` in agreement); "
        "a manifest row (`source_id/field` in fields.csv); a solution's markdown cell (read, not required). "
        "Units are counted in the files as they are now.",
        "",
    ]


def _coverage_section(covered: list[Coverage]) -> list[str]:
    """What was read: per family, then per file, and the units a ledger names that are gone."""
    lines = ["## What was read", "", "| family | units read | units that exist | coverage |", "|---|---|---|---|"]
    for name, (a, b) in family_totals(covered).items():
        lines.append(f"| {name} | {a} | {b} | {_pct(a, b)} |")
    lines += ["", "| file | read | exist | coverage | readers |", "|---|---|---|---|---|"]
    for c in covered:
        readers = ", ".join(sorted(c.readers)) or "–"
        lines.append(
            f"| `{c.item}` | {len(c.covered)} | {len(c.existing)} | "
            f"{_pct(len(c.covered), len(c.existing))} | {readers} |"
        )
    unknown = [(c.item, u) for c in covered for u in sorted(c.unknown)]
    if unknown:
        lines += [
            "",
            f"Units named in a ledger that the files no longer have: {len(unknown)} "
            "(" + "; ".join(f"`{i}` {u}" for i, u in unknown[:20]) + ("; …" if len(unknown) > 20 else "") + ").",
        ]
    return lines


def _findings_section(findings: list[dict[str, str]]) -> list[str]:
    """What was found: by rule (found, fixed, left) and by family."""
    by_rule = Counter((f["rule"], f["action"]) for f in findings)
    lines = ["## What was found, by rule", "", "| rule | found | fixed | left |", "|---|---|---|---|"]
    for rule in RULES:
        found = by_rule[(rule, "fixed")] + by_rule[(rule, "left")]
        if found:
            lines.append(f"| {rule} | {found} | {by_rule[(rule, 'fixed')]} | {by_rule[(rule, 'left')]} |")
    fixed = sum(f["action"] == "fixed" for f in findings)
    left = sum(f["action"] == "left" for f in findings)
    lines.append(f"| **all** | **{len(findings)}** | **{fixed}** | **{left}** |")
    by_family = Counter(family(f["item"]) for f in findings)
    lines += ["", "| family | findings |", "|---|---|"]
    lines += [f"| {name} | {by_family[name]} |" for name in FAMILIES if by_family[name]]
    return lines


def _readers_section(ledger: Ledger) -> list[str]:
    """Per reader: units read, findings, fixed, left."""
    findings = ledger.findings
    readers = sorted({r["reader"] for r in ledger.read} | {f["reader"] for f in findings})
    lines = ["## By reader", "", "| reader | units read | findings | fixed | left |", "|---|---|---|---|---|"]
    for reader in readers:
        mine = [f for f in findings if f["reader"] == reader]
        read = sum(1 for r in ledger.read if r["reader"] == reader)
        lines.append(
            f"| {reader} | {read} | {len(mine)} | {sum(f['action'] == 'fixed' for f in mine)} | "
            f"{sum(f['action'] == 'left' for f in mine)} |"
        )
    return lines


def render(ledger: Ledger, units: Mapping[str, set[str]]) -> str:
    """The report as Markdown: coverage per file and family, findings by rule, per reader,
    and every finding left with its reason."""
    lines = _header() + _coverage_section(coverage(ledger, units)) + [""]
    lines += _findings_section(ledger.findings) + [""] + _readers_section(ledger)
    lines += ["", "## Findings left, and why", ""]
    kept = [f for f in ledger.findings if f["action"] == "left"]
    lines += [
        f"- `{f['item']}` {f['unit']} ({f['rule']}; {f['reader']}): {f['finding']} **Left because:** {f['note']}"
        for f in kept
    ] or ["None."]
    if ledger.problems:
        lines += ["", "## Ledger problems", ""] + [f"- {p}" for p in ledger.problems]
    return "\n".join(lines) + "\n"


def report_path(root: Path | None = None) -> Path:
    return (root or paths.ROOT) / "data" / REPORT


def main(argv: Sequence[str] | None = None) -> int:
    """Write data/AUDIT-2.md, or with --check say whether the committed one is current."""
    args = list(sys.argv[1:] if argv is None else argv)
    text = render(read_ledger(), existing_units())
    path = report_path()
    if "--check" in args:
        current = path.exists() and path.read_text(encoding="utf-8") == text
        state = "current" if current else "stale: run python -m course.authoring.audit"
        print(f"{path.relative_to(paths.ROOT)} is {state}")
        return 0 if current else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
