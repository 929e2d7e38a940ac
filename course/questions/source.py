"""The question source: ``questions/<stem>.toml``, one file per lesson stem, read into plain
(answer-holding) questions. Authors, the generator, tests and the grader all read it here.

A file holds ``[[check]]`` entries (the lesson's self-checks) and ``[[exercise]]`` entries (the
graded questions of ``solutions/<stem>.ipynb``); CONTRIBUTING.md lists the fields. Options and
items are shown in a stable order shuffled by the question's id (``shuffle = false`` keeps the
written order). A mistake in a file is a ``QuestionSourceError`` naming the file and the id.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import paths
from course.questions.kinds import Question, shuffled

FOLDER = "questions"
SECTIONS = ("check", "exercise")
SHARED = {"id", "kind", "prompt", "hint", "explanation", "evidence", "points", "reveal_after", "shuffle"}
#: The fields each kind takes besides the shared ones.
FIELDS: dict[str, set[str]] = {
    "single choice": {"options", "answer", "partly"},
    "multiple choice": {"options", "answer"},
    "number": {"answer", "tolerance", "unit"},
    "ordering": {"answer"},
    "matching": {"choices", "answer"},
    "classification": {"labels", "answer"},
    "evidence finder": {"answer", "sources"},
    "written": {"rubric", "model_answer", "min_words", "max_words"},
}


class QuestionSourceError(ValueError):
    """A question file that cannot be read or an entry that is not a valid question."""


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
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionSourceError(f"No question file {path}.") from None
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
    import course.questions.finder  # noqa: F401  (registers its kind)
    import course.questions.written  # noqa: F401

    label = f"{where or stem}, [[{section}]] {entry.get('id', '(no id)')!r}"
    kind = entry.get("kind")
    if kind not in FIELDS:
        raise QuestionSourceError(f"{label}: kind must be one of {sorted(FIELDS)}, not {kind!r}.")
    unknown = set(entry) - SHARED - FIELDS[kind] - ({"rubric"} if kind == "written" else set())
    if unknown:
        raise QuestionSourceError(f"{label}: fields not used by a {kind} question: {sorted(unknown)}.")
    for required in ("id", "prompt", "explanation" if kind != "written" else "rubric"):
        if not entry.get(required):
            raise QuestionSourceError(f"{label}: needs {required!r}.")
    arguments = {k: v for k, v in entry.items() if k not in {"id", "kind", "shuffle"}}
    qid = entry["id"]
    arguments["name"] = qid
    arguments["salt"] = _salt(stem, qid)
    if section == "exercise":
        arguments["reveal_after"] = None
    else:
        arguments.pop("points", None)
    _order(kind, arguments, f"{stem}:{qid}", entry.get("shuffle", True))
    try:
        return Question.registry[kind](**arguments)
    except (TypeError, ValueError) as error:
        raise QuestionSourceError(f"{label}: {error}") from None


def _salt(stem: str, qid: str) -> str:
    from course.questions.answers import default_salt

    return default_salt(f"{stem}:{qid}")


def _order(kind: str, arguments: dict[str, Any], seed: str, shuffle: bool) -> None:
    """Set the order in which options or items are shown."""
    answer = arguments.get("answer")
    if kind in ("single choice", "multiple choice") and shuffle:
        arguments["options"] = shuffled(arguments.get("options", []), seed)
    elif kind == "ordering":
        order = list(answer or [])
        arguments["items"] = shuffled(order, seed, avoid=[order, sorted(order)])  # never in the answer's order
    elif kind in ("matching", "classification"):
        items = list(answer or {})
        arguments["items"] = shuffled(items, seed, avoid=[items]) if shuffle else items
