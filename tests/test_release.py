"""The student release (``python -m course release``): built into a temporary folder, it holds
what students need and nothing of the answers; inside it, with this repository out of reach,
every lesson and exercise runs from a fresh kernel and every self-check answers right and wrong;
and its plain-text check finds an answer planted in a file."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

from course import paths
from course.authoring import release, release_checks
from course.questions import source

#: What a release must not hold (folders and files of this repository).
LEFT_OUT = [
    "solutions",
    "questions",
    "instructors",
    "course/grading",
    "course/questions/source.py",
    "course/questions/generate.py",
    "course/authoring/release.py",
    "course/authoring/release_checks.py",
    "course/authoring/navigation.py",
    "course/authoring/minutes.py",
    "course/authoring/datacheck",
    "course/authoring/bench.py",
    "course/authoring/startup.py",
    "course/authoring/audit.py",
    "course/authoring/drift.py",
    "course/authoring/readings.py",
    "course/authoring/passages.py",
    "course/authoring/lockfile.py",
    ".ci",
    ".github",
    "CONTRIBUTING.md",
    "INSTRUCTORS.md",
    "data/AUDIT.md",
    "data/AUDIT-CHECKS.md",
    "data/AUDIT-2.md",
    "data/audit",
    "requirements-dev.txt",
    "requirements-dev.in",
]
HELD = [
    "notebooks",
    "exercises",
    "data/claims.csv",
    "data/datapackage.json",
    "data/sources/README.md",
    "data/tables",
    "course/questions/learner.py",
    "course/questions/widgets.py",
    "course/questions/plain.py",
    "course/authoring/notebooks.py",  # the release's tests list the notebooks with it
    "requirements.txt",
    "requirements.in",
    "environment.yml",
    "postBuild",
    "pyproject.toml",
    "Makefile",
    "lab.mk",
    "README.md",
    "LICENSE",
    "LICENSE-content",
    "tests/test_course.py",
]
STUDENT_URL = "https://github.com/example-school/ai-course-students"

# Run in the release with this repository out of reach: the shared development install maps
# ``course`` onto a source checkout (an editable finder), which a student's install does not; the
# audit hook logs every file or folder of this repository (or of the left-out folders anywhere)
# that the interpreter, and each Jupyter kernel it starts, opens or lists.
SITECUSTOMIZE = textwrap.dedent(
    '''
    import os
    import re
    import sys

    def _foreign(hook):
        return str(getattr(hook, "__module__", "") or type(hook).__module__).startswith("__editable__")

    sys.meta_path[:] = [finder for finder in sys.meta_path if not _foreign(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not _foreign(hook)]
    _ROOT, _VENV = os.environ["RELEASE_SOURCE"], os.path.join(os.environ["RELEASE_SOURCE"], ".venv")
    _LEFT_OUT = re.compile(r"/(course/grading|solutions|instructors)(/|$)|/questions/[^/]+[.]toml$")
    _LOG = os.open(os.environ["RELEASE_AUDIT_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)

    def _audit(event, args):
        if event not in ("open", "os.listdir", "os.scandir") or not args or isinstance(args[0], int):
            return
        if args[0] is None:
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        inside = path == _ROOT or path.startswith(_ROOT + os.sep)
        if (inside and not (path == _VENV or path.startswith(_VENV + os.sep))) or _LEFT_OUT.search(path):
            os.write(_LOG, f"{event} {path}\\n".encode())

    sys.addaudithook(_audit)
    '''
)

# Inside the release: every sealed self-check of the lessons (unseal) and the exercises
# (load_checks), judged with the right and the wrong answer given on stdin.
JUDGE = textwrap.dedent(
    '''
    import importlib.util, json, re, sys
    from pathlib import Path
    import nbformat
    import course
    from course.questions import load_checks, unseal

    out = Path.cwd()
    left_out = ["course.grading", "course.questions.source", "course.questions.generate", "course.authoring.release",
                "course.authoring.navigation"]
    report = {"course": course.__file__, "importable": [m for m in left_out if importlib.util.find_spec(m)]}
    answers, results = json.load(sys.stdin), {}
    packed = re.compile(r"(unseal|load_checks)\\((?:'([^']*)', )?'([A-Za-z0-9+/=]+)'\\)")
    for folder in ("notebooks", "exercises"):
        for path in sorted((out / folder).glob("*.ipynb")):
            for cell in nbformat.read(str(path), as_version=4).cells:
                for _, stem, blob in packed.findall(cell.source if cell.cell_type == "code" else ""):
                    names = list(load_checks(stem, blob).questions) if stem else [unseal(blob).name]
                    for name in names:
                        key = f"{folder}/{path.stem}:{name}"
                        given = answers.get(key)
                        if given is None:
                            results[key] = None
                            continue
                        verdicts = []
                        for value in given:
                            judge = load_checks(stem, blob) if stem else unseal(blob).check
                            feedback = judge(name, value) if stem else judge(value)
                            verdicts.append(feedback.headline)
                        results[key] = verdicts
    report["results"] = results
    print(json.dumps(report, ensure_ascii=False))
    '''
)


def _wrong(question):
    """An answer the question judges wrong (or partly right): another option, another order,
    labels moved round, a number far off, a claim id that does not support it."""
    kind, right = question.kind, question.solution
    if kind == "single choice":
        candidates = [o for o in question.options if o != right]
    elif kind == "multiple choice":
        candidates = [[o] for o in question.options if o not in right] + [question.options]
    elif kind == "number":
        candidates = [right * 3 + 1000, -abs(right) - 1000]
    elif kind == "ordering":
        candidates = [list(reversed(right)), right[1:] + right[:1]]
    elif kind in ("matching", "classification"):
        items, values = list(right), list(right.values())
        candidates = [dict(zip(items, values[1:] + values[:1], strict=True))]
        candidates += [dict.fromkeys(items, choice) for choice in question.choices]
    elif kind == "evidence finder":
        candidates = [f"C{n:03d}" for n in range(1, 60) if f"C{n:03d}" not in right]
    else:
        return None
    for status in ("incorrect", "partial"):
        for candidate in candidates:
            if question.check(candidate).status == status:
                return candidate
    raise AssertionError(f"{question.name}: no wrong answer found among {candidates[:3]}")


def right_and_wrong() -> dict[str, list]:
    """``folder/stem:id`` → [right answer, wrong answer] (a written one: [model answer])."""
    answers = {}
    for stem in source.stems():
        qset = source.load(stem)
        for folder, questions in (("notebooks", qset.checks), ("exercises", qset.exercises)):
            if not (paths.ROOT / folder / f"{stem}.ipynb").exists():
                continue  # the instructors' widget gallery
            for question in questions:
                right = question._right_answers()[0]
                wrong = _wrong(question)
                answers[f"{folder}/{stem}:{question.name}"] = [right] if wrong is None else [right, wrong]
    return answers


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The release, built once for the module, and the seconds the build took."""
    out = tmp_path_factory.mktemp("release") / "student"
    start = time.perf_counter()
    result = release.build(out, repository=STUDENT_URL)
    return result, time.perf_counter() - start


