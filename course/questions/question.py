"""What every question kind shares, and how it is judged — the headless API.

``q.check(value)`` returns a :class:`~course.questions.feedback.Feedback`; displaying ``q`` in
a notebook shows it as a widget (``course.questions.widgets``, imported only then). The kinds
themselves live in ``course.questions.kinds``, one module each. Every kind takes either the
plain ``answer`` (solutions, instructors) or ``answer_hash`` + ``salt`` (student copies; see
``course.questions.answers`` for what hashing does and does not hide). A plain question is judged through
the same hashes as its hashed copy (numbers too, on the same grid), so ``q.to_learner()``
behaves the same: the grader judges with the plain question what the learner's copy judged.

Author errors (an unknown claim id, an answer that is not among the options, a hash that
matches nothing) fail when the question is built, never when a student clicks.
"""

from __future__ import annotations

import json
import keyword
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from course.questions import answers, seal
from course.questions.feedback import Feedback, InvalidAnswer

if TYPE_CHECKING:
    from course.questions.widgets import Parts, QuestionWidget
    from course.texts import Quote


class QuestionSourceError(ValueError):
    """A question file that cannot be read or an entry that is not a valid question."""


def lookup_quote(claim_id: str) -> Quote:
    """The quote for a claim id from the evidence base, or a ``ValueError`` naming the id."""
    from course.evidence import quote

    try:
        return quote(claim_id)
    except (KeyError, LookupError) as error:
        raise ValueError(f"Unknown claim id {claim_id!r} in a question's evidence: {error}") from None


