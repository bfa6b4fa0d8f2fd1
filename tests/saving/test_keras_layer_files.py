"""Keras-written .keras and .h5 files with BN, LayerNormalization, TimeDistributed and Bidirectional(LSTM, GRU):
every key Keras writes at its default value loads, at every nesting level; a non-default one is refused by name."""

import json
import os
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError

pytest.importorskip("h5py")
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURES = np.load(os.path.join(HERE, "keras_parity.npz"))


@pytest.mark.parametrize("file_name", ["keras_layers.keras", "keras_layers.h5"])
def test_keras_files_with_wrappers_and_normalization_predict_as_keras(file_name):
    model = pk.load_model(os.path.join(HERE, file_name))
    np.testing.assert_allclose(model.predict(FIXTURES["keras_layers/x"]), FIXTURES["keras_layers/y"], atol=1e-5)


def _config():
    with zipfile.ZipFile(os.path.join(HERE, "keras_layers.keras")) as archive:
        return json.loads(archive.read("config.json"))


def _layer(config, class_name):
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == class_name)


@pytest.mark.parametrize("class_name, key, value", [
    ("BatchNormalization", "renorm", True),
    ("LayerNormalization", "rms_scaling", True),
])
def test_a_non_default_value_is_refused_naming_the_key(class_name, key, value):
    config = _config()
    _layer(config, class_name)["config"][key] = value
    with pytest.raises(ConfigError, match=key):
        pk.model_from_json(json.dumps(config))


def test_a_non_default_value_inside_a_wrapper_is_refused_naming_the_key():
    config = _config()
    _layer(config, "TimeDistributed")["config"]["layer"]["config"]["quantization_config"] = {"mode": "int8"}
    with pytest.raises(ConfigError, match="quantization_config"):
        pk.model_from_json(json.dumps(config))


def test_keras_2_11_h5_optimizer_names_load_compiled(tmp_path):
    import h5py

    path = tmp_path / "compiled.h5"
    path.write_bytes(open(os.path.join(HERE, "keras_layers.h5"), "rb").read())
    with h5py.File(path, "a") as file:
        file.attrs["training_config"] = json.dumps({
            "loss": "mse", "metrics": None, "loss_weights": None,
            "optimizer_config": {"class_name": "Custom>RMSprop", "config": {"learning_rate": 0.005, "rho": 0.8}}})
    model = pk.load_model(str(path))
    assert isinstance(model.optimizer, pk.optimizers.RMSprop)
    assert model.optimizer.get_config()["rho"] == pytest.approx(0.8)


def test_wrappers_are_written_in_keras_layout_and_read_back(tmp_path):
    import h5py

    model = pk.sequential() | pk.bidirectional(pk.lstm(3, return_sequences=True), input_shape=(5, 4)) | \
        pk.time_distributed(pk.batch_normalization()) | pk.time_distributed(pk.dense(2))
    rng = np.random.default_rng(0)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in model.get_weights()])
    path = tmp_path / "wrappers.keras"
    model.save(str(path))
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        (tmp_path / "w.h5").write_bytes(archive.read("model.weights.h5"))
    inner = [layer["config"]["layer"] for layer in config["config"]["layers"][1:]]
    assert [entry["class_name"] for entry in inner] == ["LSTM", "BatchNormalization", "Dense"]
    with h5py.File(tmp_path / "w.h5", "r") as file:
        assert len(file["layers/bidirectional/forward_layer/cell/vars"]) == 3
        assert len(file["layers/bidirectional/backward_layer/cell/vars"]) == 3
        assert len(file["layers/time_distributed/layer/vars"]) == 4
        assert len(file["layers/time_distributed_1/layer/vars"]) == 2
    x = rng.normal(size=(2, 5, 4)).astype("float32")
    np.testing.assert_allclose(pk.load_model(str(path)).predict(x), model.predict(x), atol=1e-6)


@pytest.mark.parametrize("file_name", ["convolutions.keras", "convolutions.h5"])
def test_keras_files_with_every_convolution_and_pooling_predict_as_keras(file_name):
    model = pk.load_model(os.path.join(HERE, file_name))
    x = [FIXTURES[f"convolutions/x{i}"] for i in range(3)]
    np.testing.assert_allclose(model.predict(x), FIXTURES["convolutions/y"], atol=1e-5)


def test_keras_weights_file_with_convolutions_and_pooling_loads_by_order():
    model = pk.load_model(os.path.join(HERE, "convolutions.keras"))
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(os.path.join(HERE, "convolutions.weights.h5"))
    x = [FIXTURES[f"convolutions/x{i}"] for i in range(3)]
    np.testing.assert_allclose(model.predict(x), FIXTURES["convolutions/y"], atol=1e-5)
