"""Questions: written once in ``questions/NN-slug.toml``, judged here, shown as widgets.

The sub-package's modules import one way only, each from those before it::

    answers, seal, plain, accessible  →  feedback  →  question, choices, widgets
        →  kinds/<kind>.py (one module per kind)  →  kinds (the one list ``KINDS``)
        →  learner (``unseal``, ``load_checks``), source (reads the TOML)  →  generate

``question`` imports ``widgets`` only inside ``widget()``, and a kind imports it only inside
``controls()``, so ipywidgets loads when a question is shown; ``widgets`` imports no question.

``unseal`` (a lesson's self-check) and ``load_checks`` (an exercise's ``check``) are what the
generated cells call; ``source.load(stem)`` is what authors, tests and the grader use. Names are
imported lazily, so a learner's first cell stays fast; each kind is exported under its class
name, read from ``course.questions.kinds.KINDS`` when first asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

#: Exported names that are not kinds -> the module that defines them.
NAMES: dict[str, str] = {
    "unseal": "course.questions.learner",
    "load_checks": "course.questions.learner",
    "Checks": "course.questions.learner",
    "Question": "course.questions.question",
    "InvalidAnswer": "course.questions.feedback",
    "Feedback": "course.questions.feedback",
    "hash_answer": "course.questions.answers",
}


def kind_classes() -> dict[str, type]:
    """Each kind of ``course.questions.kinds.KINDS`` by its class name (imports the kinds)."""
    from course.questions.kinds import KINDS

    return {cls.__name__: cls for cls in KINDS}


def is_kind_name(name: str) -> bool:
    """True for the class name of a kind. Only a CapWords name imports the kinds to look: a
    lower-case name may be a submodule being imported (``from course import paths``)."""
    return name[:1].isupper() and name in kind_classes()


def __getattr__(name: str) -> Any:
    if name == "__all__":  # derived from the list of kinds, so it imports them
        return sorted([*NAMES, *kind_classes()])
    if name in NAMES:
        value = getattr(importlib.import_module(NAMES[name]), name)
        globals()[name] = value
        return value
    if is_kind_name(name):
        return kind_classes()[name]
    raise AttributeError(f"module 'course.questions' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))
