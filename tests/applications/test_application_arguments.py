"""The applications' arguments as Keras checks them, "imagenet" weights from a local copy (offline: a message
saying which file to get, and where to put it), ImageNet decoding, and the book's frozen convolutional base."""

import json
import urllib.error

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.applications as apps
import pipekeras.r as r
from pipekeras.datasets import _files as dataset_files
from pipekeras.errors import ConfigError, DataError, ShapeError


@pytest.fixture
def no_local_files(tmp_path, monkeypatch):
    """Empty dataset directories and home, so nothing is found locally, and no network."""
    monkeypatch.setenv("PIPEKERAS_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    def offline(url, fileobj):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(dataset_files, "_download", offline)
    return tmp_path


def test_imagenet_without_a_local_copy_says_which_file_to_get(no_local_files):
    with pytest.raises(ConfigError) as error:
        apps.VGG16(weights="imagenet")
    message = str(error.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels.h5" in message and "network is unreachable" in message
    assert "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/" in message
    assert "64373286793e3c8b2b4e3219cbf3544b" in message and "weights=" in message
    with pytest.raises(ConfigError, match="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"):
        apps.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, include_top=False, weights="imagenet")


def test_imagenet_loads_a_local_copy(no_local_files):
    pk.set_seed(1)
    source = apps.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False)
    folder = no_local_files / "datasets" / "models"
    folder.mkdir(parents=True)
    source.save_weights(str(folder / "source.weights"))  # pipekeras's format (no h5py process), by content
    (folder / "source.weights").rename(folder / "mobilenet_2_5_128_tf_no_top.h5")
    loaded = apps.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False, weights="imagenet")
    for got, want in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(weights="no/such/file.h5"), ConfigError, "is not a file"),
    (dict(weights="imagenet", classes=10), ConfigError, "classes must be 1000"),
    (dict(include_top=False, pooling="sum"), ConfigError, "pooling must be None, 'avg' or 'max'"),
    (dict(include_top=False, input_shape=(31, 40, 3)), ShapeError, "at least 32x32"),
    (dict(input_shape=(None, None, 3)), ShapeError, "fixed input_shape"),
    (dict(weights=3), pk.errors.ArgumentTypeError, "weights must be None"),
])
def test_arguments_keras_refuses(kwargs, error, match):
    with pytest.raises(error, match=match):
        apps.ResNet50(**kwargs)


def test_input_tensor_and_input_shape():
    inputs = pk.Input(shape=(64, 64, 3))
    model = apps.MobileNet(alpha=0.25, include_top=False, input_tensor=inputs, pooling="max")
    assert model.inputs[0] is inputs and model.output_shape == (None, 256)
    model = apps.MobileNetV2(alpha=0.35, include_top=False)
    assert model.input_shape == (None, None, None, 3) and model.name == "mobilenetv2_0.35_None"


def _class_index(path):
    path.write_text(json.dumps({str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}))
    return path


def test_decode_predictions(tmp_path, no_local_files):
    preds = np.zeros((2, 1000), "float32")
    preds[0, [7, 3, 999]] = [0.5, 0.3, 0.2]
    preds[1, 42] = 1.0
    decoded = r.imagenet_decode_predictions(preds, top=2, class_index=_class_index(tmp_path / "index.json"))
    assert decoded[0] == [("n00000007", "class_7", pytest.approx(0.5)), ("n00000003", "class_3", pytest.approx(0.3))]
    assert decoded[1][0][:2] == ("n00000042", "class_42")
    with pytest.raises(DataError, match="imagenet_class_index.json.*download.tensorflow.org"):
        apps.decode_predictions(preds)
    with pytest.raises(ShapeError, match=r"\(samples, 1000\)"):
        apps.decode_predictions(preds[:, :10])


def test_preprocess_inputs_follow_the_model_family():
    x = np.full((1, 32, 32, 3), 255.0, "float32")
    model = apps.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, include_top=False)
    assert np.all(r.application_preprocess_inputs(model, x.copy()) == 1.0)
    np.testing.assert_allclose(apps.preprocess_input(x.copy(), mode="caffe")[0, 0, 0], [151.061, 138.221, 131.32],
                               rtol=1e-6)
    assert apps.preprocess_input(np.full((2, 3), 255, "uint8"), mode="tf").dtype == np.float32
    with pytest.raises(ConfigError, match="imagenet_preprocess_input"):
        inputs = pk.Input(shape=(3,))
        r.application_preprocess_inputs(pk.Model(inputs, pk.Dense(2)(inputs), name="mine"), x)


def test_frozen_convolutional_base_with_a_dense_head():
    pk.set_seed(2)
    conv_base = r.application_mobilenet_v2(include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    model = r.keras_model_sequential() | conv_base | r.layer_flatten() | r.layer_dense(units=8, activation="relu") | \
        r.layer_dense(units=1, activation="sigmoid")
    r.freeze_weights(conv_base)
    model | r.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics="accuracy")
    assert len(model.trainable_weights) == 4
    before = [w.copy() for w in conv_base.get_weights()]
    x = np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    y = np.arange(8) % 2
    head = model.layers[-1].get_weights()[0].copy()
    model | r.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not np.array_equal(model.layers[-1].get_weights()[0], head)
    for got, want in zip(conv_base.get_weights(), before):
        np.testing.assert_array_equal(got, want)
