"""The question kinds: one module each, listed once in ``KINDS``.

A kind is one file plus one line: a ``Question`` subclass in a module of this package (its
judging, its answer form, its widget controls and its TOML ``fields``), and its class in
``KINDS`` below. The question source, the learner copies and the exports of ``course`` and
``course.questions`` all read this list; nothing registers a kind by being imported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from course.questions.kinds.classification import Classification
from course.questions.kinds.evidence_finder import EvidenceFinder
from course.questions.kinds.matching import Matching
from course.questions.kinds.multiple_choice import MultipleChoice
from course.questions.kinds.number import NumberQuestion
from course.questions.kinds.ordering import Ordering
from course.questions.kinds.single_choice import SingleChoice
from course.questions.kinds.written import Written
from course.questions.question import Question

#: Every kind, in the order the guide lists them.
KINDS: list[type[Question]] = [
    SingleChoice,
    MultipleChoice,
    NumberQuestion,
    Ordering,
    Matching,
    Classification,
    EvidenceFinder,
    Written,
]


def by_name() -> dict[str, type[Question]]:
    """Each kind of ``KINDS`` by its name in ``questions/*.toml`` (``"single choice"`` …)."""
    return {cls.kind: cls for cls in KINDS}


def named(kind: Any) -> type[Question]:
    """The kind called ``kind``, or a ``ValueError`` listing the kinds there are."""
    kinds = by_name()
    if not isinstance(kind, str) or kind not in kinds:
        raise ValueError(f"Unknown question kind {kind!r}; the kinds are: {', '.join(sorted(kinds))}.")
    return kinds[kind]


def from_spec(spec: Mapping[str, Any]) -> Question:
    """Rebuild a question from its ``learner_spec`` (or any constructor arguments with ``kind``)."""
    arguments = dict(spec)
    return named(arguments.pop("kind", None))(**arguments)
