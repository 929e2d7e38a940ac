"""Questions: written once in ``questions/NN-slug.toml``, judged here, shown as widgets.

The sub-package's modules import one way only::

    answers, seal  →  feedback  →  kinds  →  finder, written  →  widgets
                                      ↑
                     source (reads the TOML)  →  generate (writes learners' cells)

    plain (an answer as plain data)  →  learner (``check``) and the grader's kernel

``unseal`` (a lesson's self-check) and ``load_checks`` (an exercise's ``check``) are what the
generated cells call; ``source.load(stem)`` is what authors, tests and the grader use. Names are
imported lazily, so a learner's first cell stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "unseal": "course.questions.learner",
    "load_checks": "course.questions.learner",
    "Checks": "course.questions.learner",
    "Question": "course.questions.kinds",
    "InvalidAnswer": "course.questions.kinds",
    "SingleChoice": "course.questions.kinds",
    "MultipleChoice": "course.questions.kinds",
    "NumberQuestion": "course.questions.kinds",
    "Ordering": "course.questions.kinds",
    "Matching": "course.questions.kinds",
    "Classification": "course.questions.kinds",
    "EvidenceFinder": "course.questions.finder",
    "Written": "course.questions.written",
    "Feedback": "course.questions.feedback",
    "hash_answer": "course.questions.answers",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'course.questions' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
