"""A single-choice question: one right option, and half-truths that earn half the points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from course.questions import answers
from course.questions.choices import known, options_in_order, pick, text_list
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts


class SingleChoice(Question):
    """One right option; options listed in ``partly`` are half-truths (status partial)."""

    kind = "single choice"
    fields = frozenset({"options", "answer", "partly"})

    def _settle(self, *, options: Sequence[str], partly: Sequence[str] = (), partly_hash: Sequence[str] = ()) -> None:
        self.options = text_list(options, "options", self.name)
        self.partly = [known(self.options, option, self.name, "options") for option in partly]
        self.partly_hash = tuple(partly_hash)

    def _set_solution(self, answer: str) -> str:
        self.solution = known(self.options, answer, self.name, "options")
        self.partly_hash = tuple(self._hash(option, "partly") for option in self.partly)
        return self._hash(self.solution)

    def _set_hashes(self, answer_hash: str) -> None:
        if sum(self._hash(o) == answer_hash for o in self.options) != 1:
            raise ValueError(f"answer_hash of {self.name!r} matches none of the options: wrong salt or options?")
        self.answer_hash = answer_hash

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        return options_in_order(arguments, seed, shuffle)

    def _hash(self, option: str, role: str = "choice") -> str:
        return answers.hash_answer(option, self.salt, role)

    def parse(self, value: Any) -> str:
        return pick(self.options, value, "one of the options")

    def _judge(self, value: str) -> tuple[str, str, tuple]:
        if self._hash(value) == self.answer_hash:
            return "correct", f"“{value}” is right.", ()
        if self._hash(value, "partly") in self.partly_hash:
            return "partial", f"“{value}” is only part of the story.", ()
        return "incorrect", f"“{value}” is not the answer.", ()

    def answer_text(self) -> str:
        return self.solution

    def answer_form(self) -> str:
        return f"the text of one option, or its number: `{self.name} = 2`"

    def choices_text(self) -> list[str]:
        return [f"  ( ) {n}. {option}" for n, option in enumerate(self.options, 1)]

    def _fraction(self, status: str, marks: tuple, parsed: Any) -> float:
        return {"correct": 1.0, "partial": 0.5}.get(status, 0.0)

    def _fields(self) -> dict[str, Any]:
        return {"options": list(self.options)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": self.answer_hash, "partly_hash": list(self.partly_hash)}

    def controls(self) -> Parts:
        from course.questions.accessible import RadioGroup

        radios = RadioGroup(options=list(self.options), description="Choose one answer:")
        return {"answer": radios}, [radios], lambda: radios.value
