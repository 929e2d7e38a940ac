"""Every question kind, judged headless and through its widget: right, wrong, partial, bad
input, hashed copies and reveal. Evidence comes from the real data/claims.csv, found by quote
text rather than by id, so renumbering the claims does not break these tests."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest

import course
from course.questions import kinds, seal
from course.questions.kinds import (
    Classification,
    EvidenceFinder,
    Matching,
    MultipleChoice,
    NumberQuestion,
    Ordering,
    SingleChoice,
)
from course.questions.kinds.evidence_finder import Passage


@cache
def cid(words: str) -> str:
    """The id of the one claim whose quote contains ``words``."""
    table = course.claims()
    found = table[table["quote"].str.contains(words, regex=False)]
    assert len(found) == 1, f"expected one claim quoting {words!r}, found {list(found['claim_id'])}"
    return found["claim_id"].iloc[0]


FORECAST_82 = "82% of AI chips from domestic makers by 2027"
CAPACITY = "2.5 times as much power-generation capacity"


SHARED = {"explanation": "Morgan Stanley's forecast says so.", "hint": "Read the forecast."}


def shared():
    return SHARED | {"evidence": [cid(FORECAST_82)]}


def single():
    return SingleChoice(
        "share_2027", "What share of AI chips in China will come from domestic makers by 2027, by the forecast?",
        options=["34%", "82%", "70%"], answer="82%", partly=["70%"], **shared(),
    )


def multiple():
    return MultipleChoice("forecasts", "Which are forecasts?",
                          options=["82% by 2027", "34% in 2024", "2.5 times the capacity"], answer=["82% by 2027"],
                          **shared())


def number():
    return NumberQuestion("share", "Forecast share for 2027?", 82, tolerance=0.5, unit="%", **shared())


def ordering():
    order = ["2024", "2027", "2030"]
    return Ordering("timeline", "Order these years", order, items=["2030", "2024", "2027"], **shared())


def matching():
    return Matching("who_said", "Who said what?", {"82% by 2027": "Morgan Stanley", "closing in": "MERICS"},
                    choices=["Morgan Stanley", "MERICS", "SemiAnalysis"], **shared())


def classification():
    return Classification("kinds", "Label each statement", {"82% by 2027": "forecast", "2.5 times": "fact"}, **shared())


def finder():
    statement = "China's share of domestic AI chips is forecast to rise to 82%."
    return EvidenceFinder("find_forecast", statement, [cid(FORECAST_82)],
                          explanation="The forecast is Morgan Stanley's.", hint="Search for 82%.")


def _passage(term: str, source_id: str) -> Passage:
    return next(p for p in finder().search(term) if p.source_id == source_id)


# (builder, right, wrong, partial, invalid inputs)
CASES = {
    "single": (single, "82%", "34%", "70%", [None, "", "90%"]),
    "multiple": (multiple, ["82% by 2027"], ["34% in 2024"], ["82% by 2027", "34% in 2024"], [None, [], ["nope"]]),
    "number": (number, "82.4", "34", "0.82", ["", "eighty-two", None]),
    "ordering": (ordering, ["2024", "2027", "2030"], ["2030", "2024", "2027"], ["2024", "2030", "2027"],
                 [None, ["2024", "2027"], ["2024", "2024", "2030"], ["2024", None, "2030"]]),
    "matching": (matching, {"82% by 2027": "Morgan Stanley", "closing in": "MERICS"},
                 {"82% by 2027": "MERICS", "closing in": "SemiAnalysis"},
                 {"82% by 2027": "Morgan Stanley", "closing in": "SemiAnalysis"},
                 [None, {"82% by 2027": "Morgan Stanley"}, {"82% by 2027": "IMF", "closing in": "MERICS"}]),
    "classification": (classification, {"82% by 2027": "forecast", "2.5 times": "fact"},
                       {"82% by 2027": "opinion", "2.5 times": "assertion"},
                       {"82% by 2027": "forecast", "2.5 times": "opinion"},
                       ["fact", {"82% by 2027": "forecast", "2.5 times": None}, {"nonsense": "fact"}]),
    "finder": (finder, lambda: _passage("82%", "wsj"), lambda: _passage("Huawei", "billions"),
               lambda: _passage("2.5 times", "wsj"), [None, "", "not in any of the texts at all", 42]),
}


def _value(value):
    return value() if callable(value) else value


@pytest.fixture(params=sorted(CASES), ids=sorted(CASES))
def case(request):
    build, right, wrong, partial, invalid = CASES[request.param]
    return build, _value(right), _value(wrong), _value(partial), invalid


@pytest.mark.parametrize("hashed", [False, True], ids=["plain", "hashed"])
def test_right_wrong_partial(case, hashed):
    build, right, wrong, partial, _ = case
    q = build().to_learner() if hashed else build()
    assert q.hashed is hashed
    bad = q.check(wrong)
    assert bad.status == "incorrect", str(bad)
    assert not bad.explanation and not bad.evidence, "a wrong try must not give the answer away"
    assert bad.hint == q.hint
    half = q.check(partial)
    assert half.status == "partial", str(half)
    good = q.check(right)
    assert good.status == "correct" and good.correct, str(good)
    assert good.explanation == q.explanation and good.evidence
    assert good.tries == 3 and q.value is not None and q.answer == q.value


def test_invalid_input_gets_a_message_not_a_traceback(case):
    build, *_, invalid = case
    q = build()
    for value in invalid:
        feedback = q.check(value)
        assert feedback.status == "invalid", (value, str(feedback))
        assert feedback.message.strip() and "Traceback" not in str(feedback)
    assert q.tries == 0, "bad input is not counted as a try"


def test_reveal_after_the_configured_number_of_tries(case):
    build, _, wrong, *_ = case
    q = build()
    early = q.reveal()
    assert early.status == "invalid" and "2 more times" in early.message
    q.check(wrong)
    assert not q.can_reveal
    q.check(wrong)
    shown = q.reveal()
    assert shown.status == "revealed" and shown.answer and shown.explanation == q.explanation and shown.evidence


def test_learner_copy_holds_no_answer_and_reveals_only_when_allowed(case):
    build, right, *_ = case
    plain = build()
    spec = plain.learner_spec(reveal=True)
    assert not {"answer", "partly", "explanation", "evidence", "solution"} & set(spec), sorted(spec)
    packed = seal.unpack(seal.pack(spec))
    text = json.dumps(packed, ensure_ascii=False)
    assert plain.explanation not in text and plain.hint in text
    student = kinds.from_spec(packed)
    assert student.explanation == "" and student.evidence == ()
    student.reveal_after = 0
    shown = student.reveal()
    assert shown.status == "revealed" and shown.answer == plain.answer_text()
    assert shown.explanation == plain.explanation
    assert [q.text for q in shown.evidence] == [q.text for q in plain.evidence]


def test_graded_copy_never_reveals(case):
    build, _, wrong, *_ = case
    student = kinds.from_spec(seal.unpack(seal.pack(build().learner_spec(reveal=False))))
    assert student.sealed_reveal is None
    for _ in range(3):
        student.check(wrong)
    assert student.reveal().status == "invalid" and not student.can_reveal


def test_a_right_answer_opens_the_explanation_in_a_learner_copy(case):
    build, right, wrong, *_ = case
    student = build().to_learner()
    assert student.check(wrong).explanation == ""
    good = student.check(right)
    assert good.correct and good.explanation == build().explanation and good.evidence


def test_score_gives_points_and_partial_credit(case):
    build, right, wrong, partial, invalid = case
    q = build()
    q.points = 4
    assert q.score(right) == 4 and q.score(wrong) == 0 and q.score(invalid[0]) == 0
    assert 0 <= q.score(partial) < 4
    assert q.tries == 0, "scoring is not a try"


def test_partial_credit_is_the_share_of_items_right():
    q = ordering()
    q.points = 3
    assert q.score(["2024", "2030", "2027"]) == 1.0  # one of three in place
    assert single().score("70%") == 0.5  # a half-truth
    many = MultipleChoice("m", "?", options=["a", "b", "c", "d"], answer=["a", "b"], explanation="x", points=2)
    assert many.score(["a"]) == 1.0 and many.score(["a", "c"]) == 0.0 and many.score(["a", "b", "c"]) == 1.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: SingleChoice("q", "?", options=["a", "b"], answer="c"),
        lambda: SingleChoice("q", "?", options=["a", "b"], answer_hash="0" * 16, salt="s"),
        lambda: SingleChoice("q", "?", options=["a", "b"]),
        lambda: SingleChoice("not a name", "?", options=["a", "b"], answer="a"),
        lambda: SingleChoice("q", "", options=["a", "b"], answer="a"),
        lambda: SingleChoice("q", "?", options=["a", "a"], answer="a"),
        lambda: SingleChoice("q", "?", options=["a", "b"], answer="a", evidence=["C999"]),
        lambda: MultipleChoice("q", "?", options=["a", "b"], answer=["c"]),
        lambda: NumberQuestion("q", "?", 3, tolerance=0),
        lambda: Ordering("q", "?", ["a", "b"], items=["a", "c"]),
        lambda: Matching("q", "?", {"x": "nope"}, choices=["a"]),
        lambda: EvidenceFinder("q", "?", ["C999"]),
        lambda: NumberQuestion("q", "?", 3, tolerance=1, points=-1),
        lambda: EvidenceFinder("q", "?", answer_hash=["0" * 16], salt="s"),
    ],
)
def test_author_errors_fail_when_the_question_is_built(make):
    with pytest.raises(ValueError):
        make()


def test_single_choice_accepts_typographic_variants():
    q = SingleChoice("q", "Which?", options=["China’s plan", "Other"], answer="China's plan")
    assert q.check("china's   PLAN").correct


def test_number_unit_slip_is_partial_and_says_check_the_unit():
    q = NumberQuestion("spend", "Grid spending to 2030?", 564, tolerance=1, unit="billion USD")
    feedback = q.check("564000")
    assert feedback.status == "partial" and "unit" in feedback.message
    assert q.check("564 billion USD").correct


def test_ordering_marks_each_place():
    feedback = ordering().check(["2024", "2030", "2027"])
    assert feedback.marks == (("1st: 2024", True), ("2nd: 2030", False), ("3rd: 2027", False))


def test_evidence_finder_accepts_a_quoted_passage_and_searches_typography_insensitively():
    q = finder()
    assert q.check("82% of AI chips").correct
    assert q.search("China's") == q.search("China’s") != []
    assert q.check("domestic makers by 2027").correct


def test_feedback_text_is_deterministic_and_not_colour_only():
    feedback = single().check("34%")
    text = str(feedback)
    assert text.startswith("✗ Not right yet:")
    assert not re.search(r"0x[0-9a-f]{6,}", text)
    assert 'role="status"' in feedback._repr_html_() and "Not right yet" in feedback._repr_html_()


def test_question_repr_is_short_and_deterministic():
    assert repr(single()) == (
        "single choice 'share_2027': What share of AI chips in China will come from domestic makers by 2027, "
        "by the forecast?\n  ( ) 1. 34%\n  ( ) 2. 82%\n  ( ) 3. 70%"
    )
    bundle = single()._repr_mimebundle_()
    assert bundle["text/plain"] == repr(single())
    assert "application/vnd.jupyter.widget-view+json" in bundle


# -- the widget path, headless: set a control, press Check, read the feedback -------------------------


def _set(view, kind, value):
    if kind in ("single", "number"):
        view.controls["answer"].value = value
    elif kind == "multiple":
        for option, box in view.controls.items():
            box.value = option in value
    elif kind == "ordering":
        for dropdown, item in zip(view.controls.values(), value, strict=True):
            dropdown.value = item
    elif kind in ("matching", "classification"):
        for item, dropdown in view.controls.items():
            dropdown.value = value[item]
    elif kind == "finder":
        view.controls["term"].value = value.match
        view.controls["search"].click()
        view.controls["passages"].value = value.label


@pytest.mark.parametrize("kind", sorted(CASES))
def test_widget_check_button_shows_feedback(kind):
    build, right, wrong, partial, _ = CASES[kind]
    q = build()
    view = q.widget()
    assert view.feedback.html == "", "the status region is there, empty, before any check"
    region = view.feedback
    view.check_button.click()
    assert "⚠" in view.feedback.html and "Check your answer" in view.feedback.html
    assert view.reveal_button.layout.display == "none"
    _set(view, kind, _value(wrong))
    view.check_button.click()
    assert "Not right yet" in view.feedback.html and "✗" in view.feedback.html
    _set(view, kind, _value(partial))
    view.check_button.click()
    assert "Partly right" in view.feedback.html
    assert view.reveal_button.layout.display is None, "Show answer appears after reveal_after tries"
    _set(view, kind, _value(right))
    assert q.value is not None, "the chosen answer is readable before Check is pressed"
    view.check_button.click()
    assert "✓" in view.feedback.html and "Correct" in view.feedback.html
    assert "Evidence" in view.feedback.html
    view.reveal_button.click()
    assert "Answer" in view.feedback.html
    assert view.feedback is region, "the status region stays in place and is updated"


def test_widget_controls_are_labelled():
    for kind, (build, *_) in CASES.items():
        view = build().widget()
        for name, control in view.controls.items():
            label = getattr(control, "description", "")
            assert label.strip(), f"{kind}: control {name!r} has no label"


def test_widget_hint_button_shows_the_hint():
    view = single().widget()
    view.hint_button.click()
    assert "Read the forecast." in view.hint.value


def test_widget_search_with_empty_term_explains():
    view = finder().widget()
    view.controls["search"].click()
    found = view.box.children[2]  # the search status under the search box
    assert "⚠" in found.value and "Type a word" in found.value


def test_every_kind_has_fields_a_widget_an_export_and_a_gallery_cell():
    import course.questions as package
    from course.questions import source
    from course.questions.question import Question

    names = kinds.by_name()
    assert len(names) == len(kinds.KINDS), "two kinds share a name"
    for name, cls in names.items():
        assert cls.fields, f"{name}: lists no TOML fields"
        assert cls.controls is not Question.controls, f"{name}: no widget controls"
        assert getattr(package, cls.__name__) is cls, f"{name}: not exported from course.questions"
        assert getattr(course, cls.__name__) is cls, f"{name}: not exported from course"
        assert cls.__name__ in course.__all__ and cls.__name__ in package.__all__, name
    shown = {q.kind for q in source.load("widget-gallery").checks}
    assert shown == set(names), f"the gallery lacks {sorted(set(names) - shown)}"


def test_every_kind_is_built_by_the_one_constructor():
    """A kind writes hooks, not an ``__init__``: the shared fields and the answer-or-hashes
    dispatch are written once, in ``Question``, for every kind."""
    from course.questions.question import Question

    own = [cls.__name__ for cls in kinds.KINDS if "__init__" in vars(cls)]
    assert not own, f"these kinds write their own __init__: {own}"
    for cls in kinds.KINDS:
        if cls.kind != "written":
            assert cls._set_hashes is not Question._set_hashes, f"{cls.kind}: keeps no hashes"


def test_a_field_of_another_kind_is_refused_by_name():
    with pytest.raises(TypeError, match="tolerance"):
        SingleChoice("q", "?", options=["a", "b"], answer="a", tolerance=1)
    with pytest.raises(ValueError, match="rubric and a model_answer"):
        kinds.named("written")("essay", "Why?", "because", rubric=[{"criterion": "says why", "points": 1}])


def test_every_kind_written_in_the_kinds_package_is_in_the_list():
    """A kind module whose class is not in ``KINDS`` is never found by the question source:
    this names the line to add."""
    import importlib
    import inspect
    import pkgutil

    from course.questions.question import Question

    for info in pkgutil.iter_modules(kinds.__path__):
        module = importlib.import_module(f"{kinds.__name__}.{info.name}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, Question) and cls.__module__ == module.__name__:
                assert cls in kinds.KINDS, f"{cls.__name__} ({info.name}.py): add it to KINDS in kinds/__init__.py"


def test_a_kind_in_its_own_module_needs_no_import_to_be_found():
    """Nothing registers a kind by being imported: a fresh interpreter that reads a question
    file finds every kind through the one list."""
    import subprocess
    import sys

    code = (
        "from course.questions import source; "
        "print(sorted({q.kind for q in source.load('widget-gallery').checks}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(sorted(kinds.by_name()))


def test_a_radio_choice_sent_as_a_message_is_taken_at_once_and_only_if_it_is_an_option():
    """The browser sends a choice both as a state update (which ipywidgets may hold back while
    an earlier one is in flight) and as a message, which keeps its place before a Check click."""
    from course.questions.accessible import RadioGroup

    group = RadioGroup(options=["MERICS", "the WSJ"])
    group._take(group, {"value": "the WSJ"}, [])
    assert group.value == "the WSJ"
    for forged in ({"value": "not an option"}, {"value": 3}, "text", None):
        group._take(group, forged, [])
        assert group.value == "the WSJ"


def test_a_committed_text_sent_as_a_message_is_taken_at_once():
    from course.questions.accessible import TextBox

    box = TextBox(description="Answer (%):")
    box._take(box, {"value": "82"}, [])
    assert box.value == "82"
    for forged in ({"value": 82}, "82", None):
        box._take(box, forged, [])
        assert box.value == "82"


def test_the_old_kind_name_claim_is_answered_with_its_new_name():
    """A notebook from an earlier term may label a statement 'claim': the learner is told the
    kind is now 'assertion', not only that the label is unknown."""
    from course.questions import source

    question = next(q for stem in source.stems() for q in source.load(stem).checks
                    if isinstance(q, Classification) and "assertion" in q.labels)
    feedback = question.judge({item: "claim" for item in question.items})
    assert feedback.status == "invalid" and "now called 'assertion'" in feedback.message
