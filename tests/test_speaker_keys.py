"""A question that asks who speaks a quoted sentence keys each item with a label; the label
must stand for the speaker claims.csv gives that sentence (issue 16: a speaker fixed in the
data must not survive in its old wording in a question). Each such question names here which
claims.csv speakers each of its labels covers, so a re-attributed claim fails this test until
the question follows it."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping

import pytest

from course import claims, paths

#: (stem, question id) → {label: the claims.csv speakers it stands for}.
SPEAKER_LABELS: dict[tuple[str, str], dict[str, set[str]]] = {
    ("06-talent-and-education", "talent_speakers"): {
        "China's Ministry of Education (data)": {"China's Ministry of Education (data)"},
        "researchers from the Hoover Institution and Stanford University": {
            "researchers from the Hoover Institution and Stanford University"
        },
        "the WSJ's authors, naming no source": {"author"},
    },
    ("07-energy-and-infrastructure", "energy_speakers"): {
        "the text's own author": {"author"},
        "Morgan Stanley researchers": {"Morgan Stanley researchers"},
        "nobody named": {"unnamed ('is projected')"},
    },
    ("09-governance", "governance_speakers"): {
        "the text's own author": {"author"},
        "industry participants (unnamed)": {"industry participants (unnamed)"},
        "Stanford's 2025 AI Index (as the blog reports it)": {"Stanford's 2025 AI Index"},
        "OpenAI's Sam Altman": {"OpenAI's Sam Altman"},
    },
}


def speaker_key_problems(
    answer: Mapping[str, str], labels: Mapping[str, set[str]], speaker_of: Mapping[str, str]
) -> list[str]:
    """Items whose keyed label does not cover the speaker claims.csv gives their quote. An
    item must be a claim's exact quote: a question that asks for a speaker quotes its claim."""
    problems = []
    for item, label in answer.items():
        if item not in speaker_of:
            problems.append(f"{item[:50]!r}: not the exact quote of a claim")
        elif label not in labels:
            problems.append(f"{item[:50]!r}: keyed {label!r}, a label the map does not know")
        elif speaker_of[item] not in labels[label]:
            problems.append(f"{item[:50]!r}: keyed {label!r}, but claims.csv gives the speaker {speaker_of[item]!r}")
    return problems


@pytest.fixture(scope="module")
def speaker_of() -> dict[str, str]:
    table = claims()
    return dict(zip(table["quote"], table["speaker"], strict=True))


def answer_of(stem: str, qid: str) -> dict[str, str]:
    data = tomllib.loads((paths.ROOT / "questions" / f"{stem}.toml").read_text(encoding="utf-8"))
    entry = next(e for section in ("check", "exercise") for e in data.get(section, []) if e["id"] == qid)
    assert sorted(entry["labels"]) == sorted(SPEAKER_LABELS[stem, qid]), "the map names every label"
    return entry["answer"]


@pytest.mark.parametrize(("stem", "qid"), sorted(SPEAKER_LABELS), ids=[q for _, q in sorted(SPEAKER_LABELS)])
def test_speaker_keys_follow_claims_csv(stem, qid, speaker_of):
    problems = speaker_key_problems(answer_of(stem, qid), SPEAKER_LABELS[stem, qid], speaker_of)
    assert not problems, "\n".join(problems)


def test_a_re_attributed_claim_is_reported(speaker_of):
    stem, qid = "07-energy-and-infrastructure", "energy_speakers"
    answer = answer_of(stem, qid)
    quote = next(item for item, label in answer.items() if label == "nobody named")
    planted = {**speaker_of, quote: "Morgan Stanley researchers"}  # the data re-attributes C138
    problems = speaker_key_problems(answer, SPEAKER_LABELS[stem, qid], planted)
    expected = f"{quote[:50]!r}: keyed 'nobody named', but claims.csv gives the speaker 'Morgan Stanley researchers'"
    assert problems == [expected]
