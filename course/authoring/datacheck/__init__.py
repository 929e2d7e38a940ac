"""Check the evidence base in data/ against the rules of data/README.md, as authors edit it::

    python -m course.authoring.datacheck              # check data/; exit 1 on any problem
    python -m course.authoring.datacheck --data DIR   # check a copy

Each problem is printed with its file, its line (the header of a CSV is line 1; none for a
whole file) and the rule it breaks. ``files`` reads data/, ``claims`` checks claims.csv
against the texts and the tables' citations, ``tables`` the tables' own columns and the
sources' manifest. ``tests/test_data.py`` runs :func:`check` on data/ and feeds the checks
corrupted copies to show they can fail. An authoring tool: the student release leaves it out.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from course import paths
from course.authoring.datacheck import claims, tables
from course.authoring.datacheck.files import Data, Problem, load, schema_problems

#: Every check of the loaded data, in the order their problems are printed.
CHECKS: list[Callable[[Data], list[Problem]]] = [
    claims.quote_problems,
    claims.claim_id_problems,
    claims.uncovered_numbers,
    claims.ignored_problems,
    claims.kind_problems,
    claims.overlap_problems,
    claims.citation_problems,
    claims.verbatim_problems,
    claims.speaker_problems,
    claims.entity_problems,
    tables.unit_problems,
    tables.date_problems,
    tables.reading_problems,
    tables.agreement_problems,
    tables.field_problems,
]


def check(data_dir: Path = paths.DATA) -> list[Problem]:
    """Every problem in ``data_dir``: the schema first, then each check of the files' content."""
    problems = schema_problems(data_dir)
    data = load(data_dir)
    for run in CHECKS:
        problems += run(data)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.authoring.datacheck", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=paths.DATA, help="the data folder (default: data/)")
    args = parser.parse_args(argv)
    try:
        problems = check(args.data)
    except (OSError, KeyError, ValueError) as error:
        # A missing file or column, or bad JSON: say which, rather than a traceback.
        print(f"datacheck: cannot read {args.data}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {args.data}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0
