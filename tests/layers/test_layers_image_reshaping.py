"""UpSampling, ZeroPadding, Cropping (1D/2D) and SpatialDropout1D/2D: shapes, values against NumPy, float64
gradient checks, configs, error messages."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.layer import recording
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, ShapeError

# (constructor, input shape without batch, expected output shape without batch)
CASES = {
    "up2d": (lambda: pk.up_sampling_2d(), (3, 2, 2), (6, 4, 2)),
    "up2d_rect": (lambda: pk.up_sampling_2d((1, 3)), (3, 2, 2), (3, 6, 2)),
    "up2d_bilinear": (lambda: pk.up_sampling_2d((2, 3), interpolation="bilinear"), (3, 2, 2), (6, 6, 2)),
    "up1d": (lambda: pk.up_sampling_1d(3), (4, 2), (12, 2)),
    "pad2d_int": (lambda: pk.zero_padding_2d(), (3, 2, 2), (5, 4, 2)),
    "pad2d_sym": (lambda: pk.zero_padding_2d((2, 0)), (3, 2, 2), (7, 2, 2)),
    "pad2d_pairs": (lambda: pk.zero_padding_2d(((1, 0), (2, 3))), (3, 2, 2), (4, 7, 2)),
    "pad1d": (lambda: pk.zero_padding_1d((2, 1)), (4, 2), (7, 2)),
    "crop2d_int": (lambda: pk.cropping_2d(1), (4, 5, 2), (2, 3, 2)),
    "crop2d_sym": (lambda: pk.cropping_2d((0, 2)), (4, 5, 2), (4, 1, 2)),
    "crop2d_pairs": (lambda: pk.cropping_2d(((1, 2), (0, 1))), (4, 5, 2), (1, 4, 2)),
    "crop1d": (lambda: pk.cropping_1d((0, 2)), (5, 2), (3, 2)),
    "crop1d_default": (lambda: pk.cropping_1d(), (5, 2), (3, 2)),
    "spatial_dropout_2d": (lambda: pk.spatial_dropout_2d(0.5, seed=1), (3, 3, 4), (3, 3, 4)),
    "spatial_dropout_1d": (lambda: pk.spatial_dropout_1d(0.3), (5, 4), (5, 4)),
}


def _input(shape, rng, batch=2):
    return rng.standard_normal((batch,) + shape)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_shapes_symbolic_and_eager(case, rng):
    make, in_shape, out_shape = CASES[case]
    layer = make()
    assert (pk.Input(shape=in_shape) | layer).shape == (None,) + out_shape
    assert layer(_input(in_shape, rng).astype("float32")).shape == (2,) + out_shape


def test_unknown_spatial_sizes_stay_unknown():
    assert (pk.Input(shape=(None, 4, 2)) | pk.up_sampling_2d(2)).shape == (None, None, 8, 2)
    assert (pk.Input(shape=(None, 4, 2)) | pk.zero_padding_2d(1)).shape == (None, None, 6, 2)
    assert (pk.Input(shape=(None, 4, 2)) | pk.cropping_2d(1)).shape == (None, None, 2, 2)


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_finite_differences(case, rng):
    make, in_shape, _ = CASES[case]
    result = pk.check_gradients(make(), _input(in_shape, rng))
    assert result.ok, result


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case, rng):
    make, in_shape, _ = CASES[case]
    layer = make()
    layer(_input(in_shape, rng))
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    assert layer.get_weights() == []


def test_values_match_numpy(rng):
    x = rng.standard_normal((2, 3, 4, 2))
    np.testing.assert_array_equal(pk.up_sampling_2d((2, 3))(x), x.repeat(2, axis=1).repeat(3, axis=2))
    np.testing.assert_array_equal(pk.zero_padding_2d(((1, 2), (3, 0)))(x),
                                  np.pad(x, ((0, 0), (1, 2), (3, 0), (0, 0))))
    np.testing.assert_array_equal(pk.cropping_2d(((1, 0), (1, 2)))(x), x[:, 1:, 1:2])
    s = x[:, 0]
    np.testing.assert_array_equal(pk.up_sampling_1d(2)(s), s.repeat(2, axis=1))
    np.testing.assert_array_equal(pk.zero_padding_1d(2)(s), np.pad(s, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(pk.cropping_1d((1, 2))(s), s[:, 1:2])


def test_bilinear_uses_half_pixel_centers():
    x = np.array([0.0, 1.0]).reshape(1, 2, 1, 1)
    y = pk.up_sampling_2d((2, 1), interpolation="bilinear")(x)
    np.testing.assert_allclose(y[0, :, 0, 0], [0.0, 0.25, 0.75, 1.0])
    x = np.arange(6.0).reshape(1, 2, 3, 1)
    y = pk.up_sampling_2d(2, interpolation="bilinear")(x)
    np.testing.assert_allclose(y[0, 0, :, 0], [0.0, 0.25, 0.75, 1.25, 1.75, 2.0])  # first row: clamped at top
    np.testing.assert_allclose(y[0, :, 0, 0], [0.0, 0.75, 2.25, 3.0])


def test_spatial_dropout_drops_whole_channels_in_training_only(rng):
    x = rng.standard_normal((8, 5, 6, 10)) + 3.0
    layer = pk.spatial_dropout_2d(0.5, seed=2)
    np.testing.assert_array_equal(layer(x), x)
    y = layer(x, training=True)
    dropped = np.all(y == 0, axis=(1, 2))
    kept = np.all(np.isclose(y, 2 * x), axis=(1, 2))
    assert np.all(dropped | kept) and dropped.any() and kept.any()
    with recording():
        out, _, ctx = layer.forward_node(x, True, None)
    grad = layer.backward_node(ctx, np.ones_like(out))
    np.testing.assert_array_equal(grad != 0, out != 0)
    y1 = pk.spatial_dropout_1d(0.5, seed=2)(x[:, 0], training=True)
    assert np.all(np.all(y1 == 0, axis=1) | np.all(np.isclose(y1, 2 * x[:, 0]), axis=1))


# ----- errors ----------------------------------------------------------------------------------------


def test_cropping_that_leaves_nothing_is_reported():
    with pytest.raises(ShapeError, match=r"cropping2d.*cropping 2 \+ 2 from the height axis of size 4 .*"
                                         r"\(None, 4, 5, 2\).*leaves nothing"):
        pk.Input(shape=(4, 5, 2)) | pk.cropping_2d(2)
    with pytest.raises(ShapeError, match=r"cropping 3 \+ 2 from the steps axis of size 5.*leaves nothing"):
        pk.Input(shape=(5, 2)) | pk.cropping_1d((3, 2))
    layer = pk.cropping_2d(((0, 0), (2, 1)))
    layer(np.zeros((1, 4, 5, 2)))
    with pytest.raises(ShapeError, match=r"width axis of size 3.*leaves nothing"):
        layer(np.zeros((1, 4, 3, 2)))


@pytest.mark.parametrize("make, shape, pattern", [
    (lambda: pk.up_sampling_2d(), (28, 28), r"up_sampling2d.*rank 4 \(samples, height, width, channels\).*"
                                            r"\(None, 28, 28\).*reshape"),
    (lambda: pk.zero_padding_2d(), (10,), r"rank 4.*\(None, 10\)"),
    (lambda: pk.cropping_1d(), (4, 3, 2), r"rank 3 \(samples, steps, channels\).*\(None, 4, 3, 2\)"),
    (lambda: pk.spatial_dropout_2d(0.1), (5, 3), r"spatial_dropout2d.*rank 4.*\(None, 5, 3\)"),
    (lambda: pk.spatial_dropout_1d(0.1), (5, 3, 2), r"rank 3.*\(None, 5, 3, 2\)"),
])
def test_rank_mismatch_is_reported(make, shape, pattern):
    with pytest.raises(ShapeError, match=pattern):
        pk.Input(shape=shape) | make()


@pytest.mark.parametrize("make, pattern", [
    (lambda: pk.up_sampling_2d(0), r"UpSampling2D: size must be a positive integer, received 0"),
    (lambda: pk.up_sampling_2d((2, -1)), r"UpSampling2D: size must be a positive integer, received -1"),
    (lambda: pk.up_sampling_1d((2, 2)), r"UpSampling1D: size must be an int or 1 ints"),
    (lambda: pk.up_sampling_2d(interpolation="cubic"), r"interpolation must be one of \['nearest', 'bilinear'\]"),
    (lambda: pk.zero_padding_2d(-1), r"ZeroPadding2D: padding must be an int.*non-negative.*-1"),
    (lambda: pk.zero_padding_2d((1, 2, 3)), r"\(\(top, bottom\), \(left, right\)\)"),
    (lambda: pk.cropping_2d(((1, 2), 3)), r"Cropping2D: cropping must be"),
    (lambda: pk.cropping_1d("1"), r"Cropping1D: cropping must be an int, \(before, after\)"),
    (lambda: pk.zero_padding_2d(data_format="channels_first"), r"channels_last"),
    (lambda: pk.spatial_dropout_2d(1.0), r"SpatialDropout2D: rate must be a number in \[0, 1\)"),
    (lambda: pk.spatial_dropout_1d(0.2, noise_shape=(None, 1, 3)), r"unknown argument 'noise_shape'"),
])
def test_bad_arguments_raise_config_errors(make, pattern):
    with pytest.raises(ConfigError, match=pattern):
        make()


def test_encoder_decoder_trains(rng):
    x = rng.standard_normal((16, 6, 6, 1)).astype("float32")
    inputs = pk.Input(shape=(6, 6, 1))
    outputs = (inputs | pk.zero_padding_2d(1) | pk.conv_2d(3, 3, activation="tanh") | pk.max_pooling_2d(2)
               | pk.spatial_dropout_2d(0.2) | pk.up_sampling_2d(2, interpolation="bilinear")
               | pk.zero_padding_2d(((1, 1), (2, 0))) | pk.cropping_2d(((1, 1), (0, 2))) | pk.conv_2d(1, 1))
    model = pk.Model(inputs, outputs)
    assert model.output_shape == (None, 6, 6, 1)
    assert pk.check_gradients(model, x[:2].astype("float64"))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, x, epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
