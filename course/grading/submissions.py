"""Finding submissions and saying how each file was matched to a student and an exercise.

Two layouts, mixed freely: one folder per student, or the flat files an LMS download gives
(how a name is read, ``course.grading.naming``).

Every entry under SUBMISSIONS that is not a plain folder (a file, a link, a linked folder, a
pipe) yields a :class:`Submission` with a ``note`` saying how it was matched and, when it is not
graded, a ``problem`` (its status) and a ``reason``, so nothing is silently dropped. Nothing here
trusts the bytes, the names or the links it finds: a name that is not UTF-8 is shown with
``\\xNN`` escapes, a notebook is checked for the structure the grader reads before anything else
touches it, and a link is followed only inside its own student's files.

A student's key is their folder name, or for LMS files their name and LMS user id
(``smithjane_12345``), in Unicode NFC; two different students whose names read the same get
distinct keys (``Zoé``, ``Zoé~2``) and a note, never one merged row.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from course.grading.naming import is_late, match_stem, owner, readable

#: Folders that hold no submissions (editors' autosaves, macOS zip debris, version control).
SKIPPED_DIRS = {".ipynb_checkpoints", "__MACOSX", ".git", ".grader"}
SKIPPED_FILES = {"Thumbs.db", "desktop.ini", ".DS_Store"}
#: A notebook larger than this is not read (a class's notebooks are a few MB at most).
MAX_BYTES = 64 * 2**20
#: JSON nested deeper than this is not a notebook the grader reads (real ones nest about 8 deep).
MAX_DEPTH = 64
_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}


@dataclass
class Submission:
    path: Path
    relpath: str         # readable: bytes that are not UTF-8 as \xNN, control characters escaped
    student: str         # the student's key ("" when no student could be read)
    stem: str | None
    note: str
    problem: str | None = None   # the status when not graded: not a notebook, empty file, invalid notebook,
    reason: str = ""             # unmatched, duplicate, link, skipped; and why
    late: bool = False
    notebook: dict | None = field(default=None, repr=False)
    kind: str = "file"   # file, link, folder link, other
    mtime: float = 0.0
    identity: tuple = field(default=(), repr=False)   # what tells two students with one key apart












# -- reading a notebook --------------------------------------------------------------------
def _depth(value: object) -> int:
    """How deep ``value`` nests lists and dicts, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _cell_problem(number: int, cell: object) -> str | None:
    """What is wrong with one cell for the grader (None when nothing)."""
    if not isinstance(cell, dict):
        return f"cell {number} is a {type(cell).__name__}, not a cell"
    if not isinstance(cell.get("cell_type"), str):
        return f"cell {number} has no cell_type"
    source = cell.get("source", "")
    if isinstance(source, list):
        wrong = [type(item).__name__ for item in source if not isinstance(item, str)]
        if wrong:
            return f"cell {number}'s source list holds a value of type {wrong[0]}, not text"
    elif not isinstance(source, str):
        return f"cell {number}'s source is a {type(source).__name__}, not text"
    if not isinstance(cell.get("metadata", {}), dict):
        return f"cell {number}'s metadata is a {type(cell['metadata']).__name__}, not a mapping"
    return None


def structure_problem(nb: object) -> str | None:
    """What keeps ``nb`` (parsed JSON) from being a notebook the grader can read, or None."""
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "no list of cells"
    if nb.get("nbformat") != 4:
        return f"nbformat {readable(repr(nb.get('nbformat')))[:40]}, expected 4"
    if not isinstance(nb.get("metadata", {}), dict):
        return "its metadata is not a mapping"
    if _depth(nb) > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    for number, cell in enumerate(nb["cells"], 1):
        why = _cell_problem(number, cell)
        if why:
            return why
    return None


def _clean(nb: dict) -> dict:
    """Only what the grader reads, in the types it expects: cell type, source text, the
    ``course`` metadata (a mapping or nothing)."""
    cells = []
    for cell in nb["cells"]:
        source = cell.get("source", "")
        course = (cell.get("metadata") or {}).get("course")
        cells.append({"cell_type": cell["cell_type"], "source": "".join(source) if isinstance(source, list) else source,
                      "metadata": {"course": course} if isinstance(course, dict) else {}})
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": nb.get("nbformat_minor", 0)}


