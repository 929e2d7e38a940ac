"""Synthetic exercises and submissions, for the grader's tests and benchmark.

``fixture_exercise(folder)`` writes a small exercise that follows the contract of
CONTRIBUTING.md ("Questions") — ``questions/99-fixture.toml`` and ``exercises/99-fixture.ipynb``
with generated cells carrying ``{"course": {"question": ID, "role": ...}}`` — for use until the
real exercises exist. ``submission(exercise_nb, answers, extra)`` fills a copy of an exercise
notebook's answer cells, as a student would.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

STEM = "99-fixture"

QUESTIONS_TOML = '''\
[[exercise]]
id = "total_support"
kind = "number"
prompt = "Add up the three amounts in the table with pandas. What is the total, in billion yuan?"
answer = 60.5
tolerance = 0.05
unit = "billion yuan"
points = 2
hint = "Use .sum() on the amount column."
explanation = "10 + 20.5 + 30 = 60.5."

[[exercise]]
id = "heaviest_layer"
kind = "single choice"
prompt = "Which layer receives the heaviest state support in this made-up example?"
options = ["Semiconductors (chips)", "Software frameworks", "AI models", "AI applications"]
answer = "Semiconductors (chips)"
partly = ["AI models"]
hint = "The capital-intensive one."
explanation = "The example says so."

[[exercise]]
id = "timeline"
kind = "ordering"
prompt = "Put the events in order, earliest first."
answer = ["first event", "second event", "third event"]
points = 1.5
hint = "Look at the dates."
explanation = "By date."

[[exercise]]
id = "kinds"
kind = "classification"
prompt = "Label each statement as a fact or a forecast."
answer = { "Sales rose in 2023." = "fact", "Sales will double by 2030." = "forecast" }
hint = "Is it about the future?"
explanation = "One reports, one predicts."

[[exercise]]
id = "essay"
kind = "written"
prompt = "In three sentences, say what the example shows, citing claim ids."
rubric = [{ criterion = "states the main point", points = 1 }, { criterion = "cites at least one claim id", points = 1 }]
model_answer = "The example shows chips get the most support (C047)."
hint = "Cite a claim id."
'''

CORRECT = {
    "total_support": 'import pandas as pd\ntable = pd.DataFrame({"amount": [10, 20.5, 30]})\ntotal_support = table["amount"].sum()',
    "heaviest_layer": 'heaviest_layer = "Semiconductors (chips)"',
    "timeline": 'timeline = ["first event", "second event", "third event"]',
    "kinds": 'kinds = {"Sales rose in 2023.": "fact", "Sales will double by 2030.": "forecast"}',
    "essay": 'essay = """Chips get the heaviest support (C047). The state pays most where capital needs are largest. That is the example."""',
}
#: Points a fully right submission earns before the written answer is marked.
AUTO_POINTS = 2 + 1 + 1.5 + 1


def _cell(kind: str, source: str, meta: dict | None = None) -> dict:
    cell = {"cell_type": kind, "metadata": {"course": meta} if meta else {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def exercise_notebook() -> dict:
    """The handed-out exercise: intro, keys cell, then per question prompt, answer, check."""
    cells = [
        _cell("markdown", "# 99 Fixture exercise\n\nAnswer each question in the cell below it."),
        _cell("code", "import pandas as pd"),
        _cell("code", '# Self-checks generated from questions/99-fixture.toml by `make questions`: edit it there.\n'
                      'from course.questions import load_checks\ncheck = load_checks("99-fixture", "eJxLy0xJBQAGNgH/")',
              {"question": "keys", "role": "keys"}),
    ]
    for qid in CORRECT:
        cells.append(_cell("markdown", f"**{qid}**: a question.", {"question": qid, "role": "prompt"}))
        cells.append(_cell("code", f"# YOUR CODE HERE\n{qid} = ..."))
        cells.append(_cell("code", f'check("{qid}", {qid})', {"question": qid, "role": "check"}))
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                                        "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


def fixture_exercise(folder: Path) -> tuple[Path, Path]:
    """Write questions/99-fixture.toml and exercises/99-fixture.ipynb under ``folder``;
    returns (questions folder, exercises folder)."""
    questions, exercises = Path(folder) / "questions", Path(folder) / "exercises"
    questions.mkdir(parents=True, exist_ok=True)
    exercises.mkdir(parents=True, exist_ok=True)
    (questions / f"{STEM}.toml").write_text(QUESTIONS_TOML, encoding="utf-8")
    write(exercises / f"{STEM}.ipynb", exercise_notebook())
    return questions, exercises


def answer_cells(nb: dict) -> dict[str, int]:
    """Question id -> index of the cell that assigns it (``ID = ...``) in an exercise."""
    found = {}
    for index, cell in enumerate(nb["cells"]):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "code" or (cell.get("metadata") or {}).get("course"):
            continue
        for line in source.splitlines():
            name, _, rest = line.partition("=")
            if rest.strip() == "..." and name.strip().isidentifier():
                found[name.strip()] = index
    return found


def submission(exercise: dict, answers: dict[str, str | None], *, insert: dict[int, list[str]] | None = None) -> dict:
    """A copy of ``exercise`` with answer cells replaced by ``answers`` (id -> code; None
    deletes the cell) and extra code cells inserted before the answer cell of the given
    question index (``insert``: position among the questions -> cell sources)."""
    nb = copy.deepcopy(exercise)
    where = answer_cells(nb)
    order = list(where)
    for qid, code in answers.items():
        if qid in where and code is not None:
            nb["cells"][where[qid]]["source"] = code
    doomed = {where[q] for q, code in answers.items() if q in where and code is None}
    extra = {}
    for position, sources in (insert or {}).items():
        anchor = where[order[position]] if position < len(order) else len(nb["cells"])
        extra[anchor] = [_cell("code", s) for s in sources]
    cells = []
    for index, cell in enumerate(nb["cells"]):
        cells.extend(extra.get(index, []))
        if index not in doomed:
            cells.append(cell)
    cells.extend(extra.get(len(nb["cells"]), []))
    nb["cells"] = cells
    return nb


def write(path: Path, nb: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
