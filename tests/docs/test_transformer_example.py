"""examples/imdb_transformer.py (notebook 17) runs in quick mode (PIPEKERAS_QUICK=1) on the real IMDB data: it
trains with the held-out tenth and early stopping, and reports a test accuracy above chance."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(autouse=True)
def _needs_imdb():
    from pipekeras.datasets import imdb

    try:
        imdb.load_data(num_words=100)
    except Exception as error:  # no copy of the data set on this machine
        pytest.skip(f"IMDB not available: {error}")


def test_the_transformer_example_runs_in_quick_mode():
    env = {**os.environ, "PIPEKERAS_QUICK": "1", "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "imdb_transformer.py")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "multi_head_attention (MultiHead" in out and "val_accuracy" in out, out
    accuracy = float(re.search(r"Test accuracy: (\d\.\d+)", out).group(1))
    assert 0.6 < accuracy <= 1.0, out
