"""The ipywidgets view of a question: labelled controls, Check / Hint / Show answer buttons,
and a feedback area that screen readers announce (role="status", aria-live="polite").

Text boxes sync on change (Enter or leaving the box), not per keystroke: ipywidgets holds back
a model's updates while one is in flight but sends a button click at once, so a fast
type-then-Check could otherwise be judged on the text as it was a keystroke earlier.

Every control has a label (``description``, rendered as a ``<label for=…>``) and a tooltip;
all of them are native inputs, selects and buttons, so Tab, Space and Enter work (ipywidgets'
radio buttons share no name, so each is its own Tab stop rather than an arrow-key group).
The verdict is given in words and a symbol; colour (Okabe-Ito) only repeats it.
Imported only when a question is displayed, so ``import course`` stays light.

This module holds what every kind's widget shares; each kind builds its own controls in its
``controls()`` method (``course/questions/kinds/``), with the helpers here.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any, Protocol

import ipywidgets as w

from course.questions.accessible import LiveRegion
from course.questions.feedback import Feedback, InvalidAnswer

#: Items longer than this get their full text above the control and a short label on it.
SHORT_LABEL = 40
#: Labels as wide as their text (ipywidgets cuts them at a fixed width otherwise).
WIDE = {"description_width": "initial"}

#: A kind's controls: (controls by name, widgets to show, a function that reads the value).
Parts = tuple[dict[str, w.Widget], list[w.Widget], Callable[[], Any]]


class Shown(Protocol):
    """What a widget needs of a question (``course.questions.question.Question`` has it)."""

    name: str
    prompt: str
    hint: str
    value: Any

    @property
    def kind(self) -> str: ...

    def parse(self, value: Any) -> Any: ...

    def check(self, value: Any) -> Feedback: ...

    def reveal(self) -> Feedback: ...

    def controls(self) -> Parts: ...


class QuestionWidget:
    """The widgets of one question. ``controls`` are what a student sets, by name (the option,
    item or place they stand for); ``read()`` turns them into the value ``question.check``
    takes. Tests set ``controls[...].value``, call ``check_button.click()``, read ``feedback.value``."""

    def __init__(
        self, question: Shown, controls: dict[str, w.Widget], body: list[w.Widget], read: Callable[[], Any]
    ):
        self.question = question
        self.controls = controls
        self.read = read
        self.check_button = w.Button(description="Check", tooltip="Check your answer", icon="check")
        self.hint_button = w.Button(description="Hint", tooltip="Show a hint", icon="lightbulb-o")
        self.reveal_button = w.Button(
            description="Show answer",
            tooltip="Show the answer and the evidence",
            icon="eye",
            layout=w.Layout(display="none"),
        )
        self.feedback = LiveRegion()
        self.hint = w.HTML("")
        for control in controls.values():
            if control.has_trait("value"):
                control.observe(lambda _: self.record(), names="value")
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.show_hint())
        self.reveal_button.on_click(lambda _: self.show(question.reveal()))
        buttons = [self.check_button] + ([self.hint_button] if question.hint else []) + [self.reveal_button]
        prompt = w.HTML(f"<p><strong>{html.escape(question.prompt)}</strong></p>")
        self.box = w.VBox(
            [prompt, *body, w.HBox(buttons), self.hint, self.feedback],
            layout=w.Layout(width="100%"),
        )
        self.box.add_class("course-question")
        self.box.add_class(f"course-kind-{question.kind.replace(' ', '-')}")
        self.box.add_class(f"course-q-{question.name}")

    def record(self) -> None:
        """Keep ``question.value`` on what is chosen now, checked or not (the grader reads it)."""
        try:
            self.question.value = self.question.parse(self.read())
        except InvalidAnswer:
            return

    def check(self) -> Feedback:
        return self.show(self.question.check(self.read()))

    def show(self, feedback: Feedback) -> Feedback:
        self.feedback.html = feedback.to_html(live=False)
        if feedback.can_reveal:
            self.reveal_button.layout.display = None
        return feedback

    def show_hint(self) -> None:
        self.hint.value = (
            f'<p class="course-hint" role="note"><strong>Hint:</strong> {html.escape(self.question.hint)}</p>'
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = repr(self.question)  # deterministic: nbval compares this
        return bundle


def labelled_rows(
    labels: list[str], options: list[str], control_label: Callable[[int, str], str]
) -> tuple[list[w.Dropdown], list[w.Widget]]:
    """One dropdown of ``options`` per label; a label too long for the control is shown in full
    above it, and the control is named by ``control_label(number, label)``."""
    dropdowns, rows = [], []
    for n, text in enumerate(labels, 1):
        dropdown = w.Dropdown(
            options=options,
            value=None,
            description=control_label(n, text),
            style=WIDE,
            tooltip=text,
            layout=w.Layout(width="auto", max_width="100%"),
        )
        dropdowns.append(dropdown)
        if len(text) > SHORT_LABEL:
            rows.append(w.HTML(f"<p>{n}. {html.escape(text)}</p>"))
        rows.append(dropdown)
    return dropdowns, rows


def build(question: Shown) -> QuestionWidget:
    """The widget view of ``question``, from the controls its kind builds."""
    return QuestionWidget(question, *question.controls())
