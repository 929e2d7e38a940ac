"""``make bench-grading``: the grader against nbgrader's autograde on the same submissions.

Builds N submissions per exercise from the real ``exercises/`` (answer cells filled from
``solutions/``: mostly right, some wrong, some blank; see ``synthetic``), each carrying
nbgrader's cell metadata and one nbgrader test cell per question, so both graders grade the
very same files. Then times:

* ``python -m course grade`` (``course.grading``), workers = cores, nothing cached;
* nbgrader's ``autograde`` (installed by this script into a throwaway virtual environment,
  never a course dependency), once in one process as nbgrader runs by default, and once as
  two processes (two course folders, half the students each), each notebook in a fresh kernel;
* ``course.grading`` once more, nothing cached, so that on a shared machine whose load changes
  during the run nbgrader is compared with the mean of the grader's two timings around it.

A benchmark, not a test: it prints figures and never fails on them. Usage::

    python -m course.grading.bench [--students N] [--keep]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from course import paths
from course.grading import cli, runner, source, synthetic

NBGRADER_VENV = Path(tempfile.gettempdir()) / "course-bench-nbgrader"
KERNEL = "course-grading-bench"


def _nbgrader() -> Path:
    """The throwaway environment with nbgrader, made on first use."""
    exe = NBGRADER_VENV / "bin" / "nbgrader"
    if not exe.exists():
        print(f"installing nbgrader into a throwaway environment {NBGRADER_VENV} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(NBGRADER_VENV)], check=True)
        subprocess.run([str(NBGRADER_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "nbgrader"],
                       check=True)
    spec = NBGRADER_VENV / "share" / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(Path(sys.executable).absolute()), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "course (benchmark)", "language": "python",
        "env": {"PYTHONPATH": str(paths.ROOT), "MPLBACKEND": "Agg"}}))
    return exe


def _expected(question) -> object:
    """The right answer as plain data, for nbgrader's test cell."""
    if question.kind == "number":
        return float(question.solution)
    return question.solution


def _test_cell(question) -> str:
    expected = json.dumps(_expected(question), sort_keys=True)
    if question.kind == "number":
        return f"assert abs(float({question.id}) - {expected}) <= {question.tolerance}"
    return f"import json\nassert json.dumps({question.id}, sort_keys=True) == {expected!r}"


def _nbgrader_meta(cell: dict, grade_id: str, *, solution: bool, points: float | None = None) -> None:
    meta = {"grade": points is not None, "solution": solution, "locked": not solution, "grade_id": grade_id,
            "schema_version": 3}
    if points is not None:
        meta["points"] = points
    cell.setdefault("metadata", {})["nbgrader"] = meta


def annotated(exercise: dict, questions: list) -> dict:
    """The exercise with nbgrader's metadata: answer cells as solution cells, and after each
    question's answer cell an autograder test cell worth its points (written ones excepted)."""
    nb = copy.deepcopy(exercise)
    where = synthetic.answer_cells(nb)
    by_cell = {index: qid for qid, index in where.items()}
    cells = []
    for index, cell in enumerate(nb["cells"]):
        cells.append(cell)
        if index in by_cell:
            qid = by_cell[index]
            _nbgrader_meta(cell, f"answer_{qid}", solution=True)
            question = next(q for q in questions if q.id == qid)
            if question.kind != "written":
                test: dict[str, Any] = {"cell_type": "code", "execution_count": None, "outputs": [],
                                        "source": _test_cell(question), "metadata": {}}
                _nbgrader_meta(test, f"test_{qid}", solution=False, points=question.points)
                cells.append(test)
    nb["cells"] = cells
    nb["metadata"]["kernelspec"] = {"name": KERNEL, "display_name": "course (benchmark)", "language": "python"}
    return nb


def _answers_for(questions: list, solution_code: dict[str, str], rng: random.Random) -> dict[str, str]:
    """A student's answer cells: mostly right, sometimes wrong or blank."""
    answers = {}
    for q in questions:
        roll = rng.random()
        if roll < 0.7:
            answers[q.id] = solution_code[q.id]
        elif roll < 0.85:
            answers[q.id] = f"{q.id} = 'not this'"
        else:
            answers[q.id] = f"{q.id} = ..."
    return answers


def build(folder: Path, students: int) -> tuple[Path, Path, list[str], dict[str, dict]]:
    """(submissions, exercises folder, stems, nbgrader source notebooks by stem)."""
    stems = source.stems()
    exercises_dir = paths.EXERCISES
    solution_code = {stem: synthetic.solution_code(stem) for stem in stems}
    rng = random.Random(12)
    subs = folder / "submissions"
    sources = {}
    for stem in stems:
        questions = source.load(stem).exercises
        exercise = json.loads((exercises_dir / f"{stem}.ipynb").read_text(encoding="utf-8"))
        sources[stem] = annotated(exercise, questions)
        for n in range(students):
            nb = synthetic.submission(sources[stem], _answers_for(questions, solution_code[stem], rng))
            synthetic.write(subs / f"student{n:03d}" / f"{stem}.ipynb", nb)
    return subs, exercises_dir, stems, sources


