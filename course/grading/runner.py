"""Running submissions: a pool of sandboxed grading kernels, one per worker, each serving one
submission at a time in a fresh forked process (see ``kernel``, ``child`` and ``sandbox``).

``run_all`` returns, per submission, what its cells left in the answer variables as plain JSON
data, plus how the run ended. Results are cached in ``OUT/.grader/runs/`` by the file's hash and
the run settings, so an interrupted run resumes and a second run re-judges without re-running.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from course import paths
from course.grading import sandbox

#: Bump when what a run extracts changes: cached runs of an older version are re-run.
#: 2: the answers' tagged encoding (int keys, sets, tuples), and each submission in its own namespaces.
RUNNER_VERSION = "2"


@dataclass(frozen=True)
class Limits:
    cell_timeout: float = 30.0
    notebook_timeout: float = 120.0
    memory_mb: int = 1536
    output_bytes: int = 1_000_000
    start_timeout: float = 120.0  # a kernel's imports on a busy machine


@dataclass
class Job:
    key: str            # cache key
    cells: list[str]
    answers: list[str]


def code_cells(nb: dict, generated: dict[str, str] | None = None) -> tuple[list[str], list[dict]]:
    """The code cells to run, in order, and what is worth noting about the generated ones.
    A generated self-check cell (role ``check`` or ``keys``) left as generated is skipped: the
    grader does not need it. ``generated`` maps such a cell's question id+role to its source in
    the handed-out exercise; a changed one is run like any student cell and noted."""
    cells, notes = [], []
    for cell in nb.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        metadata = cell.get("metadata")
        meta = (metadata.get("course") if isinstance(metadata, dict) else None) or {}
        role = meta.get("role") if isinstance(meta, dict) else None
        if role in ("check", "keys"):
            key = f"{meta.get('question')}:{role}"
            expected = (generated or {}).get(key)
            if expected is None or source.strip() == expected.strip():
                continue
            notes.append({"role": role, "question": meta.get("question"), "edited": True})
        cells.append(source)
    return cells, notes


def cache_key(data: bytes, answers: list[str], limits: Limits) -> str:
    digest = hashlib.sha256()
    digest.update(RUNNER_VERSION.encode() + b"\0")
    digest.update(json.dumps([sorted(answers), asdict(limits)], sort_keys=True).encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()[:32]


class Kernel:
    """One grading kernel process (in bubblewrap when it works) and its pipes."""

    def __init__(self, scratch: Path, mpl_cache: Path, sandboxed: bool, limits: Limits, root: Path):
        self.scratch, self.mpl_cache, self.sandboxed = scratch, mpl_cache, sandboxed
        self.limits, self.root = limits, root
        self.process: subprocess.Popen | None = None
        self.counter = 0
        self.closed = False

    def start(self) -> subprocess.Popen:
        """Start the kernel and wait for its ``ready``; the process."""
        if self.closed:
            raise RuntimeError("grading kernel closed: the run was stopped")
        process = self.process = sandbox.start(self.scratch, self.mpl_cache, self.sandboxed, self.root,
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                               text=True, encoding="utf-8", bufsize=1)
        if self.closed:  # closed from another thread while this one was starting it
            self.stop()
            raise RuntimeError("grading kernel closed: the run was stopped")
        threading.Thread(target=self._drain_stderr, args=(process,), daemon=True).start()
        line = self._readline(self.limits.start_timeout)
        try:
            ready = bool(line and json.loads(line).get("ready"))
        except (ValueError, AttributeError):
            ready = False
        if not ready:
            self.stop()
            raise RuntimeError(f"grading kernel did not start: {self.stderr_tail()}")
        return process

    def _drain_stderr(self, process: subprocess.Popen) -> None:
        self._stderr: list[str] = []
        for line in process.stderr or ():  # (always a pipe: see start)
            self._stderr = (self._stderr + [line])[-20:]

    def stderr_tail(self) -> str:
        return "".join(getattr(self, "_stderr", []))[-1000:]

    def _readline(self, timeout: float) -> str | None:
        """One line from the kernel, or None when it died or fell silent for ``timeout``."""
        box: queue.Queue = queue.Queue()
        stream = self.process.stdout if self.process is not None else None

        def read() -> None:
            try:
                box.put(stream.readline() if stream is not None else "")
            except (OSError, ValueError):  # closed under it: the kernel was stopped
                box.put("")

        threading.Thread(target=read, daemon=True).start()
        try:
            return box.get(timeout=timeout) or None
        except queue.Empty:
            return None

    def run(self, job: Job) -> dict:
        process = self.process
        if process is None or process.poll() is not None:
            process = self.start()
        self.counter += 1
        request = {"id": self.counter, "cells": job.cells, "answers": job.answers,
                   "cell_timeout": self.limits.cell_timeout, "notebook_timeout": self.limits.notebook_timeout,
                   "memory_mb": self.limits.memory_mb, "output_bytes": self.limits.output_bytes}
        try:
            if process.stdin is None:  # (always a pipe: see start)
                raise BrokenPipeError("the kernel has no input pipe")
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            self.stop()
            return _died("the grading kernel could not take the submission", len(job.cells))
        # The kernel keeps the time limits itself; this is a backstop against a kernel stuck.
        line = self._readline(self.limits.notebook_timeout + 30)
        reply = None
        if line:
            try:
                reply = json.loads(line)
            except ValueError:
                reply = None
        if not isinstance(reply, dict) or reply.get("id") != self.counter or not isinstance(reply.get("result"), dict):
            self.stop()  # a kernel that says something unexpected is not trusted again
            return _died("the grading kernel stopped (a submission may have killed it)", len(job.cells))
        return reply["result"]

    def stop(self, wait: float = 10) -> None:
        process, self.process = self.process, None
        if process is not None:
            # The group may be gone already (the kernel ended itself): nothing is left to stop.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, 9)
            # Killed, but not yet reaped within ``wait``: it cannot run on, and the next wait reaps it.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=wait)

    def close(self, wait: float = 10) -> None:
        """Stop the kernel for good (from any thread): it is not started again."""
        self.closed = True
        self.stop(wait)


def _died(why: str, cells: int) -> dict:
    """The result when the kernel itself failed: for review, and never cached (``kernel_failed``)."""
    return {"cells_total": cells, "cells_run": 0, "answers": {},
            "rejected": {"*": {"type": "the grading kernel failed", "review": True}}, "errors": [],
            "output_truncated": False, "ended": why, "cell": None, "seconds": 0.0, "kernel_failed": True}


def _cached(jobs: list[Job], cache: Path, on_done) -> tuple[dict[str, dict], list[Job]]:
    """(results read back from the cache, the jobs still to run), each job key once."""
    results: dict[str, dict] = {}
    todo: list[Job] = []
    seen: set[str] = set()
    for job in jobs:
        if job.key in seen:
            continue
        seen.add(job.key)
        path = cache / f"{job.key}.json"
        if path.exists():
            try:
                results[job.key] = json.loads(path.read_text(encoding="utf-8"))
                if on_done:
                    on_done(job, results[job.key], True)
                continue
            except ValueError:  # cut short (a run stopped while writing it): the job runs again
                path.unlink(missing_ok=True)
        todo.append(job)
    return results, todo


class _Pool:
    """Worker threads, one kernel each, taking jobs from a queue until it is empty or the run
    is stopped (``stop``: every kernel killed at once, nothing half-run cached)."""

    def __init__(self, todo: list[Job], grader: Path, limits: Limits, sandboxed: bool, root: Path, on_done):
        self.pending: queue.Queue = queue.Queue()
        for job in todo:
            self.pending.put(job)
        self.grader, self.limits, self.sandboxed, self.root, self.on_done = grader, limits, sandboxed, root, on_done
        self.cache, self.mpl_cache = grader / "runs", grader / "mplcache"
        self.lock, self.halt = threading.Lock(), threading.Event()
        self.kernels: list[Kernel] = []
        self.failures: list[BaseException] = []
        self.results: dict[str, dict] = {}

    def worker(self, number: int) -> None:
        scratch = self.grader / "scratch" / f"worker-{number}"
        kernel = Kernel(scratch, self.mpl_cache, self.sandboxed, self.limits, self.root)
        with self.lock:
            self.kernels.append(kernel)
        try:
            self._work(kernel, number)
        except BaseException as error:  # handed to the main thread, which raises it
            self.failures.append(error)
        finally:
            kernel.close()
            shutil.rmtree(scratch, ignore_errors=True)

    def _work(self, kernel: Kernel, number: int) -> None:
        while not self.halt.is_set():
            try:
                job = self.pending.get_nowait()
            except queue.Empty:
                return
            try:
                result = kernel.run(job)
            except (RuntimeError, OSError, ValueError, AttributeError) as error:
                if self.halt.is_set():
                    return  # stopped from outside: not a result, not cached
                if not isinstance(error, RuntimeError):
                    raise
                result = _died(str(error)[:500], len(job.cells))
            if self.halt.is_set():
                return
            if not result.get("kernel_failed"):
                tmp = self.cache / f".{job.key}.{number}.tmp"  # a failure of ours is not cached: retried next run
                tmp.write_text(json.dumps(result, sort_keys=True), encoding="utf-8")  # ASCII: any answer text
                os.replace(tmp, self.cache / f"{job.key}.json")  # atomic: an interrupted run resumes cleanly
            with self.lock:
                self.results[job.key] = result
            if self.on_done:
                self.on_done(job, result, False)

    def stop(self) -> None:
        """Ctrl-C or SIGTERM: no new submission starts and every kernel is killed now."""
        self.halt.set()
        with self.lock:
            running = list(self.kernels)
        for kernel in running:
            kernel.close(wait=0)

    def run(self, workers: int) -> dict[str, dict]:
        threads = [threading.Thread(target=self.worker, args=(n,), name=f"grader-{n}", daemon=True)
                   for n in range(workers)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
        except BaseException:
            self.stop()
            deadline = time.monotonic() + 0.5
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            raise
        if self.failures:
            raise self.failures[0]
        return self.results


def run_all(jobs: list[Job], out: Path, workers: int, limits: Limits, sandboxed: bool,
            on_done: Callable[[Job, dict, bool], None] | None = None, root: Path = paths.ROOT) -> dict[str, dict]:
    """Run every job (cached ones are read back, not re-run) on ``workers`` kernels; returns
    results by job key. ``on_done(job, result, cached)`` is called as each finishes. Ctrl-C
    (KeyboardInterrupt) kills the kernels at once; what finished stays cached for the next run."""
    grader = out / ".grader"
    (grader / "runs").mkdir(parents=True, exist_ok=True)
    results, todo = _cached(jobs, grader / "runs", on_done)
    if not todo:
        return results
    sandbox.build_mpl_cache(grader / "mplcache")
    pool = _Pool(todo, grader, limits, sandboxed, root, on_done)
    return results | pool.run(max(1, min(workers, len(todo))))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
