"""Which claims a learner meets, and where: the course's coverage of its evidence base.

Two questions about claims.csv and the course, each answered from the files as they are:

- :func:`claims_used`: where each claim id is met by a learner: in a lesson (its markdown, its
  code, the text it prints, a figure's sources) or in a lesson's self-checks and exercise
  questions (``questions/NN-*.toml``). The widget gallery is for instructors and does not count.
  ``tests/test_coverage.py`` holds the course to :data:`MINIMUM_SHARE` of the claims, and lists
  the rest with a reason each.
- :func:`evidence_order_problems`: a question rests only on what came before it. Every claim id
  in a self-check's ``evidence`` is met in its own lesson in a cell above the check, or in an
  earlier lesson; an exercise question's may also come from anywhere in its own lesson. A
  claim that the question itself gives (its id, or 40 characters of its quote, in the prompt,
  options or items a learner sees before answering) counts as met: that is how a question asks the learner to apply
  the lesson's method to a statement the lesson did not work through.

    python -m course.authoring.coverage     # print the unused claims and the order problems
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import tomllib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course import paths
from course.authoring.minutes import joined
from course.authoring.passages import CLAIM_ID, claims_by_id, strings

#: The least share of claims a learner must meet somewhere in the course.
MINIMUM_SHARE = 0.95
#: The fields of a question a learner reads before answering (not the hint or explanation).
GIVEN_FIELDS = ("prompt", "options", "labels", "choices")
#: How many characters of a quote, in one verbatim run, a question must give to count as giving it.
QUOTE_PREFIX = 40
LESSON = re.compile(r"^(\d\d)-")
DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")


@dataclass(frozen=True)
class LessonText:
    """What a learner reads in one lesson notebook, cell by cell: each cell's claim ids, and
    the cell where each self-check sits (by question id)."""

    number: str
    cells: list[set[str]]
    checks: dict[str, int]

    def ids_before(self, index: int) -> set[str]:
        return set().union(*self.cells[:index]) if index else set()

    @property
    def ids(self) -> set[str]:
        return set().union(*self.cells) if self.cells else set()


def _cell_text(cell: Mapping[str, Any]) -> str:
    text = joined(cell.get("source", ""))
    for output in cell.get("outputs", []):
        text += joined(output.get("text", ""))
        for kind in ("text/plain", "text/html", "text/markdown"):
            text += joined(output.get("data", {}).get(kind, ""))
    return DATA_URI.sub("", text)


def lesson_text(path: Path) -> LessonText:
    """One lesson's claim ids by cell; a generated self-check cell (sealed) shows none."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells: list[set[str]] = []
    checks: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        question = cell.get("metadata", {}).get("course", {}).get("question")
        if question:
            checks[question] = index
            cells.append(set())
        else:
            cells.append(set(CLAIM_ID.findall(_cell_text(cell))))
    return LessonText(LESSON.match(path.name)[1], cells, checks)  # type: ignore[index]  # lessons are named NN-slug


def lessons(root: Path | None = None) -> dict[str, LessonText]:
    """Every lesson, by its number, in teaching order."""
    folder = (root or paths.ROOT) / "notebooks"
    return {text.number: text for text in (lesson_text(p) for p in sorted(folder.glob("[0-9][0-9]-*.ipynb")))}


