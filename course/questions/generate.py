"""Write every learner-facing copy of the questions from ``questions/<stem>.toml``.

* In a lesson (``notebooks/<stem>.ipynb``, or ``instructors/<stem>.ipynb`` for the gallery),
  each code cell ``# question: ID`` (or a cell generated before for that id) becomes the sealed
  self-check of ``[[check]]`` ID.
* In a solution (``solutions/<stem>.ipynb``), ``# question: keys`` becomes the cell that loads
  the sealed self-checks; ``# question: ID`` becomes the prompt of ``[[exercise]]`` ID, and a
  ``check("ID", ID)`` cell follows the author's answer cell.
* ``exercises/<stem>.ipynb`` is the solution with each ``### BEGIN SOLUTION`` … ``### END
  SOLUTION`` region replaced by ``ID = ...`` and every output removed (an output of worked
  code can show an answer).
* ``instructors/answer-key.md``: answers, rubrics and model answers, for teaching assistants.

Usage::

    python -m course.questions            # write what is stale
    python -m course.questions --check    # exit 1 and name what is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from course import paths
from course.questions import seal
from course.questions.question import Question
from course.questions.source import FOLDER, QuestionSet, QuestionSourceError, load, stems

if TYPE_CHECKING:
    from nbformat import NotebookNode

PLACEHOLDER = re.compile(r"^#\s*question:\s*([A-Za-z_]\w*)\s*$")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
MD_REGION = re.compile(r"<!-- BEGIN SOLUTION -->.*?<!-- END SOLUTION -->\n?", re.S)
ANSWER_KEY = "instructors/answer-key.md"
KEYS = "keys"


class GenerateError(ValueError):
    """A notebook that does not fit its question file; the message says how to fix it."""


def _marker(cell: NotebookNode) -> tuple[str, str] | None:
    """(question id, role) of a generated cell, or (id, "placeholder") of a ``# question:`` cell."""
    meta = cell.metadata.get("course")
    if isinstance(meta, dict) and "question" in meta:
        return meta["question"], meta.get("role", "check")
    if cell.cell_type == "code":
        found = PLACEHOLDER.match(cell.source.strip())
        if found:
            return found.group(1), "placeholder"
    return None


def _code(source: str, qid: str, role: str, hidden: bool) -> NotebookNode:
    import nbformat

    meta: dict = {"course": {"question": qid, "role": role}, "tags": [role]}
    if hidden:
        meta["jupyter"] = {"source_hidden": True}
    cell = nbformat.v4.new_code_cell(source, metadata=meta)
    cell.id = f"q-{qid}-{role}"[:64]
    return cell


def _markdown(source: str, qid: str, role: str) -> NotebookNode:
    import nbformat

    cell = nbformat.v4.new_markdown_cell(source, metadata={"course": {"question": qid, "role": role}})
    cell.id = f"q-{qid}-{role}"[:64]
    return cell


def _keep(old: NotebookNode, new: NotebookNode) -> NotebookNode:
    """The new cell, keeping the old one's outputs when its source did not change."""
    if old.cell_type == "code" and new.cell_type == "code" and old.source == new.source:
        new.outputs = old.outputs
        new.execution_count = old.execution_count
    return new


def self_check_source(question: Question, stem: str) -> str:
    blob = seal.pack(question.learner_spec(reveal=True))
    return (
        f"# Self-check, generated from {FOLDER}/{stem}.toml by `make questions`: edit it there, not here.\n"
        "from course.questions import unseal\n"
        f"{question.name} = unseal({blob!r})\n"
        f"{question.name}"
    )


def keys_source(qset: QuestionSet) -> str:
    blob = seal.pack({"stem": qset.stem, "questions": [q.learner_spec(reveal=False) for q in qset.exercises]})
    return (
        f"# Self-checks, generated from {FOLDER}/{qset.stem}.toml by `make questions`: edit them there, not here.\n"
        "from course.questions import load_checks\n"
        f"check = load_checks({qset.stem!r}, {blob!r})"
    )


