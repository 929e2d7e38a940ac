"""What the kinds that choose from a list share: reading the student's pick (an option's text
or its number as listed), checking the author's answer against the list, and the stable,
shuffled order in which options and items are shown."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from typing import Any

from course.questions import answers
from course.questions.feedback import InvalidAnswer


def text_list(values: Any, what: str, owner: str) -> list[str]:
    """The author's options or items as texts: a non-empty list, none of them twice."""
    if isinstance(values, str) or not isinstance(values, Collection) or not values:
        raise ValueError(f"Question {owner!r} needs a non-empty list of {what}.")
    values = [str(v) for v in values]
    seen = {answers.normalise(v) for v in values}
    if len(seen) != len(values):
        raise ValueError(f"Question {owner!r} lists the same {what[:-1]} twice.")
    return values


def pick(options: Sequence[str], value: Any, what: str) -> str:
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


def known(options: Sequence[str], value: Any, owner: str, what: str) -> str:
    """``pick`` for the author's own answer: a mismatch is a ValueError naming the question."""
    try:
        return pick(options, value, what)
    except InvalidAnswer:
        raise ValueError(f"Question {owner!r}: {value!r} is not among its {what}: {options}.") from None


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … for a place in an ordering."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def shorten(text: str, limit: int = 40) -> str:
    """The start of a long item, to name it in a message."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def shuffled(values: Sequence[str], seed: str, *, avoid: Sequence[Sequence[str]] = ()) -> list[str]:
    """``values`` in a stable order drawn from ``seed`` (a question's id), never one of the
    orders in ``avoid`` (the answer's order, the alphabet's) when another order exists, and,
    for three items or more, with at most a third of them where ``avoid``'s first order has them."""
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


def item_by_item(marks: tuple[tuple[str, bool], ...], all_right: str, counted: str) -> tuple[str, str, tuple]:
    """The verdict of a question judged item by item: correct when every mark is right, partial
    when some are, with ``counted`` saying how many ("matched correctly", "in the right place")."""
    right = sum(ok for _, ok in marks)
    if right == len(marks):
        return "correct", all_right, marks
    return ("partial" if right else "incorrect"), f"{right} of {len(marks)} {counted}.", marks


def options_in_order(arguments: dict[str, Any], seed: str, shuffle: bool) -> dict[str, Any]:
    """What a choosing kind's ``from_source`` does: options in a stable shuffled order, unless
    the entry says ``shuffle = false``."""
    if shuffle:
        arguments["options"] = shuffled(arguments.get("options", []), seed)
    return arguments
