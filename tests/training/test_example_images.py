"""The image-folder convnet example: quick run (1,000 MNIST digits as PNGs), and (slow) its full settings on a
sixth of the digits. The full run, `python examples/mnist_png_convnet.py` (60,000 digits, 5 epochs, about three
minutes on two cores), reaches >= 98.5% test accuracy: this file's slow test asserted it until the suite was
shortened."""

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
def test_full_settings_on_10000_digits_reach_95_percent(monkeypatch):
    import pipekeras as pk

    load_data = pk.datasets.mnist.load_data

    def sliced():
        (x_train, y_train), (x_test, y_test) = load_data()
        return (x_train[:10000], y_train[:10000]), (x_test[:2000], y_test[:2000])

    monkeypatch.setattr(pk.datasets.mnist, "load_data", sliced)
    accuracy, _ = _example().main(quick=False)  # 5 epochs with augmentation
    assert accuracy >= 0.95
