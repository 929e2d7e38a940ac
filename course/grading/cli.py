"""``python -m course grade SUBMISSIONS --out OUT``: grade a class.

Discover the files (``submissions``), run each notebook in a fresh sandboxed process
(``runner``, ``sandbox``, ``kernel``), judge the plain answers in this process (``judging``) and
write the gradebooks, feedback, summary and marking sheet (``gradebook``). Interrupt it at any
time: the next run resumes from the cached runs in ``OUT/.grader/``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

from course import paths
from course.grading import gradebook, judging, runner, sandbox, source, submissions
from course.grading.gradebook import Row


def generated_cells(exercises: Path, stem: str) -> dict[str, str]:
    """``question:role`` -> source of the generated check/keys cells of the handed-out exercise."""
    path = exercises / f"{stem}.ipynb"
    if not path.exists():
        return {}
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = {}
    for cell in nb.get("cells", []):
        meta = (cell.get("metadata") or {}).get("course") or {}
        if cell.get("cell_type") == "code" and meta.get("role") in ("check", "keys"):
            text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            found[f"{meta.get('question')}:{meta['role']}"] = text
    return found


def grade(submissions_dir: Path, out: Path, *, workers: int | None = None, limits: runner.Limits | None = None,
          exercises: Path = paths.EXERCISES, progress: bool = True, require_sandbox: bool = False,
          root: Path = paths.ROOT) -> list[Row]:
    out = Path(out)
    limits = limits or runner.Limits()
    out.mkdir(parents=True, exist_ok=True)
    stems = source.stems()
    questions = {stem: list(source.load(stem).exercises) for stem in stems}
    ok, why = sandbox.available()
    sandbox_note = ""
    if not ok:
        if require_sandbox:
            raise SystemExit(f"bubblewrap is {why}; refusing to grade without the sandbox (--require-sandbox)")
        print(sandbox.MISSING_WARNING.format(why=why), file=sys.stderr, flush=True)
        sandbox_note = (f"bubblewrap is {why}: submissions ran without the sandbox "
                        "(limits on time, memory and output only).")
    found = submissions.discover(Path(submissions_dir), stems)
    generated = {stem: generated_cells(exercises, stem) for stem in stems}
    jobs, plan = [], []
    for sub in found:
        if sub.problem is None:
            cells, cell_notes = runner.code_cells(sub.notebook, generated[sub.stem])
            ids = [q.id for q in questions[sub.stem]]
            data = json.dumps(cells).encode()
            job = runner.Job(runner.cache_key(data, ids, limits), cells, ids)
            jobs.append(job)
            plan.append((sub, job, cells, cell_notes))
        else:
            plan.append((sub, None, [], []))

    # The summary's figure needs matplotlib here too: import it while the kernels work.
    warm = threading.Thread(target=_prewarm, daemon=True)
    warm.start()
    results = _run_with_progress(jobs, out, workers or runner.default_workers(), limits, ok, progress, root)

    existing = gradebook.read_marks(out)
    rows: list[Row] = []
    comments: dict = {}
    seen: set[tuple[str, str]] = set()
    for sub, job, cells, cell_notes in plan:
        maximum = sum(float(q.points) for q in questions[sub.stem]) if sub.stem else None
        if job is None:
            status = sub.problem.split(" (")[0]
            note = sub.note if sub.problem == "duplicate" else f"{sub.problem}; {sub.note}"
            rows.append(Row(sub.student, sub.stem or "", status, 0.0 if sub.stem and status != "duplicate" else None,
                            maximum if sub.stem else None, note, sub.relpath, late=sub.late))
            if sub.stem and status != "duplicate":
                seen.add((sub.student, sub.stem))
            continue
        marks = {}
        for q in questions[sub.stem]:
            if q.kind == "written":
                got, said = gradebook.marks_for(existing, sub.student, sub.stem, q)
                if got is not None:
                    marks[q.id] = got
                if said:
                    comments[(sub.student, sub.stem, q.id)] = said
        result = judging.judge(questions[sub.stem], results[job.key], cells, marks, cell_notes)
        note = "; ".join([sub.note, *result.review, *result.notes])
        rows.append(Row(sub.student, sub.stem, result.status, result.points, result.max_points, note, sub.relpath,
                        result, late=sub.late))
        seen.add((sub.student, sub.stem))
    students = sorted({r.student for r in rows if r.exercise and r.student != "unknown"})
    for student in students:
        for stem in stems:
            if (student, stem) not in seen:
                rows.append(Row(student, stem, "missing", 0.0, sum(float(q.points) for q in questions[stem]),
                                "no file for this exercise", ""))
    rows.sort(key=lambda r: (r.student, r.exercise, r.status == "duplicate", r.file))
    gradebook.write_gradebooks(out, rows, stems)
    pending = gradebook.write_marking(out, rows, questions, existing)
    gradebook.write_feedback(out, rows, questions, comments)
    gradebook.write_summary(out, rows, questions, sandbox_note, pending)
    return rows


def _prewarm() -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401

        import course.plots  # noqa: F401
    except Exception:
        pass


def _run_with_progress(jobs, out, workers, limits, sandboxed, progress, root):
    if not progress or not jobs:
        return runner.run_all(jobs, out, workers, limits, sandboxed, root=root)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    unique = len({j.key for j in jobs})
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("notebooks"),
                  TimeElapsedColumn(), TimeRemainingColumn(), transient=False) as bar:
        task = bar.add_task("grading", total=unique)
        return runner.run_all(jobs, out, workers, limits, sandboxed,
                              on_done=lambda job, result, cached: bar.advance(task), root=root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path,
                        help="folder of submissions (one folder per student, or LMS flat files)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the gradebook, feedback and summary")
    parser.add_argument("--workers", type=int, default=None,
                        help="notebooks run at once (default: the machine's cores)")
    parser.add_argument("--cell-timeout", type=float, default=runner.Limits.cell_timeout, help="seconds per cell")
    parser.add_argument("--notebook-timeout", type=float, default=runner.Limits.notebook_timeout,
                        help="seconds per notebook")
    parser.add_argument("--memory-mb", type=int, default=runner.Limits.memory_mb,
                        help="address space per notebook (MB)")
    parser.add_argument("--output-bytes", type=int, default=runner.Limits.output_bytes, help="output kept per notebook")
    parser.add_argument("--require-sandbox", action="store_true", help="stop rather than run without bubblewrap")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder")
    limits = runner.Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb, args.output_bytes)
    start = time.perf_counter()
    rows = grade(args.submissions, args.out, workers=args.workers, limits=limits,
                 progress=not args.no_progress, require_sandbox=args.require_sandbox)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(f"{len(rows)} rows ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}) in "
          f"{time.perf_counter() - start:.1f} s; see {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
