"""The windowed time-series example runs in quick mode and learns something."""

import importlib.util
import pathlib

import numpy as np

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "timeseries_windows.py"


def test_windowed_example_quick_run():
    spec = importlib.util.spec_from_file_location("timeseries_windows", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    history, naive = module.main(quick=True)
    losses = history.history["val_loss"]
    assert np.isfinite(losses).all() and losses[-1] < losses[0] and naive > 0
