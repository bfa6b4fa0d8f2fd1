"""Conv3D: shapes, float64 gradients, a NumPy reference, configs and weights; and the rank-generic kernels
giving Conv1D/Conv2D the results of their own reference."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, ShapeError
from pipekeras.compute.convolution import conv_geometry
from pipekeras.layers.convolutional import BaseConv, Conv3D

# (arguments, input shape without batch, expected output shape without batch)
CASES = {
    "valid": (dict(filters=3, kernel_size=(3, 2, 2)), (5, 4, 4, 2), (3, 3, 3, 3)),
    "same": (dict(filters=2, kernel_size=3, padding="same"), (4, 5, 3, 2), (4, 5, 3, 2)),
    "strides_valid": (dict(filters=2, kernel_size=2, strides=(2, 1, 2), activation="relu"), (5, 4, 5, 1),
                      (2, 3, 2, 2)),
    "strides_same": (dict(filters=2, kernel_size=(3, 2, 3), strides=2, padding="same"), (5, 4, 5, 2),
                     (3, 2, 3, 2)),
    "dilation_valid": (dict(filters=2, kernel_size=2, dilation_rate=(2, 1, 2), use_bias=False), (5, 4, 5, 2),
                       (3, 3, 3, 2)),
    "dilation_same": (dict(filters=2, kernel_size=3, dilation_rate=2, padding="same", activation="tanh"),
                      (4, 4, 3, 1), (4, 4, 3, 2)),
    "pointwise": (dict(filters=4, kernel_size=1), (3, 3, 2, 2), (3, 3, 2, 4)),
    "softmax": (dict(filters=3, kernel_size=2, activation="softmax"), (3, 3, 3, 2), (2, 2, 2, 3)),
}


def _input(shape, rng, batch=2):
    return rng.standard_normal((batch,) + shape)


def _reference_conv3d(x, kernel, bias, strides, dilation, padding):
    """Naive float64 3D convolution with Keras' padding rules."""
    sizes, window = x.shape[1:4], kernel.shape[:3]
    geometry = [conv_geometry(n, k, s, d, padding) for n, k, s, d in zip(sizes, window, strides, dilation)]
    out = np.zeros((x.shape[0],) + tuple(o for o, _ in geometry) + (kernel.shape[-1],))
    for position in np.ndindex(*out.shape[1:4]):
        for tap in np.ndindex(*window):
            source = [o * s - pad + t * d for o, s, (_, pad), t, d in zip(position, strides, geometry, tap, dilation)]
            if all(0 <= v < n for v, n in zip(source, sizes)):
                out[(slice(None),) + position] += x[(slice(None),) + tuple(source)] @ kernel[tap]
    return out + (0 if bias is None else bias)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_shapes_symbolic_and_eager(case, rng):
    arguments, in_shape, out_shape = CASES[case]
    layer = pk.conv_3d(**arguments)
    assert (pk.Input(shape=in_shape) | layer).shape == (None,) + out_shape
    assert layer(_input(in_shape, rng).astype("float32")).shape == (2,) + out_shape


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_finite_differences(case, rng):
    arguments, in_shape, _ = CASES[case]
    result = pk.check_gradients(pk.conv_3d(**arguments), _input(in_shape, rng))
    assert result.ok, result


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_numpy_reference(case, rng):
    arguments, in_shape, _ = CASES[case]
    layer = pk.conv_3d(**{**arguments, "activation": None}, dtype="float64", bias_initializer="random_normal")
    x = _input(in_shape, rng)
    y = layer(x)
    weights = layer.get_weights()
    kernel, bias = weights[0], (weights[1] if len(weights) > 1 else None)
    assert kernel.shape == layer.kernel_size + (in_shape[-1], layer.filters)
    expected = _reference_conv3d(x, kernel, bias, layer.strides, layer.dilation_rate, layer.padding)
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_and_weights_round_trip(case, rng):
    arguments, in_shape, _ = CASES[case]
    x = _input(in_shape, rng).astype("float32")
    layer = pk.conv_3d(**arguments)
    layer(x)
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is Conv3D and clone.get_config() == layer.get_config()
    assert Conv3D.from_config(layer.get_config()).get_config() == layer.get_config()
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x), layer(x))


def test_keras_arguments_and_defaults():
    config = pk.conv_3d(8, 3).get_config()
    assert config["kernel_size"] == (3, 3, 3) and config["strides"] == (1, 1, 1)
    assert config["dilation_rate"] == (1, 1, 1) and config["padding"] == "valid"
    assert config["data_format"] == "channels_last" and config["use_bias"] is True
    assert config["kernel_initializer"]["class_name"] == "GlorotUniform"
    assert config["bias_initializer"]["class_name"] == "Zeros"


def test_conv3d_trains_in_a_model(rng):
    x = rng.standard_normal((16, 6, 6, 6, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3, 4)) > 0).astype("float32")
    model = (pk.sequential() | pk.conv_3d(4, 3, activation="relu", input_shape=(6, 6, 6, 1))
             | pk.max_pooling_3d(2) | pk.flatten() | pk.dense(1, "sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_rank_errors_hint_at_a_channel_axis():
    with pytest.raises(ShapeError, match=r"rank 5.*x.reshape\(-1, 4, 4, 4, 1\)"):
        pk.Input(shape=(4, 4, 4)) | pk.conv_3d(2, 2)
    with pytest.raises(ShapeError, match=r"shrinks to nothing"):
        pk.Input(shape=(2, 5, 5, 1)) | pk.conv_3d(2, 3)
    with pytest.raises(ConfigError, match=r"kernel_size"):
        pk.conv_3d(2, (3, 3))


def test_every_rank_is_a_thin_subclass():
    assert {cls.rank for cls in (pk.layers.Conv1D, pk.layers.Conv2D, Conv3D)} == {1, 2, 3}
    assert all(issubclass(cls, BaseConv) and "__init__" not in vars(cls)
               for cls in (pk.layers.Conv1D, pk.layers.Conv2D, Conv3D))


def test_channels_first_is_channels_last_transposed(rng):
    x = rng.standard_normal((2, 4, 5, 3, 2))
    last = pk.conv_3d(3, 2, strides=(1, 2, 1), padding="same", dtype="float64", activation="relu")
    first = pk.conv_3d(3, 2, strides=(1, 2, 1), padding="same", dtype="float64", activation="relu",
                       data_format="channels_first")
    x_first = np.ascontiguousarray(np.moveaxis(x, -1, 1))  # check_gradients perturbs it through a flat view
    assert (pk.Input(shape=x_first.shape[1:]) | first).shape == (None, 3, 4, 3, 3)
    last(x)
    first(x_first)
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x_first), np.moveaxis(last(x), -1, 1), rtol=1e-12)
    assert first.get_config()["data_format"] == "channels_first"
    result = pk.check_gradients(first, x_first)
    assert result.ok, result


def test_channels_first_stays_refused_below_rank_3():
    with pytest.raises(ConfigError, match="channels_last"):
        pk.conv_2d(2, 3, data_format="channels_first")
    with pytest.raises(ConfigError, match="data_format must be one of"):
        pk.conv_3d(2, 3, data_format="channels_middle")


def test_model_with_3d_layers_saves_and_loads(rng, tmp_path):
    model = (pk.sequential() | pk.conv_3d(3, 2, activation="relu", input_shape=(5, 5, 5, 2))
             | pk.average_pooling_3d(2) | pk.global_max_pooling_3d() | pk.dense(2))
    x = rng.standard_normal((3, 5, 5, 5, 2)).astype("float32")
    path = tmp_path / "volumes.keras"
    model.save(path)
    loaded = pk.load_model(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
