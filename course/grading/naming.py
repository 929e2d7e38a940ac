"""How a submitted file's name is read: whose it is, which exercise, late or a renamed copy.

Two layouts, mixed freely (``course.grading.submissions`` finds the files):

* one folder per student: ``SUBMISSIONS/<student>/<NN-slug>.ipynb`` (any depth below it);
* the flat files an LMS download gives: ``<student>_<ids>_<NN-slug>.ipynb`` (Canvas, also with
  ``LATE`` as in ``<student>_LATE_<ids>_<file>``), ``LATE_`` prefixes, and renamed copies such as
  ``NN-slug (1).ipynb`` or ``Copy of NN-slug.ipynb``.

A student's key is their folder name, or for LMS files their name and LMS user id
(``smithjane_12345``), in Unicode NFC. A name that is not UTF-8 is shown with ``\\xNN`` escapes.
"""

from __future__ import annotations

import os
import re
import unicodedata

_COPY = re.compile(r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\d+)?|\s+copy(?:\s*\d+)?)+$", re.I)
_COPY_OF = re.compile(r"^(?:copy of\s+)+", re.I)
_LATE = re.compile(r"(?:^|(?<=_))late(?:_|-)", re.I)
_NUMBER = re.compile(r"(?:^|[_\s-])(\d\d)(?=[-_\s.]|$)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def readable(text: str) -> str:
    """A file name as text that any CSV or Markdown file can hold: bytes that are not UTF-8 (kept
    by Python as surrogates) become ``\\xNN``, control characters ``\\xNN`` too."""
    text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def student_id(text: str) -> str:
    """A student's name as a key: readable, Unicode NFC (so ``Zoé`` typed two ways is one
    spelling), otherwise as written: no letters are stripped."""
    return unicodedata.normalize("NFC", readable(text))


def clean_name(name: str) -> tuple[str, list[str]]:
    """The file name without extension, copy markers and LATE tags, and what was removed."""
    notes = []
    base = name[:-6] if name.lower().endswith(".ipynb") else name.rsplit(".", 1)[0]
    stripped = _COPY.sub("", _COPY_OF.sub("", base))
    if stripped != base:
        notes.append("a renamed copy")
    return stripped.strip(), notes


def match_stem(text: str, stems: list[str]) -> tuple[str | None, str]:
    """The exercise stem in ``text`` (a cleaned file name) and how it was found."""
    lowered = text.lower().replace(" ", "-")
    for stem in stems:
        if lowered == stem:
            return stem, "named as the exercise"
    found = [stem for stem in stems if lowered.endswith(stem) or stem in lowered]
    if found:
        longest = max(found, key=len)
        return longest, f"the name contains the exercise's name {longest}"
    numbers = set(_NUMBER.findall(text))
    by_number = [stem for stem in stems if stem[:2] in numbers]
    if len(by_number) == 1:
        return by_number[0], f"matched by its exercise number {by_number[0][:2]} only (the rest of the name differs)"
    return None, "no exercise name or number in the file name"


def lms_parts(cleaned: str) -> tuple[str | None, str, bool, str]:
    """(student, LMS user id, late, how) from a flat LMS name ``<student>_[LATE_]<ids>_<file>``.
    The first id is the LMS's user id (the same for all of a student's files; the second is the
    submission's), so it is part of the student's key."""
    late = bool(_LATE.search(cleaned))
    tokens = _LATE.sub("", cleaned).split("_")
    if len(tokens) < 2 or not tokens[0]:
        return None, "", late, ""
    ids = [t for t in tokens[1:] if t.isdigit()]
    how = f"LMS file name: student '{student_id(tokens[0])}'" + (f", ids {'/'.join(ids)}" if ids else "")
    return tokens[0], ids[0] if ids else "", late, how


def owner(parts: tuple[str, ...], folder_link: bool) -> tuple[str, tuple, list[str], str]:
    """(student key, identity, how, cleaned name) for an entry: the student's folder, or the
    student and user id in a flat LMS file name. The identity tells apart two students whose
    keys read the same."""
    cleaned, notes = clean_name(parts[-1])
    if len(parts) > 1 or folder_link:
        folder = parts[0]
        return student_id(folder), ("folder", os.fsencode(folder)), [
            f"in the student's folder '{student_id(folder)}'", *notes], _LATE.sub("", cleaned)
    raw, uid, _, how = lms_parts(cleaned)
    rest = _LATE.sub("", cleaned)
    if raw is None:
        return "", (), notes, rest
    identity = ("lms", unicodedata.normalize("NFC", raw), uid) if uid else ("lms-name", os.fsencode(raw))
    return student_id(raw) + (f"_{uid}" if uid else ""), identity, [how, *notes], rest


def is_late(name: str) -> bool:
    """True when a file's name carries the LMS's LATE tag."""
    return bool(_LATE.search(clean_name(name)[0]))
