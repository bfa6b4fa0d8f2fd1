"""runtime.tuning: one table of thresholds with units, defaults and environment variables; scoped overrides;
and the environment variable replacing a default at import."""

import os
import subprocess
import sys

import pytest

from pipekeras.runtime import tuning

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout's pipekeras

UNITS = {"elements", "flops", "bytes", "rows", "steps", "ratio", "switch"}


def test_every_threshold_has_a_unit_a_default_and_a_reason():
    names = [threshold.name for threshold in tuning.TABLE]
    assert len(names) == len(set(names))
    for threshold in tuning.TABLE:
        assert threshold.unit in UNITS, threshold
        assert (threshold.default in (0, 1) if threshold.unit == "switch" else threshold.default > 0), threshold
        assert threshold.why, threshold
        assert tuning.get(threshold.name) == threshold.default  # no PIPEKERAS_* variable set in tests
        assert (threshold.variable is None) == threshold.compiled


def test_override_sets_values_for_the_block_and_restores_them():
    before = tuning.get("SPLIT_MIN_ROWS")
    with tuning.override(SPLIT_MIN_ROWS=1, SPLIT_MIN_FLOPS=0):
        assert tuning.get("SPLIT_MIN_ROWS") == 1 and tuning.get("SPLIT_MIN_FLOPS") == 0
        with tuning.override(SPLIT_MIN_ROWS=3):
            assert tuning.get("SPLIT_MIN_ROWS") == 3
        assert tuning.get("SPLIT_MIN_ROWS") == 1
    assert tuning.get("SPLIT_MIN_ROWS") == before


def test_unknown_names_raise():
    with pytest.raises(KeyError, match="SPLIT_MIN_ROW"):
        with tuning.override(SPLIT_MIN_ROW=1):
            pass


def test_an_environment_variable_replaces_the_default():
    env = {**os.environ, "PIPEKERAS_BLAS_THREADED_MIN_FLOPS": "2.5e6", "PIPEKERAS_POOL_MIN_WORK": "1000",
           "PYTHONPATH": CHECKOUT}
    code = "from pipekeras.runtime import tuning; print(tuning.get('BLAS_THREADED_MIN_FLOPS'), " \
           "tuning.get('POOL_MIN_WORK'))"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["2500000", "1000"], result.stderr