def _markdown_text(text: str) -> str:
    """Text for a markdown cell: a dollar sign is money, not the start of a formula."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


#: A tick box or a radio circle in front of an option in the plain-text view ("[ ] 1. …", "( ) 1. …").
_CONTROL = re.compile(r"^(?:\[ \]|\( \))\s+")
_NUMBERED = re.compile(r"^\d+\.\s")
HEADING = re.compile(r"^(#{1,6})\s")


def options_markdown(question: Question) -> list[str]:
    """What the learner chooses from, as markdown lines: the numbered options or items as an
    ordered list, then any other line (the labels of a classification) as its own paragraph.

    Plain numbered text, never a task list (``- [ ]``): JupyterLab renders one as a disabled,
    unlabelled checkbox that a screen reader announces with no text, for an option nobody can
    tick. Placeholders such as "[number, in words]" are dropped (the answer form says it)."""
    lines = [_CONTROL.sub("", line.strip()) for line in question.choices_text()]
    numbered = [line for line in lines if _NUMBERED.match(line)]
    other = [line for line in lines if not _NUMBERED.match(line) and not line.startswith("[")]
    out = [*numbered, ""] if numbered else []
    for line in other:
        out += [line, ""]
    return out


def prompt_source(question: Question, number: int, level: int = 2) -> str:
    """The prompt of an exercise question; its heading is at ``level`` (one below the section
    it sits in, so the notebook's headings skip no level)."""
    points = f"{question.points:g} point{'' if question.points == 1 else 's'}"
    lines = [f"{'#' * level} Question {number} · `{question.name}` ({points})", "", question.prompt, ""]
    lines += options_markdown(question)
    if question.rubric:
        lines += ["Marked by an instructor with this rubric:", ""]
        lines += [f"- {c['criterion']} ({float(c['points']):g} pt)" for c in question.rubric] + [""]
    lines.append(f"**Answer with** {question.answer_form()}. Then run the check below it.")
    return _markdown_text("\n".join(lines))


def heading_levels(markdown: str) -> list[int]:
    """The levels of the ATX headings (``# …`` to ``###### …``) of a markdown text, outside
    fenced code."""
    levels, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        found = None if fenced else HEADING.match(line)
        if found:
            levels.append(len(found.group(1)))
    return levels


def _place(qid: str, questions: dict, placed: list[str], where: str, lacks: str) -> None:
    """Refuse a cell for a question the file lacks, or a question placed twice."""
    if qid not in questions:
        raise GenerateError(f"{where}: a cell asks for question {qid!r}, which {lacks}.")
    if qid in placed:
        raise GenerateError(f"{where}: question {qid!r} is placed twice.")


def update_lesson(nb: NotebookNode, qset: QuestionSet, where: str) -> NotebookNode:
    """Fill every self-check cell of a lesson from the question file."""
    checks = {q.name: q for q in qset.checks}
    placed: list[str] = []
    for n, cell in enumerate(nb.cells):
        mark = _marker(cell)
        if mark is None:
            continue
        qid, _ = mark
        _place(qid, checks, placed, where, f"{qset.path.name} has no [[check]] for")
        placed.append(qid)
        nb.cells[n] = _keep(cell, _code(self_check_source(checks[qid], qset.stem), qid, "check", hidden=True))
    missing = [qid for qid in checks if qid not in placed]
    if missing:
        raise GenerateError(f"{where}: no cell for {missing}; add a code cell '# question: ID' where each belongs.")
    return nb


def _assigned(source: str, qid: str) -> bool:
    return re.search(rf"^\s*{re.escape(qid)}\s*=", source, re.M) is not None


def _exercise_cells(question: Question, number: int, level: int, rest: list, where: str) -> tuple[list, int]:
    """The prompt, the author's answer cell (the first of ``rest``) and the check cell of one
    exercise question; and how many cells of ``rest`` they replace (the answer, an old check)."""
    qid = question.name
    answer = rest[0] if rest else None
    if answer is None or answer.cell_type != "code" or BEGIN not in answer.source or not _assigned(answer.source, qid):
        raise GenerateError(
            f"{where}: question {qid!r} needs, right after its '# question:' cell, a code cell that assigns "
            f"{qid} between '{BEGIN}' and '{END}'."
        )
    old_check = rest[1] if len(rest) > 1 and _marker(rest[1]) == (qid, "check") else None
    new_check = _code(f"check({qid!r}, {qid})", qid, "check", hidden=False)
    cells = [
        _markdown(prompt_source(question, number, level), qid, "prompt"),
        answer,
        _keep(old_check, new_check) if old_check is not None else new_check,
    ]
    return cells, 1 if old_check is None else 2


def update_solution(nb: NotebookNode, qset: QuestionSet, where: str) -> NotebookNode:
    """Fill the keys cell, each question's prompt and its check cell in a solution notebook."""
    exercises = {q.name: q for q in qset.exercises}
    cells: list = []
    placed: list[str] = []
    source = list(nb.cells)
    section = 1  # the level of the last heading above, so that a question's heading sits one below it
    n = 0
    while n < len(source):
        cell = source[n]
        mark = _marker(cell)
        n += 1
        if mark is None:
            if cell.cell_type == "markdown":
                section = (heading_levels(cell.source) or [section])[-1]
            cells.append(cell)
            continue
        qid, role = mark
        if qid == KEYS:
            cells.append(_keep(cell, _code(keys_source(qset), KEYS, KEYS, hidden=True)))
            continue
        if role == "check":
            continue  # written again after its answer cell
        _place(qid, exercises, placed, where, f"{qset.path.name} has no [[exercise]] for")
        placed.append(qid)
        written, used = _exercise_cells(exercises[qid], len(placed), min(section + 1, 6), source[n:], where)
        cells += written
        n += used
    missing = [qid for qid in exercises if qid not in placed]
    if missing:
        raise GenerateError(f"{where}: no cell for {missing}; add a code cell '# question: ID' where each belongs.")
    if exercises and not any(_marker(c) == (KEYS, KEYS) for c in cells):
        raise GenerateError(f"{where}: add a code cell '# question: {KEYS}' after the imports (it loads the checks).")
    nb.cells = cells
    return nb


def _blank_regions(source: str, ids: list[str], where: str) -> str:
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if region is not None:
                raise GenerateError(f"{where}: '{BEGIN}' inside another solution region.")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if region is None:
                raise GenerateError(f"{where}: '{END}' without '{BEGIN}'.")
            text = "\n".join(region)
            out.append(f"{indent}# YOUR CODE HERE")
            out += [f"{indent}{qid} = ..." for qid in ids if _assigned(text, qid)]
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise GenerateError(f"{where}: '{BEGIN}' without '{END}'.")
    return "\n".join(out)


def exercise_from(solution: NotebookNode, qset: QuestionSet, where: str) -> NotebookNode:
    """The learner's copy of a solution notebook: regions blanked, every output removed."""
    import copy

    nb = copy.deepcopy(solution)
    ids = [q.name for q in qset.exercises]
    for cell in nb.cells:
        if cell.cell_type == "code":
            if BEGIN in cell.source:
                cell.source = _blank_regions(cell.source, ids, where)
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = MD_REGION.sub("", cell.source)
    return nb


def answer_key(sets: list[QuestionSet]) -> str:
    """A plain answer key and the rubrics, for teaching assistants."""
    lines = [
        "# Answer key and rubrics",
        "",
        f"Generated from `{FOLDER}/*.toml` by `make questions`: edit the question files, not this page.",
        "For instructors and teaching assistants; students answer in `exercises/`.",
        "",
    ]
    for qset in sets:
        if not qset.exercises:
            continue
        lines += [f"## {qset.stem} ({qset.max_points:g} points)", "", skill_balance(qset), ""]
        for number, q in enumerate(qset.exercises, 1):
            points = f"{q.points:g} pt" + (", apply" if q.skill == "apply" else "")
            lines += [f"### {number}. `{q.name}` — {q.kind}, {points}", "", q.prompt, ""]
            if q.rubric:
                lines += ["| criterion | points |", "|---|---|"]
                lines += [f"| {c['criterion']} | {float(c['points']):g} |" for c in q.rubric]
                lines += ["", f"**Model answer:** {q.answer_text() or '(none given)'}", ""]
            else:
                lines += [f"**Answer:** {q.answer_text()}", "", f"**Why:** {q.explanation}", ""]
            if q.evidence_ids:
                lines += [f"**Evidence:** {', '.join(q.evidence_ids)}", ""]
    return "\n".join(lines).rstrip() + "\n"


def skill_balance(qset: QuestionSet) -> str:
    """One line for the answer key: how many checks and exercise questions ask the learner to
    apply the lesson's method to a new case, rather than recall what the lesson showed."""
    def count(questions: list[Question]) -> str:
        return f"{sum(q.skill == 'apply' for q in questions)} of {len(questions)}"
    return (f"**Apply, not recall:** {count(qset.checks)} self-checks and {count(qset.exercises)} "
            "exercise questions apply the lesson's method to a case it did not work through.")


def lesson_path(stem: str) -> Path | None:
    for folder in (paths.NOTEBOOKS, paths.ROOT / "instructors"):
        if (folder / f"{stem}.ipynb").exists():
            return folder / f"{stem}.ipynb"
    return None


def _read(path: Path) -> NotebookNode:
    """A notebook to fill, or a ``GenerateError`` saying why it cannot be read. (Read here,
    not with the authoring tools' reader: the question package imports nothing above it.)"""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except (OSError, ValueError, KeyError) as error:  # bad JSON, an unknown nbformat version
        raise GenerateError(f"{path}: not a readable notebook ({type(error).__name__}: {error})") from None


def _text(nb: NotebookNode) -> str:
    import nbformat

    return nbformat.writes(nb) + "\n"


def planned() -> dict[Path, str]:
    """Every generated file as it should be, by path."""
    files: dict[Path, str] = {}
    sets = [load(stem) for stem in stems()]
    for qset in sets:
        lesson = lesson_path(qset.stem)
        if qset.checks:
            if lesson is None:
                raise GenerateError(
                    f"{qset.path.name} has [[check]] questions but there is no notebooks/{qset.stem}.ipynb."
                )
            files[lesson] = _text(update_lesson(_read(lesson), qset, str(lesson.relative_to(paths.ROOT))))
        solution = paths.SOLUTIONS / f"{qset.stem}.ipynb"
        if qset.exercises:
            if not solution.exists():
                raise GenerateError(
                    f"{qset.path.name} has [[exercise]] questions but there is no solutions/{qset.stem}.ipynb."
                )
            where = f"solutions/{qset.stem}.ipynb"
            nb = update_solution(_read(solution), qset, where)
            files[solution] = _text(nb)
            files[paths.EXERCISES / solution.name] = _text(exercise_from(nb, qset, where))
    files[paths.ROOT / ANSWER_KEY] = answer_key(sets)
    return files


def stale() -> list[Path]:
    """Generated files that differ from what the question files say they should be."""
    return [p for p, text in planned().items() if not p.exists() or p.read_text(encoding="utf-8") != text]


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.questions", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    args = parser.parse_args(argv)
    try:
        plan = planned()
    except (GenerateError, QuestionSourceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    changed = [p for p, text in plan.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    for path in changed:
        shown = path.relative_to(paths.ROOT)
        if args.check:
            print(f"stale: {shown} (run `make questions`)")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(plan[path], encoding="utf-8")
            print(f"wrote {shown}")
    if not changed:
        print(f"{len(plan)} generated files are up to date")
    return 1 if (args.check and changed) else 0
