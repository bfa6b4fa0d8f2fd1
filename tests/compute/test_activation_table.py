"""The activation code table: one set of codes for the array loops, the fused bias + activation kernel, the
dense stack and the recurrent kernels, so every table activation works on every path."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import activations
from pipekeras.compute import activation_table
from pipekeras.compute import activations as activation_kernels
from pipekeras.compute import dense_stack as stack_kernels
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN

ELEMENTWISE = [name for name in activations.names() if isinstance(activations.get(name), activations.Elementwise)]
RNNS = {"simple_rnn": pk.layer_constructor(SimpleRNN), "lstm": pk.layer_constructor(LSTM),
        "gru": pk.layer_constructor(GRU)}


def _away_from_kinks(x):
    for kink in (0.0, 3.0, -3.0, 6.0):
        x[np.abs(x - kink) < 1e-2] += 0.05
    return x


def test_every_table_entry_is_an_activation_with_its_code():
    for code, entry in enumerate(activation_table.TABLE):
        activation = activations.get(entry.name)
        assert activation.code == code == activation_table.CODES[entry.name]
        assert activation.options == entry.options
    assert activations.get("softmax").code == activation_table.SOFTMAX


def test_params_fill_a_b_c_from_the_options_in_order():
    assert activations.get("relu").params == (0.0, np.inf, 0.0)
    assert activations.relu.with_options(negative_slope=0.1, max_value=6, threshold=1).params == (0.1, 6.0, 1.0)
    assert activations.elu.with_options(alpha=0.5).params == (0.5, np.inf, 0.0)
    assert activations.get("gelu").params == (0.0, np.inf, 0.0)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_bias_activation_matches_bias_then_activation(name, dtype, rng):
    f = activations.get(name)
    z = _away_from_kinks(rng.uniform(-4, 4, (7, 5))).astype(dtype)
    bias = rng.uniform(-0.5, 0.5, 5).astype(dtype)
    expected = f(z + bias)
    pre = z.copy()
    y = activation_kernels.bias_activation(pre, bias, f.code, *f.params)
    np.testing.assert_allclose(pre, z + bias, rtol=1e-6)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    dy = rng.standard_normal(z.shape).astype(dtype)
    np.testing.assert_allclose(activation_kernels.backward_rows(pre, y, dy, f.code, *f.params),
                               f.backward(pre, y, dy), rtol=1e-5, atol=1e-6)


def test_fused_bias_activation_in_place_and_without_bias(rng):
    z = rng.standard_normal((4, 3))
    bias = rng.standard_normal(3)
    expected = np.maximum(z + bias, 0)
    out = activation_kernels.bias_activation(z, bias, activation_table.RELU, out=z)
    assert out is z
    np.testing.assert_array_equal(z, expected)
    w = rng.standard_normal((4, 3))
    np.testing.assert_allclose(activation_kernels.bias_activation(w.copy(), None, activations.tanh.code),
                               np.tanh(w), rtol=1e-15)


def test_relu_derivative_at_the_threshold_is_the_slope_below_it():
    """Plain relu takes dy where y > 0 (0 at 0); relu with options goes through the table, which gives the slope
    below the threshold there too (0, or negative_slope: TensorFlow's and PyTorch's leaky relu at 0)."""
    z = np.zeros((1, 2))
    y = np.zeros((1, 2))
    dy = np.ones((1, 2))
    plain = activations.relu
    assert activation_kernels.backward_rows(z, y, dy, plain.code, *plain.params).tolist() == [[0.0, 0.0]]
    leaky = plain.with_options(negative_slope=0.1)
    assert activation_kernels.backward_rows(z, y, dy, leaky.code, *leaky.params).tolist() == [[0.1, 0.1]]
    capped = plain.with_options(max_value=6.0)
    assert activation_kernels.backward_rows(z, y, dy, capped.code, *capped.params).tolist() == [[0.0, 0.0]]
    leaky_relu = activations.leaky_relu
    assert activation_kernels.backward_rows(z, y, dy, leaky_relu.code, *leaky_relu.params).tolist() == [[0.2, 0.2]]


@pytest.mark.parametrize("name", ["gelu", "softsign", "elu", "mish", "relu"])
def test_dense_stack_kernels_take_the_table_codes(name, rng):
    f = activations.get(name)
    kernels = [rng.standard_normal((4, 6)), rng.standard_normal((6, 3))]
    biases = [rng.standard_normal(6), rng.standard_normal(3)]
    params = np.concatenate([np.concatenate([k.ravel(), b]) for k, b in zip(kernels, biases)])
    layout = np.array([[0, 4, 6, 24, f.code], [30, 6, 3, 48, activation_table.SOFTMAX]], np.int64)
    options = np.array([f.params, activations.softmax.params], np.float64)
    x = rng.standard_normal((5, 4))
    expected = activations.softmax(f(x @ kernels[0] + biases[0]) @ kernels[1] + biases[1])
    np.testing.assert_allclose(stack_kernels.predict(params, layout, options, x, 13), expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["gelu", "softsign", "elu", "mish"])
def test_dense_models_train_with_table_activations(name, rng):
    model = pk.sequential() | pk.dense(6, name, input_shape=4) | pk.dense(3, "softmax")
    model | pk.compile(optimizer="sgd", loss="categorical_crossentropy")
    x = rng.standard_normal((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
    history = model | pk.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
@pytest.mark.parametrize("activation, recurrent", [("gelu", "softsign"), ("elu", "silu"), ("tanh", "mish")])
def test_recurrent_layers_run_table_activations(kind, activation, recurrent, rng):
    extra = {"reset_after": False} if kind == "gru_reset_before" else {}
    if kind != "simple_rnn":
        extra["recurrent_activation"] = recurrent
    layer = RNNS[kind.replace("_reset_before", "")](3, activation=activation, return_sequences=True, **extra)
    result = pk.check_gradients(layer, rng.standard_normal((2, 4, 3)), max_entries=20)
    assert result.ok, result
