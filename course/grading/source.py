"""The question source, as the grader reads it: ``course.questions.source``, nothing else.

``stems()`` are the stems with graded questions; ``load(stem).exercises`` are their plain
(answer-holding) questions, each judged by ``question.judge(value)``, the judge of the learner's
self-check (CONTRIBUTING.md, "Questions"). No second question type lives in the grader.
"""

from __future__ import annotations

from course.questions.source import exercise_stems as stems
from course.questions.source import load

__all__ = ["load", "stems"]
