"""A classification question: label each statement with a kind (by default the four kinds of
data/claims.csv). A key may ask for a claim's kind "from claims.csv", so it follows the data."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any

from course import paths
from course.evidence import KINDS, RENAMED
from course.questions.feedback import InvalidAnswer
from course.questions.kinds.matching import Matching
from course.questions.question import QuestionSourceError

#: The answer value that asks for a claim's kind to be read from data/claims.csv.
FROM_CLAIMS = "from claims.csv"


ClaimKinds = tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]


def keys_from_claims(answer: Any, labels: Sequence[str], label: str = "", kinds: ClaimKinds | None = None) -> Any:
    """A classification key that asks for claims' kinds, filled from data/claims.csv.

    When the labels are the four kinds, an item that is a claim id or the exact quote of a
    claim is keyed with that claim's ``kind``: written ``"from claims.csv"``, the key is read
    from the data when the questions are generated, so re-kinding a claim re-keys every
    question that asks for it. A hand-typed kind that disagrees with claims.csv is refused, so
    a key can never keep a kind the data has dropped. Items that are not a claim's words
    (a paraphrase, a joined sentence) keep their typed key. ``kinds`` (by id, by quote) is
    read from the data unless given."""
    if not isinstance(answer, Mapping) or sorted(labels) != sorted(KINDS):
        if isinstance(answer, Mapping) and FROM_CLAIMS in answer.values():
            raise QuestionSourceError(f"{label}: '{FROM_CLAIMS}' gives a claim's kind, so the labels must be {KINDS}.")
        return answer
    by_id, by_quote = claim_kinds() if kinds is None else kinds
    keyed = {}
    for item, value in answer.items():
        known = by_id.get(item) or by_quote.get(item)
        if known is None:
            if value == FROM_CLAIMS:
                raise QuestionSourceError(
                    f"{label}: item {item[:60]!r} is neither a claim id nor the exact quote of a claim, so its "
                    f"kind cannot come {FROM_CLAIMS}; copy the quote exactly, or type the key."
                )
            keyed[item] = value
            continue
        claim_id, claim_kind = known
        if value not in (FROM_CLAIMS, claim_kind):
            raise QuestionSourceError(
                f"{label}: item {item[:60]!r} is keyed {value!r}, but claims.csv gives {claim_id} the kind "
                f'{claim_kind!r}; write "{FROM_CLAIMS}" so the key follows the data.'
            )
        keyed[item] = claim_kind
    return keyed


def claim_kinds() -> ClaimKinds:
    """Each claim's (id, kind), by id and by quote, read from data/claims.csv."""
    with (paths.DATA / "claims.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {row["claim_id"]: (row["claim_id"], row["kind"]) for row in rows}
    by_quote = {row["quote"]: (row["claim_id"], row["kind"]) for row in rows}
    return by_id, by_quote


class Classification(Matching):
    """Label each statement with a kind — by default the kinds of data/claims.csv: fact,
    forecast, assertion (a statement by an interested party: a company, its people, an official) or opinion."""

    kind = "classification"
    fields = frozenset({"labels", "answer"})
    _choices_word = "labels"

    # A classification's choices are its labels, under their TOML name, so its fields differ
    # from matching's: it is a matching to callers only once built, never to the constructor.
    def _settle(  # type: ignore[override]
        self, *, labels: Sequence[str] = KINDS, items: Sequence[str] | None = None
    ) -> None:
        super()._settle(choices=labels, items=items)

    @classmethod
    def from_source(cls, arguments: dict[str, Any], seed: str, shuffle: bool, where: str) -> dict[str, Any]:
        """The key filled from data/claims.csv where it asks for a claim's kind, then the items
        in a stable shuffled order (as for matching)."""
        arguments["answer"] = keys_from_claims(arguments.get("answer"), arguments.get("labels", KINDS), where)
        return super().from_source(arguments, seed, shuffle, where)

    def parse(self, value: Any) -> dict[str, str]:
        """As for matching; a label "claim" among the four kinds gets its new name in the message
        (the kind was renamed "assertion"; a notebook from an earlier term may still say it)."""
        try:
            return super().parse(value)
        except InvalidAnswer as error:
            given = value.values() if isinstance(value, Mapping) else value if isinstance(value, list | tuple) else ()
            for old in sorted({str(v).strip().lower() for v in given}):
                new = RENAMED.get(("kind", old))
                if new in self.choices:
                    raise InvalidAnswer(f"{error} The kind {old!r} is now called {new!r}.") from None
            raise

    @property
    def labels(self) -> list[str]:
        return self.choices

    def _fields(self) -> dict[str, Any]:
        return {"labels": list(self.choices), "items": list(self.items)}


