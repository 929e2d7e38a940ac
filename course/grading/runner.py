"""Running submissions: a pool of sandboxed grading kernels, one per worker, each serving one
submission at a time in a fresh forked process (see ``kernel`` and ``sandbox``).

``run_all`` returns, per submission, what its cells left in the answer variables as plain JSON
data, plus how the run ended. Results are cached in ``OUT/.grader/runs/`` by the file's hash and
the run settings, so an interrupted run resumes and a second run re-judges without re-running.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from course import paths
from course.grading import sandbox

#: Bump when what a run extracts changes: cached runs of an older version are re-run.
RUNNER_VERSION = "2"  # 2: each submission in its own namespaces; older runs may hold another's effects


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
        meta = (cell.get("metadata") or {}).get("course") or {}
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

    def start(self) -> None:
        self.process = sandbox.start(self.scratch, self.mpl_cache, self.sandboxed, self.root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     encoding="utf-8", bufsize=1)
        threading.Thread(target=self._drain_stderr, args=(self.process,), daemon=True).start()
        line = self._readline(self.limits.start_timeout)
        if not line or not json.loads(line).get("ready"):
            self.stop()
            raise RuntimeError(f"grading kernel did not start: {self.stderr_tail()}")

    def _drain_stderr(self, process: subprocess.Popen) -> None:
        self._stderr: list[str] = []
        for line in process.stderr:
            self._stderr = (self._stderr + [line])[-20:]

    def stderr_tail(self) -> str:
        return "".join(getattr(self, "_stderr", []))[-1000:]

    def _readline(self, timeout: float) -> str | None:
        """One line from the kernel, or None when it died or fell silent for ``timeout``."""
        box: queue.Queue = queue.Queue()
        process = self.process

        def read() -> None:
            try:
                box.put(process.stdout.readline())
            except (OSError, ValueError):
                box.put("")

        threading.Thread(target=read, daemon=True).start()
        try:
            return box.get(timeout=timeout) or None
        except queue.Empty:
            return None

    def run(self, job: Job) -> dict:
        if self.process is None or self.process.poll() is not None:
            self.start()
        self.counter += 1
        request = {"id": self.counter, "cells": job.cells, "answers": job.answers,
                   "cell_timeout": self.limits.cell_timeout, "notebook_timeout": self.limits.notebook_timeout,
                   "memory_mb": self.limits.memory_mb, "output_bytes": self.limits.output_bytes}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
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

    def stop(self) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, 9)
            except OSError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.process = None


def _died(why: str, cells: int) -> dict:
    """The result when the kernel itself failed: for review, and never cached (``kernel_failed``)."""
    return {"cells_total": cells, "cells_run": 0, "answers": {},
            "rejected": {"*": {"type": "the grading kernel failed", "review": True}}, "errors": [],
            "output_truncated": False, "ended": why, "cell": None, "seconds": 0.0, "kernel_failed": True}


def run_all(jobs: list[Job], out: Path, workers: int, limits: Limits, sandboxed: bool,
            on_done: Callable[[Job, dict, bool], None] | None = None, root: Path = paths.ROOT) -> dict[str, dict]:
    """Run every job (cached ones are read back, not re-run) on ``workers`` kernels; returns
    results by job key. ``on_done(job, result, cached)`` is called as each finishes."""
    grader = out / ".grader"
    cache = grader / "runs"
    cache.mkdir(parents=True, exist_ok=True)
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
            except ValueError:
                pass
        todo.append(job)
    if not todo:
        return results
    mpl_cache = grader / "mplcache"
    sandbox.build_mpl_cache(mpl_cache)
    workers = max(1, min(workers, len(todo)))
    pending: queue.Queue = queue.Queue()
    for job in todo:
        pending.put(job)
    lock = threading.Lock()

    def worker(number: int) -> None:
        scratch = grader / "scratch" / f"worker-{number}"
        kernel = Kernel(scratch, mpl_cache, sandboxed, limits, root)
        try:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = kernel.run(job)
                except RuntimeError as error:
                    result = _died(str(error)[:500], len(job.cells))
                if not result.get("kernel_failed"):
                    tmp = cache / f".{job.key}.{number}.tmp"  # a failure of ours is not cached: retried next run
                    tmp.write_text(json.dumps(result, ensure_ascii=False, sort_keys=True), encoding="utf-8")
                    os.replace(tmp, cache / f"{job.key}.json")  # atomic: an interrupted run resumes cleanly
                with lock:
                    results[job.key] = result
                if on_done:
                    on_done(job, result, False)
        finally:
            kernel.stop()
            shutil.rmtree(scratch, ignore_errors=True)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(worker, n) for n in range(workers)]:
            future.result()
    return results


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
