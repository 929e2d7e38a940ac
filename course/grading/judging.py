"""Judging, in the grader's own process: plain data from a run against the question source.

No student code runs here. A run hands over each answer as the plain data of
``course.questions.plain`` (JSON, with integer keys, sets, tuples and NaN tagged); each is
decoded and judged by ``question.judge`` of the question source: the very conversion and the
very judge of the learner's self-check ``check("ID", ID)``, so the two give one verdict.
What a student's code did that deserves a human look — redefining the self-check, hooking into
how IPython runs cells, defining its own comparison, killing its kernel, reaching for the
network or for files outside its folder, handing over an object instead of data — is flagged
``review``: scored as usual, but listed for the instructor rather than passed silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from course.questions import plain

if TYPE_CHECKING:
    from course.questions import Question

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

#: What an instructor gave a written answer: its points, or (points so far, every criterion
#: marked?, "k of n") as ``marks.marks_for`` reads them from the marking sheet.
Mark = float | tuple[float, bool, str]


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


def judge(questions: Sequence[Question], run: Mapping[str, Any], cells: list[str],
          marks: Mapping[str, Mark] | None = None, cell_notes: list[dict] | None = None) -> ExerciseResult:
    """Judge one run of one submission against ``questions`` (the exercise's plain questions).
    ``marks`` maps a written question's id to the points an instructor gave it, or to
    ``(points so far, every criterion marked?, "k of n")``. A submission whose written answers
    are not fully marked yet is ``to mark``: its points are not final."""
    answers = run.get("answers") or {}
    rejected = run.get("rejected") or {}
    results = [judge_question(q, answers, rejected, (marks or {}).get(q.id)) for q in questions]
    review = _review(cells, cell_notes or [], questions, rejected)
    notes = _notes(run, results)
    total = _num(sum(r.points for r in results))
    return ExerciseResult(_status(run, review, results), total, _num(sum(r.max_points for r in results)),
                          notes, review, results)


def judge_question(question: Question, answers: Mapping[str, Any], rejected: Mapping[str, dict],
                   mark: Mark | None = None) -> QuestionResult:
    """The result of one question: refused (not data), missing, or the question's own verdict
    on the decoded answer (a written answer then takes the instructor's marks)."""
    qid, kind, maximum = question.id, question.kind, float(question.points)
    if qid in rejected:
        reason = plain.message(str(rejected[qid].get("type")))
        return QuestionResult(qid, kind, 0.0, maximum, "rejected", reason)
    if qid not in answers:
        return QuestionResult(qid, kind, 0.0, maximum, "unanswered", "not answered (the variable is missing)",
                              question.hint)
    try:
        value = plain.decode(answers[qid])
    except (ValueError, RecursionError) as problem:
        return QuestionResult(qid, kind, 0.0, maximum, "rejected", plain.message(str(problem)))
    try:
        verdict = question.judge(value)
    except Exception as error:  # a question must never stop the gradebook
        return QuestionResult(qid, kind, 0.0, maximum, "invalid",
                              f"could not be judged ({type(error).__name__}: {error})", answer=value)
    if verdict.status == "received":
        return _written(question, value, verdict.message, mark)
    return QuestionResult(qid, kind, verdict.points, maximum, verdict.status, verdict.message, verdict.hint,
                          verdict.explanation, value)


def _written(question: Question, text: str, checked: str, mark: Mark | None) -> QuestionResult:
    """A written answer the self-check received: marked, partly marked or waiting for marks."""
    maximum = float(question.points)
    given, complete, criteria = (mark, True, "") if isinstance(mark, (int, float)) else mark or (None, False, "")
    if given is None:
        return QuestionResult(question.id, question.kind, 0.0, maximum, "to mark",
                              f"{checked} Waiting for an instructor's marks.", answer=text)
    got = _num(max(0.0, min(maximum, float(given))))
    if complete:
        return QuestionResult(question.id, question.kind, got, maximum, "marked",
                              "marked by an instructor with the rubric", answer=text)
    return QuestionResult(question.id, question.kind, got, maximum, "to mark",
                          f"partly marked so far ({criteria} rubric criteria)", answer=text)


def _review(cells: list[str], cell_notes: list[dict], questions: Sequence[Question],
            rejected: Mapping[str, dict]) -> list[str]:
    """Why the submission deserves a human look: its code, a changed generated cell, an
    answer of the student's own class, a namespace that could not be read."""
    review = review_reasons(cells)
    if any(note.get("role") == "keys" for note in cell_notes):
        review.append("the generated cell that loads the self-checks was changed")
    for q in questions:
        why = rejected.get(q.id) or {}
        if why.get("review"):
            review.append(f"{q.id} holds an object of the student's own class ({why.get('type')}), not data")
    if "*" in rejected:
        review.append("the answers could not be read from its namespace")
    return review


def _notes(run: Mapping[str, Any], results: list[QuestionResult]) -> list[str]:
    """What the instructor should know about the run: where it stopped, what raised, what is
    still to mark."""
    notes: list[str] = []
    ended = run.get("ended", "completed")
    if ended != "completed":
        cell = run.get("cell")
        where = f" in code cell {cell + 1}" if isinstance(cell, int) else ""
        notes.append(f"run stopped{where}: {ended}; answers from the cells before are kept")
    errors = run.get("errors") or []
    notes += [f"code cell {error['cell'] + 1} raised {error['error']}" for error in errors[:5]]
    if len(errors) > 5:
        notes.append(f"and {len(errors) - 5} more cells raised errors")
    if run.get("output_truncated"):
        notes.append("its output was cut at the size limit")
    if results and all(r.status == "unanswered" for r in results) and ended == "completed" and not errors:
        notes.append("no question answered (is this the unanswered copy of the exercise?)")
    pending = [r.id for r in results if r.status == "to mark"]
    if pending:
        notes.append(f"written answers to mark: {', '.join(pending)}")
    return notes


def _status(run: Mapping[str, Any], review: list[str], results: list[QuestionResult]) -> str:
    """review, partly graded (the run stopped), to mark (written answers unmarked) or graded."""
    if review:
        return "review"
    if run.get("ended", "completed") != "completed":
        return "partly graded"
    if any(r.status == "to mark" for r in results):
        return "to mark"  # the automatic part is done; the points are not final until marked
    return "graded"
