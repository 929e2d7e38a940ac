"""Judging, in the grader's own process: plain data from a run against the question source.

No student code runs here. A run hands over JSON (str, numbers, booleans, None, lists, dicts);
each value is judged with ``question.check`` and ``question.score`` of the question source.
What a student's code did that deserves a human look — redefining the self-check, hooking into
how IPython runs cells, defining its own comparison, killing its kernel, reaching for the
network or for files outside its folder, handing over an object instead of data — is flagged
``review``: scored as usual, but listed for the instructor rather than passed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: (pattern, what it means) for the static review of a submission's code cells.
REVIEW_PATTERNS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p, re.M), why) for p, why in (
    (r"input_transformers|ast_transformers|events\.register|register_magic|set_custom_exc|\.run_cell\b",
     "changes how IPython runs cells"),
    (r"^\s*def\s+check\s*\(|^\s*check\s*=[^=]|\bglobals\(\)\s*\[\s*['\"]check['\"]",
     "redefines the self-check `check`"),
    (r"def\s+__(eq|ne|hash|lt|le|gt|ge|bool|float|index|str|repr)__\b",
     "defines its own comparison or conversion methods"),
    (r"\bos\._exit\b|\bos\.kill\b|\bos\.abort\b|\bsys\.exit\b|\bsignal\.|\bos\.fork\b",
     "ends its kernel or signals processes"),
    (r"\bctypes\b|gc\.get_objects|sys\._getframe|__subclasses__|\bsys\.modules\b|__builtins__|\bimport\s+builtins\b|\bsys\.settrace\b",
     "reaches into the interpreter"),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.popen\b|\bsocket\b|\burllib\b|\brequests\b|http\.client|^\s*!",
     "runs programs or uses the network"),
    (r"solutions/|questions/|\.\./|/work/|/root\b|/home/|/etc/|/proc/|\.git/", "touches files outside its own folder"),
))

PLACEHOLDER = {"__placeholder__": "..."}


@dataclass
class QuestionResult:
    id: str
    kind: str
    points: float
    max_points: float
    status: str          # correct, partial, incorrect, invalid, unanswered, rejected, to mark, marked
    reason: str
    hint: str = ""
    explanation: str = ""
    answer: Any = None


@dataclass
class ExerciseResult:
    status: str
    points: float
    max_points: float
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)


def review_reasons(cells: list[str]) -> list[str]:
    """What in the code deserves a human look (one line per kind, with the first cell)."""
    found: dict[str, int] = {}
    for number, source in enumerate(cells, 1):
        for pattern, why in REVIEW_PATTERNS:
            if why not in found and pattern.search(source):
                found[why] = number
    return [f"code cell {number} {why}" for why, number in found.items()]


def _num(x: float) -> float:
    return round(float(x), 4)


def judge(questions: list, run: dict, cells: list[str], marks: dict[str, float] | None = None,
          cell_notes: list[dict] | None = None) -> ExerciseResult:
    """Judge one run of one submission against ``questions`` (the exercise's plain questions).
    ``marks`` maps a written question's id to the points an instructor gave it, or to
    ``(points so far, every criterion marked?, "k of n")``. A submission whose written answers
    are not fully marked yet is ``to mark``: its points are not final."""
    marks = marks or {}
    answers = run.get("answers") or {}
    rejected = run.get("rejected") or {}
    results: list[QuestionResult] = []
    review = review_reasons(cells)
    for note in cell_notes or []:
        if note.get("role") == "keys":
            review.append("the generated cell that loads the self-checks was changed")
    notes: list[str] = []
    for q in questions:
        maximum = float(q.points)
        if q.id in rejected:
            why = rejected[q.id]
            results.append(QuestionResult(q.id, q.kind, 0.0, maximum, "rejected",
                                          f"not plain data ({why.get('type')}): give a number, text, list or dict"))
            if why.get("review"):
                review.append(f"{q.id} holds an object of the student's own class ({why.get('type')}), not data")
            continue
        if q.id not in answers or answers[q.id] in (None, PLACEHOLDER):
            status = "unanswered"
            reason = "not answered (the variable is missing)" if q.id not in answers else "not answered yet"
            results.append(QuestionResult(q.id, q.kind, 0.0, maximum, status, reason, getattr(q, "hint", "")))
            continue
        value = answers[q.id]
        if q.kind == "written":
            text = value if isinstance(value, str) else ""
            if not text.strip():
                results.append(QuestionResult(q.id, q.kind, 0.0, maximum, "invalid" if value else "unanswered",
                                              "a written answer is text (a string)", answer=value))
                continue
            mark = marks.get(q.id)
            if isinstance(mark, (int, float)):
                mark = (mark, True, "")
            given, complete, criteria = mark or (None, False, "")
            if given is not None and complete:
                got = max(0.0, min(maximum, float(given)))
                results.append(QuestionResult(q.id, q.kind, _num(got), maximum, "marked",
                                              "marked by an instructor with the rubric", answer=text))
            elif given is not None:
                got = max(0.0, min(maximum, float(given)))
                results.append(QuestionResult(q.id, q.kind, _num(got), maximum, "to mark",
                                              f"partly marked so far ({criteria} rubric criteria)", answer=text))
            else:
                results.append(QuestionResult(q.id, q.kind, 0.0, maximum, "to mark",
                                              "waiting for an instructor's marks", answer=text))
            continue
        try:
            feedback = q.check(value)
            points = float(q.score(value))
        except Exception as error:  # a question must never stop the gradebook
            results.append(QuestionResult(q.id, q.kind, 0.0, maximum, "invalid",
                                          f"could not be judged ({type(error).__name__}: {error})", answer=value))
            continue
        points = max(0.0, min(maximum, points))
        results.append(QuestionResult(q.id, q.kind, _num(points), maximum, feedback.status, feedback.message,
                                      getattr(feedback, "hint", "") or "", getattr(feedback, "explanation", "") or "",
                                      value))
    if "*" in rejected:
        review.append("the answers could not be read from its namespace")
    ended = run.get("ended", "completed")
    if ended != "completed":
        cell = run.get("cell")
        where = f" in code cell {cell + 1}" if isinstance(cell, int) else ""
        notes.append(f"run stopped{where}: {ended}; answers from the cells before are kept")
    for error in (run.get("errors") or [])[:5]:
        notes.append(f"code cell {error['cell'] + 1} raised {error['error']}")
    if len(run.get("errors") or []) > 5:
        notes.append(f"and {len(run['errors']) - 5} more cells raised errors")
    if run.get("output_truncated"):
        notes.append("its output was cut at the size limit")
    if results and all(r.status == "unanswered" for r in results) and ended == "completed" and not run.get("errors"):
        notes.append("no question answered (is this the unanswered copy of the exercise?)")
    pending = [r.id for r in results if r.status == "to mark"]
    if pending:
        notes.append(f"written answers to mark: {', '.join(pending)}")
    if review:
        status = "review"
    elif ended != "completed":
        status = "partly graded"
    elif pending:
        status = "to mark"  # the automatic part is done; the points are not final until marked
    else:
        status = "graded"
    total = _num(sum(r.points for r in results))
    return ExerciseResult(status, total, _num(sum(r.max_points for r in results)), notes, review, results)
