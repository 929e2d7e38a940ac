"""What a learner's notebook calls: ``unseal`` for a lesson's self-check, ``load_checks`` for an
exercise's ``check("ID", ID)``. Both take the packed strings that ``make questions`` writes."""

from __future__ import annotations

from typing import Any

from course.questions import plain, seal
from course.questions.feedback import Feedback
from course.questions.kinds import from_spec
from course.questions.question import Question


def unseal(blob: str) -> Question:
    """A self-check from its packed learner copy (displaying it shows the widget)."""
    return from_spec(seal.unpack(blob))


class Checks:
    """The sealed self-checks of one exercise notebook. ``check("ID", value)`` judges a value
    at once: right (with why and the quotes), wrong (with a hint), partly right, not answered
    yet (``...``), or not the type expected (saying what is). It judges the value as the grader
    will (``course.questions.plain``), so its verdict and points are the grader's."""

    def __init__(self, stem: str, questions: list[Question]) -> None:
        self.stem = stem
        self.questions = {q.name: q for q in questions}

    def __call__(self, question_id: str, value: Any = Ellipsis) -> Feedback:
        question = self.questions.get(question_id) if isinstance(question_id, str) else None
        if question is None:
            known = ", ".join(self.questions)
            return Feedback(
                "invalid", f"There is no question {question_id!r} in this exercise; the questions are: {known}."
            )
        try:  # judge what the grader will judge: the value as plain data, through JSON
            value = plain.round_trip(value)
        except plain.NotPlain as problem:
            return Feedback("invalid", plain.message(str(problem)))
        return question.check(value)

    def __repr__(self) -> str:
        return f"The self-checks of {self.stem}: {', '.join(self.questions)}"


def load_checks(stem: str, blob: str) -> Checks:
    """The ``check`` function of an exercise notebook, from its packed learner copies."""
    data = seal.unpack(blob)
    return Checks(stem, [from_spec(spec) for spec in data["questions"]])
