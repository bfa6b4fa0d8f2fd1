"""A small variant of each family, saved by Keras 3.15.1 with random periodic weights (the files are stored
xz-compressed: 34 to 182 KB where the raw files are 1 to 95 MB), loads into the pipekeras application by
path and predicts what Keras predicted, within 1e-5, after the family's `preprocess_input`. Half the files are in
the Keras 2 layout of Keras's published ImageNet files (`.h5`), half in Keras 3's (`.weights.h5`)."""

import lzma
import os

import numpy as np
import pytest

import pipekeras.applications as apps
from keras_reference import FIXTURES, MODES, PREDICTIONS, SMALL


def _unpack(name, folder):
    """The Keras file `name` (stored as `name.xz`), decompressed into `folder`."""
    path = os.path.join(folder, name)
    with lzma.open(os.path.join(FIXTURES, name + ".xz")) as packed, open(path, "wb") as out:
        while chunk := packed.read(1 << 24):
            out.write(chunk)
    return path


def _close(model, app, name):
    """Within 1e-5 of Keras, relative to the output's scale where that is above 1."""
    got = model.predict(apps.preprocess_input(PREDICTIONS[f"{name}_x"].copy(), mode=MODES[app]), verbose=0)
    want = PREDICTIONS[f"{name}_y"]
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-5 * max(1.0, np.abs(want).max())


# VGG19 is VGG16's builder with more layers and the largest file (80 MB unpacked): run with the slow tests only.
SLOW = {"vgg19_small"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in SMALL])
def test_keras_weights_file_loads_by_path_and_predicts_as_keras(name, tmp_path):
    app, kwargs, suffix = SMALL[name]
    model = getattr(apps, app)(weights=_unpack(name + suffix, tmp_path), **kwargs)
    _close(model, app, name)


@pytest.mark.parametrize("name", ["mobilenet_small", "mobilenetv2_small"])
def test_keras_weights_file_loads_with_load_weights(name, tmp_path):
    app, kwargs, suffix = SMALL[name]
    model = getattr(apps, app)(**kwargs)
    model.load_weights(_unpack(name + suffix, tmp_path))
    _close(model, app, name)


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_modes_match_keras(mode):
    x = PREDICTIONS["preprocess_x"]
    np.testing.assert_allclose(apps.preprocess_input(x.copy(), mode=mode), PREDICTIONS[f"preprocess_{mode}"],
                               rtol=1e-6, atol=1e-5)
