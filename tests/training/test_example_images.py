"""The image-folder convnet example: quick run (1,000 MNIST digits as PNGs), and (slow) the full run with the
book's accuracy."""

import importlib.util
import pathlib

import pytest

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "mnist_png_convnet.py"


def _example():
    spec = importlib.util.spec_from_file_location("mnist_png_convnet", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_run_learns():
    accuracy, _ = _example().main(quick=True)
    assert accuracy > 0.6  # 2 epochs on 1,000 digits: 0.687 measured


@pytest.mark.slow
def test_full_run_reaches_98_5_percent():
    accuracy, _ = _example().main(quick=False)
    assert accuracy >= 0.985
