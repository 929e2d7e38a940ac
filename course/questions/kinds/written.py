"""A short written answer that cites claim ids, marked by an instructor with a rubric.

The self-check cannot judge an argument, so it does what a careful friend would: counts the
words, finds every claim id the answer cites, says which exist, and shows their quotes so the
writer can see whether each supports what they wrote. The grade comes from the rubric.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from course.questions.feedback import Feedback, InvalidAnswer
from course.questions.question import Question, lookup_quote

if TYPE_CHECKING:
    from course.questions.widgets import Parts

CITED = re.compile(r"\bC\d{3}\b")


def cited_claims(text: str) -> list[str]:
    """The claim ids a text cites, in order of first mention."""
    return list(dict.fromkeys(CITED.findall(text)))


class Written(Question):
    """A written answer: ``rubric`` lists criteria with points; ``model_answer`` is for the
    instructor and never goes into a learner's copy."""

    kind = "written"
    fields = frozenset({"rubric", "model_answer", "min_words", "max_words"})
    required = ("rubric",)

    def _settle(
        self,
        *,
        rubric: Sequence[Mapping[str, Any]],
        min_words: int = 0,
        max_words: int | None = None,
        model_answer: str = "",
    ) -> None:
        self.rubric = [dict(criterion) for criterion in rubric]
        if not self.rubric or any(
            not str(c.get("criterion", "")).strip() or float(c.get("points", -1)) < 0 for c in self.rubric
        ):
            raise ValueError(f"Question {self.name!r} needs a rubric: a list of {{criterion, points}}.")
        self.min_words = min_words
        self.max_words = max_words
        self._model_answer = model_answer

    def _default_points(self) -> float:
        """The rubric's points added up."""
        return sum(float(c["points"]) for c in self.rubric)

    def _set_key(self, answer: Any, answer_hash: Any) -> None:
        """No key to hash: the instructor marks by the rubric, whose points must be the question's."""
        if answer is not None or answer_hash is not None:
            raise ValueError(f"Question {self.name!r} is written: it has a rubric and a model_answer, not an answer.")
        total = self._default_points()
        if abs(total - self.points) > 1e-9:
            raise ValueError(f"Question {self.name!r}: the rubric's points add up to {total:g}, not {self.points:g}.")
        self.solution = self._model_answer or None

    @property
    def hashed(self) -> bool:
        return not self.solution

    @property
    def model_answer(self) -> str:
        """The model answer for the instructor (empty in a learner's copy)."""
        return self.solution or ""

    def parse(self, value: Any) -> str:
        if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
            raise InvalidAnswer("Nothing written yet: write your answer as a string between triple quotes.")
        if not isinstance(value, str):
            raise InvalidAnswer(f"Expected your answer as text (a string in quotes), not {type(value).__name__}.")
        return value.strip()

    def words(self, text: str) -> int:
        return len(re.findall(r"\w+(?:[’'-]\w+)*", CITED.sub("", text)))

    def _judge(self, value: str) -> tuple[str, str, tuple]:
        """Checks what can be checked (length, citations that exist); the rest is the rubric's."""
        from course.evidence import claim_sources

        known = claim_sources()
        cited = cited_claims(value)
        marks = tuple(
            (f"{c}: {'a claim of ' + known[c] if c in known else 'no such claim'}", c in known) for c in cited
        )
        count = self.words(value)
        notes = [f"{count} words"]
        if count < self.min_words:
            notes.append(f"at least {self.min_words} are asked for")
        if self.max_words and count > self.max_words:
            notes.append(f"at most {self.max_words} are asked for")
        notes.append(f"cites {len(cited)} claim{'' if len(cited) == 1 else 's'}" if cited else "cites no claim id yet")
        return "received", "; ".join(notes) + ".", marks

    def check(self, value: Any) -> Feedback:
        """What can be checked at once, the cited quotes, and the rubric an instructor marks by."""
        verdict, text = self._assess(value)
        if verdict.status != "received":
            return self._remember(verdict)
        self.value = text
        status, message, marks = verdict.status, verdict.message, verdict.marks
        quotes = tuple(lookup_quote(c) for c, (_, ok) in zip(cited_claims(text), marks, strict=False) if ok)
        rubric = " ".join(f"({n}) {c['criterion']} [{float(c['points']):g} pt]" for n, c in enumerate(self.rubric, 1))
        explanation = (
            f"An instructor marks this answer by the rubric: {rubric} "
            "Read each quote below: does it say what your sentence says it does?"
        )
        return self._remember(Feedback(status, message, explanation, quotes, marks=marks))

    def score(self, value: Any) -> float:
        """A written answer earns its points from the instructor's marks, never automatically."""
        return 0.0

    def answer_text(self) -> str:
        return self.solution or ""

    def answer_form(self) -> str:
        length = f" of {self.min_words}–{self.max_words} words" if self.max_words else ""
        return f'your text{length} as a string, citing claim ids such as C012: `{self.name} = """..."""`'

    def choices_text(self) -> list[str]:
        length = f"{self.min_words}–{self.max_words} words" if self.max_words else "a short answer"
        return [f"  [{length}, citing claim ids such as C012]"]

    def _fields(self) -> dict[str, Any]:
        return {"rubric": self.rubric, "min_words": self.min_words, "max_words": self.max_words}

    def _key(self) -> dict[str, Any]:
        return {}

    def learner_spec(self, reveal: bool) -> dict[str, Any]:
        """A written answer's copy holds no model answer and nothing sealed."""
        return {
            "kind": self.kind,
            "name": self.name,
            "prompt": self.prompt,
            **self._fields(),
            "salt": self.salt,
            "hint": self.hint,
            "reveal_after": None,
            "points": self.points,
        }

    def controls(self) -> Parts:
        import ipywidgets as w

        from course.questions.widgets import WIDE

        box = w.Textarea(
            value="",
            description="Your answer:",
            placeholder="Write here; cite claims by id, e.g. C012.",
            style=WIDE,
            layout=w.Layout(width="100%", height="10em"),
            continuous_update=False,
        )
        return {"answer": box}, [box], lambda: box.value
