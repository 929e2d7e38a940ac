"""A multiple-choice question: tick every right option; partial credit for right ticks less
wrong ones."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from course.questions import answers
from course.questions.choices import known, options_in_order, pick, text_list
from course.questions.feedback import InvalidAnswer
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts


class MultipleChoice(Question):
    """Tick every right option. Each option's membership is hashed on its own, so a student
    copy can still say how many ticks are right (partial)."""

    kind = "multiple choice"
    fields = frozenset({"options", "answer"})

    def _settle(self, *, options: Sequence[str]) -> None:
        self.options = text_list(options, "options", self.name)

    def _set_solution(self, answer: Collection[str]) -> list[str]:
        ticked = [answer] if isinstance(answer, str) else answer
        chosen = {known(self.options, option, self.name, "options") for option in ticked}
        if not chosen:
            raise ValueError(f"Question {self.name!r}: at least one option must be right.")
        self.solution = [o for o in self.options if o in chosen]
        return [self._hash(o, o in chosen) for o in self.options]

    def _set_hashes(self, answer_hash: Sequence[str]) -> None:
        self.answer_hash = tuple(answer_hash)
        if len(self.answer_hash) != len(self.options) or not all(
            h in (self._hash(o, True), self._hash(o, False))
            for o, h in zip(self.options, self.answer_hash, strict=False)
        ):
            raise ValueError(f"answer_hash of {self.name!r} does not fit its options: wrong salt or options?")
        self._right = {o for o, h in zip(self.options, self.answer_hash, strict=False) if h == self._hash(o, True)}

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        return options_in_order(arguments, seed, shuffle)

    def _hash(self, option: str, ticked: bool) -> str:
        return answers.hash_answer("ticked" if ticked else "not ticked", self.salt, option)

    def parse(self, value: Any) -> list[str]:
        if value is None or value is Ellipsis or isinstance(value, (str, int)) or not isinstance(value, Collection):
            value = [] if value is None or value is Ellipsis or value == "" else [value]
        if isinstance(value, Mapping):
            raise InvalidAnswer("Expected a list of the options you tick, e.g. [1, 3], not a dict.")
        if not value:
            raise InvalidAnswer("Nothing ticked yet: tick every option you think is right.")
        ticked = {pick(self.options, option, "from the options") for option in value}
        return [o for o in self.options if o in ticked]

    def _judge(self, value: list[str]) -> tuple[str, str, tuple]:
        hits = sum(o in self._right for o in value)
        wrong = len(value) - hits
        missed = len(self._right) - hits
        if not wrong and not missed:
            return "correct", "you ticked exactly the right options.", ()
        status = "partial" if hits else "incorrect"
        message = f"{hits} of your {len(value)} ticks {'is' if hits == 1 else 'are'} right"
        message += f"; {missed} right {'option is' if missed == 1 else 'options are'} not ticked." if missed else "."
        return status, message, ()

    def answer_text(self) -> str:
        return "; ".join(self.solution)

    def answer_form(self) -> str:
        return f"a list of every option you choose, as texts or numbers: `{self.name} = [1, 3]`"

    def choices_text(self) -> list[str]:
        return [f"  [ ] {n}. {option}" for n, option in enumerate(self.options, 1)]

    def _fraction(self, status: str, marks: tuple, parsed: list[str]) -> float:
        """Right ticks less wrong ticks, as a share of the right options (never below 0)."""
        if status == "correct":
            return 1.0
        hits = sum(o in self._right for o in parsed)
        return max(0.0, (hits - (len(parsed) - hits)) / len(self._right))

    def _fields(self) -> dict[str, Any]:
        return {"options": list(self.options)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash)}

    def controls(self) -> Parts:
        import ipywidgets as w

        boxes = [
            w.Checkbox(
                value=False, description=option, indent=False, tooltip="Tick if right", layout=w.Layout(width="auto")
            )
            for option in self.options
        ]
        intro = w.HTML("<p>Tick every option that is right:</p>")
        return (
            dict(zip(self.options, boxes, strict=False)),
            [intro, *boxes],
            lambda: [b.description for b in boxes if b.value],
        )
