"""A number question: right within a tolerance, partly right when only the unit slipped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from course.questions import answers
from course.questions.feedback import InvalidAnswer
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts


#: Factors by which a number is off when the student slipped a unit (thousand, million, per cent).
UNIT_SLIPS: tuple[float, ...] = (1e3, 1e-3, 1e6, 1e-6, 1e2, 1e-2)


class NumberQuestion(Question):
    """A number, right within ``tolerance``, in ``unit``. A value off by a factor of 1,000,
    a million or 100 counts as partly right: the digits are right, the unit is not."""

    kind = "number"
    fields = frozenset({"answer", "tolerance", "unit"})

    def _settle(self, *, tolerance: float, unit: str = "") -> None:
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
            raise ValueError(f"Question {self.name!r} needs a positive tolerance, not {tolerance!r}.")
        self.tolerance = float(tolerance)
        self.unit = unit

    def _set_solution(self, answer: float) -> str:
        self.solution = answers.parse_number(answer)
        return answers.hash_number(self.solution, self.tolerance, self.salt)

    def _set_hashes(self, answer_hash: str) -> None:
        self.answer_hash = answer_hash

    def _within(self, value: float) -> bool:
        """Within the tolerance on the grid of the stored hash, for a plain question as for its
        learner copy: the grader and the self-check accept the same numbers."""
        return answers.number_matches(value, self.tolerance, self.salt, self.answer_hash)

    def _canonical(self, value: float) -> str:
        """The grid point of the stored answer (see ``course.questions.answers``): the same
        for a plain question and its learner copy, whatever right value the student typed."""
        if self.solution is not None:
            return str(answers.grid_index(self.solution, self.tolerance))
        return str(answers.matching_grid_index(value, self.tolerance, self.salt, self.answer_hash))

    def parse(self, value: Any) -> float:
        try:
            return answers.parse_number(value, self.unit)
        except ValueError as problem:
            raise InvalidAnswer(str(problem)) from None

    def _judge(self, value: float) -> tuple[str, str, tuple]:
        shown = f"{value:g}{' ' + self.unit if self.unit else ''}"
        if self._within(value):
            return "correct", f"{shown} is right (within ±{self.tolerance:g}).", ()
        for factor in UNIT_SLIPS:
            if self._within(value * factor):
                return (
                    "partial",
                    f"{shown} has the right digits but the wrong size: check the unit ({self.unit or 'as asked'}).",
                    (),
                )
        return "incorrect", f"{shown} is not within ±{self.tolerance:g} of the answer.", ()

    def answer_text(self) -> str:
        return f"{self.solution:g}{' ' + self.unit if self.unit else ''} (±{self.tolerance:g})"

    def answer_form(self) -> str:
        unit = f" in {self.unit}" if self.unit else ""
        return f"a number{unit}, computed in code: `{self.name} = ...` (accepted within ±{self.tolerance:g})"

    def choices_text(self) -> list[str]:
        return [f"  [number{', in ' + self.unit if self.unit else ''}]"]

    def _fields(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance, "unit": self.unit}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": self.answer_hash}

    def controls(self) -> Parts:
        from course.questions.accessible import TextBox

        unit = f" ({self.unit})" if self.unit else ""
        box = TextBox(description=f"Answer{unit}:", placeholder="a number, e.g. 12.5", tooltip=f"Type a number{unit}")
        return {"answer": box}, [box], lambda: box.value
