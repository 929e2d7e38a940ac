# Two commands for learners and contributors: `make lab` and `make test`.
# Everything runs from a local virtual environment (.venv) built from the lock files
# (requirements.txt for learners, requirements-dev.txt for tests and tools), in which every
# package is pinned with its hashes; `make lock` regenerates them from the hand-written *.in files.
include lab.mk
# make grade: where the class's submissions are and where the gradebook goes.
SUBMISSIONS ?= submissions
OUT ?= grades
STUDENTS ?= 20
GRADE_ARGS ?=
# The pytest plugins the suite uses, named rather than autoloaded: autoloading also loads anyio's
# and platformdirs' (unused) and has pytest rewrite the asserts of each plugin's whole package
# (hypothesis, anyio, ...) in every process, about 0.5 s a process when no bytecode is cached
# (PYTHONDONTWRITEBYTECODE). A new plugin in requirements-dev.in needs its -p here (nbval's is in
# NBVAL: make test-fast has no notebook to run, nor a reason to import Jupyter's client).
PLUGINS := --disable-plugin-autoload -p xdist -p hypothesispytest
PYTEST := $(BIN)/python -m pytest $(PLUGINS)
# nbval runs the committed notebooks (testpaths: notebooks/, instructors/, solutions/) and compares
# their outputs with what is saved; only `make test` turns it on.
NBVAL  := -p nbval --nbval --nbval-current-env --nbval-sanitize-with=tests/nbval_sanitize.cfg
# The fast tier: the package, the data and generated files; no kernel, no browser, no notebook run.
# tests/browser/ holds browser tests only (its conftest marks them all): not even imported here.
FAST   := -m "not slow and not browser" --ignore=tests/browser
# Tests run in JOBS workers (pytest-xdist); a file's tests, and so a notebook's cells, stay in one.
# Files are handed out longest first, in the order conftest.py sorts them (not xdist's own order).
JOBS   ?= 2
XDIST  := -n $(JOBS) --dist loadfile --no-loadscope-reorder

.PHONY: lock lab test test-fast lint execute bench bench-grading grade release nav questions exercises install install-dev clean help

help:
	@echo "make lab      open JupyterLab on the first lesson (http://127.0.0.1:$(PORT))"
	@echo "make test     run the whole test suite (data, package, widgets, notebooks, browser)"
	@echo "make test-fast  the package, data and generated-file tests only (seconds; no kernels, no browser)"
	@echo "make lint     check the code, tests and notebooks (ruff), the types (mypy) and the layers (import-linter)"
	@echo "make execute  re-run the lessons and solutions whose inputs changed, from fresh kernels (NB=path: one; FORCE=1: all)"
	@echo "make bench    time imports, notebook execution and the test suite's parts (a benchmark, not a test)"
	@echo "make lock     regenerate the lock files requirements.txt and requirements-dev.txt from the *.in files"
	@echo "make nav      regenerate lesson navigation, the README course map and INSTRUCTORS.md's timing table"
	@echo "make questions  regenerate self-checks, exercises/ and the answer key from questions/*.toml"
	@echo "make grade SUBMISSIONS=folder OUT=folder   grade a class (see INSTRUCTORS.md)"
	@echo "make release OUT=folder [RELEASE_ARGS=--repository URL]   build the student copy as a git repository (see INSTRUCTORS.md)"
	@echo "make bench-grading  time the grader against nbgrader on submissions built from the exercises (STUDENTS=20)"

# The development tools, pinned in requirements-dev.txt (with every learner's pin).
$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) --require-hashes -r requirements-dev.txt
	touch $@

# Regenerate both locks from requirements.in and requirements-dev.in (Linux, Python 3.11, as
# Binder and CI run them); the dev lock keeps every learner's pin (-c requirements.txt).
# course.authoring.lockfile then gives each package asked for with an extra a plain twin (pip needs it).
LOCK := $(BIN)/uv pip compile --quiet --generate-hashes --no-strip-extras --python-version 3.11 \
	--python-platform x86_64-manylinux_2_28 --custom-compile-command "make lock"
lock: install-dev
	$(LOCK) requirements.in -o requirements.txt
	$(LOCK) requirements-dev.in -c requirements.txt -o requirements-dev.txt
	$(BIN)/python -m course.authoring.lockfile requirements.txt requirements-dev.txt

install-dev: $(VENV)/.installed-dev

test: install-dev
	$(PYTEST) $(NBVAL) $(XDIST) $(PYTEST_ARGS)

test-fast: install-dev
	$(PYTEST) $(FAST) $(XDIST) tests $(PYTEST_ARGS)

# ruff (with C901), mypy and import-linter's layers; settings in pyproject.toml.
lint: install-dev
	$(BIN)/python -m ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# Runs only the notebooks whose inputs changed (course/authoring/notebooks.py says which inputs);
# NB=path runs one (or several, space-separated); FORCE=1 runs them all the same.
NB ?=
execute: install nav questions
	$(BIN)/python -m course.authoring.notebooks execute $(if $(FORCE),--force,) $(NB)

bench: install-dev
	PLUGINS="$(PLUGINS)" FAST='$(FAST)' NBVAL="$(NBVAL)" XDIST="$(XDIST)" $(BIN)/python -m course.authoring.bench $(BENCH_ARGS)

grade: install
	$(BIN)/python -m course grade $(SUBMISSIONS) --out $(OUT) $(GRADE_ARGS)

# The students' copy: no solutions, questions or grader (INSTRUCTORS.md, "A student release").
# OUT must be given: its default (grades) belongs to `make grade`.
release: install
	@test "$(origin OUT)" = "command line" || { echo "usage: make release OUT=folder (an empty folder or an earlier release)" >&2; exit 2; }
	$(BIN)/python -m course release $(OUT) $(RELEASE_ARGS)

bench-grading: install
	$(BIN)/python -m course.grading.bench --students $(STUDENTS)

nav: install
	$(BIN)/python -m course.authoring.navigation

# Every question is written once, in questions/<stem>.toml; this writes the learners' copies.
questions: install
	$(BIN)/python -m course.questions

exercises: questions

clean:
	rm -rf $(VENV) .pytest_cache
