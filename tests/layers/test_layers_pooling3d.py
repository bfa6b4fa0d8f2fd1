"""MaxPooling3D, AveragePooling3D and the global 3-D poolings: shapes, float64 gradients, a NumPy
reference, configs."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.layer import recording
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.compute.convolution import conv_geometry

CASES = {
    "max_valid": (lambda: pk.max_pooling_3d(2), (4, 5, 4, 2), (2, 2, 2, 2)),
    "max_same": (lambda: pk.max_pooling_3d(2, padding="same"), (5, 3, 4, 2), (3, 2, 2, 2)),
    "max_strides": (lambda: pk.max_pooling_3d((3, 2, 2), strides=1), (4, 3, 3, 1), (2, 2, 2, 1)),
    "max_strides_same": (lambda: pk.max_pooling_3d(3, strides=(2, 1, 2), padding="same"), (5, 3, 4, 2),
                         (3, 3, 2, 2)),
    "avg_valid": (lambda: pk.average_pooling_3d(2), (4, 5, 4, 2), (2, 2, 2, 2)),
    "avg_same": (lambda: pk.average_pooling_3d(3, strides=2, padding="same"), (5, 4, 3, 2), (3, 2, 2, 2)),
    "avg_strides": (lambda: pk.average_pooling_3d((2, 3, 1), strides=1), (3, 4, 2, 1), (2, 2, 2, 1)),
    "global_max": (lambda: pk.global_max_pooling_3d(), (3, 4, 2, 2), (2,)),
    "global_avg_keepdims": (lambda: pk.global_average_pooling_3d(keepdims=True), (3, 4, 2, 2), (1, 1, 1, 2)),
}


def _input(shape, rng, batch=2):
    return rng.standard_normal((batch,) + shape)


def _reference_pool(x, pool, strides, padding, reduce):
    """Naive pooling over the valid positions of each window (Keras' rule for "same")."""
    sizes = x.shape[1:4]
    geometry = [conv_geometry(n, k, s, 1, padding) for n, k, s in zip(sizes, pool, strides)]
    out = np.zeros((x.shape[0],) + tuple(o for o, _ in geometry) + (x.shape[-1],))
    for position in np.ndindex(*out.shape[1:4]):
        window = tuple(slice(max(o * s - pad, 0), min(o * s - pad + k, n))
                       for o, s, (_, pad), k, n in zip(position, strides, geometry, pool, sizes))
        out[(slice(None),) + position] = reduce(x[(slice(None),) + window], axis=(1, 2, 3))
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_shapes_symbolic_and_eager(case, rng):
    make, in_shape, out_shape = CASES[case]
    layer = make()
    assert (pk.Input(shape=in_shape) | layer).shape == (None,) + out_shape
    assert layer(_input(in_shape, rng).astype("float32")).shape == (2,) + out_shape


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_finite_differences(case, rng):
    make, in_shape, _ = CASES[case]
    result = pk.check_gradients(make(), _input(in_shape, rng))
    assert result.ok, result


@pytest.mark.parametrize("case", sorted(c for c in CASES if not c.startswith("global")))
def test_matches_numpy_reference(case, rng):
    make, in_shape, _ = CASES[case]
    layer = make()
    x = _input(in_shape, rng)
    reduce = np.max if case.startswith("max") else np.mean
    expected = _reference_pool(x, layer.pool_size, layer.strides, layer.padding, reduce)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12, atol=1e-12)


def test_max_pooling_gradient_goes_to_the_first_maximum():
    x = np.zeros((1, 2, 2, 2, 1))
    x[0, 1, 0, 1, 0] = 1.0
    x[0, 1, 1, 1, 0] = 1.0  # a tie, later in scan order
    layer = pk.max_pooling_3d(2)
    with recording():
        layer(x)
    dx = layer.backward(np.ones((1, 1, 1, 1, 1)))
    expected = np.zeros_like(x)
    expected[0, 1, 0, 1, 0] = 1.0
    np.testing.assert_array_equal(dx, expected)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case, rng):
    make, in_shape, _ = CASES[case]
    layer = make()
    layer(_input(in_shape, rng))
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer) and clone.get_config() == layer.get_config()


def test_keras_defaults():
    config = pk.max_pooling_3d().get_config()
    assert config["pool_size"] == (2, 2, 2) and config["strides"] == (2, 2, 2)
    assert config["padding"] == "valid" and config["data_format"] == "channels_last"


@pytest.mark.parametrize("make", [lambda **kw: pk.max_pooling_3d(2, padding="same", **kw),
                                  lambda **kw: pk.average_pooling_3d((2, 3, 2), strides=1, **kw),
                                  lambda **kw: pk.global_max_pooling_3d(keepdims=True, **kw),
                                  lambda **kw: pk.global_average_pooling_3d(**kw)])
def test_channels_first_is_channels_last_transposed(make, rng):
    x = rng.standard_normal((2, 3, 4, 5, 2))
    x_first = np.ascontiguousarray(np.moveaxis(x, -1, 1))  # check_gradients perturbs it through a flat view
    expected = make()(x)
    first = make(data_format="channels_first")
    got = first(x_first)
    np.testing.assert_allclose(got, np.moveaxis(expected, -1, 1) if expected.ndim == 5 else expected)
    assert (pk.Input(shape=x_first.shape[1:]) | make(data_format="channels_first")).shape == (None,) + got.shape[1:]
    result = pk.check_gradients(first, x_first)
    assert result.ok, result
