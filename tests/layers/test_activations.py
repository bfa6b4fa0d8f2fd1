"""Activations: forward against plain NumPy formulas, backward against central finite differences."""

import math

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import activations, ops
from pipekeras.errors import ArgumentTypeError, ConfigError

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _ref_forward(name, x):
    """Independent float64 reference of each Keras 3 activation."""
    if name == "linear":
        return x
    if name == "relu":
        return np.where(x > 0, x, 0.0)
    if name == "relu6":
        return np.minimum(np.maximum(x, 0.0), 6.0)
    if name == "leaky_relu":
        return np.where(x > 0, x, 0.2 * x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "hard_sigmoid":
        return np.minimum(np.maximum(x + 3, 0), 6) / 6
    if name == "tanh":
        return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    if name == "softmax":
        e = np.exp(x)
        return e / e.sum(axis=-1, keepdims=True)
    if name == "log_softmax":
        e = np.exp(x)
        return np.log(e / e.sum(axis=-1, keepdims=True))
    if name == "softplus":
        return np.log(1 + np.exp(x))
    if name == "softsign":
        return x / (1 + np.abs(x))
    if name == "elu":
        return np.where(x > 0, x, np.exp(x) - 1)
    if name == "selu":
        return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * (np.exp(x) - 1))
    if name == "exponential":
        return np.exp(x)
    if name in ("silu", "swish"):
        return x / (1 + np.exp(-x))
    if name == "gelu":
        erf = np.vectorize(math.erf)
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))
    if name == "mish":
        return x * np.tanh(np.log(1 + np.exp(x)))
    if name in ("hard_silu", "hard_swish"):
        return x * np.minimum(np.maximum(x + 3, 0), 6) / 6
    if name == "celu":
        return np.where(x > 0, x, np.exp(x) - 1)
    if name == "log_sigmoid":
        return -np.log(1 + np.exp(-x))
    if name == "hard_tanh":
        return np.minimum(np.maximum(x, -1.0), 1.0)
    if name == "squareplus":
        return (x + np.sqrt(x * x + 4)) / 2
    if name == "sparse_plus":
        return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))
    if name == "tanh_shrink":
        return x - np.tanh(x)
    if name == "threshold":
        return np.where(x > 0, x, 0.0)
    if name == "glu":
        a, b = np.split(x, 2, axis=-1)
        return a / (1 + np.exp(-b))
    raise AssertionError(f"no reference for {name}")


def _inputs(rng, shape=(4, 6)):
    x = rng.uniform(-4, 4, size=shape)
    # Keep away from kinks (0 for relu-like, +-3 for hard_sigmoid, 6 for relu6, +-1 for hard_tanh and sparse_plus)
    # so FD is valid; the last axis is even for glu, which halves it.
    for kink in (0.0, 3.0, -3.0, 6.0, 1.0, -1.0):
        close = np.abs(x - kink) < 1e-2
        x[close] += 0.05
    return x


def test_names_include_keras_builtins():
    names = activations.names()
    for name in ["linear", "relu", "sigmoid", "softmax", "tanh", "gelu", "silu", "swish", "selu", "elu"]:
        assert name in names


@pytest.mark.parametrize("name", activations.names())
def test_forward_matches_reference(name, rng):
    x = _inputs(rng)
    y = activations.get(name)(x)
    assert y.shape == _ref_forward(name, x).shape
    np.testing.assert_allclose(y, _ref_forward(name, x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", activations.names())
def test_backward_matches_finite_differences(name, rng):
    f = activations.get(name)
    x = _inputs(rng)
    y = f(x)
    dy = rng.normal(size=y.shape)
    dx = f.backward(x, y, dy)
    h = 1e-6
    fd = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fd[i] = ((f(xp) - f(xm)) * dy).sum() / (2 * h)
    np.testing.assert_allclose(dx, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", activations.names())
def test_preserves_float32(name, rng):
    x = _inputs(rng).astype(np.float32)
    y = activations.get(name)(x)
    assert y.dtype == np.float32
    dx = activations.get(name).backward(x, y, np.ones_like(y))
    assert dx.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_sigmoid_stable_at_extremes(dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
    s = activations.get("softmax")(x)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s[0], [1, 0, 0])
    np.testing.assert_allclose(s[1], [1 / 3] * 3, rtol=1e-6)
    ls = activations.get("log_softmax")(x)
    assert np.all(np.isfinite(ls))
    np.testing.assert_allclose(ls[0], [0, -2e4, -1e4], rtol=1e-6)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        sig = activations.get("sigmoid")(x)
    assert np.all(np.isfinite(sig))
    np.testing.assert_allclose(sig[0], [1, 0, 0.5])
    dsig = activations.get("sigmoid").backward(x, sig, np.ones_like(sig))
    assert np.all(np.isfinite(dsig))
    ds = activations.get("softmax").backward(x, s, np.ones_like(s))
    assert np.all(np.isfinite(ds))
    sp = activations.get("softplus")(x)
    assert np.all(np.isfinite(sp))
    np.testing.assert_allclose(sp[0], [1e4, 0, np.log(2)], rtol=1e-6)


def test_none_is_linear_and_swish_is_silu():
    assert activations.get(None).name == "linear"
    assert activations.get("swish") is activations.get("silu")


def test_unknown_name_error():
    with pytest.raises(ConfigError) as info:
        activations.get("rleu")
    message = str(info.value)
    assert "Unknown activation 'rleu'" in message
    assert "Did you mean 'relu'" in message
    assert "sigmoid" in message


def test_a_plain_function_in_ops_is_an_activation_with_its_recorded_derivative():
    swish = activations.get(lambda x: x * ops.sigmoid(x))
    x = np.linspace(-3, 3, 7)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(swish(x), x * s)
    np.testing.assert_allclose(swish.backward(x, swish(x), np.full(7, 2.0)), 2 * (s + x * s * (1 - s)))
    pk.set_seed(0)
    model = pk.sequential() | pk.dense(4, activation=lambda x: ops.square(x), input_shape=3) | pk.dense(1)
    pk.backend.set_floatx("float64")
    try:
        assert pk.check_gradients(model, np.random.default_rng(0).standard_normal((5, 3)))
    finally:
        pk.backend.set_floatx("float32")
    with pytest.raises(TypeError):
        activations.get(3)


def test_custom_activation_and_serialize():
    f = activations.custom_activation(lambda x: x**3, lambda x, y, dy: 3 * x * x * dy, name="cube")
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(f(x), [1, -8])
    np.testing.assert_allclose(f.backward(x, f(x), np.ones(2)), [3, 12])
    assert activations.get(f) is f
    with pytest.raises(ArgumentTypeError):
        activations.custom_activation(np.tanh, None)
    for name in activations.names():
        act = activations.get(name)
        assert activations.deserialize(activations.serialize(act)) is act
    assert activations.get({"name": "relu"}).name == "relu"
