"""The question source, as the grader sees it: one import, ``course.questions.source``.

The grader relies on this much of it (CONTRIBUTING.md, "Questions"): ``exercise_stems()``, the
stems that have graded questions; ``load(stem).exercises``, plain (answer-holding) questions;
and for each question its ``name`` (the student's answer variable), ``kind``, ``points``,
``prompt``, ``hint``, ``rubric`` (written), ``verdict(value) -> (status, message, marks)`` and
``score(value) -> points``: pure data in, verdict out, no student code involved.

:class:`Graded` wraps a question in the few names the grader uses (``id``, ``check``,
``score``), so that the rest of ``course.grading`` reads one small surface.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course.questions import source as _source


def questions_folder() -> Path:
    return _source.folder()


def stems() -> list[str]:
    """The stems with graded exercise questions."""
    return list(_source.exercise_stems())


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str
    hint: str = ""
    explanation: str = ""


class Graded:
    """One graded question, as the grader uses it."""

    def __init__(self, question: Any):
        self.question = question
        self.id: str = question.name
        self.kind: str = question.kind
        self.points: float = float(question.points)
        self.prompt: str = question.prompt
        self.hint: str = getattr(question, "hint", "") or ""
        self.rubric: list[dict] = [dict(c) for c in getattr(question, "rubric", None) or []]
        self.model_answer: str = getattr(question, "model_answer", None) or getattr(question, "solution", "") or ""

    def check(self, value: Any) -> Verdict:
        status, message, _ = self.question.verdict(value)
        right = status == "correct"
        return Verdict(status, message, "" if right else self.hint, self.question.explanation if right else "")

    def score(self, value: Any) -> float:
        return float(self.question.score(value))


@dataclass
class QuestionSet:
    stem: str
    exercises: list[Graded]


def load(stem: str) -> QuestionSet:
    return QuestionSet(stem, [Graded(q) for q in _source.load(stem).exercises])


def fingerprint() -> str:
    """A hash of every question file (for the benchmark's and tests' records)."""
    digest = hashlib.sha256()
    for path in sorted(questions_folder().glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
