"""A question kind written in a test module, added to the one list ``course.questions.kinds.KINDS``,
works end to end: read from TOML text, a lesson's sealed self-check generated and answered (headless
and through its widget), an exercise generated and its ``check`` answered, the learner's blank
copy unanswered, and graded by the grader's ``judge``. Nothing else learns of the kind: no
registry, no table of fields or widgets or exports, which is what CONTRIBUTING.md's recipe
"Add a question kind" promises."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest

import course
from course.questions import answers, kinds, plain, source
from course.questions.feedback import InvalidAnswer
from course.questions.generate import exercise_from, update_lesson, update_solution
from course.questions.question import Question

if TYPE_CHECKING:
    from course.questions.widgets import Parts

YES, NO = "yes", "no"


class YesNo(Question):
    """A toy kind: is the statement in the prompt true? Answered with True/False or "yes"/"no"."""

    kind = "yes or no"
    fields = frozenset({"answer"})

    def _set_solution(self, answer: bool) -> str:
        if not isinstance(answer, bool):
            raise ValueError(f"Question {self.name!r}: the answer is true or false, not {answer!r}.")
        self.solution = YES if answer else NO
        return self._hash(self.solution)

    def _set_hashes(self, answer_hash: str) -> None:
        if answer_hash not in (self._hash(YES), self._hash(NO)):
            raise ValueError(f"answer_hash of {self.name!r} is neither yes nor no: wrong salt?")
        self.answer_hash = answer_hash

    def _hash(self, word: str) -> str:
        return answers.hash_answer(word, self.salt, "yes or no")

    def parse(self, value: Any) -> str:
        if isinstance(value, bool):
            return YES if value else NO
        if isinstance(value, str) and value.strip().lower() in (YES, NO):
            return value.strip().lower()
        raise InvalidAnswer(f'Expected True or False (or "yes" or "no"), not {value!r}.')

    def _judge(self, value: str) -> tuple[str, str, tuple]:
        if self._hash(value) == self.answer_hash:
            return "correct", f"“{value}” is right.", ()
        return "incorrect", f"“{value}” is not the answer.", ()

    def answer_text(self) -> str:
        return self.solution

    def answer_form(self) -> str:
        return f"`True` or `False`: `{self.name} = True`"

    def choices_text(self) -> list[str]:
        return ["  ( ) 1. yes", "  ( ) 2. no"]

    def _key(self) -> dict[str, Any]:
        return {"answer_hash": self.answer_hash}

    def controls(self) -> Parts:
        from course.questions.accessible import RadioGroup

        radios = RadioGroup(options=[YES, NO], description="Yes or no:")
        return {"answer": radios}, [radios], lambda: radios.value


TOML = '''
[[check]]
id = "state_led"
kind = "yes or no"
prompt = "The toy statement is true."
answer = true
hint = "Read it again."
explanation = "Because the toy says so."

[[exercise]]
id = "toy_points"
kind = "yes or no"
prompt = "The toy exercise's statement is false."
answer = false
points = 2
explanation = "Because the toy says so."
'''


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> source.QuestionSet:
    """The toy kind added to the one list, and a question file that uses it."""
    monkeypatch.setattr(kinds, "KINDS", [*kinds.KINDS, YesNo])
    return source.parse(TOML, "99-toy", Path("questions/99-toy.toml"))


def run_cell(text: str, namespace: dict[str, Any]) -> Any:
    """Run a generated code cell as a kernel would, returning its last expression's value."""
    *body, last = text.strip().splitlines()
    exec("\n".join(body), namespace)
    return eval(last, namespace)


def test_the_toy_kind_is_read_from_toml_and_exported(toy: source.QuestionSet) -> None:
    check, exercise = toy.find("state_led"), toy.find("toy_points")
    assert isinstance(check, YesNo) and isinstance(exercise, YesNo)
    assert exercise.points == 2 and exercise.reveal_after is None
    assert course.YesNo is YesNo and "YesNo" in course.__all__
    with pytest.raises(source.QuestionSourceError, match="fields not used by a yes or no question"):
        source.parse(TOML.replace("answer = true", "answer = true\noptions = [1]"), "99-toy")


def test_the_toy_kind_leaves_the_list_when_the_test_ends() -> None:
    assert YesNo not in kinds.KINDS
    with pytest.raises(source.QuestionSourceError, match="kind must be one of"):
        source.parse(TOML, "99-toy")


def test_a_lesson_check_of_the_toy_kind_is_sealed_and_answered(toy: source.QuestionSet) -> None:
    lesson = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# question: state_led")])
    cell = update_lesson(lesson, toy, "notebooks/99-toy.ipynb").cells[0]
    assert "Because the toy says so" not in cell.source  # sealed
    question = run_cell(cell.source, {})
    assert type(question) is YesNo and question.hashed
    assert question.check(False).status == "incorrect"
    assert question.check("maybe").status == "invalid"
    right = question.check(True)
    assert right.status == "correct" and "Because the toy says so" in right.explanation
    view = question.widget()
    view.controls["answer"].value = NO
    view.check_button.click()
    assert "Not right yet" in view.feedback.html
    assert question.reveal().answer == "yes"


def solution() -> nbformat.NotebookNode:
    code = nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(cells=[
        code("# question: keys"),
        code("# question: toy_points"),
        code("### BEGIN SOLUTION\ntoy_points = False\n### END SOLUTION"),
    ])


def test_an_exercise_of_the_toy_kind_is_generated_checked_and_graded(toy: source.QuestionSet) -> None:
    from course.grading.judging import judge

    nb = update_solution(solution(), toy, "solutions/99-toy.ipynb")
    assert [c.metadata.get("course", {}).get("role") for c in nb.cells] == ["keys", "prompt", None, "check"]
    assert "`True` or `False`" in nb.cells[1].source and "1. yes" in nb.cells[1].source
    namespace: dict[str, Any] = {}
    exec(nb.cells[0].source, namespace)
    exec(nb.cells[2].source, namespace)
    assert run_cell(nb.cells[3].source, namespace).status == "correct"
    student = exercise_from(nb, toy, "exercises/99-toy.ipynb")
    exec(student.cells[2].source, namespace)
    assert namespace["toy_points"] is ...
    assert run_cell(student.cells[3].source, namespace).status == "unanswered"

    questions = toy.exercises
    right = judge(questions, {"answers": {"toy_points": plain.encode(False)}}, [])
    wrong = judge(questions, {"answers": {"toy_points": plain.encode("yes")}}, [])
    missing = judge(questions, {"answers": {}}, [])
    assert (right.points, right.max_points, right.questions[0].status) == (2, 2, "correct")
    assert (wrong.points, wrong.questions[0].status) == (0, "incorrect")
    assert missing.questions[0].status == "unanswered"
