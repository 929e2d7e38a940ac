"""The checks a student release must pass before it is committed (``course.authoring.release``
runs them on OUT): every ``course`` module imported is kept (:func:`import_problems`), every
relative link points at a file kept (:func:`link_problems`), and no answer, explanation or model
answer from ``questions/*.toml`` is in plain text in any file (:func:`find_leaks`)."""

from __future__ import annotations

import ast
import html
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from course import paths

if TYPE_CHECKING:
    from course.questions.question import Question


def _held(out: Path, parts: list[str]) -> bool:
    """Whether OUT holds the module ``course.a.b`` (``parts``), as a file or a package."""
    module = out.joinpath(*parts)
    return module.with_suffix(".py").is_file() or (module / "__init__.py").is_file()


def _missing_imports(node: ast.AST, out: Path) -> list[str]:
    """The ``course.*`` modules an import statement names that OUT does not hold."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    else:
        return []
    missing = []
    for name in names:
        parts = name.split(".")
        if parts[0] != "course" or _held(out, parts):
            continue
        # ``from course.x import name``: the name may be an attribute, not a module.
        is_attribute = isinstance(node, ast.ImportFrom) and name != node.module and _held(out, parts[:-1])
        if not is_attribute:
            missing.append(name)
    return missing


def import_problems(out: Path) -> list[str]:
    """Every ``course.*`` module imported by a module of OUT's ``course`` package, or by a test,
    that OUT does not hold (one line each, naming the importing file)."""
    problems = []
    for path in sorted([*(out / "course").rglob("*.py"), *(out / "tests").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(out)}:{getattr(node, 'lineno', 0)}"
            problems += [
                f"{where}: imports {name}, which the release leaves out" for name in _missing_imports(node, out)
            ]
    lazy = re.compile(r'"(course(?:\.\w+)+)"')
    for path in sorted((out / "course").rglob("*.py")):  # the lazy tables: module names as strings
        if path.name == "__main__.py":  # names the commands; says when one is not here
            continue
        problems += [
            f"{path.relative_to(out)}: names module {name}, which the release leaves out"
            for name in lazy.findall(path.read_text(encoding="utf-8"))
            if not _held(out, name.split("."))
        ]
    return problems


LINK = re.compile(r"\]\(([^)\s]+)\)")


def release_files(out: Path) -> list[Path]:
    """OUT's own files: git's view when OUT is a repository (so a ``.venv``, caches and
    checkpoints that git ignores are not read as part of the release), else all but ``.git``."""
    if (out / ".git").is_dir():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=out, capture_output=True, text=True, check=True).stdout.split("\0")
        return sorted(out / f for f in listed if f and (out / f).is_file())
    return sorted(p for p in out.rglob("*") if p.is_file() and ".git" not in p.relative_to(out).parts[:1])


def link_problems(out: Path) -> list[str]:
    """Every relative link in OUT's Markdown files and notebooks' Markdown cells whose target
    OUT does not hold (a lesson pointing at ``solutions/``, say)."""
    problems = []
    for path in (p for p in release_files(out) if p.suffix in (".md", ".ipynb")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
        for target in LINK.findall(text):
            relative = target.split("#")[0]
            if not relative or re.match(r"^[a-z][a-z0-9+.-]*:", relative, re.I):
                continue  # an anchor, a web address, mailto:
            if not (path.parent / relative).exists():
                problems.append(f"{path.relative_to(out)}: links to {target}, which the release does not hold")
    return problems


@dataclass(frozen=True)
class Secret:
    """One thing a student must not read in plain text: ``text`` from question ``qid``."""

    qid: str
    what: str
    text: str
    #: "text": found as is; "number": as a number token; "order": items in this order;
    #: "pairs": an item followed by its key (``item: label``); "option": a right option found
    #: more often than a wrong one (``items``) of the same question (a list of choices shows
    #: every option once; an answer written down adds one).
    mode: str = "text"
    items: tuple[str, ...] = ()
    #: Whether it may be searched inside packed (not sealed) question data, where options live.
    in_packed: bool = False


@dataclass(frozen=True)
class Leak:
    """A secret found in a file of the release."""

    path: str
    qid: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}: question {self.qid}: its {self.what} is in plain text"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


#: Shorter texts are not told apart from ordinary words of a lesson.
DISTINCT_LENGTH = 24
SENTENCE_LENGTH = 60


def _distinct_number(value: float | int) -> str | None:
    """The written form of a number answer, when it is specific enough to be told apart from
    the other numbers of a lesson: a decimal part of two digits or more, or four digits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    written = repr(value)
    if written.endswith(".0"):
        written = written[:-2]
    digits = len(written.replace("-", "").replace(".", ""))
    decimals = len(written.split(".")[1]) if "." in written else 0
    return written if decimals >= 2 or digits >= 4 else None


def secrets() -> list[Secret]:
    """Everything of ``questions/*.toml`` that must not be in plain text in a student's file,
    read as the grader reads it (``course.questions.source``: keys filled from claims.csv).

    Explanations and model answers always (and each of their long sentences that is not a quote
    of the texts or the claims, which a lesson may quote); answer options, number answers,
    orderings and item→label keys where they are distinct from the course's other words (long
    enough, and not a phrase of the data). Hints and rubrics are shown to students on purpose.
    Evidence-finder answers are claim ids, listed in ``data/claims.csv`` for everyone.
    """
    from course.questions import source

    data_files = sorted(p for p in paths.DATA.rglob("*") if p.suffix in {".txt", ".csv"})
    data_text = _squash("\n".join(p.read_text(encoding="utf-8") for p in data_files))
    found: list[Secret] = []
    for stem in source.stems():
        qset = source.load(stem)
        for question in [*qset.checks, *qset.exercises]:
            found.extend(_question_secrets(question, f"{stem}:{question.name}", data_text))
    return found


