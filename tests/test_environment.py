"""The one environment: environment.yml + requirements.txt, as Binder and `make` read them."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from course import paths

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([0-9][^\s;#]*)$")
LEARNER_PACKAGES = {"jupyterlab", "ipywidgets", "pandas", "matplotlib", "nbval", "pytest", "ipykernel"}


def requirement_lines(name: str) -> list[str]:
    lines = (paths.ROOT / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_requirements_are_exact_pins():
    pins = {}
    for line in requirement_lines("requirements.txt"):
        match = PIN.match(line)
        assert match, f"requirements.txt: {line!r} is not an exact pin (name==version)"
        pins[match[1].lower()] = match[2]
    assert LEARNER_PACKAGES <= set(pins)
    assert pins["jupyterlab"].startswith("4.6.")
    assert pins["ipywidgets"].startswith("8.")
    dev = requirement_lines("requirements-dev.txt")
    assert dev[0] == "-r requirements.txt"
    assert all(PIN.match(line) for line in dev[1:]), dev


def test_environment_yml_pulls_in_the_pins():
    text = (paths.ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    assert re.search(r"^\s*-\s*-r requirements\.txt\s*$", text, re.M)
    assert re.search(r"^\s*-\s*-e \.\s*$", text, re.M), "the course package is installed into the environment"


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for line in requirement_lines("requirements.txt"):
        name, pinned = PIN.match(line).groups()
        installed = version(name)
        assert installed == pinned, f"{name}: installed {installed}, pinned {pinned}; run `make test` to reinstall"


@pytest.mark.slow
def test_binder_builds_with_conda_python_311_and_the_pins(tmp_path):
    """repo2docker prints its build plan without Docker (``--no-build``): check it is the
    conda buildpack, on Python 3.11, installing environment.yml after the repo is copied
    (so its ``-r requirements.txt`` and ``-e .`` lines can see the files)."""
    repo2docker = Path(sys.executable).parent / "jupyter-repo2docker"
    tracked = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True)
    repo = tmp_path / "repo"
    if tracked.returncode == 0 and tracked.stdout:
        for name in tracked.stdout.splitlines():
            if (paths.ROOT / name).is_file():
                (repo / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(paths.ROOT / name, repo / name)
    else:
        shutil.copytree(paths.ROOT, repo, ignore=shutil.ignore_patterns(".venv", ".git"))
    plan = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", str(repo)], capture_output=True, text=True, timeout=300
    )
    output = plan.stdout + plan.stderr
    assert plan.returncode == 0, output[-3000:]
    assert "Building conda environment for python=3.11" in output
    copy = output.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    update = output.index('env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"')
    assert copy < update, "environment.yml must be installed after the repo is copied"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_make_lab_serves_jupyterlab_on_localhost():
    port, token = free_port(), "course-test-token"
    env = {**os.environ, "PYTHON": sys.executable}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"PORT={port}", f"LAB_ARGS=--IdentityProvider.token={token}"],
        cwd=paths.ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 90, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as answer:
                    status = answer.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        if status is None:
            server.terminate() if server.poll() is None else None
            pytest.fail("JupyterLab did not answer on 127.0.0.1:\n" + server.communicate(timeout=30)[0][-3000:])
        assert '"started"' in status
        elsewhere = other_address()
        if elsewhere:
            with pytest.raises(OSError):  # refused: the server listens on the loopback address only
                socket.create_connection((elsewhere, port), timeout=2).close()
        contents = f"http://127.0.0.1:{port}/api/contents/notebooks?token={token}"
        with urllib.request.urlopen(contents, timeout=5) as answer:
            assert "00-start-here.ipynb" in answer.read().decode() or not list(paths.NOTEBOOKS.glob("00-*.ipynb"))
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
    log = server.communicate(timeout=30)[0]
    # The server's own line, not make's echo of the recipe (which holds --ip=127.0.0.1 too).
    assert f"http://127.0.0.1:{port}/lab" in log, log[-3000:]


def other_address() -> str | None:
    """An address of this machine other than 127.0.0.1 (its host name's, or the one it would
    route from), or None when it has none."""
    candidates = []
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent
            candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    return next((a for a in candidates if a not in ("127.0.0.1", "0.0.0.0")), None)