def question_files(root: Path | None = None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every lesson's question file (not the widget gallery), by lesson number."""
    folder = (root or paths.ROOT) / "questions"
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.toml")):
        found[path.name[:2]] = tomllib.loads(path.read_text(encoding="utf-8"))
    return found


def given_text(entry: Mapping[str, Any]) -> str:
    """What a learner reads of a question before answering: its prompt, options, labels and
    choices, and its items (a matching's or classification's answer keys; an ordering's answer,
    shown shuffled), not its hint or explanation."""
    given = [s for name in GIVEN_FIELDS for s in strings(entry.get(name))]
    answer = entry.get("answer")
    if isinstance(answer, Mapping):
        given += list(answer)
    elif entry.get("kind") == "ordering":
        given += strings(answer)
    return "\n".join(given)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip().lower()


def gives(entry: Mapping[str, Any], claim_id: str, claims: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether a question gives the claim itself: names its id, or quotes it (a verbatim run of
    at least :data:`QUOTE_PREFIX` characters of it, or all of a shorter quote) where the learner
    reads before answering."""
    text = given_text(entry)
    if claim_id in CLAIM_ID.findall(text):
        return True
    quote = _normal(claims.get(claim_id, {}).get("quote", ""))
    if not quote:
        return False
    text = _normal(text)
    match = difflib.SequenceMatcher(None, quote, text, autojunk=False).find_longest_match(0, len(quote), 0, len(text))
    return match.size >= min(QUOTE_PREFIX, len(quote))


def claims_used(root: Path | None = None) -> dict[str, set[str]]:
    """Claim id → where a learner meets it ("lesson 04", "questions 04")."""
    used: dict[str, set[str]] = defaultdict(set)
    for number, text in lessons(root).items():
        for claim_id in text.ids:
            used[claim_id].add(f"lesson {number}")
    for number, data in question_files(root).items():
        for entry in [*data.get("check", []), *data.get("exercise", [])]:
            for claim_id in {*entry.get("evidence", []), *CLAIM_ID.findall("\n".join(strings(entry)))}:
                used[claim_id].add(f"questions {number}")
    return dict(used)


def apply_problems(root: Path | None = None) -> list[str]:
    """Every ``skill = "apply"`` question that gives none of its evidence claims: a question that
    asks the learner to apply the lesson's method to a new statement must put that statement in
    front of them (by id, or quoted)."""
    claims = claims_by_id((root or paths.ROOT) / "data")
    return [
        f"questions/{number} {entry.get('id', '?')!r}: skill = \"apply\", but it gives none of its evidence claims"
        for number, data in question_files(root).items()
        for entry in [*data.get("check", []), *data.get("exercise", [])]
        if entry.get("skill") == "apply" and not any(gives(entry, c, claims) for c in entry.get("evidence", []))
    ]


def unused_claims(root: Path | None = None) -> list[str]:
    """The claim ids no lesson, self-check or exercise question uses, in id order."""
    used = claims_used(root)
    return [claim_id for claim_id in claims_by_id((root or paths.ROOT) / "data") if claim_id not in used]


def evidence_order_problems(root: Path | None = None) -> list[str]:
    """Every question whose evidence names a claim the learner has not met by then."""
    claims = claims_by_id((root or paths.ROOT) / "data")
    texts = lessons(root)
    problems = []
    for number, data in question_files(root).items():
        earlier = set().union(*(t.ids for n, t in texts.items() if n < number))
        own = texts.get(number)
        for section in ("check", "exercise"):
            for entry in data.get(section, []):
                qid = entry.get("id", "?")
                if own is None:
                    met = earlier
                elif section == "check":
                    met = earlier | own.ids_before(own.checks.get(qid, len(own.cells)))
                else:
                    met = earlier | own.ids
                for claim_id in entry.get("evidence", []):
                    if claim_id not in met and not gives(entry, claim_id, claims):
                        where = "above the check in" if section == "check" else "in"
                        problems.append(
                            f"questions/{number} [[{section}]] {qid!r}: its evidence {claim_id} is not met {where} "
                            f"lesson {number} or an earlier lesson, nor given in the question"
                        )
    return problems


def _main() -> int:
    unused = unused_claims()
    total = len(claims_by_id())
    used = total - len(unused)
    print(f"{used} of {total} claims used ({used / total:.1%}); unused: {', '.join(unused) or 'none'}")
    problems = evidence_order_problems() + apply_problems()
    print("\n".join(problems) or "Every question's evidence comes before it; every apply question gives its statement.")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
