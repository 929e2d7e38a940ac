"""Where the course's files live, found from the package itself so that notebooks
work from any folder (JupyterLab, Binder, nbval, the grader)."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root: the folder that holds ``course/`` and ``data/``.
ROOT: Path = Path(os.environ.get("COURSE_ROOT", Path(__file__).resolve().parent.parent))
DATA: Path = ROOT / "data"
SOURCES: Path = DATA / "sources"
TABLES: Path = DATA / "tables"
NOTEBOOKS: Path = ROOT / "notebooks"
SOLUTIONS: Path = ROOT / "solutions"
EXERCISES: Path = ROOT / "exercises"