def _distinct(text: object, data_text: str) -> bool:
    """Long enough to tell apart from a lesson's ordinary words, and not a quote of the data."""
    return isinstance(text, str) and len(text) >= DISTINCT_LENGTH and _squash(text) not in data_text


def _text_secrets(question: Question, qid: str, data_text: str) -> Iterator[Secret]:
    """The explanation and a written question's model answer, whole and sentence by sentence."""
    texts = [("explanation", question.explanation)]
    if question.kind == "written":
        texts.append(("model answer", question.solution))
    for what, text in texts:
        if isinstance(text, str) and text.strip():
            yield Secret(qid, what, _squash(text), in_packed=True)
            for sentence in re.split(r"(?<=[.!?])\s+", _squash(text)):
                if len(sentence) >= SENTENCE_LENGTH and _distinct(sentence, data_text) and sentence != _squash(text):
                    yield Secret(qid, f"{what} (a sentence of it)", sentence, in_packed=True)


def _answer_secrets(question: Question, qid: str, data_text: str) -> Iterator[Secret]:
    """The answer itself, in the form each kind would show it."""
    kind, answer = question.kind, question.solution
    if kind in ("single choice", "multiple choice"):
        right = [answer] if isinstance(answer, str) else list(answer or [])
        wrong = tuple(_squash(o) for o in getattr(question, "options", []) if o not in right)
        for option in right:
            if _distinct(option, data_text):
                yield Secret(qid, "right option", _squash(option), mode="option", items=wrong)
    elif kind == "number":
        written = _distinct_number(answer)
        if written and written not in data_text:
            yield Secret(qid, "number answer", written, mode="number")
    elif kind == "ordering" and isinstance(answer, list) and len(answer) > 1:
        yield Secret(qid, "order", " → ".join(answer), mode="order", items=tuple(_squash(a) for a in answer))
    elif kind in ("matching", "classification") and isinstance(answer, dict):
        pairs = tuple(f"{_squash(k)}\x1f{_squash(v)}" for k, v in answer.items() if len(k) >= 12)
        if pairs:
            yield Secret(qid, "answer key (item and its label)", "", mode="pairs", items=pairs)


def _question_secrets(question: Question, qid: str, data_text: str) -> Iterator[Secret]:
    yield from _text_secrets(question, qid, data_text)
    yield from _answer_secrets(question, qid, data_text)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


PACKED = re.compile(r"(?:unseal|load_checks)\((?:'[^']*', )?'([A-Za-z0-9+/=]{40,})'\)")


def _readable(path: Path) -> tuple[str, str] | None:
    """(what anyone reads in the file, the packed question data in it), or None for a binary file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None
    plain = raw
    if path.suffix == ".ipynb":
        try:  # every text of the notebook (sources, outputs) as a reader sees it, not JSON-escaped
            plain = "\n".join(_strings(json.loads(raw)))
        except json.JSONDecodeError:
            pass  # not JSON: searched as text
    # As a reader sees it: HTML entities, markdown's escaped dollars and pandas' <span>$</span>.
    plain = re.sub(r"\\([$*_`])", r"\1", html.unescape(plain).replace("<span>$</span>", "$"))
    packed = []
    from course.questions import seal

    for blob in PACKED.findall(plain):
        try:
            packed.append(json.dumps(seal.unpack(blob), ensure_ascii=False))
        except ValueError:
            continue  # a damaged blob opens for nobody
    return _squash(plain), _squash("\n".join(packed))


def _found(secret: Secret, text: str) -> bool:
    if secret.mode == "text":
        return secret.text in text
    if secret.mode == "option":
        count = text.count(secret.text)
        return count > 0 and (not secret.items or count > min(text.count(o) for o in secret.items))
    if secret.mode == "number":
        return re.search(rf"(?<![\d.]){re.escape(secret.text)}(?!\d)", text) is not None
    if secret.mode == "order":
        gap = r"[\s\"',\]\[\d.)(→>-]{0,40}?"
        return re.search(gap.join(re.escape(item) for item in secret.items), text) is not None
    for pair in secret.items:  # "pairs": an item, then its label as a dict or a table would write it
        item, label = pair.split("\x1f")
        if re.search(rf"{re.escape(item)}[\"']?\s*(?::|=|→|->|\|)\s*[\"']?{re.escape(label)}(?!\w)", text):
            return True
    return False


def find_leaks(out: Path) -> list[Leak]:
    """Every file of ``out`` (but ``.git``) that holds a secret of this repository's questions."""
    found = secrets()
    leaks = []
    for path in release_files(out):
        readable = _readable(path)
        if readable is None:
            continue
        plain, packed = readable
        for secret in found:
            if _found(secret, plain) or (secret.in_packed and packed and _found(secret, packed)):
                leaks.append(Leak(str(path.relative_to(out)), secret.qid, secret.what))
    return sorted(set(leaks), key=lambda leak: (leak.path, leak.qid, leak.what))
