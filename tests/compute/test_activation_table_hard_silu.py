"""hard_silu (hard_swish), added as two edits (a table block and a registration line): checked against a float64
NumPy reference and central differences, and in Dense (generic and the fused dense stack), conv_2d, LSTM
(activation and recurrent_activation) and the activation() layer."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import activations
from pipekeras.compute import activation_table
from pipekeras.compute import dense_stack as stack_kernels
from pipekeras.layers.convolutional import Conv2D
from pipekeras.layers.core import Activation, Dense
from pipekeras.layers.recurrent import LSTM

KINKS = (-3.0, 3.0)


def reference(x):
    """Keras 3: x * relu6(x + 3) / 6."""
    return x * np.minimum(np.maximum(x + 3.0, 0.0), 6.0) / 6.0


def reference_derivative(x):
    """Where defined: 0 below -3, (2x + 3) / 6 between, 1 above 3. At the kinks, as Keras (TensorFlow's relu6
    gradient is 1 only strictly inside (0, 6)): 0 at -3 and 1 at 3."""
    return np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (2 * x + 3) / 6))


def _inputs(rng, shape):
    x = rng.uniform(-5, 5, shape)
    for kink in KINKS:
        x[np.abs(x - kink) < 1e-2] += 0.05
    return x


def test_names_alias_and_serialization():
    assert activations.get("hard_silu") is activations.get("hard_swish") is activations.hard_silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.serialize(activations.hard_swish) == "hard_silu"
    assert activations.hard_silu.code == activation_table.CODES["hard_silu"]
    assert "hard_silu" in activations.names() and "hard_swish" in activations.names()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_matches_the_float64_reference(dtype, rng):
    x = np.concatenate([rng.uniform(-8, 8, 200), [-3.0, 3.0, 0.0, -2.5, 2.5, -10.0, 10.0]]).astype(dtype)
    y = activations.hard_silu(x)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, reference(x.astype(np.float64)), rtol=1e-12 if dtype == np.float64 else 1e-6,
                               atol=1e-15 if dtype == np.float64 else 1e-6)
    keras_example = activations.hard_silu(np.array([-10, -2.5, 0.0, 2.5, 10]))
    np.testing.assert_allclose(keras_example, [-0.0, -0.2083333333, 0.0, 2.2916666667, 10.0], rtol=1e-9)


def test_derivative_matches_central_differences_and_keras_at_the_kinks(rng):
    x = _inputs(rng, (300,))
    y = activations.hard_silu(x)
    dx = activations.hard_silu.backward(x, y, np.ones_like(x))
    h = 1e-6
    central = (reference(x + h) - reference(x - h)) / (2 * h)
    np.testing.assert_allclose(dx, central, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dx, reference_derivative(x), rtol=1e-12, atol=1e-15)
    kinks = np.array(KINKS)
    np.testing.assert_array_equal(activations.hard_silu.backward(kinks, reference(kinks), np.ones(2)), [0.0, 1.0])


def test_dense_generic_path_gradients(rng):
    layer = Dense(5, "hard_silu", dtype="float64")
    x = rng.standard_normal((6, 4)) * 3
    result = pk.check_gradients(layer, x, max_entries=30)
    assert result.ok, result
    np.testing.assert_allclose(layer(x), reference(x @ layer.kernel.value + layer.bias.value), rtol=1e-12)


def test_dense_stack_kernels_run_hard_silu(rng):
    f = activations.hard_silu
    kernels = [rng.standard_normal((4, 6)), rng.standard_normal((6, 2))]
    biases = [rng.standard_normal(6), rng.standard_normal(2)]
    params = np.concatenate([np.concatenate([k.ravel(), b]) for k, b in zip(kernels, biases)])
    layout = np.array([[0, 4, 6, 24, f.code], [30, 6, 2, 42, f.code]], np.int64)
    options = np.array([f.params, f.params], np.float64)
    x = rng.standard_normal((5, 4)) * 2
    expected = reference(reference(x @ kernels[0] + biases[0]) @ kernels[1] + biases[1])
    np.testing.assert_allclose(stack_kernels.predict(params, layout, options, x, 12), expected, rtol=1e-12)


def test_a_sequential_of_dense_layers_trains_with_fit(rng):
    """Float32 dense-only Sequential: fit and predict take the fused dense stack."""
    pk.set_seed(1)
    x = rng.uniform(-2, 2, (256, 3)).astype("float32")
    y = (x[:, :1] * x[:, 1:2] - x[:, 2:]).astype("float32")
    model = pk.sequential() | pk.dense(16, "hard_silu", input_shape=3) | pk.dense(16, "hard_swish") | pk.dense(1)
    model | pk.compile(optimizer=pk.optimizers.Adam(learning_rate=0.01), loss="mse")
    history = model | pk.fit(x, y, epochs=30, batch_size=16, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.25 * losses[0], losses
    w = model.get_weights()
    expected = reference(reference(x @ w[0] + w[1]) @ w[2] + w[3]) @ w[4] + w[5]
    np.testing.assert_allclose(model | pk.predict(x[:8]), expected[:8], rtol=1e-4, atol=1e-5)


def test_conv_2d_gradients_and_reference(rng):
    layer = Conv2D(3, (2, 2), activation="hard_silu", dtype="float64")
    x = rng.standard_normal((2, 4, 5, 2)) * 3
    result = pk.check_gradients(layer, x, max_entries=30)
    assert result.ok, result
    kernel, bias = layer.kernel.value, layer.bias.value
    z = np.zeros((2, 3, 4, 3))
    for r in range(3):
        for c in range(4):
            z[:, r, c] = np.tensordot(x[:, r:r + 2, c:c + 2], kernel, axes=3) + bias
    np.testing.assert_allclose(layer(x), reference(z), rtol=1e-12, atol=1e-14)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _lstm_reference(layer, x, act, ract):
    kernel, recurrent, bias = (w.value for w in (layer.kernel, layer.recurrent_kernel, layer.bias))
    u = layer.units
    h = c = np.zeros((x.shape[0], u))
    outputs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ kernel + h @ recurrent + bias
        i, f, cc, o = ract(z[:, :u]), ract(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), ract(z[:, 3 * u:])
        c = f * c + i * cc
        h = o * act(c)
        outputs.append(h)
    return np.stack(outputs, axis=1)


@pytest.mark.parametrize("act, ract", [("hard_silu", "sigmoid"), ("tanh", "hard_silu"), ("hard_silu", "hard_swish")])
def test_lstm_activation_and_recurrent_activation(act, ract, rng):
    layer = LSTM(4, activation=act, recurrent_activation=ract, return_sequences=True, dtype="float64")
    x = rng.standard_normal((3, 5, 2)) * 2
    result = pk.check_gradients(layer, x, max_entries=30)
    assert result.ok, result
    functions = {"hard_silu": reference, "hard_swish": reference, "sigmoid": _sigmoid, "tanh": np.tanh}
    np.testing.assert_allclose(layer(x), _lstm_reference(layer, x, functions[act], functions[ract]), atol=1e-12)
    fast = LSTM(4, activation=act, recurrent_activation=ract, return_sequences=True)
    fast(x.astype("float32"))
    fast.set_weights(layer.get_weights())
    np.testing.assert_allclose(fast(x.astype("float32")), layer(x), rtol=1e-5, atol=1e-5)


def test_lstm_trains_with_hard_silu(rng):
    pk.set_seed(2)
    x = rng.standard_normal((64, 6, 2)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None].astype("float32") / 4
    model = pk.sequential() | pk.lstm(8, activation="hard_silu", recurrent_activation="hard_swish",
                                      input_shape=(6, 2)) | pk.dense(1)
    model | pk.compile(optimizer=pk.optimizers.Adam(learning_rate=0.01), loss="mse")
    losses = (model | pk.fit(x, y, epochs=20, batch_size=16, verbose=0)).history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses


def test_activation_layer(rng):
    layer = Activation("hard_silu", dtype="float64")
    x = _inputs(rng, (4, 6))
    np.testing.assert_allclose(layer(x), reference(x), rtol=1e-12)
    result = pk.check_gradients(layer, x)
    assert result.ok, result
    model = pk.sequential() | pk.dense(3, input_shape=2) | pk.activation("hard_swish")
    assert model.layers[-1].activation is activations.hard_silu
