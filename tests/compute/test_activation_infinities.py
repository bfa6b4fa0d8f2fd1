"""Activations at -inf and +inf (what an overflowing pre-activation reaches) give Keras's values on every
path: the elementwise table, the fused bias + activation (in place and not), the recurrent loops, the dense
stack and the generic layers. Keras 3.15.1 (JAX) gives NaN for softsign(+-inf), silu, gelu, mish, hard_silu
and squareplus at -inf (an inf times 0 in its formula); those stay NaN here too. NaN stays NaN (but for
threshold, which gives its default value for NaN, as Keras's `where(x > threshold, x, default)`)."""

import math

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.compute import activation_table as table
from pipekeras.compute import activations as kernels
from pipekeras.compute.recurrent import _activate_fast

NAN = math.nan
# Keras 3.15.1's value at (-inf, +inf) for each activation with its default options.
KERAS = {
    "linear": (-math.inf, math.inf), "relu": (0.0, math.inf), "sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0),
    "elu": (-1.0, math.inf), "selu": (-1.7580993408473766, math.inf), "softplus": (0.0, math.inf),
    "softsign": (NAN, NAN), "hard_sigmoid": (0.0, 1.0), "exponential": (0.0, math.inf),
    "leaky_relu": (-math.inf, math.inf), "silu": (NAN, math.inf), "gelu": (NAN, math.inf), "relu6": (0.0, 6.0),
    "mish": (NAN, math.inf), "hard_silu": (NAN, math.inf), "celu": (-1.0, math.inf),
    "log_sigmoid": (-math.inf, 0.0), "hard_tanh": (-1.0, 1.0), "squareplus": (NAN, math.inf),
    "sparse_plus": (0.0, math.inf), "tanh_shrink": (-math.inf, math.inf), "threshold": (0.0, math.inf),
}
# relu with options: Keras gives NaN for a threshold at -inf (x * (x > threshold)); the limit is 0 here.
RELU_OPTIONS = [({"max_value": 6.0}, (0.0, 6.0)), ({"threshold": 0.5}, (0.0, math.inf)),
                ({"negative_slope": 0.1}, (-math.inf, math.inf)),
                ({"negative_slope": 0.1, "threshold": 0.5, "max_value": 6.0}, (-math.inf, 6.0))]
EDGES = np.array([-np.inf, np.inf, np.nan], np.float32)


def expected(values, name=None):
    return np.array(list(values) + [0.0 if name == "threshold" else NAN], np.float32)


def every_path(code, a, b, c):
    """The activation of EDGES through the elementwise loop and both fused bias + activation loops."""
    flat = kernels.forward(EDGES, code, a, b, c)
    z = EDGES.reshape(1, -1).copy()
    separate = kernels.bias_activation(z, np.zeros(3, np.float32), code, a, b, c)[0]
    z = EDGES.reshape(1, -1).copy()
    in_place = kernels.bias_activation(z, np.zeros(3, np.float32), code, a, b, c, out=z)[0]
    return flat, separate, in_place


def test_the_table_covers_every_activation():
    assert set(KERAS) == set(table.CODES)


@pytest.mark.parametrize("name", sorted(KERAS))
def test_every_activation_at_infinity_gives_keras_values_on_every_kernel_path(name):
    code = table.CODES[name]
    for result in every_path(code, *table.params(name, table.TABLE[code].options)):
        np.testing.assert_array_equal(result, expected(KERAS[name], name))


@pytest.mark.parametrize("options, values", RELU_OPTIONS)
def test_relu_with_options_at_infinity(options, values):
    merged = {**table.TABLE[table.RELU].options, **options}
    for result in every_path(table.RELU, *table.params("relu", merged)):
        np.testing.assert_array_equal(result, expected(values))


def test_relu_and_selu_derivatives_at_infinity_are_keras_values():
    ones = np.ones(2, np.float32)
    x = np.array([-np.inf, np.inf], np.float32)
    relu = kernels.backward(x, kernels.forward(x, table.RELU), ones, table.RELU)
    np.testing.assert_array_equal(relu, [0.0, 1.0])
    selu = kernels.backward(x, kernels.forward(x, table.CODES["selu"]), ones, table.CODES["selu"])
    np.testing.assert_array_equal(selu, np.array([0.0, table.SELU_SCALE], np.float32))


@pytest.mark.parametrize("name, values", [("relu", (0.0, math.inf)), ("hard_sigmoid", (0.0, 1.0)),
                                          ("tanh", (-1.0, 1.0)), ("sigmoid", (0.0, 1.0))])
@pytest.mark.parametrize("fast", [False, True])
def test_the_recurrent_loops_at_infinity(name, values, fast):
    gates = EDGES.reshape(1, -1).copy()
    _activate_fast(table.CODES[name], fast, gates, 0, 3)
    np.testing.assert_array_equal(gates[0], expected(values))


def overflowing_dense_relu(*layers):
    """A model whose first dense layer overflows to (-inf, +inf) for an input of 1e30, then `layers`."""
    model = pk.sequential() | pk.dense(2, "relu", input_shape=1)
    for layer in layers:
        model = model | layer
    weights = model.get_weights()
    weights[0] = np.array([[-1e30, 1e30]], np.float32)
    model.set_weights(weights)
    return model


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the overflow is the point
def test_an_overflow_to_minus_infinity_is_zero_after_dense_relu_on_the_stack_and_the_generic_path():
    x = np.full((3, 1), 1e30, np.float32)
    stack = overflowing_dense_relu()  # predict_direct and the dense stack
    np.testing.assert_array_equal(stack.predict(x, verbose=0), [[0.0, np.inf]] * 3)
    generic = overflowing_dense_relu(pk.reshape(c(2, 1)), pk.activation("relu"))  # the layer-by-layer engine
    np.testing.assert_array_equal(generic.predict(x, verbose=0)[..., 0], [[0.0, np.inf]] * 3)


def c(*values):
    return tuple(values)
