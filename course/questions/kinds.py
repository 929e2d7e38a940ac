"""Self-check questions and how they are judged — the headless API.

``q.check(value)`` returns a :class:`~course.feedback.Feedback`; displaying ``q`` in a notebook
shows it as a widget (``course.widgets``, imported only then). Every kind takes either the
plain ``answer`` (solutions, instructors) or ``answer_hash`` + ``salt`` (student copies; see
``course.answers`` for what hashing does and does not hide). A plain question is judged through
the same hashes as its hashed copy (numbers too, on the same grid), so ``q.to_learner()``
behaves the same: the grader judges with the plain question what the learner's copy judged.

Author errors (an unknown claim id, an answer that is not among the options, a hash that
matches nothing) fail when the question is built, never when a student clicks.
"""

from __future__ import annotations

import json
import keyword
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from course.evidence import KINDS
from course.questions import answers, seal
from course.questions.feedback import Feedback

if TYPE_CHECKING:
    from course.questions.widgets import QuestionWidget
    from course.texts import Quote


class InvalidAnswer(ValueError):
    """An answer that cannot be judged (empty, not a number, incomplete); the message is for
    the student."""


def lookup_quote(claim_id: str) -> Quote:
    """The quote for a claim id from the evidence base, or a ``ValueError`` naming the id."""
    from course.evidence import quote

    try:
        return quote(claim_id)
    except (KeyError, LookupError) as error:
        raise ValueError(f"Unknown claim id {claim_id!r} in a question's evidence: {error}") from None


