"""The question source: ``questions/<stem>.toml``, one file per lesson stem, read into plain
(answer-holding) questions. Authors, the generator, tests and the grader all read it here.

A file holds ``[[check]]`` entries (the lesson's self-checks) and ``[[exercise]]`` entries (the
graded questions of ``solutions/<stem>.ipynb``); CONTRIBUTING.md lists the fields, and each
kind (``course.questions.kinds``) lists its own in ``fields``. Options and items are shown in a
stable order shuffled by the question's id (``shuffle = false`` keeps the written order); a kind
turns its entry into constructor arguments in ``from_source``. A mistake in a file is a
``QuestionSourceError`` naming the file and the id.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import paths
from course.questions import kinds
from course.questions.answers import default_salt
from course.questions.question import Question, QuestionSourceError

FOLDER = "questions"
SECTIONS = ("check", "exercise")
#: The fields every kind takes; each kind lists its own besides these in ``fields``.
SHARED = {"id", "kind", "prompt", "hint", "explanation", "evidence", "points", "reveal_after", "shuffle", "skill"}
#: What a question asks of the learner: to recall what the lesson showed, or to apply its method
#: to a statement or number the lesson did not work through (``skill = "apply"``).
SKILLS = ("recall", "apply")


@dataclass
class QuestionSet:
    """The questions of one stem: ``checks`` for the lesson, ``exercises`` for the exercise."""

    stem: str
    path: Path
    checks: list[Question] = field(default_factory=list)
    exercises: list[Question] = field(default_factory=list)

    def find(self, question_id: str) -> Question:
        for question in [*self.checks, *self.exercises]:
            if question.name == question_id:
                return question
        raise KeyError(f"{self.path.name} has no question {question_id!r}.")

    @property
    def max_points(self) -> float:
        return sum(q.points for q in self.exercises)


def folder() -> Path:
    return paths.ROOT / FOLDER


def stems() -> list[str]:
    """Every stem with a question file, sorted."""
    return sorted(p.stem for p in folder().glob("*.toml"))


def exercise_stems() -> list[str]:
    """The stems whose question file has graded exercise questions."""
    return [stem for stem in stems() if load(stem).exercises]


def load(stem: str) -> QuestionSet:
    """Read and build every question of ``questions/<stem>.toml``."""
    path = folder() / f"{stem}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QuestionSourceError(f"No question file {path}.") from None
    return parse(text, stem, path)


def parse(text: str, stem: str, path: Path | None = None) -> QuestionSet:
    """Build every question of a question file's TOML ``text`` (``path``, by default
    ``questions/<stem>.toml``, names it in messages)."""
    path = path or folder() / f"{stem}.toml"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise QuestionSourceError(f"{path.name} is not valid TOML: {error}") from None
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise QuestionSourceError(f"{path.name}: unknown sections {sorted(unknown)}; use [[check]] or [[exercise]].")
    result = QuestionSet(stem, path)
    seen: set[str] = set()
    for section in SECTIONS:
        for entry in data.get(section, []):
            question = build(entry, stem, section, path.name)
            if question.name in seen:
                raise QuestionSourceError(f"{path.name}: the id {question.name!r} is used twice.")
            seen.add(question.name)
            (result.checks if section == "check" else result.exercises).append(question)
    return result


def build(entry: Mapping[str, Any], stem: str, section: str, where: str = "") -> Question:
    """One plain question from one TOML entry."""
    label = f"{where or stem}, [[{section}]] {entry.get('id', '(no id)')!r}"
    known = kinds.by_name()
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in known:
        raise QuestionSourceError(f"{label}: kind must be one of {sorted(known)}, not {kind!r}.")
    cls = known[kind]
    unknown = set(entry) - SHARED - cls.fields
    if unknown:
        raise QuestionSourceError(f"{label}: fields not used by a {kind} question: {sorted(unknown)}.")
    for required in ("id", "prompt", *cls.required):
        if not entry.get(required):
            raise QuestionSourceError(f"{label}: needs {required!r}.")
    skill = entry.get("skill", "recall")
    if skill not in SKILLS:
        raise QuestionSourceError(f"{label}: skill must be one of {list(SKILLS)}, not {skill!r}.")
    qid = entry["id"]
    arguments = {k: v for k, v in entry.items() if k not in {"id", "kind", "shuffle", "skill"}}
    arguments["name"] = qid
    arguments["salt"] = default_salt(f"{stem}:{qid}")
    if section == "exercise":
        arguments["reveal_after"] = None
    else:
        arguments.pop("points", None)
    try:
        question = cls(**cls.from_source(arguments, f"{stem}:{qid}", entry.get("shuffle", True), label))
    except QuestionSourceError:
        raise
    except (TypeError, ValueError) as error:
        raise QuestionSourceError(f"{label}: {error}") from None
    question.skill = skill
    return question
