"""The question source: ``questions/<stem>.toml``, one file per lesson stem, read into plain
(answer-holding) questions. Authors, the generator, tests and the grader all read it here.

A file holds ``[[check]]`` entries (the lesson's self-checks) and ``[[exercise]]`` entries (the
graded questions of ``solutions/<stem>.ipynb``); CONTRIBUTING.md lists the fields. Options and
items are shown in a stable order shuffled by the question's id (``shuffle = false`` keeps the
written order). A mistake in a file is a ``QuestionSourceError`` naming the file and the id.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import paths
from course.evidence import KINDS
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
    if kind == "classification":
        arguments["answer"] = keys_from_claims(arguments.get("answer"), arguments.get("labels", KINDS), label)
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


#: The answer value that asks for a claim's kind to be read from data/claims.csv.
FROM_CLAIMS = "from claims.csv"


ClaimKinds = tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]


def keys_from_claims(answer: Any, labels: Sequence[str], label: str = "", kinds: ClaimKinds | None = None) -> Any:
    """A classification key that asks for claims' kinds, filled from data/claims.csv.

    When the labels are the four kinds, an item that is a claim id or the exact quote of a
    claim is keyed with that claim's ``kind``: written ``"from claims.csv"``, the key is read
    from the data when the questions are generated, so re-kinding a claim re-keys every
    question that asks for it. A hand-typed kind that disagrees with claims.csv is refused, so
    a key can never keep a kind the data has dropped. Items that are not a claim's words
    (a paraphrase, a joined sentence) keep their typed key. ``kinds`` (by id, by quote) is
    read from the data unless given."""
    if not isinstance(answer, Mapping) or sorted(labels) != sorted(KINDS):
        if isinstance(answer, Mapping) and FROM_CLAIMS in answer.values():
            raise QuestionSourceError(f"{label}: '{FROM_CLAIMS}' gives a claim's kind, so the labels must be {KINDS}.")
        return answer
    by_id, by_quote = _claim_kinds() if kinds is None else kinds
    keyed = {}
    for item, value in answer.items():
        known = by_id.get(item) or by_quote.get(item)
        if known is None:
            if value == FROM_CLAIMS:
                raise QuestionSourceError(
                    f"{label}: item {item[:60]!r} is neither a claim id nor the exact quote of a claim, so its "
                    f"kind cannot come {FROM_CLAIMS}; copy the quote exactly, or type the key."
                )
            keyed[item] = value
            continue
        claim_id, claim_kind = known
        if value not in (FROM_CLAIMS, claim_kind):
            raise QuestionSourceError(
                f"{label}: item {item[:60]!r} is keyed {value!r}, but claims.csv gives {claim_id} the kind "
                f'{claim_kind!r}; write "{FROM_CLAIMS}" so the key follows the data.'
            )
        keyed[item] = claim_kind
    return keyed


def _claim_kinds() -> ClaimKinds:
    """Each claim's (id, kind), by id and by quote, read from data/claims.csv."""
    import csv

    with (paths.DATA / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {row["claim_id"]: (row["claim_id"], row["kind"]) for row in rows}
    by_quote = {row["quote"]: (row["claim_id"], row["kind"]) for row in rows}
    return by_id, by_quote


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
