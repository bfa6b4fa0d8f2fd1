"""Item 9 of the hostile-input issue: constructor arguments and file values that used to be accepted or to
raise raw errors are pipekeras errors naming the argument and what it accepts."""

import io
import json
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError, PipeKerasError, SavingError


@pytest.mark.parametrize("make, argument", [
    (lambda: pk.dropout(0.5, noise_shape="abc"), "noise_shape"),
    (lambda: pk.dropout(0.5, noise_shape=[0, 1]), "noise_shape"),
    (lambda: pk.lstm(4, return_sequences="no"), "return_sequences"),
    (lambda: pk.gru(4, go_backwards=[1, 2]), "go_backwards"),
    (lambda: pk.simple_rnn(4, return_state="yes"), "return_state"),
    (lambda: pk.dense(4, use_bias="false"), "use_bias"),
    (lambda: pk.conv_1d(4, 3, use_bias="false"), "use_bias"),
    (lambda: pk.dense(4, dtype="abc"), "dtype"),
    (lambda: pk.dense(4, dtype="int8"), "dtype"),
    (lambda: pk.dense(4, dtype={"class_name": "DTypePolicy"}), "dtype"),
    (lambda: pk.max_pooling_2d(2, strides=1e30), "strides"),
    (lambda: pk.max_pooling_2d(2, strides=[int(1e30), 1]), "strides"),
])
def test_bad_constructor_arguments_name_the_argument(make, argument):
    with pytest.raises(ConfigError, match=argument) as info:
        make()
    message = str(info.value)
    assert any(word in message for word in ("must be", "one of")), message


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float64])
def test_float_dtypes_are_accepted(dtype):
    assert pk.dense(2, dtype=dtype).dtype == np.dtype(dtype).name


def test_input_layers_take_integer_dtypes():
    assert pk.Input(shape=(5,), dtype="int32").dtype == "int32"


def test_valid_noise_shape_and_flags_still_work():
    layer = pk.dropout(0.5, noise_shape=[None, 1, 4])
    assert layer.noise_shape == (None, 1, 4)
    assert pk.lstm(3, return_sequences=np.bool_(True)).return_sequences is True


def saved_model(tmp_path):
    model = pk.sequential(name="m") | pk.dense(3, "relu", input_shape=(4,)) | pk.dense(2, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(np.ones((8, 4), "float32"), np.eye(2, dtype="float32")[[0, 1] * 4], epochs=1, verbose=0)
    path = str(tmp_path / "m.pkeras")
    model.save(path)
    return path


def rewrite(path, change_config=None, change_entry=None):
    """Rewrites a .pkeras: `change_config(config)` edits config.json; `change_entry(name, bytes)` entries."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "config.json" and change_config:
                config = json.loads(data)
                change_config(config)
                data = json.dumps(config).encode()
            elif change_entry:
                data = change_entry(info.filename, data)
            target.writestr(info, data)
    with open(path, "wb") as file:
        file.write(out.getvalue())
    return path


def test_negative_optimizer_iterations_in_a_file_are_refused(tmp_path):
    def negative(name, data):
        if name == "optimizer/00000.npy":
            buffer = io.BytesIO()
            np.save(buffer, np.array(-5, dtype=np.int64))
            return buffer.getvalue()
        return data
    path = rewrite(saved_model(tmp_path), change_entry=negative)
    with pytest.raises(PipeKerasError, match="iterations.*non-negative integer"):
        pk.load_model(path)


def test_nan_loss_weights_in_a_file_are_refused(tmp_path):
    def nan_weights(config):
        config["compile_config"]["loss_weights"] = [float("nan")]
    path = rewrite(saved_model(tmp_path), change_config=nan_weights)
    with pytest.raises(SavingError, match="loss_weights must be finite"):
        pk.load_model(path)


def test_huge_pool_strides_in_a_file_are_refused(tmp_path):
    model = pk.sequential(name="p") | pk.max_pooling_1d(2, input_shape=(8, 1)) | pk.flatten()
    path = str(tmp_path / "p.pkeras")
    model.save(path)

    def huge(config):
        config["config"]["layers"][0]["config"]["strides"] = [1e30]
    rewrite(path, change_config=huge)
    with pytest.raises(PipeKerasError, match="strides"):
        pk.load_model(path)


def test_a_bad_dtype_in_a_file_is_refused(tmp_path):
    path = saved_model(tmp_path)

    def bad_dtype(config):
        config["config"]["layers"][-1]["config"]["dtype"] = "complex128"
    rewrite(path, change_config=bad_dtype)
    with pytest.raises(PipeKerasError, match="dtype must be one of"):
        pk.load_model(path)


def test_nan_loss_weights_in_a_keras_file_leave_the_model_uncompiled(tmp_path):
    import os

    source = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures", "dense_net.keras")
    path = str(tmp_path / "nan.keras")
    with open(source, "rb") as file, open(path, "wb") as out:
        out.write(file.read())

    def nan_weights(config):
        config["compile_config"]["loss_weights"] = [float("nan")]
    rewrite(path, change_config=nan_weights)
    with pytest.warns(UserWarning, match="loss_weights must be finite.*loaded uncompiled"):
        model = pk.load_model(path)
    assert not model.compiled
