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

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]+\])?==([0-9][^\s;#\\]*)")
LEARNER_PACKAGES = {"jupyterlab", "ipywidgets", "pandas", "matplotlib", "nbval", "pytest", "ipykernel"}
#: Installed by the tools, not by the lock: the installer itself and the course (``-e .``).
NOT_LOCKED = {"pip", "setuptools", "wheel", "course"}


def requirement_lines(name: str) -> list[str]:
    lines = (paths.ROOT / name).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def canonical(name: str) -> str:
    """A distribution's name as PEP 503 compares them (``ruamel.yaml`` is ``ruamel-yaml``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(name: str) -> dict[str, str]:
    """The pins of a lock file: every package line is ``name==version`` followed by its hashes."""
    pins: dict[str, str] = {}
    lines = requirement_lines(name)
    for line in lines:
        if line.startswith("--hash="):
            continue
        match = PIN.match(line)
        assert match, f"{name}: {line!r} is not an exact pin (name==version)"
        pins[canonical(match[1])] = match[2]
    hashed = sum(line.startswith("--hash=sha256:") for line in lines)
    assert hashed >= len(pins), f"{name}: every pin carries its hashes ({hashed} hashes for {len(pins)} pins)"
    return pins


def test_the_locks_pin_every_package_with_hashes():
    learners, dev = lock("requirements.txt"), lock("requirements-dev.txt")
    assert LEARNER_PACKAGES <= set(learners)
    assert learners["jupyterlab"].startswith("4.6.")
    assert learners["ipywidgets"].startswith("8.")
    assert {name: dev.get(name) for name in learners} == learners, "the dev lock keeps every learner's pin"
    assert "rfc3987-syntax" not in dev, "jsonschema's grammar import is kept out (requirements.in says why)"


def test_the_locks_are_generated_from_the_hand_written_files():
    for lock_file, source in (("requirements.txt", "requirements.in"), ("requirements-dev.txt", "requirements-dev.in")):
        pins = lock(lock_file)
        for line in requirement_lines(source):
            if line.startswith("-r "):
                continue
            name, version = PIN.match(line).groups()
            assert pins.get(canonical(name)) == version, (
                f"{source} pins {name}=={version} but {lock_file} does not: run `make lock`"
            )


def test_environment_yml_installs_the_lock_and_binder_the_package():
    text = (paths.ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*python=3\.11\s*$", text, re.M)
    assert re.search(r"^\s*-\s*-r requirements\.txt\s*$", text, re.M)
    post_build = paths.ROOT / "postBuild"
    assert os.access(post_build, os.X_OK), "Binder runs postBuild only when it is executable"
    assert "pip install --no-deps -e ." in post_build.read_text()


def test_installed_environment_is_the_lock():
    """What is installed is exactly the dev lock: no package missing, none at another version,
    none extra (a pip install by hand shows up here). `make install-dev` puts it right."""
    from importlib.metadata import distributions

    pins = lock("requirements-dev.txt")
    installed = {canonical(d.metadata["Name"]): d.version for d in distributions()}
    differences = [f"{name}: locked {pins[name]}, installed {installed.get(name, 'nothing')}"
                   for name in sorted(pins) if installed.get(name) != pins[name]]
    differences += [f"{name} {version}: installed but not in the lock" for name, version in sorted(installed.items())
                    if name not in pins and name not in NOT_LOCKED]
    assert not differences, "\n".join(differences)


def test_no_schema_the_course_meets_asks_for_the_formats_left_unchecked():
    """jsonschema 4.23 (see requirements.in) does not check "iri" and "iri-reference"; nothing that
    validates the course's files or Jupyter's messages uses them, so no validation is lost."""
    import jsonschema

    site = Path(jsonschema.__file__).parent.parent
    packages = ["nbformat", "jupyter_events", "jupyter_server", "jupyterlab_server", "jupyterlab", "frictionless"]
    found = [str(path.relative_to(site)) for package in packages for path in (site / package).rglob("*.json")
             if re.search(r'"format"\s*:\s*"iri', path.read_text(errors="replace"))]
    assert not found, found
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference", "date-time", "email"} <= set(checker.checkers)
    assert "iri" not in checker.checkers


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
    assert "postBuild" in output[update:], "postBuild installs the course package after the environment"


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
