"""Each application builds Keras's architecture: the published parameter count (with and without the top) and
Keras's layers in Keras's order, with Keras's names and weight shapes, so Keras weights files load by name and
by order. Full-size builds of the large networks (up to 143,667,240 parameters) are slow tests."""

import time

import pytest

import pipekeras.applications as apps
from keras_reference import STRUCTURE, keras_table, layer_table

QUICK = ["MobileNet", "MobileNetV2", "DenseNet121"]
SLOW = ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2",
        "InceptionV3", "Xception", "DenseNet169", "DenseNet201"]
PUBLISHED = {"VGG16": 138_357_544, "ResNet50": 25_636_712, "MobileNetV2": 3_538_984, "InceptionV3": 23_851_784,
             "Xception": 22_910_480, "DenseNet121": 8_062_504}


def _check(app):
    start = time.perf_counter()
    model = getattr(apps, app)()
    seconds = time.perf_counter() - start
    assert model.count_params() == STRUCTURE[app]["params"] == PUBLISHED.get(app, STRUCTURE[app]["params"])
    assert layer_table(model) == keras_table(app)
    del model
    assert getattr(apps, app)(include_top=False).count_params() == STRUCTURE[app]["params_notop"]
    # Building draws each weight once; a generous bound (for shared machines) that catches weights made again.
    assert seconds < 10.0 + STRUCTURE[app]["params"] * 5e-7


@pytest.mark.parametrize("app", QUICK)
def test_application_is_keras_architecture(app):
    _check(app)


@pytest.mark.slow
@pytest.mark.parametrize("app", SLOW)
def test_large_application_is_keras_architecture(app):
    _check(app)


def test_default_names_and_widths_follow_keras():
    assert apps.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False).name == "mobilenetv2_0.35_96"
    assert apps.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False).name == "mobilenet_0.25_128"
    assert apps.MobileNetV2(input_shape=(96, 96, 3), alpha=1.4, include_top=False).output_shape == (None, 3, 3, 1792)