class Question:
    """What every kind shares: name, prompt, explanation, evidence, hint, points, tries, reveal.

    A kind is a subclass with a class attribute ``kind`` (its name in ``questions/*.toml``); it
    registers itself in ``Question.registry``, so the question source, the learner copies and
    the widget builder find it by that name without a list to keep in step.
    """

    kind: ClassVar[str] = "question"
    registry: ClassVar[dict[str, type[Question]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            Question.registry[cls.kind] = cls

    def __init__(
        self,
        name: str,
        prompt: str,
        *,
        explanation: str = "",
        evidence: Sequence[str] = (),
        hint: str = "",
        reveal_after: int | None = 2,
        salt: str | None = None,
        points: float = 1,
        sealed: Mapping[str, str] | None = None,
        reveal: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"A question's name must be a Python variable name, not {name!r}.")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError(f"Question {name!r} needs a prompt (the question in words).")
        if isinstance(evidence, str):
            evidence = (evidence,)
        if reveal_after is not None and (not isinstance(reveal_after, int) or reveal_after < 0):
            raise ValueError(f"reveal_after is a number of tries (0 or more) or None (never), not {reveal_after!r}.")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ValueError(f"Question {name!r}: points must be a number of 0 or more, not {points!r}.")
        self.name = name
        self.prompt = prompt
        self.hint = hint
        self.reveal_after = reveal_after
        self.points = float(points)
        self.salt = salt or answers.default_salt(name)
        self.sealed: dict[str, str] = dict(sealed or {})
        self.sealed_reveal = reveal
        self._set_evidence(explanation, evidence)
        self.solution: Any = None
        self.tries = 0
        self.value: Any = None
        self.feedback: Feedback | None = None
        self._widget: QuestionWidget | None = None

    def _set_evidence(self, explanation: str, evidence: Sequence[str]) -> None:
        self.explanation = explanation
        self.evidence_ids: tuple[str, ...] = tuple(evidence)
        self.evidence: tuple[Quote, ...] = tuple(lookup_quote(claim_id) for claim_id in self.evidence_ids)

    # -- what subclasses provide -------------------------------------------------------
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

    def _answer_text(self) -> str:
        """The plain answer in words, for the reveal."""
        raise NotImplementedError

    def _choices_text(self) -> list[str]:
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
            answer = self._answer_text()
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
            spec["reveal"] = seal.seal({**content, "answer": self._answer_text()}, seal.reveal_key(self.salt))
        return spec

    def to_learner(self, reveal: bool = True) -> Question:
        """The same question as a learner's notebook holds it."""
        return from_spec(self.learner_spec(reveal))

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [f"{self.kind} {self.name!r}: {self.prompt}", *self._choices_text()]
        return "\n".join(lines)

    def widget(self) -> QuestionWidget:
        """The interactive view (built once; displaying the question shows it)."""
        if self._widget is None:
            from course.questions.widgets import build

            self._widget = build(self)
        return self._widget

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return self.widget()._repr_mimebundle_(include, exclude)


def from_spec(spec: Mapping[str, Any]) -> Question:
    """Rebuild a question from its ``learner_spec`` (or any constructor arguments with ``kind``)."""
    import course.questions.finder  # noqa: F401  (registers the evidence finder)
    import course.questions.written  # noqa: F401  (registers the written answer)

    arguments = dict(spec)
    kind = arguments.pop("kind", None)
    if kind not in Question.registry:
        raise ValueError(f"Unknown question kind {kind!r}; the kinds are: {', '.join(sorted(Question.registry))}.")
    return Question.registry[kind](**arguments)


def _text_list(values: Any, what: str, owner: str) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Collection) or not values:
        raise ValueError(f"Question {owner!r} needs a non-empty list of {what}.")
    values = [str(v) for v in values]
    seen = {answers.normalise(v) for v in values}
    if len(seen) != len(values):
        raise ValueError(f"Question {owner!r} lists the same {what[:-1]} twice.")
    return values


def _pick(options: Sequence[str], value: Any, what: str) -> str:
    """The option the student means — its text (matched after normalising) or its number as
    listed (1 for the first) — or InvalidAnswer saying what was expected."""
    if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
        raise InvalidAnswer(f"Nothing chosen yet: choose {what}.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidAnswer(answers.not_finite(value))
        if value.is_integer():  # 2.0, from a calculation, is the number 2
            value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= len(options):
            return options[value - 1]
        raise InvalidAnswer(f"{value} is not a number on the list: give 1 to {len(options)}, or the text.")
    if not isinstance(value, str):
        raise InvalidAnswer(f"Expected the text of {what} (a string) or its number, not {type(value).__name__}.")
    by_key = {answers.normalise(option): option for option in options}
    try:
        return by_key[answers.normalise(value)]
    except KeyError:
        raise InvalidAnswer(f"“{value}” is not one of the choices: choose {what}.") from None


def _known(options: Sequence[str], value: Any, owner: str, what: str) -> str:
    """``_pick`` for the author's own answer: a mismatch is a ValueError naming the question."""
    try:
        return _pick(options, value, what)
    except InvalidAnswer:
        raise ValueError(f"Question {owner!r}: {value!r} is not among its {what}: {options}.") from None


class SingleChoice(Question):
    """One right option; options listed in ``partly`` are half-truths (status partial)."""

    kind = "single choice"

    def __init__(
        self,
        name: str,
        prompt: str,
        options: Sequence[str],
        answer: str | None = None,
        *,
        partly: Sequence[str] = (),
        answer_hash: str | None = None,
        partly_hash: Sequence[str] = (),
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, **shared)
        self.options = _text_list(options, "options", name)
        if answer is not None:
            self.solution = _known(self.options, answer, name, "options")
            self.partly = [_known(self.options, option, name, "options") for option in partly]
            answer_hash = self._hash(self.solution)
            partly_hash = [self._hash(option, "partly") for option in self.partly]
        elif answer_hash is None:
            raise ValueError(f"Question {name!r} needs answer= or answer_hash= (with salt=).")
        self.answer_hash = answer_hash
        self.partly_hash = tuple(partly_hash)
        if sum(self._hash(o) == answer_hash for o in self.options) != 1:
            raise ValueError(f"answer_hash of {name!r} matches none of the options: wrong salt or options?")

    def _hash(self, option: str, role: str = "choice") -> str:
        return answers.hash_answer(option, self.salt, role)

    def parse(self, value: Any) -> str:
        return _pick(self.options, value, "one of the options")

    def _judge(self, value: str) -> tuple[str, str, tuple]:
        if self._hash(value) == self.answer_hash:
            return "correct", f"“{value}” is right.", ()
        if self._hash(value, "partly") in self.partly_hash:
            return "partial", f"“{value}” is only part of the story.", ()
        return "incorrect", f"“{value}” is not the answer.", ()

    def _answer_text(self) -> str:
        return self.solution

    def answer_form(self) -> str:
        return f"the text of one option, or its number: `{self.name} = 2`"

    def _choices_text(self) -> list[str]:
        return [f"  ( ) {n}. {option}" for n, option in enumerate(self.options, 1)]

    def _fraction(self, status: str, marks: tuple, parsed: Any) -> float:
        return {"correct": 1.0, "partial": 0.5}.get(status, 0.0)

    def _fields(self) -> dict[str, Any]:
        return {"options": list(self.options)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": self.answer_hash, "partly_hash": list(self.partly_hash)}


class MultipleChoice(Question):
    """Tick every right option. Each option's membership is hashed on its own, so a student
    copy can still say how many ticks are right (partial)."""

    kind = "multiple choice"

    def __init__(
        self,
        name: str,
        prompt: str,
        options: Sequence[str],
        answer: Collection[str] | None = None,
        *,
        answer_hash: Sequence[str] | None = None,
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, **shared)
        self.options = _text_list(options, "options", name)
        if answer is not None:
            if isinstance(answer, str):
                answer = [answer]
            chosen = {_known(self.options, option, name, "options") for option in answer}
            if not chosen:
                raise ValueError(f"Question {name!r}: at least one option must be right.")
            self.solution = [o for o in self.options if o in chosen]
            answer_hash = [self._hash(o, o in chosen) for o in self.options]
        elif answer_hash is None:
            raise ValueError(f"Question {name!r} needs answer= or answer_hash= (with salt=).")
        self.answer_hash = tuple(answer_hash)
        if len(self.answer_hash) != len(self.options) or not all(
            h in (self._hash(o, True), self._hash(o, False))
            for o, h in zip(self.options, self.answer_hash, strict=False)
        ):
            raise ValueError(f"answer_hash of {name!r} does not fit its options: wrong salt or options?")
        self._right = {o for o, h in zip(self.options, self.answer_hash, strict=False) if h == self._hash(o, True)}

    def _hash(self, option: str, ticked: bool) -> str:
        return answers.hash_answer("ticked" if ticked else "not ticked", self.salt, option)

    def parse(self, value: Any) -> list[str]:
        if value is None or value is Ellipsis or isinstance(value, (str, int)) or not isinstance(value, Collection):
            value = [] if value is None or value is Ellipsis or value == "" else [value]
        if isinstance(value, Mapping):
            raise InvalidAnswer("Expected a list of the options you tick, e.g. [1, 3], not a dict.")
        if not value:
            raise InvalidAnswer("Nothing ticked yet: tick every option you think is right.")
        ticked = {_pick(self.options, option, "from the options") for option in value}
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

    def _answer_text(self) -> str:
        return "; ".join(self.solution)

    def answer_form(self) -> str:
        return f"a list of every option you choose, as texts or numbers: `{self.name} = [1, 3]`"

    def _choices_text(self) -> list[str]:
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


#: Factors by which a number is off when the student slipped a unit (thousand, million, per cent).
UNIT_SLIPS: tuple[float, ...] = (1e3, 1e-3, 1e6, 1e-6, 1e2, 1e-2)


class NumberQuestion(Question):
    """A number, right within ``tolerance``, in ``unit``. A value off by a factor of 1,000,
    a million or 100 counts as partly right: the digits are right, the unit is not."""

    kind = "number"

    def __init__(
        self,
        name: str,
        prompt: str,
        answer: float | None = None,
        *,
        tolerance: float,
        unit: str = "",
        answer_hash: str | None = None,
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, **shared)
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
            raise ValueError(f"Question {name!r} needs a positive tolerance, not {tolerance!r}.")
        self.tolerance = float(tolerance)
        self.unit = unit
        if answer is not None:
            self.solution = answers.parse_number(answer)
            answer_hash = answers.hash_number(self.solution, self.tolerance, self.salt)
        elif answer_hash is None:
            raise ValueError(f"Question {name!r} needs answer= or answer_hash= (with salt=).")
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

    def _answer_text(self) -> str:
        return f"{self.solution:g}{' ' + self.unit if self.unit else ''} (±{self.tolerance:g})"

    def answer_form(self) -> str:
        unit = f" in {self.unit}" if self.unit else ""
        return f"a number{unit}, computed in code: `{self.name} = ...` (accepted within ±{self.tolerance:g})"

    def _choices_text(self) -> list[str]:
        return [f"  [number{', in ' + self.unit if self.unit else ''}]"]

    def _fields(self) -> dict[str, Any]:
        return {"tolerance": self.tolerance, "unit": self.unit}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": self.answer_hash}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Ordering(Question):
    """Put items in order (a timeline). ``items`` is the order shown (default: alphabetical,
    never the answer); each position is hashed on its own, so feedback marks each place."""

    kind = "ordering"

    def __init__(
        self,
        name: str,
        prompt: str,
        answer: Sequence[str] | None = None,
        *,
        items: Sequence[str] | None = None,
        answer_hash: Sequence[str] | None = None,
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, **shared)
        if answer is not None:
            order = _text_list(answer, "items", name)
            self.items = _text_list(items if items is not None else sorted(order), "items", name)
            if {answers.normalise(i) for i in self.items} != {answers.normalise(i) for i in order}:
                raise ValueError(f"Question {name!r}: items and answer must hold the same items.")
            self.solution = [_known(self.items, i, name, "items") for i in order]
            answer_hash = [self._hash(item, n) for n, item in enumerate(self.solution, 1)]
        elif answer_hash is None or items is None:
            raise ValueError(f"Question {name!r} needs answer= or items= with answer_hash= (and salt=).")
        else:
            self.items = _text_list(items, "items", name)
        self.answer_hash = tuple(answer_hash)
        if len(self.answer_hash) != len(self.items) or any(
            all(self._hash(i, n) != h for i in self.items) for n, h in enumerate(self.answer_hash, 1)
        ):
            raise ValueError(f"answer_hash of {name!r} does not fit its items: wrong salt or items?")

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
        picked = [_pick(self.items, v, "one of the items") for v in value]
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
        right = sum(ok for _, ok in marks)
        if right == len(marks):
            return "correct", "every item is in its place.", marks
        status = "partial" if right else "incorrect"
        return status, f"{right} of {len(marks)} in the right place.", marks

    def _answer_text(self) -> str:
        return " → ".join(self.solution)

    def answer_form(self) -> str:
        example = ", ".join(str(n) for n in range(len(self.items), 0, -1))
        return (
            f"a list of all {len(self.items)} items, first (earliest) first, as texts or numbers: "
            f"`{self.name} = [{example}]`"
        )

    def _choices_text(self) -> list[str]:
        return [f"  {n}. {item}" for n, item in enumerate(self.items, 1)]

    def _fields(self) -> dict[str, Any]:
        return {"items": list(self.items)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash)}


def shorten(text: str, limit: int = 40) -> str:
    """The start of a long item, to name it in a message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class Matching(Question):
    """Match each item to one of ``choices`` (claim to source, company to product); a choice
    may serve several items. Each pair is hashed on its own, so feedback marks each item."""

    kind = "matching"
    _choices_word = "choices"

    def __init__(
        self,
        name: str,
        prompt: str,
        answer: Mapping[str, str] | None = None,
        *,
        choices: Sequence[str],
        items: Sequence[str] | None = None,
        answer_hash: Sequence[str] | None = None,
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, **shared)
        self.choices = _text_list(choices, self._choices_word, name)
        if answer is not None:
            if not isinstance(answer, Mapping):
                raise ValueError(f"Question {name!r}: the answer maps each item to its choice (a dict).")
            self.items = _text_list(items if items is not None else list(answer), "items", name)
            if {answers.normalise(i) for i in self.items} != {answers.normalise(i) for i in answer}:
                raise ValueError(f"Question {name!r}: items and answer must hold the same items.")
            chosen = {
                _known(self.items, i, name, "items"): _known(self.choices, c, name, self._choices_word)
                for i, c in answer.items()
            }
            self.solution = {item: chosen[item] for item in self.items}
            answer_hash = [self._hash(item, self.solution[item]) for item in self.items]
        elif answer_hash is None or items is None:
            raise ValueError(f"Question {name!r} needs answer= or items= with answer_hash= (and salt=).")
        else:
            self.items = _text_list(items, "items", name)
        if len(answer_hash) != len(self.items):
            raise ValueError(f"answer_hash of {name!r} needs one hash per item, in the order of items.")
        self.answer_hash = dict(zip(self.items, answer_hash, strict=False))
        if any(all(self._hash(i, c) != h for c in self.choices) for i, h in self.answer_hash.items()):
            raise ValueError(f"answer_hash of {name!r} does not fit its choices: wrong salt or choices?")

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
                item = _pick(self.items, key, "one of the items")
            except InvalidAnswer:
                raise InvalidAnswer(f"Not one of the items: {key!r}.") from None
            chosen[item] = choice
        empty = [f"{n} ({shorten(i)})" for n, i in enumerate(self.items, 1) if chosen.get(i) in (None, "", Ellipsis)]
        if empty:
            raise InvalidAnswer(f"Not finished: choose for every item; still open: {', '.join(empty)}.")
        return {i: _pick(self.choices, chosen[i], f"one of the {self._choices_word}") for i in self.items}

    def _judge(self, value: dict[str, str]) -> tuple[str, str, tuple]:
        marks = tuple(
            (f"{item} → {choice}", self._hash(item, choice) == self.answer_hash[item]) for item, choice in value.items()
        )
        right = sum(ok for _, ok in marks)
        if right == len(marks):
            return "correct", "every item is matched correctly.", marks
        status = "partial" if right else "incorrect"
        return status, f"{right} of {len(marks)} matched correctly.", marks

    def _answer_text(self) -> str:
        return "; ".join(f"{item} → {choice}" for item, choice in self.solution.items())

    def answer_form(self) -> str:
        first = self.choices[0]
        return (
            f"a dict from each item's number to one of the {self._choices_word}: "
            f"`{self.name} = {{1: {first!r}, 2: ...}}`"
        )

    def _choices_text(self) -> list[str]:
        return [f"  {n}. {item} → ?" for n, item in enumerate(self.items, 1)] + [
            f"  {self._choices_word}: {', '.join(self.choices)}"
        ]

    def _fields(self) -> dict[str, Any]:
        return {"choices": list(self.choices), "items": list(self.items)}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash.values())}


class Classification(Matching):
    """Label each statement with a kind — by default the kinds of data/claims.csv: fact,
    forecast, claim (a company's or official's) or opinion."""

    kind = "classification"
    _choices_word = "labels"

    def __init__(
        self,
        name: str,
        prompt: str,
        answer: Mapping[str, str] | None = None,
        *,
        labels: Sequence[str] = KINDS,
        items: Sequence[str] | None = None,
        answer_hash: Sequence[str] | None = None,
        **shared: Any,
    ) -> None:
        super().__init__(name, prompt, answer, choices=labels, items=items, answer_hash=answer_hash, **shared)

    @property
    def labels(self) -> list[str]:
        return self.choices

    def _fields(self) -> dict[str, Any]:
        return {"labels": list(self.choices), "items": list(self.items)}


def shuffled(values: Sequence[str], seed: str, *, avoid: Sequence[Sequence[str]] = ()) -> list[str]:
    """``values`` in a stable order drawn from ``seed`` (a question's id), never one of the
    orders in ``avoid`` (the answer's order, the alphabet's) when another order exists, and,
    for three items or more, with at most a third of them where ``avoid``'s first order has them."""
    import random

    values = list(values)
    avoid = [list(order) for order in avoid]
    generator = random.Random(seed)
    best = values
    for _ in range(200):
        candidate = values[:]
        generator.shuffle(candidate)
        if candidate in avoid:
            continue
        best = candidate
        if (
            not avoid
            or len(values) < 3
            or sum(a == b for a, b in zip(candidate, avoid[0], strict=False)) <= len(values) // 3
        ):
            return candidate
    return best
