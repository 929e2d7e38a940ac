# The learner's side of both Makefiles, written once: the virtual environment built from the
# lock, and `make lab`. The course's Makefile and the student release's (release/Makefile)
# include it; `make release` copies it beside the release's Makefile. A plain `make` prints
# the including Makefile's help.
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8888
# The first lesson (JupyterLab opens it; the server root stays the repository).
FIRST_LESSON := $(firstword $(wildcard notebooks/00-*.ipynb))
# JupyterLab refuses to run as root unless told; containers and CI run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
LAB_ARGS ?=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A stamp file: reinstall only when the lock changes. The lock (requirements.txt) pins every
# package with its hashes, so pip checks each download; the course package itself is installed
# after it, without dependencies.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(PIP) --require-hashes -r requirements.txt
	$(PIP) --no-deps -e .
	touch $@

install: $(VENV)/.installed

lab: install
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser --ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG) $(LAB_ARGS) $(FIRST_LESSON)