def inspect_bytes(name: str, data: bytes) -> tuple[str | None, str, dict | None]:
    """(problem, reason, notebook): the problem is None for a readable notebook, which comes
    back cleaned (see ``_clean``). Never raises on any bytes."""
    if not data.strip():
        return "empty file", "the file is empty", None
    if not name.lower().endswith(".ipynb"):
        return "not a notebook", "not a .ipynb file", None
    if data.lstrip()[:1] != b"{":
        return "not a notebook", "its content is not notebook JSON (which starts with '{')", None
    if len(data) > MAX_BYTES:
        return "invalid notebook", f"larger than {MAX_BYTES // 2**20} MB", None
    try:
        nb = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        return "invalid notebook", f"not UTF-8 text (byte {error.start})", None
    except RecursionError:
        return "invalid notebook", f"nested more than {MAX_DEPTH} levels deep", None
    except ValueError as error:
        return "invalid notebook", f"broken JSON: {readable(str(error))[:80]}", None
    why = structure_problem(nb)
    if why:
        return "invalid notebook", why, None
    return None, "", _clean(nb)


def _read(path: Path, follow: bool) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file, never following a link unless asked,
    never blocking on a pipe."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, 2**20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# -- finding files -------------------------------------------------------------------------
def _entries(root: Path, exclude: str | None) -> list[tuple[Path, os.stat_result | None, str]]:
    """Every entry below ``root`` that is not a plain folder, with its own status (a link's,
    not its target's) or None and why it could not be read. Links are never followed."""
    found: list[tuple[Path, os.stat_result | None, str]] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        if exclude is not None and folder != root and os.path.realpath(folder) == str(exclude):
            found.append((folder, None, "the grader's output folder: skipped"))
            continue
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            if folder == root:
                raise
            found.append((folder, None, f"a folder that cannot be read ({error.strerror})"))
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                found.append((Path(entry.path), None, f"cannot be read ({error.strerror})"))
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(Path(entry.path))
            else:
                found.append((Path(entry.path), info, ""))
    return found




def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _link(root: Path, path: Path, parts: tuple[str, ...], identity: tuple) -> tuple[str | None, str, Path | None]:
    """(problem, reason, file to read) for a symbolic link: followed only to a file of the same
    student (inside their folder; for a flat LMS file, another flat file of theirs)."""
    try:
        shown = readable(os.readlink(path))
    except OSError:
        shown = "?"
    target = os.path.realpath(path)
    if not os.path.exists(target):
        return "link", f"a dangling link (to {shown}) or a loop of links: nothing to grade", None
    if os.path.isdir(target):
        return "link", f"a link to a folder ({shown}): not followed", None
    real_root = os.path.realpath(root)
    if len(parts) > 1:
        allowed = _inside(target, os.path.realpath(root / parts[0]))
    else:
        name = os.path.basename(target)
        allowed = os.path.dirname(target) == real_root and bool(identity) and \
            owner((name,), False)[1] == identity
    if not allowed:
        where = "outside the submissions" if not _inside(target, real_root) else "to another student's file"
        return "link", f"a link to {shown}, {where}: not graded (hand in the file itself)", None
    return None, f"a link to {shown} in the student's own files", Path(target)


def _skipped(parts: tuple[str, ...]) -> str:
    """Why an entry is not a submission at all ("" when it may be one)."""
    debris = next((part for part in parts[:-1] if part in SKIPPED_DIRS), None)
    if debris:
        return f"inside {debris}/ (editor autosaves, zip debris or version control): skipped"
    if parts[-1].startswith(".") or parts[-1] in SKIPPED_FILES:
        return "a hidden or system file: skipped"
    return ""


def _classify(root: Path, path: Path, info: os.stat_result | None, error: str, stems: list[str]) -> Submission:
    """One entry as a Submission: whose, which exercise, and whether it can be graded."""
    parts = path.relative_to(root).parts
    is_link = info is not None and stat.S_ISLNK(info.st_mode)
    folder_link = is_link and len(parts) == 1 and os.path.isdir(path)
    kind = "folder link" if folder_link else "link" if is_link else "file" if info and stat.S_ISREG(info.st_mode) \
        else "other"
    student, identity, how, cleaned = owner(parts, folder_link)
    stem, stem_how = match_stem(cleaned, stems)
    late = is_late(parts[-1])
    note = "; ".join([*how[:1], stem_how, *(["marked LATE by the LMS"] if late else []), *how[1:]])
    sub = Submission(path, readable("/".join(parts)), student, stem, note, late=late, kind=kind,
                     mtime=info.st_mtime if info else 0.0, identity=identity)
    skipped = error or _skipped(parts)
    if skipped or info is None:  # (an entry comes without its status only with the reason why)
        sub.problem = "skipped" if "skipped" in skipped else "unreadable"
        sub.reason = skipped or "cannot be read"
        return sub
    _read_into(sub, root, parts, info, is_link)
    if not student and sub.problem in (None, "not a notebook", "empty file", "invalid notebook"):
        sub.problem = sub.problem or "unmatched"
        sub.reason = sub.reason or "no student folder and no student in the file name"
    elif stem is None and sub.problem is None:
        sub.problem, sub.reason = "unmatched", "no exercise name or number in the file name"
    return sub