def _nbgrader_course(folder: Path, stems: list[str], sources: dict[str, dict], students: list[str], subs: Path) -> None:
    (folder / "source" / "bench").mkdir(parents=True)
    for stem in stems:
        synthetic.write(folder / "source" / "bench" / f"{stem}.ipynb", sources[stem])
    (folder / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(folder)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n"
        "c.ExecutePreprocessor.timeout = 60\n"
        f"c.Execute.kernel_name = {KERNEL!r}\n"
        "c.ClearSolutions.enforce_metadata = False\n")
    for student in students:
        for stem in stems:
            target = folder / "submitted" / student / "bench" / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(subs / student / f"{stem}.ipynb", target)


def _nbgrader_env() -> dict[str, str]:
    """nbgrader's own environment first on PATH (it calls ``alembic``), its kernel spec found."""
    return {**os.environ, "PYTHONPATH": "", "JUPYTER_PATH": str(NBGRADER_VENV / "share" / "jupyter"),
            "PATH": f"{NBGRADER_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


def _run_nbgrader(exe: Path, folder: Path) -> tuple[float, str]:
    env = _nbgrader_env()
    base = [str(exe)]
    for step in (["generate_assignment", "bench", "--force"],):
        subprocess.run(base + step, cwd=folder, env=env, check=True, capture_output=True, text=True)
    start = time.perf_counter()
    done = subprocess.run(base + ["autograde", "bench", "--force"], cwd=folder, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, (done.stderr[-2000:] if done.returncode else "")


def _figures(seconds: float, notebooks: int, ours: float) -> str:
    """One line of nbgrader's figures, compared with the grader's ``ours`` seconds."""
    return (f"  {seconds:7.1f} s  {seconds / notebooks:5.2f} s per notebook  ({notebooks / seconds:5.2f} notebooks/s)"
            f"   course.grading is {seconds / ours:4.1f}x faster")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.grading.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print its path")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="course-bench-grading-"))
    try:
        subs, exercises_dir, stems, sources = build(work, args.students)
        notebooks = args.students * len(stems)
        workers = args.workers or runner.default_workers()
        print(f"{notebooks} submissions ({args.students} students x {len(stems)} exercise{'s' * (len(stems) > 1)}: "
              f"{', '.join(stems)}); {runner.default_workers()} cores\n")
        start = time.perf_counter()
        rows = cli.grade(subs, work / "out", workers=workers, exercises=exercises_dir, progress=False)
        ours = time.perf_counter() - start
        statuses = sorted({r.status for r in rows})
        print(f"course.grading  {workers} workers, sandbox: {'bubblewrap' if cli.sandbox.available()[0] else 'NONE'}")
        print(f"  {ours:7.1f} s  {ours / notebooks:5.2f} s per notebook  ({notebooks / ours:5.2f} notebooks/s; "
              f"statuses {statuses})")
        start = time.perf_counter()
        cli.grade(subs, work / "out", workers=workers, exercises=exercises_dir, progress=False)
        print(f"  re-run from cache: {time.perf_counter() - start:.1f} s")
        if not args.skip_nbgrader:
            _nbgrader_side_by_side(work, subs, stems, sources, notebooks, ours, workers, exercises_dir)
    finally:
        if args.keep:
            print(f"\nwork folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _nbgrader_side_by_side(work: Path, subs: Path, stems: list[str], sources: dict[str, dict], notebooks: int,
                           first: float, workers: int, exercises_dir: Path) -> float:
    """nbgrader's two timings, then the grader's second; the ratios are printed against the
    mean of the grader's two (returned): the machine's load may change during the run."""
    exe = _nbgrader()
    students = sorted(p.name for p in subs.iterdir())
    one = work / "nbgrader-1"
    _nbgrader_course(one, stems, sources, students, subs)
    seconds, error = _run_nbgrader(exe, one)
    halves = [students[0::2], students[1::2]]
    folders = []
    for n, half in enumerate(halves):
        folder = work / f"nbgrader-2-{n}"
        _nbgrader_course(folder, stems, sources, half, subs)
        folders.append(folder)
    env = _nbgrader_env()
    for folder in folders:
        subprocess.run([str(exe), "generate_assignment", "bench", "--force"], cwd=folder, env=env, check=True,
                       capture_output=True)
    start = time.perf_counter()
    running = [subprocess.Popen([str(exe), "autograde", "bench", "--force"], cwd=f, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for f in folders]
    codes = [p.wait() for p in running]
    seconds2 = time.perf_counter() - start
    start = time.perf_counter()
    cli.grade(subs, work / "out-again", workers=workers, exercises=exercises_dir, progress=False)
    second = time.perf_counter() - start
    ours = (first + second) / 2
    print(f"  again, after nbgrader: {second:7.1f} s  {second / notebooks:5.2f} s per notebook; "
          f"mean of the two {ours / notebooks:5.2f} s per notebook")
    print("nbgrader autograde, 1 process")
    print(_figures(seconds, notebooks, ours) + (f"\n  FAILED: {error}" if error else ""))
    print("nbgrader autograde, 2 processes (a course folder each)")
    print(_figures(seconds2, notebooks, ours) + (f"  exit codes {codes}" if any(codes) else ""))
    return ours


if __name__ == "__main__":
    sys.exit(main())
