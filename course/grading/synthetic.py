"""Submissions built from the real exercises, for the grader's tests, benchmark and trials.

A student's notebook is the handed-out ``exercises/NN-slug.ipynb`` with some answer cells
filled in. ``solution_code(stem)`` gives, per question id, the worked code of
``solutions/NN-slug.ipynb`` (the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION``),
found by position: ``make exercises`` writes the exercise cell for cell from the solution, so
the answer cell at index *i* of the exercise is the solution's cell *i* with its region blanked.
``submission(exercise, answers, insert=...)`` fills answer cells, deletes them or inserts cells,
as a student (or an attacker) would.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from pathlib import Path

from course import paths

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def read(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def exercise(stem: str, exercises: Path = paths.EXERCISES) -> dict:
    """The handed-out exercise notebook (what a student starts from)."""
    return read(exercises / f"{stem}.ipynb")


def answer_cells(nb: dict) -> dict[str, int]:
    """Question id -> index of the cell that assigns it (``ID = ...``) in an exercise."""
    found = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or (cell.get("metadata") or {}).get("course"):
            continue
        for line in _source(cell).splitlines():
            name, _, rest = line.partition("=")
            if rest.strip() == "..." and name.strip().isidentifier():
                found[name.strip()] = index
    return found


def solution_code(stem: str, exercises: Path = paths.EXERCISES, solutions: Path = paths.SOLUTIONS) -> dict[str, str]:
    """Question id -> the solution's code for it: the solution cell at the position of the
    exercise's answer cell, markers removed (what a student who copied the solution hands in).
    Fails loudly when the two notebooks no longer line up (``make questions`` not run)."""
    handed_out, solved = exercise(stem, exercises), read(solutions / f"{stem}.ipynb")
    if len(handed_out["cells"]) != len(solved["cells"]):
        raise ValueError(f"{stem}: exercises/ and solutions/ differ in length; run `make questions`")
    found = {}
    for qid, index in answer_cells(handed_out).items():
        text = _source(solved["cells"][index])
        if BEGIN not in text or not re.search(rf"^\s*{re.escape(qid)}\s*=", text, re.M):
            raise ValueError(f"{stem}: solution cell {index} does not assign {qid}; run `make questions`")
        found[qid] = "\n".join(line for line in text.splitlines() if line.strip() not in (BEGIN, END))
    return found


def submission(exercise: dict, answers: Mapping[str, str | None], *,
               insert: dict[int, list[str]] | None = None) -> dict:
    """A copy of ``exercise`` with answer cells replaced by ``answers`` (id -> code; None
    deletes the cell) and extra code cells inserted before the answer cell of the given
    question index (``insert``: position among the questions -> cell sources; a position past
    the last question appends at the end)."""
    nb = copy.deepcopy(exercise)
    where = answer_cells(nb)
    order = sorted(where, key=lambda qid: where[qid])
    for qid, code in answers.items():
        if qid in where and code is not None:
            nb["cells"][where[qid]]["source"] = code
    doomed = {where[q] for q, code in answers.items() if q in where and code is None}
    extra = {}
    for position, sources in (insert or {}).items():
        anchor = where[order[position]] if position < len(order) else len(nb["cells"])
        extra[anchor] = [_cell(s) for s in sources]
    cells = []
    for index, cell in enumerate(nb["cells"]):
        cells.extend(extra.get(index, []))
        if index not in doomed:
            cells.append(cell)
    cells.extend(extra.get(len(nb["cells"]), []))
    nb["cells"] = cells
    return nb


def _cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source}


def write(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