@pytest.fixture(scope="module")
def isolated(tmp_path_factory, built):
    """(environment, audit log) for running inside the release with this repository out of reach."""
    harness = tmp_path_factory.mktemp("isolate")
    (harness / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = harness / "audit.log"
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_ROOT", "PYTHONPATH")}
    env |= {
        "PYTHONPATH": os.pathsep.join([str(built[0].out), str(harness)]),
        "RELEASE_SOURCE": str(paths.ROOT.resolve()),
        "RELEASE_AUDIT_LOG": str(log),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return env, log


def tree(out: Path) -> set[str]:
    return set(subprocess.run(["git", "ls-files"], cwd=out, capture_output=True, text=True, check=True).stdout.split())


@pytest.mark.slow
def test_the_release_holds_what_students_need_and_nothing_of_the_answers(built):
    result, seconds = built
    files = tree(result.out)
    print(f"release: {result.files} files, {result.size / 1e6:.1f} MB, built in {seconds:.1f} s")
    for left in LEFT_OUT:
        assert not (result.out / left).exists(), f"{left} is in the release"
        assert not any(f == left or f.startswith(left + "/") for f in files), left
    for held in HELD:
        assert held in files or any(f.startswith(held + "/") for f in files), f"{held} is missing from the release"
    assert {f"notebooks/{p.name}" for p in paths.NOTEBOOKS.glob("*.ipynb")} <= files
    assert {f"exercises/{p.name}" for p in paths.EXERCISES.glob("*.ipynb")} <= files
    readme = (result.out / "README.md").read_text(encoding="utf-8")
    assert "solution" not in readme.lower() and "answer key" not in readme.lower()
    assert "## How to hand in" in readme and "## Course map" in readme
    data_readme = (result.out / "data" / "README.md").read_text(encoding="utf-8")
    assert "## Claims" in data_readme and "audit" not in data_readme.lower()
    assert "https://mybinder.org/v2/gh/example-school/ai-course-students/HEAD?labpath=exercises/" in readme
    assert "china-ai-course" not in readme, "Binder links point at the student repository"
    assert release_checks.find_leaks(result.out) == list(result.allowed)
    assert result.commit and not subprocess.run(["git", "status", "--porcelain"], cwd=result.out,
                                                 capture_output=True, text=True, check=True).stdout
    subject = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=result.out, capture_output=True, text=True,
                             check=True).stdout
    assert result.source_commit in subject


@pytest.mark.slow
def test_every_lesson_and_exercise_runs_inside_the_release_without_the_source(built, isolated):
    env, log = isolated
    out = built[0].out
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=out, env=env, capture_output=True, text=True, timeout=1500, check=False,
    )
    print(f"the release's own tests: {time.perf_counter() - start:.0f} s")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    lessons = len(list(paths.NOTEBOOKS.glob("*.ipynb")))
    assert f"{1 + 2 * lessons} passed" in run.stdout, run.stdout[-1000:]
    opened = log.read_text(encoding="utf-8") if log.exists() else ""
    assert opened == "", f"the release (or a kernel in it) reached this repository:\n{opened[:2000]}"


