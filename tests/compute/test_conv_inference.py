"""The inference kernels (compute/inference.py) against float64 references, and the layers' predict path
(which runs them) against their training forward (im2col + one product, pooling with argmax indices)."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.compute.activation_table import CODES, LINEAR, RELU, TABLE, params
from pipekeras.compute.convolution import conv2d_direct_forward, conv_geometry
from pipekeras.compute.inference import conv_infer, max_pool_infer
from pipekeras.engine.layer import recording
from pipekeras.runtime import tuning

# (input (h, w, ch), kernel (kh, kw), filters, strides, dilation, padding)
CONV_CASES = [
    ((7, 6, 3), (3, 3), 4, (1, 1), (1, 1), "valid"),
    ((7, 6, 2), (3, 2), 5, (2, 1), (1, 1), "same"),
    ((8, 7, 1), (2, 3), 3, (1, 2), (2, 1), "same"),
    ((5, 9, 4), (3, 3), 2, (2, 2), (1, 2), "valid"),
]


def _reference_conv(x, kernel, bias, strides, dilation, padding, code, a=0.0, b=np.inf, c=0.0):
    """The float64 direct-loop convolution with the bias, then the activation from its Keras definition."""
    geometry = [conv_geometry(n, k, s, d, padding) for n, k, s, d in zip(x.shape[1:3], kernel.shape[:2], strides,
                                                                          dilation)]
    pads, out = tuple(p for _, p in geometry), tuple(o for o, _ in geometry)
    z = conv2d_direct_forward(x.astype(np.float64), kernel.astype(np.float64), bias.astype(np.float64), strides,
                              dilation, pads, out)
    if code == RELU:
        z = np.maximum(z, 0)
    elif code == CODES["sigmoid"]:
        z = 1 / (1 + np.exp(-z))
    return z, pads, out


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv_infer_matches_the_float64_direct_loops(case, dtype):
    shape, window, filters, strides, dilation, padding = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3,) + shape).astype(dtype)
    kernel = rng.standard_normal(window + (shape[-1], filters)).astype(dtype)
    bias = rng.standard_normal(filters).astype(dtype)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for name in ("linear", "relu", "sigmoid"):
        code = CODES[name]
        expected, pads, out = _reference_conv(x, kernel, bias, strides, dilation, padding, code)
        with tuning.override(INFER_BLOCK_BYTES=1, MIN_INFER_BLOCK=5):  # blocks of 5 rows: rows cross images
            got = conv_infer(x, kernel, bias, strides, dilation, pads, out, (code,) + params(name, TABLE[code].options))
        assert got.dtype == dtype and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance)


def test_conv_infer_without_bias_in_parallel_blocks_and_rank_1():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 6, 6, 2)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 2, 3)).astype(np.float32)
    expected, pads, out = _reference_conv(x, kernel, np.zeros(3), (1, 1), (1, 1), "same", LINEAR)
    with tuning.override(INFER_BLOCK_BYTES=1, MIN_INFER_BLOCK=7, PARALLEL_MIN_WORK=0):
        got = conv_infer(x, kernel, None, (1, 1), (1, 1), pads, out)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    low = conv_infer(x.astype(np.float16), kernel, None, (1, 1), (1, 1), pads, out)  # as conv_forward: float32
    assert low.dtype == np.float32
    np.testing.assert_allclose(low, expected, rtol=1e-2, atol=1e-2)
    steps = x[:, 0]  # rank 1: (batch, steps, ch) with a kernel (k, ch, filters)
    expected, pads, out = _reference_conv(steps[:, None], kernel[1:2], np.zeros(3), (1, 2), (1, 1), "same", LINEAR)
    got = conv_infer(steps, kernel[1], None, (2,), (1,), pads[1:], out[1:])
    np.testing.assert_allclose(got, expected[:, 0], rtol=1e-5, atol=1e-5)


def test_max_pool_infer_matches_numpy_and_keeps_a_leading_nan():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 6, 5, 3))
    got = max_pool_infer(x, (2, 2), (2, 2), (0, 0), (3, 2))
    np.testing.assert_array_equal(got, x[:, :6, :4].reshape(2, 3, 2, 2, 2, 3).max(axis=(2, 4)))
    same = max_pool_infer(x, (3, 3), (2, 2), (1, 1), (3, 3))  # windows clipped at the edges
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    windows = np.stack([padded[:, i:i + 5:2, j:j + 5:2] for i in range(3) for j in range(3)])
    np.testing.assert_array_equal(same, windows.max(axis=0))
    x[0, 0, 0, 0], x[0, 1, 1, 1] = np.nan, np.nan  # the training scan's rule: a window's first value only
    got = max_pool_infer(x, (2, 2), (2, 2), (0, 0), (3, 2))
    assert np.isnan(got[0, 0, 0, 0]) and not np.isnan(got[0, 0, 0, 1])


def test_predict_path_matches_the_training_forward():
    rng = np.random.default_rng(3)
    model = (pk.sequential() | pk.conv_2d(4, 3, activation="relu", input_shape=(9, 9, 2)) | pk.max_pooling_2d(2)
             | pk.conv_2d(3, 2, padding="same", activation="tanh") | pk.max_pooling_2d(2, padding="same")
             | pk.conv_2d(2, 1, activation="softmax") | pk.flatten())
    sequence = (pk.sequential() | pk.conv_1d(3, 3, padding="causal", activation="elu", input_shape=(8, 2))
                | pk.max_pooling_1d(2) | pk.flatten())
    for m, x in ((model, rng.standard_normal((5, 9, 9, 2))), (sequence, rng.standard_normal((5, 8, 2)))):
        x = x.astype(np.float32)
        predicted = m.predict(x, verbose=0)
        with recording():
            trained = m.run_forward([x], training=False)[0][0]
        np.testing.assert_allclose(predicted, trained, rtol=1e-5, atol=1e-6)