def _read_into(sub: Submission, root: Path, parts: tuple[str, ...], info: os.stat_result, is_link: bool) -> None:
    """Read and check the entry's bytes (a link's only when it may be followed)."""
    source = sub.path
    if is_link:
        sub.problem, sub.reason, target = _link(root, sub.path, parts, sub.identity)
        if target is None:
            return
        source = target
        sub.note += "; " + sub.reason
        sub.reason = ""
    elif not stat.S_ISREG(info.st_mode):
        sub.problem = "not a notebook"
        sub.reason = f"not a regular file ({_KINDS.get(stat.S_IFMT(info.st_mode), 'a special file')})"
        return
    try:
        data = _read(source, follow=is_link)
        sub.mtime = os.stat(source).st_mtime
    except OSError as error:
        sub.problem, sub.reason = "unreadable", f"cannot be read ({error.strerror or error})"
        return
    sub.problem, sub.reason, sub.notebook = inspect_bytes(parts[-1], data)




def _assign_keys(found: list[Submission]) -> None:
    """Distinct keys for distinct students whose names read the same (``Zoé``, ``Zoé~2``)."""
    by_key: dict[str, list[tuple]] = {}
    for sub in found:
        if sub.student and sub.identity not in by_key.setdefault(sub.student, []):
            by_key[sub.student].append(sub.identity)
    taken = set(by_key)
    renamed: dict[tuple[str, tuple], str] = {}
    for key, identities in by_key.items():
        for n, identity in enumerate(sorted(identities, key=repr)[1:], 2):
            while f"{key}~{n}" in taken:
                n += 1
            renamed[(key, identity)] = f"{key}~{n}"
            taken.add(f"{key}~{n}")
    for sub in found:
        new = renamed.get((sub.student, sub.identity))
        if new:
            sub.note += f"; another student's name also reads '{sub.student}': this one is kept apart as '{new}'"
            sub.student = new


def choose_newest(found: list[Submission]) -> None:
    """One graded file per student and exercise: the most recently modified readable one; the
    others become ``duplicate``."""
    chosen: dict[tuple[str, str], Submission] = {}
    for sub in found:
        if sub.stem is not None and sub.problem is None:
            other = chosen.get((sub.student, sub.stem))
            if other is None or (sub.mtime, sub.relpath) > (other.mtime, other.relpath):
                chosen[(sub.student, sub.stem)] = sub
    for sub in found:
        if sub.stem is None or sub.problem is not None:
            continue
        best = chosen[(sub.student, sub.stem)]
        if best is not sub:
            sub.problem, sub.reason = "duplicate", f"not graded: {best.relpath} is newer"
            sub.note += f"; {sub.reason}"
        elif sum(1 for s in found if (s.student, s.stem) == (sub.student, sub.stem)
                 and s.problem in (None, "duplicate")) > 1:
            sub.note += "; the newest of several files for this exercise"


def discover(root: Path, stems: list[str], exclude: Path | None = None) -> list[Submission]:
    """Every entry under ``root`` (but plain folders), matched to a student and an exercise or
    not, with a reason; at most one submission per student and exercise is left to grade (the
    newest), the others marked ``duplicate``. ``exclude`` is a folder not to look into (the
    grader's own output, when it lies inside ``root``)."""
    root = Path(root)
    skip = os.path.realpath(exclude) if exclude is not None else None
    found = [_classify(root, path, info, error, stems) for path, info, error in _entries(root, skip)]
    found.sort(key=lambda s: (s.relpath, os.fsencode(s.path)))
    _assign_keys(found)
    choose_newest(found)
    return found
