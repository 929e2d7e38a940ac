"""Answers without the answer in plain text: normalising, salted hashing, number parsing.

A student copy of an exercise holds ``hash_answer(answer, salt)`` instead of the answer, so a
self-check can say "right" or "wrong" without printing the answer in the notebook. This keeps
the answer out of plain sight; it is not a secret. With a handful of options anyone can hash
each option with the (visible) salt, just as anyone can press Check on each option in turn.

Pure Python (no pandas, no ipywidgets) so that the grader and the exercise generator can use
it cheaply.

Trade-offs, written down once:

* Items are hashed one by one (each option's membership, each position of an ordering, each
  pair of a matching) so that partial feedback ("3 of 5 in the right place") still works in a
  student copy. The price: a student could recover the key one item at a time by trying
  candidates, which the feedback already allows anyway.
* A hash cannot compare numbers within a tolerance. A number is hashed on a grid whose step is
  a tenth of the tolerance (``number_grid_step``); a check hashes every grid point within the
  tolerance of the student's number. So a number is accepted within the tolerance give or
  take half a step (5 % of the tolerance); a plain question is judged on the same grid, so
  the grader (plain questions) and a learner's copy (hashes) accept the same numbers.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata

#: Grid points per tolerance for hashed numbers (see the module docstring).
GRID_PER_TOLERANCE = 10
#: Characters of the SHA-256 hex digest kept: 64 bits, plenty to tell a few candidates apart.
DIGEST_CHARS = 16
_SEPARATOR = "\x1f"  # ASCII unit separator: never typed, so parts cannot run into each other

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,_\u202f\u2009 '](?=\d{3}\b)")


def normalise(value: object) -> str:
    """The form in which two answers count as the same: Unicode NFKC, case-folded, curly
    quotes and dashes made straight, runs of spaces collapsed, ends stripped.

    The five texts mix ’ and ', so a student typing either must get the same verdict."""
    text = unicodedata.normalize("NFKC", str(value)).translate(_TYPOGRAPHY)
    return _SPACES.sub(" ", text).strip().casefold()


def default_salt(name: str) -> str:
    """A salt derived from the question's name: the same question always gets the same salt,
    so regenerating a student copy gives the same file (a stale-copy test can compare)."""
    return hashlib.sha256(f"course-salt{_SEPARATOR}{name}".encode()).hexdigest()[:12]


def hash_answer(value: object, salt: str, *parts: object) -> str:
    """The salted hash of a normalised answer; ``parts`` qualify it (a position, an item) so
    that the same answer in two slots hashes differently."""
    if not isinstance(salt, str) or not salt:
        raise ValueError("A salt is a non-empty string, e.g. default_salt(name).")
    text = _SEPARATOR.join([salt, *(normalise(p) for p in parts), normalise(value)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def parse_number(text: object, unit: str = "") -> float:
    """Read a number as a student types it: ``1,234.5``, ``1 234``, ``-3e2``, ``12 %`` or with
    the question's unit after it. Raises ``ValueError`` with a message meant for the student."""
    if isinstance(text, bool):
        raise ValueError("Type a number, such as 12.5, not True or False.")
    if isinstance(text, (int, float)):
        try:
            number = float(text)
        except OverflowError:  # an int too large for a float
            number = math.inf if text > 0 else -math.inf
    else:
        raw = "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()
        if not raw:
            raise ValueError("The box is empty: type a number, such as 12.5.")
        cleaned = raw.replace("\u2212", "-")
        for suffix in sorted({unit.strip(), "%"} - {""}, key=len, reverse=True):
            if cleaned.casefold().endswith(suffix.casefold()):
                cleaned = cleaned[: -len(suffix)].strip()
                break
        cleaned = _DIGIT_GROUPS.sub("", cleaned)
        if not _NUMBER.fullmatch(cleaned):
            unit_note = f" (the unit, {unit}, is already given)" if unit else ""
            raise ValueError(
                f"“{raw}” is not a number. Type digits only, with a point for decimals, e.g. 12.5{unit_note}."
            )
        number = float(cleaned)
    if not math.isfinite(number):
        raise ValueError(not_finite(number))
    return number


def not_finite(number: float) -> str:
    """What a learner reads when an answer is NaN or infinity (in the self-check and the
    gradebook alike): where such a number comes from, and where to look."""
    if math.isnan(number):
        return (
            "Your answer is NaN (“not a number”): the calculation went wrong, e.g. a missing value "
            "or 0/0. Look at the cell that computes it and give an ordinary number or text."
        )
    return (
        f"Your answer is {'minus ' if number < 0 else ''}infinity: the calculation divided by zero or "
        "overflowed. Look at the cell that computes it and give an ordinary number or text."
    )


def number_grid_step(tolerance: float) -> float:
    """The grid on which a hashed number is stored (a tenth of the tolerance)."""
    return tolerance / GRID_PER_TOLERANCE


def hash_number(answer: float, tolerance: float, salt: str) -> str:
    """The hash of ``answer`` rounded to the grid of its tolerance."""
    return hash_answer(grid_index(answer, tolerance), salt, "number")


def grid_index(answer: float, tolerance: float) -> int:
    """The grid point on which ``answer`` is stored."""
    return round(answer / number_grid_step(tolerance))


def matching_grid_index(value: float, tolerance: float, salt: str, answer_hash: str) -> int | None:
    """The grid point within ``tolerance`` of ``value`` whose hash is ``answer_hash``, if any:
    hash every grid point within the tolerance and look for the stored hash."""
    step = number_grid_step(tolerance)
    low = math.ceil((value - tolerance) / step - 1e-9)
    high = math.floor((value + tolerance) / step + 1e-9)
    if high - low > 4 * GRID_PER_TOLERANCE:  # value so large that the grid lost precision
        return None
    return next((k for k in range(low, high + 1) if hash_answer(k, salt, "number") == answer_hash), None)


def number_matches(value: float, tolerance: float, salt: str, answer_hash: str) -> bool:
    """Whether a hashed answer lies within ``tolerance`` of ``value`` (to half a grid step)."""
    return matching_grid_index(value, tolerance, salt, answer_hash) is not None
