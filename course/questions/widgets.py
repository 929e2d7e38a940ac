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
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import singledispatch
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from course.questions.accessible import LiveRegion, RadioGroup
from course.questions.feedback import Feedback
from course.questions.finder import EvidenceFinder
from course.questions.kinds import (
    InvalidAnswer,
    Matching,
    MultipleChoice,
    NumberQuestion,
    Ordering,
    Question,
    SingleChoice,
    ordinal,
    shorten,
)
from course.questions.written import Written

if TYPE_CHECKING:
    from course.questions.finder import Passage

#: Items longer than this get their full text above the control and a short label on it.
SHORT_LABEL = 40
#: Passages listed at most after a search (a longer list is not usable from the keyboard).
MAX_PASSAGES = 12
_WIDE = {"description_width": "initial"}


class QuestionWidget:
    """The widgets of one question. ``controls`` are what a student sets, by name (the option,
    item or place they stand for); ``read()`` turns them into the value ``question.check``
    takes. Tests set ``controls[...].value``, call ``check_button.click()``, read ``feedback.value``."""

    def __init__(
        self, question: Question, controls: dict[str, w.Widget], body: list[w.Widget], read: Callable[[], Any]
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


Parts = tuple[dict[str, w.Widget], list[w.Widget], Callable[[], Any]]


@singledispatch
def controls(question: Question) -> Parts:
    """The controls of a question kind: (controls by name, widgets to show, read the value).
    Each kind registers its own with ``@controls.register``; a kind without one fails here."""
    raise TypeError(f"No widget for the question kind {question.kind!r}: register one with @controls.register.")


@controls.register
def _choice(q: SingleChoice) -> Parts:
    radios = RadioGroup(options=list(q.options), description="Choose one answer:")
    return {"answer": radios}, [radios], lambda: radios.value


@controls.register
def _multiple(q: MultipleChoice) -> Parts:
    boxes = [
        w.Checkbox(
            value=False, description=option, indent=False, tooltip="Tick if right", layout=w.Layout(width="auto")
        )
        for option in q.options
    ]
    intro = w.HTML("<p>Tick every option that is right:</p>")
    return dict(zip(q.options, boxes, strict=False)), [intro, *boxes], lambda: [b.description for b in boxes if b.value]


@controls.register
def _number(q: NumberQuestion) -> Parts:
    unit = f" ({q.unit})" if q.unit else ""
    box = w.Text(
        value="",
        description=f"Answer{unit}:",
        placeholder="a number, e.g. 12.5",
        style=_WIDE,
        tooltip=f"Type a number{unit}",
        continuous_update=False,
    )
    return {"answer": box}, [box], lambda: box.value


def _labelled_rows(
    labels: list[str], options: list[str], control_label: Callable[[int, str], str]
) -> tuple[list[w.Dropdown], list[w.Widget]]:
    dropdowns, rows = [], []
    for n, text in enumerate(labels, 1):
        dropdown = w.Dropdown(
            options=options,
            value=None,
            description=control_label(n, text),
            style=_WIDE,
            tooltip=text,
            layout=w.Layout(width="auto", max_width="100%"),
        )
        dropdowns.append(dropdown)
        if len(text) > SHORT_LABEL:
            rows.append(w.HTML(f"<p>{n}. {html.escape(text)}</p>"))
        rows.append(dropdown)
    return dropdowns, rows


@controls.register
def _ordering(q: Ordering) -> Parts:
    places = [f"{ordinal(n)} place{' (earliest)' if n == 1 else ''}" for n in range(1, len(q.items) + 1)]
    dropdowns, rows = _labelled_rows(places, q.items, lambda n, text: f"{text}:")
    intro = w.HTML("<p>Choose an item for each place, first (earliest) at the top.</p>")
    return dict(zip(places, dropdowns, strict=False)), [intro, *rows], lambda: [d.value for d in dropdowns]


@controls.register
def _matching(q: Matching) -> Parts:
    dropdowns, rows = _labelled_rows(q.items, q.choices, lambda n, text: f"{n}. {shorten(text)}:")
    return (
        dict(zip(q.items, dropdowns, strict=False)),
        rows,
        lambda: {item: d.value for item, d in zip(q.items, dropdowns, strict=False)},
    )


@controls.register
def _finder(q: EvidenceFinder) -> Parts:
    term = w.Text(
        value="",
        description="Search the texts for:",
        placeholder="a word, e.g. Huawei",
        style=_WIDE,
        continuous_update=False,
    )
    search = w.Button(description="Search", tooltip="List the passages that contain the word", icon="search")
    found = w.HTML('<p role="status" aria-live="polite"></p>')
    picks = RadioGroup(options=[], description="Passages found:")
    passages: dict[str, Passage] = {}

    def run_search(_: Any = None) -> None:
        try:
            hits = q.search(term.value)
        except InvalidAnswer as problem:
            found.value = f'<p role="status" aria-live="polite">⚠ {html.escape(str(problem))}</p>'
            return
        passages.clear()
        passages.update((hit.label, hit) for hit in hits[:MAX_PASSAGES])
        picks.options = list(passages)
        picks.value = None
        more = f" Showing the first {MAX_PASSAGES}: search for a longer phrase." if len(hits) > MAX_PASSAGES else ""
        found.value = f'<p role="status" aria-live="polite">{len(hits)} passages found.{more}</p>'

    search.on_click(run_search)
    body = [w.HBox([term, search]), found, picks]
    return {"term": term, "search": search, "passages": picks}, body, lambda: passages.get(picks.value)


@controls.register
def _written(q: Written) -> Parts:
    box = w.Textarea(
        value="",
        description="Your answer:",
        placeholder="Write here; cite claims by id, e.g. C012.",
        style=_WIDE,
        layout=w.Layout(width="100%", height="10em"),
        continuous_update=False,
    )
    return {"answer": box}, [box], lambda: box.value


def build(question: Question) -> QuestionWidget:
    """The widget view of ``question``."""
    return QuestionWidget(question, *controls(question))
