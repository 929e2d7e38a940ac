"""``python -m course grade SUBMISSIONS --out OUT``: grade a class.

Discover every file (``submissions``, ``naming``: each gets a row in ``OUT/files.csv``), run each
notebook of the exercises handed in (or those named with ``--exercise``) in a fresh sandboxed
process (``runner``, ``sandbox``, ``kernel``, ``child``, ``isolation``, ``messages``), judge the plain
answers in this process (``judging``), merge the instructor's marks (``marks``) and write the
gradebooks and marking sheet (``gradebook``), feedback and summary (``reports``), each whole or
not at all. With ``--roster`` every student of the LMS's class
list gets a row (``roster``), and ``--lms canvas|moodle`` writes the LMS's grade import
(``lms``); feedback comes as Markdown, HTML and a zip per exercise named for the LMS's bulk
upload (``feedback``). Ctrl-C or SIGTERM stops it within seconds with the previous outputs
intact: the next run resumes from the cached runs in ``OUT/.grader/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from course import paths
from course.grading import gradebook, judging, lms, marks, reports, roster, runner, sandbox, source, submissions
from course.grading.gradebook import Row

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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


def choose_exercises(wanted: list[str], stems: list[str]) -> list[str]:
    """``--exercise`` values as stems: the full stem, its number (``03``) or a unique start of
    it. Raises ValueError with the stems to choose from."""
    chosen = []
    for text in wanted:
        text = text.strip().removesuffix(".ipynb")
        found = [s for s in stems if s == text] or [s for s in stems if s.split("-")[0] == text] or \
            [s for s in stems if s.startswith(text)]
        if len(found) != 1:
            why = "matches none" if not found else f"matches {len(found)}"
            raise ValueError(f"--exercise {text!r} {why} of the exercises: {', '.join(stems)}")
        chosen += [found[0]] if found[0] not in chosen else []
    return sorted(chosen)


def grade(submissions_dir: Path, out: Path, *, workers: int | None = None, limits: runner.Limits | None = None,
          exercises: Path = paths.EXERCISES, progress: bool = True, require_sandbox: bool = False,
          root: Path = paths.ROOT, only: list[str] | None = None, class_list: roster.Roster | None = None,
          export: Export | None = None) -> list[Row]:
    """Grade every file under ``submissions_dir`` into ``out``; by default the exercises that
    were handed in, or ``only`` these stems. With ``class_list``, every student on it gets a row
    per exercise and others are flagged; with ``export``, an LMS's grade import is written too.
    Ctrl-C stops it (KeyboardInterrupt) with the previous outputs left whole; the next run
    resumes from the cache."""
    out = Path(out).absolute()  # the sandbox binds its scratch folder by this path, from another folder
    limits = limits or runner.Limits()
    out.mkdir(parents=True, exist_ok=True)
    found = submissions.discover(Path(submissions_dir), source.stems(), exclude=out)
    extra = apply_roster(found, class_list) if class_list else []
    stems = sorted(only) if only else sorted({s.stem for s in found if s.stem and s.problem != "skipped"})
    questions = {stem: list(source.load(stem).exercises) for stem in stems}
    sandboxed, sandbox_note = _sandbox(require_sandbox)
    generated = {stem: generated_cells(exercises, stem) for stem in stems}
    plan = [(sub, *_job(sub, generated, questions, limits)) for sub in found]
    # The summary's figure needs matplotlib here too: import it while the kernels work.
    threading.Thread(target=_prewarm, daemon=True).start()
    jobs = [job for _, job, _, _ in plan if job is not None]
    results = _run_with_progress(jobs, out, workers or runner.default_workers(), limits, sandboxed, progress, root)
    sheet = marks.read(out / "marking" / "written-answers.csv")
    for problem in sheet.problems:
        print(f"marks: {problem}", file=sys.stderr, flush=True)
    by_key, pairs = marks.index(sheet), []
    comments: dict[tuple[str, str, str], list[str]] = {}
    for sub, job, cells, cell_notes in plan:
        if sub.problem != "skipped" and (sub.stem in questions or not sub.stem):
            pairs.append((sub, _row(sub, job, cells, cell_notes, questions, results, by_key, comments)))
    known = [s.key for s in class_list.students] if class_list else []
    rows = [row for _, row in pairs] + _missing(found, [row for _, row in pairs], stems, questions, known)
    rows.sort(key=lambda r: (r.student, r.exercise, r.status == "duplicate", r.file))
    exported, export_notes = _export(export, class_list, rows, stems, questions)
    with _signals_held():
        gradebook.write_files(out, _inventory(found, dict((id(sub), row) for sub, row in pairs), stems))
        gradebook.write_gradebooks(out, rows, stems)
        pending = gradebook.write_marking(out, rows, questions, sheet)
        unattached = reports.write_feedback(out, rows, comments, {s.key: s.shown() for s in class_list.students}
                                            if class_list else None)
        if export:
            gradebook.replace_folder(out / "lms", exported)
        reports.write_summary(out, rows, questions, sandbox_note, pending, sheet.problems,
                              extra + export_notes + _unattached_notes(unattached))
    return rows


@dataclass(frozen=True)
class Export:
    """``--lms SYSTEM`` and its ``--lms-column`` values (exercise -> the LMS's column header)."""
    system: str
    columns: tuple[str, ...] = ()


def apply_roster(found: list[submissions.Submission], class_list: roster.Roster) -> list[str]:
    """Give each submission of a student on the roster the roster's key (noting how it was
    matched), flag the others, and pick again the newest file where two keys became one student.
    Returns the summary's lines about the roster."""
    matcher, off = roster.Matcher(class_list), set()
    how: Counter[str] = Counter()
    by_name = []
    for sub in found:
        if not sub.student or sub.problem == "skipped":
            continue
        student, said = matcher.match(sub.student, sub.identity)
        sub.note += f"; {said}"
        if student is None:
            off.add(sub.student)
            continue
        how["LMS id" if "LMS id" in said else "name" if "NAME" in said else "login, email or ID number"] += 1
        if "NAME" in said:
            by_name.append(f"- `{sub.relpath}` -> {student.name} (line {student.line})")
        sub.student = student.key
    submissions.choose_newest(found)  # two keys that became one student: the newest file is graded
    lines = ["## Roster", "", f"{len(class_list.students)} students on the roster ({class_list.kind}, "
             f"`{class_list.path.name if class_list.path else ''}`); files matched by "
             + (", ".join(f"{word}: {n}" for word, n in sorted(how.items())) or "nothing") + ".", ""]
    if by_name:
        lines += ["Matched by name only (check these):", "", *sorted(set(by_name)), ""]
    if off:
        lines += ["**Not on the roster** (graded, but in no LMS export):", "", *[f"- {k}" for k in sorted(off)], ""]
    lines += [f"- {why}" for why in class_list.skipped] + ([""] if class_list.skipped else [])
    return lines


def _export(export: Export | None, class_list: roster.Roster | None, rows: list[Row], stems: list[str],
            questions: dict) -> tuple[dict[str, str], list[str]]:
    """The LMS's import files and the summary's lines about them (none without ``--lms``)."""
    if export is None or class_list is None:
        return {}, []
    maxima = {stem: sum(float(q.points) for q in questions[stem]) for stem in stems}
    given = lms.parse_columns(list(export.columns), stems)
    return lms.write(export.system, class_list, rows, stems, maxima, given)


def _unattached_notes(unattached: dict[str, list[str]]) -> list[str]:
    if not unattached:
        return []
    lines = ["## Feedback with no submission to attach to", "",
             "These students handed nothing in, so an LMS bulk upload has no submission to attach their feedback "
             "to; it is in `feedback/<student>.html`:", ""]
    return lines + [f"- {stem}: {', '.join(sorted(names))}" for stem, names in sorted(unattached.items())] + [""]


def _sandbox(required: bool) -> tuple[bool, str]:
    """(bubblewrap works?, the summary's warning when it does not)."""
    ok, why = sandbox.available()
    if ok:
        return True, ""
    if required:
        raise SystemExit(f"bubblewrap is {why}; refusing to grade without the sandbox (--require-sandbox)")
    print(sandbox.MISSING_WARNING.format(why=why), file=sys.stderr, flush=True)
    return False, f"bubblewrap is {why}: submissions ran without the sandbox (limits on time, memory and output only)."


def _job(sub: submissions.Submission, generated: dict, questions: dict, limits: runner.Limits) -> tuple:
    """(job, cells, cell notes) for a submission to run, (None, [], []) for any other."""
    if sub.problem is not None or sub.stem not in questions or sub.notebook is None:
        return None, [], []
    cells, cell_notes = runner.code_cells(sub.notebook, generated[sub.stem])
    ids = [q.id for q in questions[sub.stem]]
    return runner.Job(runner.cache_key(json.dumps(cells).encode(), ids, limits), cells, ids), cells, cell_notes


def _row(sub, job, cells, cell_notes, questions, results, by_key, comments) -> Row:
    """The gradebook row of one file: judged from its run, or the reason it was not run."""
    maximum = sum(float(q.points) for q in questions[sub.stem]) if sub.stem else None
    if job is None:
        note = sub.note if sub.problem == "duplicate" else f"{sub.reason}; {sub.note}"
        return Row(sub.student, sub.stem or "", sub.problem, 0.0 if sub.stem and sub.problem != "duplicate" else None,
                   maximum, note, sub.relpath, late=sub.late)
    run, given = results[job.key], {}
    for q in questions[sub.stem]:
        answer = (run.get("answers") or {}).get(q.id)
        if q.kind == "written" and isinstance(answer, str):
            got, said = marks.marks_for(by_key, marks.answer_sha(answer), sub.student, sub.stem, q)
            if got is not None:
                given[q.id] = got
            if said:
                comments[(sub.student, sub.stem, q.id)] = said
    result = judging.judge(questions[sub.stem], run, cells, given, cell_notes)
    note = "; ".join([sub.note, *result.review, *result.notes])
    return Row(sub.student, sub.stem, result.status, result.points, result.max_points, note, sub.relpath, result,
               late=sub.late)


def _missing(found: list, rows: list[Row], stems: list[str], questions: dict, known: list[str]) -> list[Row]:
    """A ``missing`` row for each student known from any file or the roster (``known``) and each
    exercise graded in this run that they handed nothing in for."""
    seen = {(r.student, r.exercise) for r in rows if r.exercise and r.status != "duplicate"}
    students = sorted({s.student for s in found if s.student and s.problem != "skipped"} | set(known))
    return [Row(student, stem, "missing", 0.0, sum(float(q.points) for q in questions[stem]),
                "no file for this exercise", "")
            for student in students for stem in stems if (student, stem) not in seen]


def _inventory(found: list, rows: dict, stems: list[str]) -> list[list[str]]:
    """``files.csv``: every entry found, and what became of it."""
    lines = []
    for sub in found:
        row = rows.get(id(sub))
        if row is not None:
            status, reason = row.status, (sub.reason or row.note if row.result is None else row.note)
        elif sub.problem == "skipped":
            status, reason = "skipped", sub.reason
        else:
            status, reason = "not selected", f"exercise {sub.stem} is not graded in this run (--exercise)"
        lines.append([sub.relpath, sub.kind, sub.student, sub.stem or "", status, reason])
    return lines


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the outputs are written (a second or two), so OUT holds
    either the previous run's files or this run's, never a mix; then they stop the run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    old = {sig: signal.signal(sig, lambda number, frame: caught.append(number)) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


def _prewarm() -> None:
    """Import what the summary's figure needs while the kernels work. Only to save time: the
    summary imports it again, and a failure stops the run there, with its message."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401

        import course.plots  # noqa: F401
    except Exception as error:  # noqa: BLE001 - any failure of the imports: said, and met again later
        print(f"grade: could not import matplotlib ahead of the summary ({type(error).__name__}: {error})",
              file=sys.stderr, flush=True)


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


def _interrupt(number: int, frame: object) -> None:
    """SIGTERM stops the run as Ctrl-C does."""
    raise KeyboardInterrupt


def stopped_message(out: Path, argv: list[str]) -> str:
    """What to tell the instructor after Ctrl-C or SIGTERM: nothing is half written, and how to go on."""
    runs = len(list((Path(out) / ".grader" / "runs").glob("*.json")))
    return (f"\nStopped. The files in {out} are whole: each is this run's or the previous run's (none half "
            f"written). {runs} notebook run{'s' * (runs != 1)} are cached in {Path(out) / '.grader'}; to resume, "
            f"run the same command again: python -m course grade {shlex.join(argv)}")


def _parser() -> argparse.ArgumentParser:
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
    parser.add_argument("--exercise", action="append", default=[], metavar="STEM",
                        help="grade only this exercise (its stem or number, e.g. 03; repeatable); "
                             "default: the exercises found in SUBMISSIONS")
    parser.add_argument("--roster", type=Path, default=None,
                        help="class list: a Canvas gradebook export, a Moodle export or grading worksheet, or a "
                             "CSV with student,name,email; every student on it gets a row per exercise")
    parser.add_argument("--lms", choices=["canvas", "moodle"], default=None,
                        help="also write the LMS's grade-import CSV to OUT/lms/ (needs --roster)")
    parser.add_argument("--lms-column", action="append", default=[], metavar="EXERCISE=COLUMN",
                        help='the LMS column for an exercise, e.g. 03="Money and policy (4567)" (repeatable)')
    return parser


def _check_submissions(parser: argparse.ArgumentParser, submissions_dir: Path) -> None:
    """Refuse, with the reason, a SUBMISSIONS that cannot be read, before anything runs."""
    if not submissions_dir.is_dir():
        parser.error(f"{submissions_dir} is not a folder")
    if not os.access(submissions_dir, os.R_OK | os.X_OK):
        parser.error(f"{submissions_dir} cannot be read (permissions)")


def _check_out(parser: argparse.ArgumentParser, out: Path) -> None:
    """Refuse, with the reason, an OUT that cannot be written, before anything runs."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as error:
        parser.error(f"cannot write the grades to {out}: {error.strerror or error}")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _check_submissions(parser, args.submissions)
    try:
        only = choose_exercises(args.exercise, source.stems()) if args.exercise else None
        class_list = roster.read(args.roster) if args.roster else None
        if args.lms:
            lms.check(args.lms, class_list)
    except ValueError as error:  # RosterError and ExportError too: the line and the reason
        parser.error(str(error))
    _check_out(parser, args.out)
    export = Export(args.lms, tuple(args.lms_column)) if args.lms else None
    limits = runner.Limits(args.cell_timeout, args.notebook_timeout, args.memory_mb, args.output_bytes)
    start = time.perf_counter()
    old_term = signal.signal(signal.SIGTERM, _interrupt)
    try:
        rows = grade(args.submissions, args.out, workers=args.workers, limits=limits,
                     progress=not args.no_progress, require_sandbox=args.require_sandbox, only=only,
                     class_list=class_list, export=export)
    except lms.ExportError as error:
        parser.error(str(error))
    except KeyboardInterrupt:
        print(stopped_message(args.out, sys.argv[1:] if argv is None else argv), file=sys.stderr, flush=True)
        return 130
    except OSError as error:  # a full disk, a folder made read-only during the run
        print(f"grading stopped: {error.filename or args.out}: {error.strerror or error}. Outputs are written "
              "whole or not at all, so the previous ones are kept; fix this and run the same command again.",
              file=sys.stderr, flush=True)
        return 1
    finally:
        signal.signal(signal.SIGTERM, old_term)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(f"{len(rows)} rows ({', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}) in "
          f"{time.perf_counter() - start:.1f} s; see {args.out / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
