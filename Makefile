# Quick start: `make demo` trains the MNIST model; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SHARED_DATASETS := $(abspath ../shared/datasets)
export PIPEKERAS_DATASETS ?= $(if $(wildcard $(SHARED_DATASETS)),$(SHARED_DATASETS),)

.PHONY: demo test test-fast bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(PY) examples/mnist_mlp.py

# make test: the quick tests (dots) on TEST_PROCESSES pytest-xdist workers that share one Numba cache, each
# given half the files in order (worksteal: a worker that is done takes tests from the other), so each compiles
# the kernels of its own files; then the real-data trainings (marked slow) in one process, each named as it
# starts (that group already keeps two cores busy: tests/compute/conftest.py builds the bounds-checked kernels
# beside it). TEST_PROCESSES=0: one process.
TEST_PROCESSES ?= 2
QUICK_TESTS := $(PY) -m pytest -m "not slow" -n $(TEST_PROCESSES) --dist worksteal

test: $(VENV)/.installed
	$(QUICK_TESTS)
	$(PY) -m pytest -m slow -o addopts="" -v --durations=0

test-fast: $(VENV)/.installed
	$(QUICK_TESTS)

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
