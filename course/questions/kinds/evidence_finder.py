"""The evidence finder: search the five texts, pick the passage that supports a statement.

A pick is right when the passage lies in one of the accepted claims of data/claims.csv, and
partly right when it comes from the right text but not from the passage that settles it. The
accepted claims are hashed like any answer; a student copy finds them again (for the reveal)
by hashing every claim id, so it needs no claim id in plain text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course.evidence import CLAIM_ID
from course.questions import answers
from course.questions.feedback import InvalidAnswer
from course.questions.question import Question, lookup_quote

if TYPE_CHECKING:
    from course.questions.widgets import Parts

#: Passages listed at most after a search (a longer list is not usable from the keyboard).
MAX_PASSAGES = 12


@dataclass(frozen=True)
class Passage:
    """A hit in one text: ``start``/``end`` are character offsets of the match;
    ``claim_ids`` are the claims whose quote covers it."""

    source_id: str
    start: int
    end: int
    left: str
    match: str
    right: str
    claim_ids: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.source_id}: …{self.left}[{self.match}]{self.right}…"

    def __str__(self) -> str:
        return self.label


def find_passages(term: str, source_ids: Sequence[str] | None = None) -> list[Passage]:
    """Every occurrence of ``term`` in the texts (or in ``source_ids``), through
    ``course.evidence.search``, which lets straight and curly apostrophes match each other."""
    from course.evidence import search

    if not isinstance(term, str) or not term.strip():
        raise InvalidAnswer("Type a word or phrase to search for, e.g. Huawei.")
    rows = search(term.strip(), source=source_ids).to_dict("records")
    return [
        Passage(
            str(row["source_id"]),
            int(row["position"]),
            int(row["position"]) + len(str(row["match"])),
            str(row["left"]),
            str(row["match"]),
            str(row["right"]),
            tuple(c for c in str(row["claim_ids"]).split(";") if c),
        )
        for row in rows
    ]


class EvidenceFinder(Question):
    """Find the passage that supports ``prompt`` (a statement). ``answer`` lists the claim
    ids that count as support; ``sources`` limits the search to some texts."""

    kind = "evidence finder"
    fields = frozenset({"answer", "sources"})

    def _settle(self, *, sources: Sequence[str] | None = None, partly_hash: Sequence[str] = ()) -> None:
        self.sources = list(sources) if sources else None
        self.partly_hash = tuple(partly_hash)

    def _set_solution(self, answer: str | Sequence[str]) -> list[str]:
        """The accepted claims, each of which joins the evidence shown when the pick is right."""
        from course.evidence import claim_sources

        spans = claim_sources()
        accepted = [answer] if isinstance(answer, str) else list(answer)
        unknown = [c for c in accepted if c not in spans]
        if not accepted or unknown:
            raise ValueError(f"Question {self.name!r}: accepted claims must be known claim ids; unknown: {unknown}.")
        self.solution = accepted
        self.partly_hash = tuple(sorted({self._hash(spans[c], "source") for c in accepted}))
        self._set_evidence(self.explanation, [*self.evidence_ids, *(c for c in accepted if c not in self.evidence_ids)])
        return [self._hash(c) for c in accepted]

    def _set_hashes(self, answer_hash: Sequence[str]) -> None:
        from course.evidence import claim_sources

        self.answer_hash = tuple(answer_hash)
        if sum(self._hash(c) in self.answer_hash for c in claim_sources()) != len(self.answer_hash):
            raise ValueError(f"answer_hash of {self.name!r} does not fit the claims: wrong salt, or claims changed?")

    def _hash(self, value: str, role: str = "claim") -> str:
        return answers.hash_answer(value, self.salt, role)

    def search(self, term: str) -> list[Passage]:
        """Passages containing ``term`` in the texts this question searches."""
        return find_passages(term, self.sources)

    def parse(self, value: Any) -> Passage:
        """A passage the search found, a claim id such as ``"C012"``, or words of a text
        (the first passage that contains them)."""
        if value is None or value is Ellipsis or (isinstance(value, str) and not value.strip()):
            raise InvalidAnswer("Nothing picked yet: search for a word, then pick a passage (or give a claim id).")
        if isinstance(value, str) and CLAIM_ID.fullmatch(value.strip().upper()):
            from course.evidence import claim_sources

            claim_id = value.strip().upper()
            if claim_id not in claim_sources():
                raise InvalidAnswer(f"There is no claim {claim_id}: look the id up with course.search(...).")
            return Passage(claim_sources()[claim_id], 0, 0, "", claim_id, "", (claim_id,))
        if isinstance(value, str):
            found = find_passages(value, self.sources)
            if not found:
                raise InvalidAnswer(
                    "That passage is not in the texts as written: search for a word and pick a passage."
                )
            return found[0]
        if not isinstance(value, Passage):
            raise InvalidAnswer(f'Expected a claim id such as "C012" (a string), not {type(value).__name__}.')
        return value

    def _canonical(self, value: Passage | str) -> str:
        """The accepted claim id that the passage lies in."""
        if isinstance(value, str):
            return value
        return next(c for c in value.claim_ids if self._hash(c) in self.answer_hash)

    def _right_answers(self) -> list[str]:
        return list(self.solution)

    def _judge(self, value: Passage) -> tuple[str, str, tuple]:
        overlapping = value.claim_ids
        if any(self._hash(c) in self.answer_hash for c in overlapping):
            return "correct", f"this passage in {value.source_id} supports the statement.", ()
        if self._hash(value.source_id, "source") in self.partly_hash:
            return (
                "partial",
                f"the right text ({value.source_id}), but this passage does not settle it; read nearby.",
                (),
            )
        return "incorrect", f"this passage in {value.source_id} does not support the statement.", ()

    def answer_text(self) -> str:
        return "; ".join(f"[{q.claim_id}] {q.text}" for q in map(lookup_quote, self.solution))

    def answer_form(self) -> str:
        return f'the claim id of the passage, as a string: `{self.name} = "C012"` (find it with `search(...)`)'

    def choices_text(self) -> list[str]:
        where = ", ".join(self.sources) if self.sources else "all five texts"
        return [f"  [search {where}, then pick a passage or give its claim id]"]

    def _fields(self) -> dict[str, Any]:
        return {"sources": self.sources}

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": list(self.answer_hash), "partly_hash": list(self.partly_hash)}

    def controls(self) -> Parts:
        """A search box and its button, a status line that says what was found, and the
        passages found as radio buttons."""
        import ipywidgets as w

        from course.questions.accessible import RadioGroup
        from course.questions.widgets import WIDE

        term = w.Text(
            value="",
            description="Search the texts for:",
            placeholder="a word, e.g. Huawei",
            style=WIDE,
            continuous_update=False,
        )
        search = w.Button(description="Search", tooltip="List the passages that contain the word", icon="search")
        found = w.HTML('<p role="status" aria-live="polite"></p>')
        picks = RadioGroup(options=[], description="Passages found:")
        passages: dict[str, Passage] = {}
        search.on_click(lambda _: self._list_passages(term.value, found, picks, passages))
        body = [w.HBox([term, search]), found, picks]
        return {"term": term, "search": search, "passages": picks}, body, lambda: passages.get(picks.value or "")

    def _list_passages(self, term: str, found: Any, picks: Any, passages: dict[str, Passage]) -> None:
        """Run a search from the widget: list at most ``MAX_PASSAGES`` passages, or say why not."""
        try:
            hits = self.search(term)
        except InvalidAnswer as problem:
            found.value = f'<p role="status" aria-live="polite">⚠ {html.escape(str(problem))}</p>'
            return
        passages.clear()
        passages.update((hit.label, hit) for hit in hits[:MAX_PASSAGES])
        picks.options = list(passages)
        picks.value = None
        more = f" Showing the first {MAX_PASSAGES}: search for a longer phrase." if len(hits) > MAX_PASSAGES else ""
        found.value = f'<p role="status" aria-live="polite">{len(hits)} passages found.{more}</p>'
