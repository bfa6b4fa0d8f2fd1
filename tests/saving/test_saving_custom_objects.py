"""Saving what users write: custom layers (by class name), a Lambda (by its registered function's name) and a
custom loss in ops (registered) save and load with identical predictions; nothing runs code from the file, and
loading without them registered names what is missing."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops
from pipekeras.errors import ConfigError
from pipekeras.serializable import _OBJECTS


class Gate(pk.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "glorot_uniform")
        self.inner = pk.Dense(self.units, "tanh")

    def call(self, x):
        return self.inner(x) * ops.sigmoid(x @ self.w)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def halve(x):
    return x * 0.5


def quartic(y_true, y_pred):
    return ops.mean(ops.square(ops.square(y_true - y_pred)), axis=-1)


def _registered():
    pk.saving.register_keras_serializable(package="tests")(halve)
    pk.utils.register_keras_serializable(package="tests")(quartic)


def _model():
    pk.set_seed(3)
    model = pk.sequential() | pk.dense(6, input_shape=4) | Gate(5) | pk.lambda_layer(halve) | pk.dense(2)
    model.compile(optimizer="adam", loss=quartic)
    x = np.random.default_rng(0).standard_normal((20, 4)).astype(np.float32)
    model.fit(x, x[:, :2], epochs=2, verbose=0)
    return model, x


def test_custom_layers_a_lambda_and_a_custom_loss_save_and_load(tmp_path):
    _registered()
    model, x = _model()
    assert model.count_params() == 4 * 6 + 6 + (6 * 5 + 6 * 5 + 5) + 5 * 2 + 2
    path = model.save(tmp_path / "custom.pkeras")
    loaded = pk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.loss_functions[0].name == "quartic"
    loaded.fit(x, x[:, :2], epochs=1, verbose=0)


def test_loading_without_the_registered_function_names_it(tmp_path, monkeypatch):
    _registered()
    model, _ = _model()
    path = model.save(tmp_path / "custom.pkeras")
    monkeypatch.setattr("pipekeras.serializable._OBJECTS", {k: v for k, v in _OBJECTS.items() if v is not halve})
    with pytest.raises(ConfigError, match=r"tests>halve \(the function of Lambda layer .*register_keras_serializable"):
        pk.load_model(path)


def test_an_unregistered_lambda_function_cannot_be_saved(tmp_path):
    model = pk.sequential() | pk.lambda_layer(lambda x: x + 1, input_shape=3, name="plus_one")
    with pytest.raises(ConfigError, match="'plus_one' \\(Lambda\\): its function '<lambda>' is not registered"):
        model.save(tmp_path / "m.pkeras")
