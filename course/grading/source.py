"""The question source, as the grader sees it: one import to switch.

The grader relies on exactly this contract of ``course.questions.source`` (CONTRIBUTING.md,
"Questions"):

* ``load(stem) -> QuestionSet`` whose ``.exercises`` are plain (answer-holding) questions with
  ``.id``, ``.kind``, ``.points`` (float), ``.prompt`` and, for ``written``, ``.rubric``
  (a list of ``{criterion, points}``);
* ``question.check(value) -> Feedback`` (``.status`` in correct, partial, incorrect, invalid;
  ``.message``) and ``question.score(value) -> float`` (points earned): pure data in, verdict out;
* ``stems() -> list[str]``: the stems that have exercises.

When the real module is importable it is used. Until it lands on main, a small stand-in below
reads ``questions/NN-slug.toml`` itself and judges with the question kinds of
``course.questions`` (the same classes the self-checks use), so nothing is re-implemented
but the reading of the TOML file. Tests and the benchmark may point it at another folder
(``use_folder``) to grade a fixture exercise.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import paths

try:  # the real question source (issue 8), once it has landed
    from course.questions import source as _real  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on what main holds
    _real = None

#: Where the stand-in reads questions from (None: the repository's questions/).
_FOLDER: Path | None = None


def use_folder(folder: Path | None) -> None:
    """Read question files from ``folder`` (a test fixture) instead of the repository's
    ``questions/``. Only the stand-in honours it; ``None`` restores the default."""
    global _FOLDER
    _FOLDER = Path(folder) if folder else None


def questions_folder() -> Path:
    return _FOLDER or paths.ROOT / "questions"


def real() -> bool:
    """True when the grader uses the lead's ``course.questions.source``."""
    return _real is not None and _FOLDER is None


def load(stem: str):
    if real():
        return _real.load(stem)
    return _load_toml(stem)


def stems() -> list[str]:
    if real():
        return list(_real.stems())
    folder = questions_folder()
    return sorted(p.stem for p in folder.glob("[0-9][0-9]-*.toml") if _exercise_entries(p))


def fingerprint() -> str:
    """A hash of every question file: cached results are re-judged, never re-used, when the
    questions change (judging is cheap; only execution is cached)."""
    folder = questions_folder()
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# -- the stand-in --------------------------------------------------------------------------
def _exercise_entries(path: Path) -> list[dict]:
    with open(path, "rb") as handle:
        return list(tomllib.load(handle).get("exercise", []))


@dataclass
class QuestionSet:
    stem: str
    exercises: list["PlainQuestion"] = field(default_factory=list)


class PlainQuestion:
    """A graded question with its answer, judged through ``course.questions``' kinds."""

    def __init__(self, entry: dict[str, Any]):
        self.entry = entry
        self.id: str = entry["id"]
        self.kind: str = entry["kind"]
        rubric_total = sum(float(r.get("points", 0)) for r in entry.get("rubric", []))
        self.points: float = float(entry.get("points", rubric_total or 1))
        self.prompt: str = entry.get("prompt", "")
        self.hint: str = entry.get("hint", "")
        self.rubric: list[dict] = [dict(r) for r in entry.get("rubric", [])]
        self.model_answer: str = entry.get("model_answer", "")
        self._question = None if self.kind == "written" else _build(entry)

    def check(self, value: Any):
        from course.feedback import Feedback

        if self.kind == "written":
            if not isinstance(value, str) or not value.strip():
                return Feedback("invalid", "Not answered yet: write your answer as a string.")
            words = len(value.split())
            low, high = self.entry.get("min_words"), self.entry.get("max_words")
            if low and words < low:
                return Feedback("partial", f"{words} words; the question asks for at least {low}. Marked by an instructor.")
            if high and words > high:
                return Feedback("partial", f"{words} words; the question asks for at most {high}. Marked by an instructor.")
            return Feedback("partial", f"{words} words, to be marked by an instructor with the rubric.")
        if self.kind == "evidence finder" and isinstance(value, str) and re.fullmatch(r"C\d{3,}", value.strip()):
            accepted = self.entry.get("answer", [])
            accepted = [accepted] if isinstance(accepted, str) else accepted
            if value.strip() in accepted:
                return Feedback("correct", f"{value.strip()} supports the statement.")
            return Feedback("incorrect", f"{value.strip()} does not settle it.", hint=self.hint)
        self._question.tries = 0  # a grader judges one answer; no reveal bookkeeping
        feedback = self._question.check(value)
        # The self-check's "Try again ... show the answer" is for learners, not for a grade.
        return dataclasses.replace(feedback, message=feedback.message.split(" Try again.")[0])

    def score(self, value: Any) -> float:
        if self.kind == "written":
            return 0.0  # marked by an instructor
        feedback = self.check(value)
        if feedback.status == "correct":
            return self.points
        if feedback.status != "partial":
            return 0.0
        marks = feedback.marks
        if marks:
            return round(self.points * sum(ok for _, ok in marks) / len(marks), 4)
        return round(self.points / 2, 4)


def _build(entry: dict[str, Any]):
    from course import questions as kinds

    kind = entry["kind"]
    shared = {"explanation": entry.get("explanation", ""), "evidence": entry.get("evidence", []),
              "hint": entry.get("hint", "")}
    name, prompt, answer = entry["id"], entry["prompt"], entry.get("answer")
    if kind == "single choice":
        return kinds.SingleChoice(name, prompt, entry["options"], answer, partly=entry.get("partly", []), **shared)
    if kind == "multiple choice":
        return kinds.MultipleChoice(name, prompt, entry["options"], answer, **shared)
    if kind == "number":
        return kinds.NumberQuestion(name, prompt, answer, tolerance=entry["tolerance"], unit=entry.get("unit", ""), **shared)
    if kind == "ordering":
        return kinds.Ordering(name, prompt, answer, items=entry.get("items"), **shared)
    if kind == "matching":
        return kinds.Matching(name, prompt, answer, choices=entry["choices"], **shared)
    if kind == "classification":
        extra = {"labels": entry["labels"]} if "labels" in entry else {}
        return kinds.Classification(name, prompt, answer, **extra, **shared)
    if kind == "evidence finder":
        from course.evidence_finder import EvidenceFinder

        return EvidenceFinder(name, prompt, answer, sources=entry.get("sources"), **shared)
    raise ValueError(f"Unknown question kind {kind!r} for {name!r}")


def _load_toml(stem: str) -> QuestionSet:
    path = questions_folder() / f"{stem}.toml"
    if not path.exists():
        raise FileNotFoundError(f"No question file {path}")
    return QuestionSet(stem, [PlainQuestion(e) for e in _exercise_entries(path)])
