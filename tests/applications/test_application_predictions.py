"""Small variants of each family predict what Keras 3.15.1 predicted: MobileNet and MobileNetV2 from weights files
Keras saved (Keras 2's layout, as Keras's published files, and Keras 3's `.weights.h5`), the other families at a
small input with the weights of synthetic_weights.py (their files would be tens of MB), each after the family's
`preprocess_input`."""

import os

import numpy as np
import pytest

import pipekeras.applications as apps
from keras_reference import FIXTURES, PREDICTIONS, set_synthetic_weights

MODES = {"VGG16": "caffe", "VGG19": "caffe", "ResNet50": "caffe", "ResNet50V2": "tf", "InceptionV3": "tf",
         "Xception": "tf", "DenseNet121": "torch", "MobileNet": "tf", "MobileNetV2": "tf"}
SYNTHETIC = {
    "vgg16_small": ("VGG16", dict(include_top=False, input_shape=(32, 32, 3), pooling="max")),
    "vgg19_small": ("VGG19", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    "resnet50_small": ("ResNet50", dict(input_shape=(32, 32, 3), classes=10, classifier_activation=None)),
    "resnet50v2_small": ("ResNet50V2", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    "inception_v3_small": ("InceptionV3", dict(input_shape=(75, 75, 3), classes=10, classifier_activation=None)),
    "xception_small": ("Xception", dict(include_top=False, input_shape=(71, 71, 3), pooling="max")),
    "densenet121_small": ("DenseNet121", dict(input_shape=(32, 32, 3), classes=10, classifier_activation=None)),
}
QUICK = {"densenet121_small"}


def _predict(model, app, name):
    x = apps.preprocess_input(PREDICTIONS[f"{name}_x"].copy(), mode=MODES[app])
    return model.predict(x, verbose=0)


def _close(got, want):
    """Within 1e-5 of Keras, relative to the output's scale where that is above 1."""
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= 1e-5 * max(1.0, np.abs(want).max())


@pytest.mark.parametrize("name, app, kwargs, file_name", [
    ("mobilenet_small", "MobileNet", dict(input_shape=(32, 32, 3), alpha=0.25, classes=10), "mobilenet_small.h5"),
    ("mobilenetv2_small", "MobileNetV2", dict(input_shape=(96, 96, 3), alpha=0.35, classes=10),
     "mobilenetv2_small.weights.h5"),
])
def test_keras_weights_file_loads_and_predicts_as_keras(name, app, kwargs, file_name):
    model = getattr(apps, app)(weights=os.path.join(FIXTURES, file_name), **kwargs)
    _close(_predict(model, app, name), PREDICTIONS[f"{name}_y"])


@pytest.mark.parametrize("name", [pytest.param(n, marks=() if n in QUICK else pytest.mark.slow) for n in SYNTHETIC])
def test_family_predicts_as_keras(name):
    app, kwargs = SYNTHETIC[name]
    model = getattr(apps, app)(**kwargs)
    set_synthetic_weights(model)
    _close(_predict(model, app, name), PREDICTIONS[f"{name}_y"])


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
def test_preprocess_input_modes_match_keras(mode):
    x = PREDICTIONS["preprocess_x"]
    np.testing.assert_allclose(apps.preprocess_input(x.copy(), mode=mode), PREDICTIONS[f"preprocess_{mode}"],
                               rtol=1e-6, atol=1e-5)
