"""Convolution and pooling ops: gradients against central differences in float64, values and gradients against
keras.ops (tests/fixtures/keras_ops_conv.npz, made by tests/fixtures/make_ops_conv_fixtures.py), the layers'
results, and the errors for bad arguments."""

import json
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipekeras as pk
from pipekeras import ops
from tests.ops.test_autodiff_gradcheck import check_gradient

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_ops_conv.npz")


def _random(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


GRADIENT_CASES = {
    "conv1d_same_stride": (lambda x, k: ops.conv(x, k, strides=2, padding="same"), (2, 5, 2), (3, 2, 3)),
    "conv2d_dilated": (lambda x, k: ops.conv(x, k, dilation_rate=(1, 2)), (1, 4, 5, 2), (2, 2, 2, 2)),
    "conv2d_first": (lambda x, k: ops.conv(x, k, strides=2, padding="same", data_format="channels_first"),
                     (1, 2, 4, 5), (3, 3, 2, 2)),
    "conv3d": (lambda x, k: ops.conv(x, k, padding="same"), (1, 3, 3, 2, 2), (2, 2, 2, 2, 2)),
    "depthwise1d": (lambda x, k: ops.depthwise_conv(x, k, padding="same"), (2, 5, 2), (3, 2, 2)),
    "depthwise2d": (lambda x, k: ops.depthwise_conv(x, k, strides=(1, 2)), (1, 4, 5, 2), (2, 3, 2, 2)),
    "transpose1d": (lambda x, k: ops.conv_transpose(x, k, strides=2, padding="same"), (1, 3, 2), (3, 2, 2)),
    "transpose2d": (lambda x, k: ops.conv_transpose(x, k, strides=2, output_padding=1), (1, 2, 3, 2), (3, 3, 2, 2)),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_convolution_gradients_match_central_differences(name):
    fn, x_shape, k_shape = GRADIENT_CASES[name]
    check_gradient(fn, *_random(x_shape, k_shape))


@settings(max_examples=8, deadline=None, derandomize=True)
@given(rank=st.integers(1, 2), size=st.integers(3, 5), channels=st.integers(1, 2), window=st.integers(1, 3),
       stride=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]), op=st.sampled_from(
           ["conv", "depthwise_conv", "conv_transpose", "max_pool", "average_pool"]), seed=st.integers(0, 99))
def test_gradients_on_random_shapes(rank, size, channels, window, stride, padding, op, seed):
    x_shape = (2,) + (size,) * rank + (channels,)
    if op in ("max_pool", "average_pool"):
        x = np.random.default_rng(seed).permutation(np.prod(x_shape)).reshape(x_shape) * 0.1
        check_gradient(lambda v: getattr(ops, op)(v, window, stride, padding), x)
        return
    k_shape = (window,) * rank + ((2, channels) if op == "conv_transpose" else (channels, 2))
    check_gradient(lambda v, k: getattr(ops, op)(v, k, stride, padding), *_random(x_shape, k_shape, seed=seed))


def test_separable_conv_gradients_match_central_differences():
    check_gradient(lambda x, d, p: ops.separable_conv(x, d, p, padding="same"),
                   *_random((1, 4, 4, 2), (3, 3, 2, 2), (1, 1, 4, 3)))


@pytest.mark.parametrize("op", ["max_pool", "average_pool"])
@pytest.mark.parametrize("shape,kwargs", [
    ((2, 5, 2), {"pool_size": 3, "strides": 2, "padding": "same"}),
    ((1, 4, 5, 2), {"pool_size": 2}),
    ((1, 2, 4, 5), {"pool_size": (2, 2), "strides": 1, "data_format": "channels_first"}),
    ((1, 3, 3, 4, 1), {"pool_size": 2, "padding": "same"}),
])
def test_pooling_gradients_match_central_differences(op, shape, kwargs):
    x = np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape) * 0.1  # distinct values: max is unique
    check_gradient(lambda v: getattr(ops, op)(v, **kwargs), x)


def _fixture_cases():
    with np.load(FIXTURE) as data:
        return json.loads(str(data["cases"])), {k: data[k] for k in data.files if k != "cases"}


CASES, ARRAYS = _fixture_cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_gradients_match_keras_ops(name):
    op, _, kernels, kwargs = CASES[name]
    x = ARRAYS[f"{name}/x"]
    ks = [ARRAYS[f"{name}/k{i}"] for i in range(len(kernels))]
    fn = getattr(ops, op)
    np.testing.assert_allclose(fn(x, *ks, **kwargs), ARRAYS[f"{name}/y"], rtol=1e-5, atol=1e-5)
    w = ARRAYS[f"{name}/w"]
    grads = ops.grad(lambda *a: ops.sum(fn(*a, **kwargs) * w), argnums=tuple(range(1 + len(ks))))(x, *ks)
    np.testing.assert_allclose(grads[0], ARRAYS[f"{name}/dx"], rtol=1e-4, atol=1e-4, err_msg="dx")
    for i in range(len(ks)):
        np.testing.assert_allclose(grads[1 + i], ARRAYS[f"{name}/dk{i}"], rtol=1e-4, atol=1e-4, err_msg=f"dk{i}")


def test_ops_compute_what_the_layers_compute_and_train_their_variables():
    pk.set_seed(0)
    layer = pk.Conv2D(3, 3, strides=2, padding="same", use_bias=False)
    x = np.random.default_rng(0).standard_normal((2, 6, 6, 2)).astype(np.float32)
    expected = layer(x)
    np.testing.assert_allclose(ops.conv(x, layer.kernel, strides=2, padding="same"), expected, rtol=1e-5)
    with pk.GradientTape() as tape:
        loss = ops.sum(ops.max_pool(ops.conv(x, layer.kernel, 2, "same"), 2))
    assert tape.gradient(loss, layer.kernel).shape == (3, 3, 2, 3)
    pool = pk.MaxPooling2D(2, padding="same")
    np.testing.assert_array_equal(ops.max_pool(x, 2, padding="same"), pool(x))


@pytest.mark.parametrize("call,message", [
    (lambda: ops.conv(np.ones((1, 4, 4, 2)), np.ones((3, 3, 3, 1))), "kernel must have shape .* 2 input channels"),
    (lambda: ops.conv(np.ones((4, 2)), np.ones((3, 2, 1))), "inputs must have rank 3 or 4 or 5"),
    (lambda: ops.conv(np.ones((1, 2, 2, 1)), np.ones((3, 3, 1, 1))), "output would be empty"),
    (lambda: ops.conv(np.ones((1, 4, 1)), np.ones((3, 1, 1)), padding="causal"), "padding must be 'valid' or 'same'"),
    (lambda: ops.conv(np.ones((1, 4, 1)), np.ones((3, 1, 1)), strides=0), "strides must be a positive int"),
    (lambda: ops.depthwise_conv(np.ones((1, 3, 3, 3, 1)), np.ones((1, 1, 1, 1, 1))), "rank 3 or 4"),
    (lambda: ops.conv_transpose(np.ones((1, 3, 1)), np.ones((3, 1, 1)), strides=2, output_padding=2),
     "output_padding must be"),
    (lambda: ops.max_pool(np.ones((1, 4, 4, 1)), 2, data_format="NHWC"), "data_format must be"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises((pk.errors.ShapeError, pk.errors.ConfigError), match=message):
        call()