@pytest.mark.slow
def test_every_self_check_answers_right_and_wrong_inside_the_release(built, isolated):
    env, log = isolated
    out = built[0].out
    answers = right_and_wrong()
    run = subprocess.run(
        [sys.executable, "-c", JUDGE], cwd=out, env=env, input=json.dumps(answers, ensure_ascii=False),
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert Path(report["course"]).resolve().is_relative_to(out.resolve()), report["course"]
    assert report["importable"] == [], "left-out modules are importable in the release"
    results = report["results"]
    assert set(results) == set(answers), (sorted(set(answers) - set(results)), sorted(set(results) - set(answers)))
    for key, verdicts in results.items():
        if len(answers[key]) == 1:  # a written answer: received, marked later
            assert verdicts[0].startswith("✎ Received"), (key, verdicts)
            continue
        right, wrong = verdicts
        assert right.startswith("✓ Correct"), (key, right)
        assert wrong.startswith(("✗ Not right yet", "◐ Partly right")), (key, wrong)
    assert not (log.exists() and log.read_text(encoding="utf-8")), log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_builds_of_one_source_give_one_commit_and_a_rebuild_adds_nothing(built, tmp_path):
    first = built[0]
    again = release.build(tmp_path / "again", repository=STUDENT_URL)
    assert again.commit == first.commit, "same source, same author and date: same commit"
    (again.out / ".venv").mkdir()
    (again.out / ".venv" / "kept").write_text("a student's environment", encoding="utf-8")
    rebuilt = release.build(again.out, repository=STUDENT_URL)
    assert rebuilt.commit is None, "a rebuild of an unchanged source commits nothing"
    log = subprocess.run(["git", "log", "--format=%H"], cwd=again.out, capture_output=True, text=True, check=True)
    assert log.stdout.split() == [first.commit]
    assert (again.out / ".venv" / "kept").exists(), "what git ignores is not the release's: kept"
    (again.out / "README.md").write_text("edited by hand", encoding="utf-8")
    with pytest.raises(release.ReleaseError, match="changes nobody committed"):
        release.build(again.out, repository=STUDENT_URL)
    assert (again.out / "README.md").read_text(encoding="utf-8") == "edited by hand"


def test_a_folder_that_is_not_a_release_is_refused_and_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(release.ReleaseError, match="not empty and is not an earlier student release"):
        release.build(tmp_path, repository=STUDENT_URL)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    with pytest.raises(release.ReleaseError, match="inside the course repository"):
        release.build(paths.ROOT / "student", repository=STUDENT_URL)
    assert not (paths.ROOT / "student").exists()
    with pytest.raises(release.ReleaseError, match="github.com/OWNER/NAME"):
        release.build(tmp_path / "new", repository="git@example.org:me/course")


def test_the_command_refuses_a_bad_folder_with_a_message(tmp_path, capsys):
    (tmp_path / "x").write_text("", encoding="utf-8")
    assert release._main([str(tmp_path)]) == 1
    assert "not an earlier student release" in capsys.readouterr().err


def _planted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A folder like a release, with one answer of each form planted where a grep finds it."""
    qset = source.load("02-export-controls")
    explanation = qset.find("months_gap").explanation
    option = qset.find("months_gap").solution
    order = qset.find("h20_order").solution
    key = qset.find("responses").solution
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"A note:\n{explanation}"),  # JSON-escaped in the file
        nbformat.v4.new_code_cell(f"h20_order = {order!r}\nresponses = {key!r}\nprevious_grid = 402.9"),
    ]
    (tmp_path / "notebooks").mkdir(parents=True)
    nbformat.write(nb, str(tmp_path / "notebooks" / "planted.ipynb"))
    (tmp_path / "notes.md").write_text(f"months_gap = &quot;{option}&quot;\n", encoding="utf-8")
    return tmp_path, {"explanation": "02-export-controls:months_gap", "order": "02-export-controls:h20_order"}


def test_the_plain_text_check_finds_a_planted_answer(tmp_path):
    out, _ = _planted(tmp_path)
    found = release_checks.find_leaks(out)
    leaks = {(leak.path, leak.qid, leak.what) for leak in found}
    assert ("notebooks/planted.ipynb", "02-export-controls:months_gap", "explanation") in leaks
    assert ("notebooks/planted.ipynb", "02-export-controls:h20_order", "order") in leaks
    assert ("notes.md", "02-export-controls:months_gap", "right option") in leaks
    assert ("notebooks/planted.ipynb", "02-export-controls:responses", "answer key (item and its label)") in leaks
    assert ("notebooks/planted.ipynb", "04-chips-and-compute:previous_grid", "number answer") in leaks
    assert all(str(leak).startswith(leak.path + ": question ") for leak in found)


@pytest.mark.slow
def test_the_plain_text_check_passes_a_clean_learners_copy(tmp_path):
    for folder in ("notebooks", "exercises"):
        shutil.copytree(paths.ROOT / folder, tmp_path / folder)
    allowed = release.allowed_leaks(paths.ROOT)
    leaks = [leak for leak in release_checks.find_leaks(tmp_path) if (leak.path, leak.qid) not in allowed]
    assert leaks == []


@pytest.mark.slow
def test_a_build_with_an_answer_in_it_fails_and_commits_nothing(built, tmp_path, monkeypatch):
    out, _ = _planted(tmp_path / "planted")
    monkeypatch.setattr(release, "OWN_FILES", (*release.OWN_FILES, (str(out / "notes.md"), "notes.md")))
    target = tmp_path / "student"
    with pytest.raises(release.ReleaseError, match=r"notes\.md: question 02-export-controls:months_gap"):
        release.build(target, repository=STUDENT_URL)
    head = subprocess.run(["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=target, capture_output=True, check=False)
    assert head.returncode != 0, "nothing is committed"
    assert re.search("building", (target / ".git" / release.MARKER).read_text(encoding="utf-8"))


def test_a_link_to_what_is_left_out_is_found(tmp_path):
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("[worked answers](../solutions/01-x.ipynb) · [next](02-y.ipynb#top)")]
    nbformat.write(nb, str(tmp_path / "notebooks" / "01-x.ipynb"))
    nbformat.write(nbformat.v4.new_notebook(), str(tmp_path / "notebooks" / "02-y.ipynb"))
    (tmp_path / "README.md").write_text("[map](#course-map) [web](https://example.org) [key](instructors/k.md)\n")
    assert release_checks.link_problems(tmp_path) == [
        "README.md: links to instructors/k.md, which the release does not hold",
        "notebooks/01-x.ipynb: links to ../solutions/01-x.ipynb, which the release does not hold",
    ]
