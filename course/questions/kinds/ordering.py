"""An ordering question (a timeline): each place is hashed and marked on its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from course.questions import answers
from course.questions.choices import item_by_item, known, ordinal, pick, shuffled, text_list
from course.questions.feedback import InvalidAnswer
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts


class Ordering(Question):
    """Put items in order (a timeline). ``items`` is the order shown (default: alphabetical,
    never the answer); each position is hashed on its own, so feedback marks each place."""

    kind = "ordering"
    fields = frozenset({"answer"})

    def _settle(self, *, items: Sequence[str] | None = None) -> None:
        self._shown = items

    def _set_solution(self, answer: Sequence[str]) -> list[str]:
        order = text_list(answer, "items", self.name)
        self.items = text_list(self._shown if self._shown is not None else sorted(order), "items", self.name)
        if {answers.normalise(i) for i in self.items} != {answers.normalise(i) for i in order}:
            raise ValueError(f"Question {self.name!r}: items and answer must hold the same items.")
        self.solution = [known(self.items, i, self.name, "items") for i in order]
        return [self._hash(item, n) for n, item in enumerate(self.solution, 1)]

    def _set_hashes(self, answer_hash: Sequence[str]) -> None:
        if self.solution is None:
            if self._shown is None:
                raise ValueError(f"Question {self.name!r} needs answer= or items= with answer_hash= (and salt=).")
            self.items = text_list(self._shown, "items", self.name)
        self.answer_hash = tuple(answer_hash)
        if len(self.answer_hash) != len(self.items) or any(
            all(self._hash(i, n) != h for i in self.items) for n, h in enumerate(self.answer_hash, 1)
        ):
            raise ValueError(f"answer_hash of {self.name!r} does not fit its items: wrong salt or items?")

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        """Items shown in a stable shuffled order that is never the answer's (nor the alphabet's)."""
        order = list(arguments.get("answer") or [])
        arguments["items"] = shuffled(order, seed, avoid=[order, sorted(order)])
        return arguments

    def _hash(self, item: str, position: int) -> str:
        return answers.hash_answer(item, self.salt, f"position {position}")

    def parse(self, value: Any) -> list[str]:
        if value is None or isinstance(value, str) or not isinstance(value, Sequence):
            raise InvalidAnswer(
                f"Expected a list of all {len(self.items)} items (their texts or their numbers as listed), "
                f"first one first; got {type(value).__name__}."
            )
        empty = [ordinal(n) for n, v in enumerate(value, 1) if v is None or not str(v).strip()]
        if empty:
            raise InvalidAnswer(f"The ordering is incomplete: choose an item for the {', '.join(empty)} place.")
        picked = [pick(self.items, v, "one of the items") for v in value]
        doubled = sorted({p for p in picked if picked.count(p) > 1})
        if doubled:
            raise InvalidAnswer(f"Each item goes in one place only; used twice: {'; '.join(doubled)}.")
        if len(picked) != len(self.items):
            missing = [i for i in self.items if i not in picked]
            raise InvalidAnswer(f"The ordering is incomplete; not placed yet: {'; '.join(missing)}.")
        return picked

    def _judge(self, value: list[str]) -> tuple[str, str, tuple]:
        marks = tuple(
            (f"{ordinal(n)}: {item}", self._hash(item, n) == h)
            for n, (item, h) in enumerate(zip(value, self.answer_hash, strict=False), 1)
        )
        return item_by_item(marks, "every item is in its place.", "in the right place")

    def answer_text(self) -> str:
        return " → ".join(self.solution)

    def answer_form(self) -> str:
        example = ", ".join(str(n) for n in range(len(self.items), 0, -1))
        return (
            f"a list of all {len(self.items)} items, first (earliest) first, as texts or numbers: "
            f"`{self.name} = [{example}]`"
        )

    def choices_text(self) -> list[str]:
        return [f"  {n}. {item}" for n, item in enumerate(self.items, 1)]

    def _fields(self) -> dict[str, Any]:
        return {"items": list(self.items)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash)}

    def controls(self) -> Parts:
        import ipywidgets as w

        from course.questions.widgets import labelled_rows

        places = [f"{ordinal(n)} place{' (earliest)' if n == 1 else ''}" for n in range(1, len(self.items) + 1)]
        dropdowns, rows = labelled_rows(places, self.items, lambda n, text: f"{text}:")
        intro = w.HTML("<p>Choose an item for each place, first (earliest) at the top.</p>")
        return dict(zip(places, dropdowns, strict=False)), [intro, *rows], lambda: [d.value for d in dropdowns]
