"""Ctrl-C (SIGINT) and SIGTERM stop a grading run within two seconds, with every kernel killed,
the previous outputs left whole, no half run cached, and a message saying how to resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from course import paths
from course.authoring.startup import stop_server
from course.grading import synthetic

pytestmark = pytest.mark.slow

STEM = "03-money-and-policy"


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in cmdline and entry.name != str(os.getpid()):
            found.append(cmdline)
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_ends_the_run_at_once_and_keeps_the_outputs(tmp_path, sig):
    exercise, correct = synthetic.exercise(STEM), synthetic.solution_code(STEM)
    subs, out = tmp_path / "subs", tmp_path / "out"
    synthetic.write(subs / "ann" / f"{STEM}.ipynb", synthetic.submission(exercise, correct))
    for n in range(3):
        synthetic.write(subs / f"loop{n}" / f"{STEM}.ipynb",
                        synthetic.submission(exercise, correct, insert={1: ["while True:\n    pass"]}))
    (out / "feedback").mkdir(parents=True)
    (out / "gradebook.csv").write_text("previous\n")
    (out / "feedback" / "old.md").write_text("old")
    env = dict(os.environ, PYTHONPATH=str(paths.ROOT))
    # A shell starts a background job (`make bench &`) with Ctrl-C ignored, and an ignored signal stays
    # ignored in every program it starts, the grader included (that is how nohup works). Give the grader
    # Ctrl-C as an instructor at a terminal has it: a handled signal is reset to the default in a child.
    terminal_ctrl_c = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "course", "grade", str(subs), "--out", str(out), "--no-progress", "--workers",
             "2", "--cell-timeout", "100", "--notebook-timeout", "200"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    finally:
        signal.signal(signal.SIGINT, terminal_ctrl_c)
    runs = out / ".grader" / "runs"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and process.poll() is None and not list(runs.glob("*.json")):
            time.sleep(0.2)
        time.sleep(1.5)  # ann is graded; the loops keep both kernels busy
        assert process.poll() is None, process.communicate()
        start = time.monotonic()
        process.send_signal(sig)
        _, err = process.communicate(timeout=60)
        took = time.monotonic() - start
    finally:
        # A run the test gave up on is stopped, so that its looping kernels do not slow the tests after it.
        stop_server(process)
    print(f"stopped {took:.2f} s after {sig.name}")
    assert process.returncode == 130, err
    assert took < 2.0, f"took {took:.2f} s to stop"
    assert "Traceback" not in err and "to resume, run the same command again" in err, err
    assert (out / "gradebook.csv").read_text() == "previous\n"
    assert [p.name for p in (out / "feedback").iterdir()] == ["old.md"]
    cached = [json.loads(p.read_text()) for p in runs.glob("*.json")]
    assert len(cached) == 1 and cached[0]["ended"] == "completed"  # the stopped loops were not cached
    time.sleep(0.5)
    assert _processes_mentioning(str(out)) == []