class Question:
    """What every kind shares: name, prompt, explanation, evidence, hint, points, tries, reveal.

    A kind is a subclass in a module of its own under ``course/questions/kinds/``, listed once
    in ``course.questions.kinds.KINDS``. It names itself (``kind``, its name in
    ``questions/*.toml``), lists its TOML ``fields``, takes them (``_settle``), keeps its key
    (``_set_solution``, ``_set_hashes``), judges (``parse``, ``_judge``), says how to answer
    (``answer_form``) and builds its widget controls (``controls``). It writes no ``__init__``:
    every kind is built by the one below.
    """

    #: The kind's name in ``questions/*.toml`` and in a learner copy.
    kind: ClassVar[str] = "question"
    #: The TOML fields this kind takes besides the shared ones (``course.questions.source.SHARED``).
    fields: ClassVar[frozenset[str]] = frozenset()
    #: The TOML fields an entry of this kind must fill besides ``id`` and ``prompt``.
    required: ClassVar[tuple[str, ...]] = ("explanation",)
    #: Criteria an instructor marks by (only a written answer has them).
    rubric: Sequence[Mapping[str, Any]] = ()
    #: "recall" or "apply" (``skill`` in the TOML); the answer key shows the balance per lesson.
    skill: str = "recall"

    def __init__(
        self,
        name: str,
        prompt: str,
        answer: Any = None,
        *,
        answer_hash: Any = None,
        explanation: str = "",
        evidence: Sequence[str] = (),
        hint: str = "",
        reveal_after: int | None = 2,
        salt: str | None = None,
        points: float | None = None,
        sealed: Mapping[str, str] | None = None,
        reveal: str | None = None,
        **settings: Any,
    ) -> None:
        """Every kind is built the same way: the shared fields here, the kind's own
        ``settings`` (its TOML ``fields``: options, tolerance, items …) by ``_settle``, then
        the key: the plain ``answer`` by ``_set_solution``, or a learner copy's
        ``answer_hash`` (with ``salt``), each checked by ``_set_hashes``."""
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"A question's name must be a Python variable name, not {name!r}.")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError(f"Question {name!r} needs a prompt (the question in words).")
        if isinstance(evidence, str):
            evidence = (evidence,)
        if reveal_after is not None and (not isinstance(reveal_after, int) or reveal_after < 0):
            raise ValueError(f"reveal_after is a number of tries (0 or more) or None (never), not {reveal_after!r}.")
        self.name = name
        self.prompt = prompt
        self.hint = hint
        self.reveal_after = reveal_after
        self.salt = salt or answers.default_salt(name)
        self.solution: Any = None
        self._settle(**settings)
        points = self._default_points() if points is None else points
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ValueError(f"Question {name!r}: points must be a number of 0 or more, not {points!r}.")
        self.points = float(points)
        self.sealed: dict[str, str] = dict(sealed or {})
        self.sealed_reveal = reveal
        self._set_evidence(explanation, evidence)
        self.tries = 0
        self.value: Any = None
        self.feedback: Feedback | None = None
        self._widget: QuestionWidget | None = None
        self._set_key(answer, answer_hash)

    def _set_evidence(self, explanation: str, evidence: Sequence[str]) -> None:
        self.explanation = explanation
        self.evidence_ids: tuple[str, ...] = tuple(evidence)
        self.evidence: tuple[Quote, ...] = tuple(lookup_quote(claim_id) for claim_id in self.evidence_ids)

    # -- what subclasses provide -------------------------------------------------------
    def _settle(self, *args: Any, **settings: Any) -> None:
        """Take the kind's own fields (keyword arguments named as in its TOML ``fields``) and
        check them; a kind with none of its own keeps this, which refuses any."""
        if args or settings:
            raise TypeError(f"A {self.kind} question takes no field {', '.join(map(repr, settings)) or repr(args)}.")

    def _default_points(self) -> float:
        """The points when the TOML gives none (a written answer's come from its rubric)."""
        return 1.0

    def _set_key(self, answer: Any, answer_hash: Any) -> None:
        """The plain answer, hashed, or a learner copy's hashes; either way checked to fit."""
        if answer is not None:
            answer_hash = self._set_solution(answer)
        elif answer_hash is None:
            raise ValueError(f"Question {self.name!r} needs answer= or answer_hash= (with salt=).")
        self._set_hashes(answer_hash)

    def _set_solution(self, answer: Any) -> Any:
        """Check the plain ``answer`` against the kind's fields, keep it as ``solution`` and
        return its hashes (in the form ``answer_hash`` takes)."""
        raise NotImplementedError

    def _set_hashes(self, answer_hash: Any) -> None:
        """Keep the hashes, failing now (not when a student clicks) if they fit nothing:
        a wrong salt, or options changed since the copy was made."""
        raise NotImplementedError

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        """Constructor arguments from a TOML entry's fields: where a kind shows options or
        items, their order (stable, drawn from ``seed`` unless ``shuffle`` is false). ``where``
        names the entry in a ``QuestionSourceError``."""
        return arguments

    def controls(self) -> Parts:
        """The widget controls: (controls by name, widgets to show, read the value). Imports
        ipywidgets, so call it only to display the question."""
        raise TypeError(f"No widget for the question kind {self.kind!r}: give it a controls() method.")

    def parse(self, value: Any) -> Any:
        """The student's value in the form ``_judge`` takes; raises InvalidAnswer with a
        message for the student."""
        raise NotImplementedError

    def _judge(self, value: Any) -> tuple[str, str, tuple[tuple[str, bool], ...]]:
        """(status, message, marks) for a parsed value."""
        raise NotImplementedError

    def _canonical(self, value: Any) -> str:
        """A right answer in one canonical form: what the sealed explanation is locked with."""
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def answer_text(self) -> str:
        """The plain answer in words, for the reveal."""
        raise NotImplementedError

    def choices_text(self) -> list[str]:
        """Lines describing what the student can choose from (for the text/plain view)."""
        return []

    def _fields(self) -> dict[str, Any]:
        """Constructor arguments of this kind besides the shared ones and the answer."""
        return {}

    def answer_form(self) -> str:
        """How to give the answer in code, for an exercise's prompt (markdown)."""
        raise NotImplementedError

    def _key(self) -> dict[str, Any]:
        """The hashed form of the answer: constructor arguments for a learner copy."""
        raise NotImplementedError

    def _right_answers(self) -> list[Any]:
        """Every parsed value that counts as right (one, except for the evidence finder)."""
        return [self.solution]

    def _fraction(self, status: str, marks: tuple[tuple[str, bool], ...], parsed: Any) -> float:
        """The share of the points a verdict earns: all when right; for kinds judged item by
        item, the share of items right; nothing otherwise."""
        if status == "correct":
            return 1.0
        if status == "partial" and marks:
            return sum(ok for _, ok in marks) / len(marks)
        return 0.0

    # -- the headless API ----------------------------------------------------------------
    @property
    def hashed(self) -> bool:
        """True for a learner copy: the answer itself is not stored."""
        return self.solution is None

    @property
    def answer(self) -> Any:
        """What the student answered last; same as ``value``."""
        return self.value

    @property
    def can_reveal(self) -> bool:
        return self.reveal_after is not None and self.tries >= self.reveal_after

    @property
    def id(self) -> str:
        """The question's id in its TOML file: the name of the answer variable."""
        return self.name

    def judge(self, value: Any) -> Feedback:
        """The verdict on one answer, remembering nothing: status, message, per-item marks and
        the points it earns; the hint when not right, the explanation and evidence when right.
        The grader judges with this, and ``check`` is this plus the learner's tries."""
        return self._assess(value)[0]

    def _assess(self, value: Any) -> tuple[Feedback, Any]:
        """(verdict, parsed value): ``...`` is not answered yet; a value that cannot be judged
        (NaN, the wrong type, an unknown option) is invalid with a message for the learner."""
        if value is Ellipsis:
            return Feedback("unanswered", f"`{self.name}` is still `...`: put your answer there, run that cell, "
                                          "then the check."), None
        try:
            if isinstance(value, float) and not math.isfinite(value):
                raise InvalidAnswer(answers.not_finite(value))
            parsed = self.parse(value)
        except InvalidAnswer as problem:
            return Feedback("invalid", str(problem)), None
        status, message, marks = self._judge(parsed)
        points = round(self.points * self._fraction(status, marks, parsed), 6)
        if status == "correct":
            self._open(parsed)
            return Feedback(status, message, self.explanation, self.evidence, marks=marks, points=points), parsed
        return Feedback(status, message, hint=self.hint, marks=marks, points=points), parsed

    def score(self, value: Any) -> float:
        """Points earned by ``value`` (partial credit where the kind marks items)."""
        return self.judge(value).points

    def check(self, value: Any) -> Feedback:
        """Judge ``value`` and count the try. Bad input gets status ``invalid`` and a message,
        never an exception, and does not count as a try (nor does ``...``)."""
        feedback, parsed = self._assess(value)
        if feedback.status in ("invalid", "unanswered"):
            return self._remember(replace(feedback, tries=self.tries, can_reveal=self.can_reveal))
        self.value = parsed
        self.tries += 1
        if feedback.correct:
            return self._remember(replace(feedback, tries=self.tries, can_reveal=True))
        if self.reveal_after is None:
            later = ""
        elif self.reveal_after - self.tries > 0:
            left = self.reveal_after - self.tries
            later = f" You can show the answer after {left} more {'try' if left == 1 else 'tries'}."
        else:
            later = " Or show the answer."
        return self._remember(
            replace(feedback, tries=self.tries, can_reveal=self.can_reveal, next_step="Try again." + later)
        )

    def _open(self, parsed: Any) -> None:
        """In a learner copy, unlock the explanation and evidence with the right answer."""
        if not self.hashed or not self.sealed:
            return
        for cipher in self.sealed.values():
            try:
                content = seal.open_seal(cipher, seal.lock_key(self.salt, self._canonical(parsed)))
            except seal.WrongKey:
                continue
            self._set_evidence(content["explanation"], content["evidence"])
            return

    def reveal(self) -> Feedback:
        """The answer, the explanation and the evidence, once the student has tried
        ``reveal_after`` times. Graded exercises never reveal."""
        if self.reveal_after is None:
            message = "In a graded exercise the answer is not shown: it comes back with your grade."
            return self._remember(Feedback("invalid", message, tries=self.tries))
        if not self.can_reveal:
            left = self.reveal_after - self.tries
            message = f"Try {left} more {'time' if left == 1 else 'times'} before the answer can be shown."
            return self._remember(Feedback("invalid", message, tries=self.tries))
        if self.hashed:
            if not self.sealed_reveal:
                return self._remember(Feedback("invalid", "This copy cannot show the answer.", tries=self.tries))
            content = seal.open_seal(self.sealed_reveal, seal.reveal_key(self.salt))
            self._set_evidence(content["explanation"], content["evidence"])
            answer = content["answer"]
        else:
            answer = self.answer_text()
        return self._remember(
            Feedback(
                "revealed",
                "Here is the answer and why.",
                self.explanation,
                self.evidence,
                tries=self.tries,
                can_reveal=True,
                answer=answer,
            )
        )

    def _remember(self, feedback: Feedback) -> Feedback:
        self.feedback = feedback
        return feedback

    # -- learner copies ------------------------------------------------------------------
    def learner_spec(self, reveal: bool) -> dict[str, Any]:
        """Constructor arguments (JSON-friendly) of a learner copy: the answer as salted
        hashes, the explanation and evidence sealed by the right answer, and — when
        ``reveal`` (lessons) — the reveal sealed by the salt."""
        if self.hashed:
            raise ValueError(f"Question {self.name!r} is already a learner copy: build it from the plain source.")
        content = {"explanation": self.explanation, "evidence": list(self.evidence_ids)}
        sealed = {
            str(n): seal.seal(content, seal.lock_key(self.salt, self._canonical(right)))
            for n, right in enumerate(self._right_answers())
        }
        spec: dict[str, Any] = {
            "kind": self.kind,
            "name": self.name,
            "prompt": self.prompt,
            **self._fields(),
            **self._key(),
            "salt": self.salt,
            "hint": self.hint,
            "reveal_after": self.reveal_after if reveal else None,
            "points": self.points,
            "sealed": sealed,
        }
        if reveal:
            spec["reveal"] = seal.seal({**content, "answer": self.answer_text()}, seal.reveal_key(self.salt))
        return spec

    def to_learner(self, reveal: bool = True) -> Question:
        """The same question as a learner's notebook holds it."""
        spec = self.learner_spec(reveal)
        del spec["kind"]
        return type(self)(**spec)

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [f"{self.kind} {self.name!r}: {self.prompt}", *self.choices_text()]
        return "\n".join(lines)

    def widget(self) -> QuestionWidget:
        """The interactive view (built once; displaying the question shows it)."""
        if self._widget is None:
            from course.questions.widgets import build

            self._widget = build(self)
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.widget()._repr_mimebundle_(include, exclude)
