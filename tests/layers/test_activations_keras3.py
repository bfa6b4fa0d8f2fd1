"""Keras 3's newer activations: forward and gradient against Keras (keras_parity.npz) and central differences."""

import os

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import activations
from pipekeras.errors import ConfigError

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_parity.npz"))
OPTIONS = {"celu": {"alpha": 1.5}, "log_sigmoid": {}, "hard_tanh": {}, "squareplus": {"b": 2.0}, "sparse_plus": {},
           "tanh_shrink": {}, "threshold": {"threshold": 0.5, "default_value": -2.0}, "hard_silu": {}, "glu": {}}


def _activation(name):
    f = activations.get(name)
    return f.with_options(**OPTIONS[name]) if OPTIONS[name] else f


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_forward_and_gradient_match_keras(name):
    f = _activation(name)
    x = FIXTURES["acts/x"].astype(np.float64)
    y = f(x)
    np.testing.assert_allclose(y, FIXTURES[f"acts/{name}/y"], rtol=1e-5, atol=1e-6)
    dx = f.backward(x, y, FIXTURES[f"acts/{name}/dy"].astype(np.float64))
    np.testing.assert_allclose(dx, FIXTURES[f"acts/{name}/dx"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_gradient_matches_central_differences_in_float64(name):
    f = _activation(name)
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (4, 6))
    x[np.abs(np.abs(x) - 1) < 1e-3] += 0.01  # away from the kinks (hard_tanh, sparse_plus) and
    x[np.abs(x - 0.5) < 1e-3] += 0.01  # threshold's step
    dy = rng.normal(size=f(x).shape)
    h = 1e-6
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        numeric[index] = ((f(plus) - f(minus)) * dy).sum() / (2 * h)
    np.testing.assert_allclose(f.backward(x, f(x), dy), numeric, rtol=1e-6, atol=1e-8)


def test_new_elementwise_activations_train_in_a_dense_layer():
    x = np.random.default_rng(1).normal(size=(8, 3)).astype("float32")
    for name in ("celu", "log_sigmoid", "hard_tanh", "squareplus", "sparse_plus", "tanh_shrink", "threshold"):
        model = pk.sequential() | pk.dense(4, activation=name, input_shape=(3,)) | pk.dense(1)
        model.compile("sgd", "mse")
        assert np.isfinite(model.train_on_batch(x, np.ones((8, 1), "float32")))


def test_glu_halves_the_last_axis_in_an_activation_layer_and_is_refused_inside_dense():
    model = pk.sequential() | pk.dense(6, input_shape=(3,)) | pk.activation("glu")
    assert model.output_shape == (None, 3)
    pk.check_gradients(model, np.random.default_rng(2).normal(size=(2, 3)))
    with pytest.raises(ConfigError, match="glu"):
        pk.dense(6, activation="glu")
    with pytest.raises(ConfigError, match="odd"):
        pk.sequential() | pk.dense(5, input_shape=(3,)) | pk.activation("glu")
