"""A matching question: each item to one of the choices; each pair is marked on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from course.questions import answers
from course.questions.choices import item_by_item, known, pick, shorten, shuffled, text_list
from course.questions.feedback import InvalidAnswer
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts


class Matching(Question):
    """Match each item to one of ``choices`` (claim to source, company to product); a choice
    may serve several items. Each pair is hashed on its own, so feedback marks each item."""

    kind = "matching"
    fields = frozenset({"choices", "answer"})
    _choices_word = "choices"

    def _settle(self, *, choices: Sequence[str], items: Sequence[str] | None = None) -> None:
        self.choices = text_list(choices, self._choices_word, self.name)
        self._shown = items

    def _set_solution(self, answer: Mapping[str, str]) -> list[str]:
        if not isinstance(answer, Mapping):
            raise ValueError(f"Question {self.name!r}: the answer maps each item to its choice (a dict).")
        self.items = text_list(self._shown if self._shown is not None else list(answer), "items", self.name)
        if {answers.normalise(i) for i in self.items} != {answers.normalise(i) for i in answer}:
            raise ValueError(f"Question {self.name!r}: items and answer must hold the same items.")
        chosen = {
            known(self.items, i, self.name, "items"): known(self.choices, c, self.name, self._choices_word)
            for i, c in answer.items()
        }
        self.solution = {item: chosen[item] for item in self.items}
        return [self._hash(item, self.solution[item]) for item in self.items]

    def _set_hashes(self, answer_hash: Sequence[str]) -> None:
        if self.solution is None:
            if self._shown is None:
                raise ValueError(f"Question {self.name!r} needs answer= or items= with answer_hash= (and salt=).")
            self.items = text_list(self._shown, "items", self.name)
        if len(answer_hash) != len(self.items):
            raise ValueError(f"answer_hash of {self.name!r} needs one hash per item, in the order of items.")
        self.answer_hash = dict(zip(self.items, answer_hash, strict=False))
        if any(all(self._hash(i, c) != h for c in self.choices) for i, h in self.answer_hash.items()):
            raise ValueError(f"answer_hash of {self.name!r} does not fit its choices: wrong salt or choices?")

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        """Items in a stable shuffled order that is not the answer's, unless ``shuffle = false``."""
        items = list(arguments.get("answer") or {})
        arguments["items"] = shuffled(items, seed, avoid=[items]) if shuffle else items
        return arguments

    def _hash(self, item: str, choice: str) -> str:
        return answers.hash_answer(choice, self.salt, item)

    def parse(self, value: Any) -> dict[str, str]:
        """A dict item → choice, keyed by the item's text or its number as listed (1 for the
        first); or a list of choices, one per item in the order listed."""
        if isinstance(value, Sequence) and not isinstance(value, str):
            if len(value) != len(self.items):
                raise InvalidAnswer(
                    f"A list needs one {self._choices_word[:-1]} per item: {len(self.items)}, not {len(value)}."
                )
            value = dict(enumerate(value, 1))
        if not isinstance(value, Mapping):
            raise InvalidAnswer(
                f"Expected a dict: each item (its text or its number) → one of the {self._choices_word}; "
                f"got {type(value).__name__}."
            )
        chosen: dict[str, Any] = {}
        for key, choice in value.items():
            try:
                item = pick(self.items, key, "one of the items")
            except InvalidAnswer:
                raise InvalidAnswer(f"Not one of the items: {key!r}.") from None
            chosen[item] = choice
        empty = [f"{n} ({shorten(i)})" for n, i in enumerate(self.items, 1) if chosen.get(i) in (None, "", Ellipsis)]
        if empty:
            raise InvalidAnswer(f"Not finished: choose for every item; still open: {', '.join(empty)}.")
        return {i: pick(self.choices, chosen[i], f"one of the {self._choices_word}") for i in self.items}

    def _judge(self, value: dict[str, str]) -> tuple[str, str, tuple]:
        marks = tuple(
            (f"{item} → {choice}", self._hash(item, choice) == self.answer_hash[item]) for item, choice in value.items()
        )
        return item_by_item(marks, "every item is matched correctly.", "matched correctly")

    def answer_text(self) -> str:
        return "; ".join(f"{item} → {choice}" for item, choice in self.solution.items())

    def answer_form(self) -> str:
        first = self.choices[0]
        return (
            f"a dict from each item's number to one of the {self._choices_word}: "
            f"`{self.name} = {{1: {first!r}, 2: ...}}`"
        )

    def choices_text(self) -> list[str]:
        return [f"  {n}. {item} → ?" for n, item in enumerate(self.items, 1)] + [
            f"  {self._choices_word}: {', '.join(self.choices)}"
        ]

    def _fields(self) -> dict[str, Any]:
        return {"choices": list(self.choices), "items": list(self.items)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash.values())}

    def controls(self) -> Parts:
        from course.questions.widgets import labelled_rows

        dropdowns, rows = labelled_rows(self.items, self.choices, lambda n, text: f"{n}. {shorten(text)}:")
        return (
            dict(zip(self.items, dropdowns, strict=False)),
            rows,
            lambda: {item: d.value for item, d in zip(self.items, dropdowns, strict=False)},
        )
