"""Run the course's notebooks from a fresh kernel and save them with normalised metadata.

``make execute`` calls this so that the outputs committed to git are exactly what a
fresh, in-order run produces; nbval then compares against those outputs. Usage::

    python -m course.authoring.notebooks execute [--force] [PATH ...]   # default: notebooks/ instructors/ solutions/

A notebook is run again only when its inputs changed since its last run here: its cells'
source, its question file (questions/<stem>.toml), the data files (data/, texts and tables),
the package modules its kernel imported last time, and the lock (requirements.txt). Their
digest is kept per notebook in ``.execute-stamps.json`` (not committed: a fresh clone runs
everything once); ``--force`` runs all the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from course import paths

if TYPE_CHECKING:
    from nbformat import NotebookNode

#: Folders executed in place, in this order, by ``make execute``.
EXECUTED_FOLDERS = ("notebooks", "instructors", "solutions")
CELL_TIMEOUT = 180  # seconds; no lesson cell should come near this
KERNEL = "python3"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Per notebook: the digest of its inputs at its last run and the package files its kernel imported.
STAMPS = paths.ROOT / ".execute-stamps.json"
#: A cell appended for the run and removed before saving: which course modules the kernel imported.
MODULES_PROBE = (
    "import json as _j, sys as _s\n"
    "print(_j.dumps(sorted({m.__file__ for n, m in list(_s.modules.items())"
    " if n.split('.')[0] == 'course' and getattr(m, '__file__', None)})))"
)


class NotebookError(RuntimeError):
    """A notebook could not be read or a cell failed; the message names the file and cell."""


def notebook_paths(folders: tuple[str, ...] = EXECUTED_FOLDERS) -> list[Path]:
    """The notebooks in ``folders`` (relative to the repo), each folder sorted by name."""
    found: list[Path] = []
    for folder in folders:
        found.extend(sorted((paths.ROOT / folder).glob("*.ipynb")))
    return found


def read_notebook(path: Path) -> NotebookNode:
    """Read a notebook, turning a missing or malformed file into a clear message."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such notebook") from None
    except Exception as error:  # nbformat raises several unrelated types for bad JSON
        raise NotebookError(f"{path}: not a readable notebook ({type(error).__name__}: {error})") from None


def normalise(nb: NotebookNode) -> NotebookNode:
    """Drop what varies between runs and machines (timings, widget state and views, Python
    patch version) so that a re-run changes a committed notebook only when its outputs change."""
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
                # A widget view points at a model id that is random and, with widget state
                # not saved, cannot render later: keep the plain-text view instead.
                output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


def execute(nb: NotebookNode, cwd: Path, timeout: int = CELL_TIMEOUT) -> NotebookNode:
    """Execute ``nb`` top to bottom in a fresh kernel started in ``cwd``."""
    import tempfile

    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    # IPC sockets in a private folder: local-only, and ipykernel then has no reason to
    # warn about unencrypted TCP on stderr.
    sockets = tempfile.mkdtemp(prefix="course-kernel-")
    kernel = KernelManager(kernel_name=KERNEL, transport="ipc", ip=f"{sockets}/kernel")
    client = NotebookClient(
        nb,
        km=kernel,
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
        store_widget_state=False,
    )
    try:
        client.execute()
    except CellExecutionError as error:
        raise NotebookError(str(error)) from None
    finally:
        # nbclient leaves a kernel it was handed running: stop ours before the next starts.
        if kernel.has_kernel:
            kernel.shutdown_kernel(now=False)
        shutil.rmtree(sockets, ignore_errors=True)
    return nb


def _digest_files(files: list[Path], digest: hashlib._Hash) -> None:
    for file in sorted(set(files)):
        shown = file.relative_to(paths.ROOT) if file.is_relative_to(paths.ROOT) else file
        digest.update(str(shown).encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"(missing)")
        digest.update(b"\0")


def inputs_digest(path: Path, nb: NotebookNode, modules: list[str]) -> str:
    """The digest of everything a notebook's outputs depend on (see the module's docstring)."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        digest.update(f"{cell.cell_type}\0{cell.source}\0".encode())
    data = [f for f in (paths.ROOT / "data").rglob("*") if f.is_file() and f.suffix != ".md"]
    inputs = [paths.ROOT / "questions" / f"{path.stem}.toml", paths.ROOT / "requirements.txt", *data]
    _digest_files(inputs + [paths.ROOT / m for m in modules], digest)
    return digest.hexdigest()


def _stamps() -> dict[str, dict]:
    try:
        return json.loads(STAMPS.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def execute_in_place(path: Path, timeout: int = CELL_TIMEOUT, force: bool = False) -> float | None:
    """Execute one notebook file and write it back normalised; returns seconds taken, or None
    when its inputs are unchanged since its last run (and ``force`` is not set)."""
    import nbformat

    nb = read_notebook(path)
    key = str(path.relative_to(paths.ROOT)) if path.is_relative_to(paths.ROOT) else str(path)
    stamps = _stamps()
    last = stamps.get(key, {})
    if not force and last and last.get("digest") == inputs_digest(path, nb, last.get("modules", [])):
        return None
    nb.cells.append(nbformat.v4.new_code_cell(MODULES_PROBE))
    start = time.perf_counter()
    execute(nb, path.parent, timeout)
    seconds = time.perf_counter() - start
    probe = nb.cells.pop()
    imported = json.loads("".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout") or "[]")
    modules = sorted(str(Path(m).resolve().relative_to(paths.ROOT)) for m in imported
                     if Path(m).resolve().is_relative_to(paths.ROOT))
    nbformat.write(normalise(nb), str(path))
    stamps[key] = {"digest": inputs_digest(path, nb, modules), "modules": modules}  # cells' sources as run
    STAMPS.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
    return seconds


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.authoring.notebooks", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("execute", help="execute notebooks in place from a fresh kernel")
    run.add_argument("paths", nargs="*", type=Path, help="notebooks or folders (default: the course's)")
    run.add_argument("--force", action="store_true", help="run even the notebooks whose inputs are unchanged")
    args = parser.parse_args(argv)

    targets: list[Path] = []
    for given in args.paths or [paths.ROOT / f for f in EXECUTED_FOLDERS]:
        given = given.resolve()
        targets.extend(sorted(given.glob("*.ipynb")) if given.is_dir() else [given])
    failed = skipped = 0
    for path in targets:
        try:
            seconds = execute_in_place(path, force=args.force)
        except NotebookError as error:
            failed += 1
            print(f"FAILED {path}\n{error}", file=sys.stderr)
            continue
        shown = path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path
        if seconds is None:
            skipped += 1
        else:
            print(f"executed {shown} in {seconds:.1f} s")
    if skipped:
        print(f"{skipped} notebook(s) unchanged since their last run here, not run (--force runs them)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(_main())
