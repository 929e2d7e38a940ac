"""What a self-check tells a student: the verdict in words and a symbol (never colour alone),
what to fix, and — once they are right or ask for it — the explanation and the quotes that
settle it. Renders as plain text (nbval, the grader, tests) and as HTML (JupyterLab)."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.texts import Quote

#: status -> (symbol, words, Okabe-Ito colour for the border; the text itself stays black)
STYLE: dict[str, tuple[str, str, str]] = {
    "correct": ("✓", "Correct", "#009E73"),
    "partial": ("◐", "Partly right", "#E69F00"),
    "incorrect": ("✗", "Not right yet", "#D55E00"),
    "invalid": ("⚠", "Check your answer", "#CC79A7"),
    "revealed": ("ℹ", "Answer", "#0072B2"),
    "unanswered": ("○", "Not answered yet", "#56B4E9"),
    "received": ("✎", "Received, to be marked", "#0072B2"),
}


class InvalidAnswer(ValueError):
    """An answer that cannot be judged (empty, not a number, incomplete); the message is for
    the student, who gets it as a ``Feedback`` of status invalid."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    ``status`` is one of correct, partial, incorrect, invalid (bad input or the wrong type; not
    counted as a try), revealed (the student asked for the answer), unanswered (an exercise's
    ``...`` placeholder) or received (a written answer, marked later by an instructor).
    ``explanation`` and ``evidence`` are
    filled only when correct or revealed, so a wrong try does not give the answer away.
    ``marks`` holds per-item verdicts (item, right?) where the kind can tell them.
    ``points`` are the points the answer earns (what the grader records for it), and
    ``next_step`` what to do now ("Try again."), shown after the message: the ``message`` itself
    is the verdict, the same in the self-check and in the gradebook."""

    status: str
    message: str
    explanation: str = ""
    evidence: tuple[Quote, ...] = ()
    hint: str = ""
    tries: int = 0
    can_reveal: bool = False
    answer: str = ""
    marks: tuple[tuple[str, bool], ...] = field(default=())
    points: float = 0.0
    next_step: str = ""

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def headline(self) -> str:
        symbol, words, _ = STYLE[self.status]
        return f"{symbol} {words}: {self.said}"

    @property
    def said(self) -> str:
        """The message and the next step, as one sentence or two."""
        return f"{self.message} {self.next_step}" if self.next_step else self.message

    def __str__(self) -> str:
        lines = [self.headline]
        lines += [f"  {'✓' if ok else '✗'} {item}" for item, ok in self.marks]
        if self.answer:
            lines.append(f"Answer: {self.answer}")
        if self.explanation:
            lines.append(f"Why: {self.explanation}")
        if self.evidence:
            lines.append("Evidence:")
            lines += [f"  {line}" for quote in self.evidence for line in repr(quote).splitlines()]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.to_html(live=True)

    def to_html(self, live: bool = True) -> str:
        """The verdict as HTML; ``live`` makes it its own status region (an output of its own),
        off where it goes into a region that stays in place (a question's widget)."""
        symbol, words, colour = STYLE[self.status]
        parts = [
            f'<p><span aria-hidden="true">{symbol}</span> <strong>{words}:</strong> {html.escape(self.said)}</p>'
        ]
        if self.marks:
            rows = "".join(f"<li>{'✓ right' if ok else '✗ wrong'}: {html.escape(item)}</li>" for item, ok in self.marks)
            parts.append(f"<ul>{rows}</ul>")
        if self.answer:
            parts.append(f"<p><strong>Answer:</strong> {html.escape(self.answer)}</p>")
        if self.explanation:
            parts.append(f"<p><strong>Why:</strong> {html.escape(self.explanation)}</p>")
        if self.evidence:
            parts.append("<p><strong>Evidence:</strong></p>" + "".join(q._repr_html_() for q in self.evidence))
        if self.hint:
            parts.append(f"<p><strong>Hint:</strong> {html.escape(self.hint)}</p>")
        role = ' role="status" aria-live="polite"' if live else ""
        return (
            f'<div class="course-feedback course-feedback-{self.status}"{role} '
            f'style="border-left:6px solid {colour};padding:0.2em 0.8em;margin:0.4em 0">' + "".join(parts) + "</div>"
        )
