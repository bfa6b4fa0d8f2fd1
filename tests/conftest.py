import os

import numpy as np
import pytest

import pipekeras as pk

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
