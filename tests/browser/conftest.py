"""A real JupyterLab in Debian's Chromium, driven by Playwright, for the browser tests.

One JupyterLab server per test session, on a free 127.0.0.1 port with a random token, serving
a temporary folder that holds copies of instructors/widget-gallery.ipynb, of the lessons in
notebooks/ and of the learners' exercises in exercises/ (the committed files are never touched).
One browser tab per session too: JupyterLab loads in it once (about 3 s of a core each time), and
each test opens its notebook in it as a student opens one from the file browser, with no other
document open and no kernel running; after the test its documents are closed and its kernels shut
down, and after a failed test the tab is closed, so the next test starts in a new one.
Its settings live in a temporary JUPYTERLAB_SETTINGS_DIR that turns off the news pop-up and update
checks and sets the notebook's windowing mode to "none", so cells below the fold are rendered and
can be found. Outside CI a missing Chromium skips these tests with the install command; on CI
(CI=true) it fails them.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from course import paths
from course.authoring.startup import stop_server

GALLERY = paths.ROOT / "instructors" / "widget-gallery.ipynb"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
INSTALL_HINT = "install Debian's chromium: apt-get install chromium"
SERVER_START_SECONDS = 90
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"checkForUpdates": False, "fetchNews": "false"},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


#: True once the open notebook's kernel is connected and idle. The status bar can read "Idle"
#: for a moment before the new kernel is there, and a Run All then runs nothing.
KERNEL_READY = """() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""
#: Resolves once JupyterLab has started and restored its (empty) workspace.
APP_RESTORED = "async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }"
#: Opens a document as the file browser does (a double click runs this command); returns nothing
#: (the widget it resolves to cannot be sent back to Python).
OPEN = "async path => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }"
#: Closes every document of the main area without saving: a Run All leaves a notebook changed,
#: and closing a changed document would ask whether to save it.
CLOSE_DOCUMENTS = """() => {
  for (const widget of Array.from(window.jupyterapp.shell.widgets("main"))) {
    if (widget.context) { widget.context.model.dirty = false; }
    widget.close();
  }
}"""


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}/api/{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def open(self, page, notebook: str) -> None:
        """Open ``notebook`` (a path under the server root) in JupyterLab, loading JupyterLab in
        the tab first if it is not there, and wait until its own new kernel is connected and idle.
        Nothing else is open and no kernel runs when it opens: it is alone in the page, and its
        kernel is a fresh one."""
        if not page.url.startswith(f"{self.url}/lab"):
            # ?reset: an empty workspace, whatever an earlier session of this server left.
            page.goto(f"{self.url}/lab?reset&token={self.token}")
        page.wait_for_function("() => !!window.jupyterapp")
        page.evaluate(APP_RESTORED)
        assert page.locator(".jp-Notebook").count() == 0, "a notebook of an earlier test is still open"
        assert self.api("GET", "sessions") == [], "a kernel of an earlier test is still running"
        page.evaluate(OPEN, notebook)
        page.wait_for_function(KERNEL_READY)

    def run_all(self, page, notebook: str, shown: str = ".course-question") -> None:
        """Open ``notebook`` (a path under the server root), wait for an idle kernel, Run All
        from the menu as a student would, and wait until what it shows (``shown``, a CSS
        selector: its widgets, or an exercise's ``.course-feedback``) is there and it is idle."""
        self.open(page, notebook)
        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.locator(shown).last.wait_for(state="attached")
            page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for()
        except Exception:
            shot = self.root.parent / f"failed-{notebook.replace('/', '-')}.png"
            page.screenshot(path=str(shot), full_page=True)
            raise AssertionError(f"{notebook}: the checks did not appear after Run All; screenshot {shot}") from None

    def delete_sessions(self) -> None:
        """Shut down every kernel session so that each test starts from a fresh kernel."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")


@pytest.fixture(scope="session")
def chromium_path(in_ci: bool) -> str:
    found = shutil.which("chromium")
    if not found:
        if in_ci:
            pytest.fail(f"Chromium is missing on CI, where browser tests must run: {INSTALL_HINT}")
        pytest.skip(f"Chromium not found; {INSTALL_HINT}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("lab")
    root, settings = base / "root", base / "settings"
    root.mkdir()
    shutil.copy(GALLERY, root / GALLERY.name)
    shutil.copytree(paths.NOTEBOOKS, root / "notebooks")
    shutil.copytree(paths.EXERCISES, root / "exercises")
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    token, port = secrets.token_hex(16), _free_port()
    env = os.environ | {
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
        "--LabApp.expose_app_in_browser=True",  # lets the tests see when the kernel is ready
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI run as root
    log = (base / "jupyterlab.log").open("w")
    server = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    running = Lab(f"http://127.0.0.1:{port}", token, root)
    started = time.monotonic()
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                running.api("GET", "status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start; see {base / 'jupyterlab.log'}")
                time.sleep(0.3)
        _TIMINGS["JupyterLab start (ms)"] = [(time.monotonic() - started) * 1000]
        yield running
    finally:
        stop_server(server)
        log.close()


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


#: Whether a test's call failed (or never ran), for the ``page`` fixture's teardown.
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def _tab(browser) -> Iterator[dict]:
    """The session's browser tab, kept from test to test (``page``), while it stays clean."""
    kept: dict = {}
    yield kept
    if kept:
        kept["context"].close()


def _cleared(tab) -> bool:
    """Close every document in ``tab`` without saving; True when no notebook and no dialog is left."""
    try:
        tab.evaluate(CLOSE_DOCUMENTS)
        tab.wait_for_function("() => !document.querySelector('.jp-Notebook')", timeout=10_000)
        return tab.locator(".jp-Dialog").count() == 0
    except Exception:  # a broken page: the next test gets a new tab
        return False


@pytest.fixture
def page(request: pytest.FixtureRequest, browser, lab: Lab, _tab: dict):
    """The session's tab (JupyterLab loads once per session; :meth:`Lab.open` opens each
    notebook in it). After the test its documents are closed, then its kernels shut down; after
    a failed test, or when it cannot be cleared, the tab is closed and the next test gets a new one."""
    if not _tab:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        _tab.update(context=context, page=tab)
    tab = _tab["page"]
    yield tab
    if request.node.stash.get(CALL_FAILED, True) or not _cleared(tab):
        _tab.pop("context").close()
        _tab.clear()
    lab.delete_sessions()


#: axe-core judges only the course's own output: rendered markdown and output areas.
#: JupyterLab's own page is out of scope. Run on the whole page (JupyterLab 4.6.6), axe reports,
#: and this scope leaves out: aria-allowed-attr (critical) on toolbar jp-buttons (Upload Files,
#: file filter, debugger); aria-required-children (critical) on .jp-WindowedPanel-viewport;
#: aria-input-field-name and scrollable-region-focusable (serious) on the CodeMirror cell
#: editors; region (moderate) on the skip link.
AXE_CONTEXT = {"include": [[".jp-OutputArea-output"], [".jp-RenderedMarkdown"]]}
#: What fails a lesson, an exercise or a feedback page: anything from moderate up.
FAILING = {"critical", "serious", "moderate"}
IMPACTS = ("critical", "serious", "moderate", "minor")

#: axe-core findings accepted in the course's own output: rule id (anywhere) or "rule id@page
#: stem" (that page only) -> the reason. Keep it short: every entry is a problem a student meets.
#: Empty: since issue 23 every lesson, exercise, the gallery and the feedback pages have no
#: critical, serious or moderate finding (task-list checkboxes, <footer> attributions, skipped
#: heading levels and an output that scrolled out of the keyboard's reach were fixed instead).
ACCEPTED: dict[str, str] = {}


def _impact_counts(violations: list[dict]) -> dict[str, int]:
    """Elements found per impact (one rule can flag many elements)."""
    counts = dict.fromkeys(IMPACTS, 0)
    for v in violations:
        counts[v["impact"]] = counts.get(v["impact"], 0) + len(v["nodes"])
    return counts


def _accepted(rule: str, where: str) -> bool:
    stem = Path(where).stem
    return rule in ACCEPTED or f"{rule}@{stem}" in ACCEPTED


def _line(v: dict) -> str:
    return f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"


@pytest.fixture(scope="session")
def axe_findings():
    """A function ``run(page, where, context=AXE_CONTEXT)``: axe-core's critical, serious and
    moderate findings on a page that are not in :data:`ACCEPTED`, one line each (empty when
    there are none). Every finding, minor ones included, is counted by impact under ``where``
    for the terminal summary."""
    from axe_playwright_python.sync_playwright import Axe

    def run(page, where: str, context: dict | None = AXE_CONTEXT) -> list[str]:
        results = Axe().run(page, context=context) if context else Axe().run(page)
        violations = results.response["violations"]
        counts = _impact_counts(violations)
        rules = sorted({f"{v['id']}:{v['impact']}" for v in violations})
        _AXE[where] = ", ".join(f"{k} {n}" for k, n in counts.items()) + (f" ({'; '.join(rules)})" if rules else "")
        return [_line(v) for v in violations if v["impact"] in FAILING and not _accepted(v["id"], where)]

    return run


_AXE: dict[str, str] = {}
_TIMINGS: dict[str, list[float]] = {}


@pytest.fixture(scope="session")
def timings() -> dict[str, list[float]]:
    """Latencies (ms) measured by the tests, printed in the terminal summary for the report."""
    return _TIMINGS


def pytest_terminal_summary(terminalreporter) -> None:
    for name, values in _TIMINGS.items():
        terminalreporter.write_line(f"[browser] {name}: " + ", ".join(f"{v:.0f} ms" for v in values))
    for where, counts in sorted(_AXE.items()):
        terminalreporter.write_line(f"[axe] {where}: {counts}")


@pytest.hookimpl(tryfirst=True)  # before -m selects by markers
def pytest_collection_modifyitems(items) -> None:
    """Every browser test runs kernels in a real JupyterLab: mark it ``slow`` too, so that
    ``make test-fast`` (``-m "not slow and not browser"``) leaves it out whatever its file says."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.slow)
