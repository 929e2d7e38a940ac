"""``make bench``'s start-up figures: what every process pays before it does any work, with the
lock as it is and with the lock as it was (jsonschema 4.26 with rfc3987-syntax, whose import
builds Lark grammars), side by side in one run.

The old lock is rebuilt as an overlay: the three packages the new lock leaves out or pins
lower, installed once into ``.bench/old-lock`` and put first on PYTHONPATH. Everything else is
the same environment, so the ratio is the cost of that one import. Three figures:

* ``import nbformat`` (every notebook tool, nbclient, nbval, the grader);
* ``python -m course grade --help``;
* JupyterLab ready: from starting the server to the server answering /api/status and the
  first lesson rendered in Chromium (skipped, saying so, without Chromium).
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from course import paths

OLD_LOCK = ("jsonschema==4.26.0", "rfc3987-syntax==1.1.0", "lark==1.3.1")
OVERLAY = paths.ROOT / ".bench" / "old-lock"
REPEATS = 5
LAB_REPEATS = 3
LAB_SECONDS = 120


def old_lock_overlay() -> Path:
    """The folder that turns this environment into the old lock when put first on PYTHONPATH."""
    if not (OVERLAY / "rfc3987_syntax").is_dir():
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(OVERLAY),
                        *OLD_LOCK], check=True)
    return OVERLAY


def _env(overlay: Path | None) -> dict[str, str]:
    parts = [str(overlay)] if overlay else []
    parts += [str(paths.ROOT)]
    return os.environ | {"PYTHONPATH": os.pathsep.join(parts)}


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=paths.ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_ready_seconds(env: dict[str, str], chromium: str) -> float:
    """Seconds from starting JupyterLab to the first lesson's cells rendered in Chromium."""
    from playwright.sync_api import sync_playwright

    lesson = sorted(paths.NOTEBOOKS.glob("00-*.ipynb"))[0].relative_to(paths.ROOT)
    port, token = _free_port(), "bench"
    with tempfile.TemporaryDirectory(prefix="course-lab-") as home:
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                   f"--ServerApp.token={token}", f"--ServerApp.root_dir={paths.ROOT}", "--ServerApp.port_retries=0"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        lab_env = env | {"JUPYTERLAB_WORKSPACES_DIR": home, "IPYTHONDIR": home, "JUPYTER_RUNTIME_DIR": home}
        start = time.perf_counter()
        server = subprocess.Popen(command, env=lab_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = start + LAB_SECONDS
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None or time.perf_counter() > deadline:
                        raise RuntimeError("JupyterLab did not start") from None
                    time.sleep(0.1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/lab/tree/{lesson}?reset&token={token}")
                page.wait_for_selector(".jp-Notebook .jp-Cell .jp-RenderedMarkdown", timeout=LAB_SECONDS * 1000)
                seconds = time.perf_counter() - start
                browser.close()
        finally:
            stop_server(server)
    return seconds


def stop_server(server: subprocess.Popen) -> None:
    """Stop a JupyterLab server (or any process, such as a grading run a test gave up on): politely,
    then for good if it has not gone in 20 s."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def bench_startup() -> None:
    """Print the three start-up figures for the old and the new lock, and their ratios."""
    new, old = _env(None), _env(old_lock_overlay())
    figures = {
        "import nbformat": ([sys.executable, "-c", "import nbformat"], REPEATS),
        "python -m course grade --help": ([sys.executable, "-m", "course", "grade", "--help"], REPEATS),
    }
    print(f"\nstart-up, old lock (jsonschema 4.26 + rfc3987-syntax) against the new one, medians, "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, (command, repeats) in figures.items():
        runs: dict[str, list[float]] = {label: [] for label in ("old", "new")}
        for _ in range(repeats):  # interleaved, so that load hits both alike
            runs["old"].append(_seconds(command, old))
            runs["new"].append(_seconds(command, new))
        _row(name, statistics.median(runs["old"]), statistics.median(runs["new"]))
    chromium = shutil.which("chromium")
    if not chromium:
        print("  JupyterLab ready: skipped (no chromium; apt-get install chromium)")
        return
    runs = {"old": [], "new": []}
    for _ in range(LAB_REPEATS):
        runs["old"].append(lab_ready_seconds(old, chromium))
        runs["new"].append(lab_ready_seconds(new, chromium))
    _row("JupyterLab ready (first lesson rendered)", statistics.median(runs["old"]), statistics.median(runs["new"]))


def _row(name: str, old: float, new: float) -> None:
    print(f"  {name:<42} old {old:6.2f} s   new {new:6.2f} s   new/old {new / old:.2f}")
