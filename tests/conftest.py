import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # `make test` runs the quick tests on two processes, two cores: a kernel's threads that wait for work sleep
    # instead of spinning on the core the other process needs (OpenMP reads this when pipekeras starts Numba's threads)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import pipekeras as pk  # noqa: E402

SHARED_DATASETS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets"))
os.environ.setdefault("PIPEKERAS_DATASETS", SHARED_DATASETS)


@pytest.fixture(autouse=True)
def fresh_session():
    """Every test starts with fresh layer names and a fixed seed."""
    pk.clear_session()
    pk.set_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# Tests that train on no real data but take minutes on two cores: marked slow here, so that `make test` runs
# them in its second group (each named as it starts) and `make test-fast` leaves them out.
SLOW_BY_NAME = (
    "tests/compute/test_boundscheck.py::",  # every kernel compiled afresh with bounds checks
    "tests/compute/test_recurrent_split.py::test_split_kernels_run_under_bounds_checking",  # the same, recurrent
    "tests/docs/test_notebooks.py::test_notebook_runs_in_quick_mode",  # a Jupyter kernel per notebook
    "tests/saving/test_saving.py::test_keras_loads_the_keras_files_pipekeras_writes",  # imports Keras and JAX
)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith(SLOW_BY_NAME):
            item.add_marker(pytest.mark.slow)
