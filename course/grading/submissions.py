"""Finding submissions and saying how each file was matched to a student and an exercise.

Two layouts, mixed freely:

* one folder per student: ``SUBMISSIONS/<student>/<NN-slug>.ipynb`` (any depth below it);
* the flat files an LMS download gives: ``<student>_<ids>_<NN-slug>.ipynb`` (Canvas, also with
  ``LATE`` as in ``<student>_LATE_<ids>_<file>``), ``LATE_`` prefixes, and renamed copies such as
  ``NN-slug (1).ipynb`` or ``Copy of NN-slug.ipynb``.

Every file found yields a :class:`Submission` with a ``note`` saying how it was matched (or why
it is not graded), so nothing is silently dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

#: Folders that hold no submissions (editors' autosaves, macOS zip debris, version control).
SKIPPED_DIRS = {".ipynb_checkpoints", "__MACOSX", ".git", ".grader"}
_COPY = re.compile(r"(?:\s*\(\d+\)|\s*-\s*copy(?:\s*\d+)?|\s+copy(?:\s*\d+)?)+$", re.I)
_COPY_OF = re.compile(r"^(?:copy of\s+)+", re.I)
_LATE = re.compile(r"(?:^|(?<=_))late(?:_|-)", re.I)
_NUMBER = re.compile(r"(?:^|[_\s-])(\d\d)(?=[-_\s.]|$)")
_STUDENT_SAFE = re.compile(r"[^A-Za-z0-9._@-]+")


@dataclass
class Submission:
    path: Path
    relpath: str
    student: str
    stem: str | None
    note: str
    problem: str | None = None   # not a notebook, empty file, invalid notebook, unmatched, duplicate
    late: bool = False
    sha: str = ""
    notebook: dict | None = field(default=None, repr=False)


def student_id(text: str) -> str:
    """A student name safe for file names and CSV, kept recognisable."""
    cleaned = _STUDENT_SAFE.sub("-", text.strip()).strip("-.")
    return cleaned or "unknown"


def _clean_name(name: str) -> tuple[str, list[str]]:
    """The file name without extension, copy markers and LATE tags, and what was removed."""
    notes = []
    base = name[:-6] if name.lower().endswith(".ipynb") else name.rsplit(".", 1)[0]
    stripped = _COPY_OF.sub("", base)
    stripped2 = _COPY.sub("", stripped)
    if stripped2 != base:
        notes.append("a renamed copy")
    return stripped2.strip(), notes


def match_stem(text: str, stems: list[str]) -> tuple[str | None, str]:
    """The exercise stem in ``text`` (a cleaned file name) and how it was found."""
    lowered = text.lower().replace(" ", "-")
    for stem in stems:
        if lowered == stem:
            return stem, "named as the exercise"
    found = [stem for stem in stems if lowered.endswith(stem) or stem in lowered]
    if len(found) == 1:
        return found[0], f"the name contains the exercise's name {found[0]}"
    if len(found) > 1:
        longest = max(found, key=len)
        return longest, f"the name contains the exercise's name {longest}"
    numbers = {m for m in _NUMBER.findall(text)}
    by_number = [stem for stem in stems if stem[:2] in numbers]
    if len(by_number) == 1:
        return by_number[0], f"matched by its exercise number {by_number[0][:2]} only (the rest of the name differs)"
    return None, "no exercise name or number in the file name"


def _lms_parts(cleaned: str, stems: list[str]) -> tuple[str | None, bool, str]:
    """(student, late, how) from a flat LMS name ``<student>_[LATE_]<ids>_<file>``."""
    late = bool(_LATE.search(cleaned))
    text = _LATE.sub("", cleaned)
    tokens = text.split("_")
    if len(tokens) < 2:
        return None, late, ""
    student = tokens[0]
    ids = [t for t in tokens[1:] if t.isdigit()]
    how = f"LMS file name: student '{student}'" + (f", ids {'/'.join(ids)}" if ids else "")
    return student, late, how


def inspect(path: Path) -> tuple[str | None, dict | None, bytes]:
    """(problem, notebook JSON, bytes): problem is None for a readable notebook."""
    data = path.read_bytes()
    if not data.strip():
        return "empty file", None, data
    if not path.name.lower().endswith(".ipynb"):
        return "not a notebook", None, data
    head = data.lstrip()[:1]
    if head not in (b"{",):
        return "not a notebook", None, data
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        return f"invalid notebook (broken JSON: {str(error)[:80]})", None, data
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "invalid notebook (no list of cells)", None, data
    if nb.get("nbformat") != 4:
        return f"invalid notebook (nbformat {nb.get('nbformat')!r}, expected 4)", None, data
    return None, nb, data


def discover(root: Path, stems: list[str]) -> list[Submission]:
    """Every file under ``root``, matched to a student and an exercise (or not, with a reason);
    at most one submission per student and exercise is left to grade (the newest), the others
    marked ``duplicate``."""
    root = Path(root)
    found: list[Submission] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if any(part in SKIPPED_DIRS for part in rel.parts[:-1]):
            continue
        name = path.name
        if name.startswith(".") or name in ("Thumbs.db", "desktop.ini"):
            continue
        cleaned, notes = _clean_name(name)
        late = bool(_LATE.search(cleaned))
        if len(rel.parts) > 1:
            student = rel.parts[0]
            how = [f"in the student's folder '{student}'"]
            if late:
                cleaned = _LATE.sub("", cleaned)
            lms_student, _, lms_how = _lms_parts(cleaned, stems)
        else:
            lms_student, late, lms_how = _lms_parts(cleaned, stems)
            student = lms_student
            how = [lms_how] if lms_how else []
            cleaned = _LATE.sub("", cleaned)
        stem, stem_how = match_stem(cleaned, stems)
        how.append(stem_how)
        if late:
            how.append("marked LATE by the LMS")
        how.extend(notes)
        problem, nb, data = inspect(path)
        if student is None:
            problem = problem or "unmatched (no student folder and no student in the file name)"
        elif stem is None and problem is None:
            problem = "unmatched (no exercise in the file name)"
        found.append(Submission(path, rel.as_posix(), student_id(student or ""), stem, "; ".join(h for h in how if h),
                                problem, late, hashlib.sha256(data).hexdigest(), nb))
    # One graded file per student and exercise: the most recently modified readable one.
    chosen: dict[tuple[str, str], Submission] = {}
    for sub in found:
        if sub.stem is None or sub.problem is not None:
            continue
        key = (sub.student, sub.stem)
        other = chosen.get(key)
        if other is None or (sub.path.stat().st_mtime, sub.relpath) > (other.path.stat().st_mtime, other.relpath):
            chosen[key] = sub
    for sub in found:
        if sub.stem is None or sub.problem is not None:
            continue
        best = chosen[(sub.student, sub.stem)]
        if best is not sub:
            sub.problem = "duplicate"
            sub.note += f"; not graded: {best.relpath} is newer"
        elif sum(1 for s in found
                 if s.student == sub.student and s.stem == sub.stem and s.problem in (None, "duplicate")) > 1:
            sub.note += "; the newest of several files for this exercise"
    return found
