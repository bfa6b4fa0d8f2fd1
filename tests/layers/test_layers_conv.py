"""Convolution and pooling layers: shapes, gradients (float64 finite differences), a naive reference,
configs, weights and error messages."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, ShapeError
from pipekeras.compute.convolution import (conv2d_direct_backward, conv2d_direct_forward, conv_backward,
                                           conv_forward, conv_geometry)
from pipekeras.layers.convolutional import Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D
from pipekeras.layers.pooling import (AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D,
                                      GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D,
                                      MaxPooling2D)

conv_1d = pk.layer_constructor(Conv1D)
conv_2d = pk.layer_constructor(Conv2D)
conv_2d_transpose = pk.layer_constructor(Conv2DTranspose)
depthwise_conv_2d = pk.layer_constructor(DepthwiseConv2D)
separable_conv_2d = pk.layer_constructor(SeparableConv2D)
max_pooling_1d = pk.layer_constructor(MaxPooling1D)
max_pooling_2d = pk.layer_constructor(MaxPooling2D)
average_pooling_1d = pk.layer_constructor(AveragePooling1D)
average_pooling_2d = pk.layer_constructor(AveragePooling2D)
global_max_pooling_1d = pk.layer_constructor(GlobalMaxPooling1D)
global_max_pooling_2d = pk.layer_constructor(GlobalMaxPooling2D)
global_average_pooling_1d = pk.layer_constructor(GlobalAveragePooling1D)
global_average_pooling_2d = pk.layer_constructor(GlobalAveragePooling2D)

# (constructor, input shape without batch, expected output shape without batch)
CASES = {
    "conv2d_valid": (lambda: conv_2d(3, (3, 2), activation="tanh"), (6, 5, 2), (4, 4, 3)),
    "conv2d_same": (lambda: conv_2d(3, 3, padding="same"), (5, 4, 2), (5, 4, 3)),
    "conv2d_strides_valid": (lambda: conv_2d(2, 3, strides=2, activation="relu"), (7, 6, 2), (3, 2, 2)),
    "conv2d_strides_same": (lambda: conv_2d(2, (3, 2), strides=(2, 3), padding="same"), (7, 7, 2), (4, 3, 2)),
    "conv2d_dilation_valid": (lambda: conv_2d(2, 2, dilation_rate=2, use_bias=False), (6, 5, 2), (4, 3, 2)),
    "conv2d_dilation_same": (lambda: conv_2d(2, 3, dilation_rate=(2, 1), padding="same", activation="sigmoid"),
                             (5, 5, 1), (5, 5, 2)),
    "conv2d_1x1": (lambda: conv_2d(4, 1), (3, 3, 2), (3, 3, 4)),
    "conv2d_relu_no_bias_one_filter": (lambda: conv_2d(1, 2, activation="relu", use_bias=False), (4, 4, 2),
                                       (3, 3, 1)),
    "conv2d_softmax": (lambda: conv_2d(3, 2, activation="softmax"), (3, 3, 2), (2, 2, 3)),
    "conv1d_valid": (lambda: conv_1d(3, 3, activation="tanh"), (7, 2), (5, 3)),
    "conv1d_same_strides": (lambda: conv_1d(2, 3, strides=2, padding="same"), (7, 3), (4, 2)),
    "conv1d_causal_dilation": (lambda: conv_1d(2, 2, dilation_rate=2, padding="causal"), (6, 2), (6, 2)),
    "conv2d_transpose_valid": (lambda: conv_2d_transpose(2, 3, strides=2), (3, 4, 2), (7, 9, 2)),
    "conv2d_transpose_same": (lambda: conv_2d_transpose(3, (3, 2), strides=2, padding="same"), (3, 3, 2),
                              (6, 6, 3)),
    "conv2d_transpose_output_padding": (lambda: conv_2d_transpose(2, 3, strides=2, padding="same",
                                                                  output_padding=1), (3, 3, 1), (6, 6, 2)),
    "depthwise_valid": (lambda: depthwise_conv_2d(3, depth_multiplier=2), (5, 5, 2), (3, 3, 4)),
    "depthwise_same_strides": (lambda: depthwise_conv_2d(3, strides=2, padding="same", activation="tanh"),
                               (5, 4, 3), (3, 2, 3)),
    "separable_same_dilation": (lambda: separable_conv_2d(3, 2, padding="same", dilation_rate=2), (5, 5, 2),
                                (5, 5, 3)),
    "separable_valid": (lambda: separable_conv_2d(2, 3, depth_multiplier=2, activation="relu"), (5, 6, 2),
                        (3, 4, 2)),
    "max_pool2d_valid": (lambda: max_pooling_2d(2), (5, 4, 2), (2, 2, 2)),
    "max_pool2d_same": (lambda: max_pooling_2d(2, padding="same"), (5, 3, 2), (3, 2, 2)),
    "max_pool2d_strides": (lambda: max_pooling_2d((3, 2), strides=1), (4, 4, 1), (2, 3, 1)),
    "avg_pool2d_valid": (lambda: average_pooling_2d(2), (4, 5, 2), (2, 2, 2)),
    "avg_pool2d_same": (lambda: average_pooling_2d(3, strides=2, padding="same"), (5, 4, 2), (3, 2, 2)),
    "max_pool1d": (lambda: max_pooling_1d(2), (7, 3), (3, 3)),
    "max_pool1d_same": (lambda: max_pooling_1d(3, strides=2, padding="same"), (6, 2), (3, 2)),
    "avg_pool1d": (lambda: average_pooling_1d(3, strides=1), (5, 2), (3, 2)),
    "avg_pool1d_same": (lambda: average_pooling_1d(2, padding="same"), (5, 2), (3, 2)),
    "global_max2d": (lambda: global_max_pooling_2d(), (3, 4, 2), (2,)),
    "global_avg2d": (lambda: global_average_pooling_2d(), (3, 4, 2), (2,)),
    "global_avg2d_keepdims": (lambda: global_average_pooling_2d(keepdims=True), (3, 4, 2), (1, 1, 2)),
    "global_max1d": (lambda: global_max_pooling_1d(), (5, 3), (3,)),
    "global_max1d_keepdims": (lambda: global_max_pooling_1d(keepdims=True), (5, 3), (1, 3)),
    "global_avg1d": (lambda: global_average_pooling_1d(), (5, 3), (3,)),
}


def _input(shape, rng, batch=2):
    return rng.standard_normal((batch,) + shape)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_shapes_symbolic_and_eager(case, rng):
    make, in_shape, out_shape = CASES[case]
    layer = make()
    symbolic = pk.Input(shape=in_shape) | layer
    assert symbolic.shape == (None,) + out_shape
    assert layer.output_shape == (None,) + out_shape
    assert layer(_input(in_shape, rng).astype("float32")).shape == (2,) + out_shape


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


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_round_trip(case, rng):
    make, in_shape, _ = CASES[case]
    x = _input(in_shape, rng).astype("float32")
    source, target = make(), make()
    source(x)
    target(x)
    target.set_weights(source.get_weights())
    np.testing.assert_array_equal(source(x), target(x))
    assert source.count_params() == sum(w.size for w in source.get_weights())


def _reference_conv(x, kernel, bias, strides, dilation, padding):
    """Naive float64 convolution with Keras' padding rules."""
    batch, h, w, _ = x.shape
    kh, kw, _, filters = kernel.shape
    oh, ph = conv_geometry(h, kh, strides[0], dilation[0], padding)
    ow, pw = conv_geometry(w, kw, strides[1], dilation[1], padding)
    out = np.zeros((batch, oh, ow, filters))
    for n in range(batch):
        for r in range(oh):
            for c in range(ow):
                for i in range(kh):
                    for j in range(kw):
                        y, xx = r * strides[0] - ph + i * dilation[0], c * strides[1] - pw + j * dilation[1]
                        if 0 <= y < h and 0 <= xx < w:
                            out[n, r, c] += x[n, y, xx] @ kernel[i, j]
    return out + bias


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides,dilation", [((1, 1), (1, 1)), ((2, 3), (1, 1)), ((1, 1), (2, 3)),
                                              ((2, 1), (1, 2))])
def test_conv2d_matches_naive_reference(padding, strides, dilation, rng):
    layer = conv_2d(4, (3, 2), strides=strides, dilation_rate=dilation, padding=padding, dtype="float64",
                    bias_initializer="random_normal")
    x = rng.standard_normal((2, 9, 8, 3))
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 2, 3, 4) and bias.shape == (4,)
    np.testing.assert_allclose(y, _reference_conv(x, kernel, bias, strides, dilation, padding), rtol=1e-10,
                               atol=1e-12)


def test_conv1d_matches_conv2d_of_height_one(rng):
    layer = conv_1d(3, 4, strides=2, padding="same", dtype="float64")
    x = rng.standard_normal((2, 9, 2))
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 2, 3)
    expected = _reference_conv(x[:, None], kernel[None], bias, (1, 2), (1, 1), "same")[:, 0]
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-12)


def test_causal_conv1d_output_only_sees_the_past(rng):
    layer = conv_1d(2, 3, padding="causal", dtype="float64")
    x = rng.standard_normal((1, 8, 2))
    y = layer(x)
    x2 = x.copy()
    x2[:, 5:] += 1.0
    np.testing.assert_allclose(layer(x2)[:, :5], y[:, :5])


def test_direct_loops_agree_with_im2col(rng):
    x = rng.standard_normal((3, 8, 7, 2))
    kernel = rng.standard_normal((3, 3, 2, 5))
    bias = rng.standard_normal(5)
    for padding in ("valid", "same"):
        (oh, ph), (ow, pw) = conv_geometry(8, 3, 2, 1, padding), conv_geometry(7, 3, 1, 2, padding)
        args = ((2, 1), (1, 2), (ph, pw))
        z, cols = conv_forward(x, kernel, bias, *args, (oh, ow))
        np.testing.assert_allclose(conv2d_direct_forward(x, kernel, bias, *args, (oh, ow)), z, rtol=1e-12)
        dz = rng.standard_normal(z.shape)
        for a, b in zip(conv_backward(cols, x.shape, kernel, dz, *args), conv2d_direct_backward(x, kernel, dz,
                                                                                                  *args)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_pooling_values(rng):
    x = np.arange(16, dtype="float64").reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(max_pooling_2d(2)(x)[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(average_pooling_2d(2)(x)[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    # "same" padding: the last window holds only the valid positions (mean of 3 and 7... of the border)
    x3 = np.arange(9, dtype="float64").reshape(1, 3, 3, 1)
    np.testing.assert_array_equal(average_pooling_2d(2, padding="same")(x3)[0, :, :, 0], [[2, 3.5], [6.5, 8]])
    np.testing.assert_array_equal(max_pooling_2d(2, padding="same")(x3)[0, :, :, 0], [[4, 5], [7, 8]])
    np.testing.assert_array_equal(global_max_pooling_2d()(x)[0], [15])
    np.testing.assert_array_equal(global_average_pooling_1d()(x.reshape(1, 16, 1))[0], [7.5])


def test_global_average_pooling_1d_averages_unmasked_steps_only(rng):
    x = rng.standard_normal((2, 5, 3))
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    layer = global_average_pooling_1d()
    y = layer(x, mask=mask)
    np.testing.assert_allclose(y[0], x[0, :2].mean(axis=0))
    np.testing.assert_allclose(y[1], x[1].mean(axis=0))
    inputs = pk.Input(shape=(4,))
    model = pk.Model(inputs, inputs | pk.embedding(10, 3, mask_zero=True) | global_average_pooling_1d()
                     | pk.dense(2))
    tokens = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    out = model.predict(tokens, verbose=0)
    embedded = model.layers[1].get_weights()[0]
    kernel, bias = model.layers[-1].get_weights()
    np.testing.assert_allclose(out[1], embedded[3] @ kernel + bias, rtol=1e-5)


def test_integer_images_are_cast_to_float(rng):
    images = rng.integers(0, 255, (2, 6, 6, 1)).astype("uint8")
    conv = conv_2d(2, 3)
    assert conv(images).dtype == np.float32
    np.testing.assert_allclose(conv(images), conv(images.astype("float32")), rtol=1e-6)
    assert average_pooling_2d(2)(images).dtype == np.float32
    assert global_average_pooling_2d()(images).dtype == np.float32


def test_conv2d_config_has_keras_keys():
    config = conv_2d(8, 3, strides=2, padding="SAME", kernel_regularizer=pk.regularizers.l2(0.01)).get_config()
    assert config["filters"] == 8
    assert config["kernel_size"] == (3, 3)
    assert config["strides"] == (2, 2)
    assert config["padding"] == "same"
    assert config["data_format"] == "channels_last"
    assert config["dilation_rate"] == (1, 1)
    assert config["activation"] == "linear"
    assert config["use_bias"] is True
    assert config["kernel_regularizer"] is not None
    for key in ("kernel_initializer", "bias_initializer", "bias_regularizer", "activity_regularizer",
                "kernel_constraint", "bias_constraint"):
        assert key in config


def test_convnet_trains_with_fused_softmax(rng):
    x = rng.standard_normal((16, 8, 8, 1)).astype("float32")
    y = pk.utils.to_categorical(rng.integers(0, 3, 16), 3) if hasattr(pk, "utils") else np.eye(3)[
        rng.integers(0, 3, 16)]
    inputs = pk.Input(shape=(8, 8, 1))
    outputs = (inputs | conv_2d(4, 3, activation="relu") | max_pooling_2d(2) | conv_2d(4, 2, padding="same",
                                                                                         activation="relu")
               | global_average_pooling_2d() | pk.dense(3, "softmax"))
    model = pk.Model(inputs, outputs)
    assert pk.check_gradients(model, x[:3].astype("float64"))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


# ----- errors ----------------------------------------------------------------------------------------


def test_conv2d_on_rank3_input_suggests_a_channel_axis():
    with pytest.raises(ShapeError, match=r"\(samples, height, width, channels\).*\(None, 28, 28\).*"
                                         r"input_shape=\(28, 28, 1\)"):
        pk.Input(shape=(28, 28)) | conv_2d(8, 3)


def test_conv2d_on_flat_input_suggests_a_reshape():
    with pytest.raises(ShapeError, match=r"rank 4.*\(None, 784\).*x\.reshape\(-1, 28, 28, 1\)"):
        pk.Input(shape=784) | conv_2d(8, 3)
    with pytest.raises(ShapeError, match=r"rank 4.*\(3, 10\)"):
        conv_2d(8, 3)(np.zeros((3, 10), "float32"))


def test_conv1d_on_rank2_input_suggests_a_channel_axis():
    with pytest.raises(ShapeError, match=r"\(samples, steps, channels\).*reshape\(-1, steps, 1\)"):
        pk.Input(shape=20) | conv_1d(8, 3)


def test_kernel_larger_than_input_says_the_image_shrinks_to_nothing():
    with pytest.raises(ShapeError, match=r"kernel_size \(5, 5\).*\(3, 3\).*shrinks to nothing"):
        pk.Input(shape=(3, 3, 1)) | conv_2d(4, 5)
    with pytest.raises(ShapeError, match=r"dilation_rate.*shrinks to nothing"):
        pk.Input(shape=(6, 6, 1)) | conv_2d(4, 3, dilation_rate=3)
    pk.Input(shape=(3, 3, 1)) | conv_2d(4, 5, padding="same")  # fine with same padding


def test_pooling_with_empty_output_is_reported():
    with pytest.raises(ShapeError, match=r"pool_size \(3, 3\).*\(2, 2\).*empty"):
        pk.Input(shape=(2, 2, 4)) | max_pooling_2d(3)
    with pytest.raises(ShapeError, match=r"rank 3 \(samples, steps, channels\)"):
        pk.Input(shape=(4, 4, 1)) | max_pooling_1d(2)


@pytest.mark.parametrize("make, pattern", [
    (lambda: conv_2d(0, 3), "filters must be a positive integer"),
    (lambda: conv_2d(-4, 3), "filters must be a positive integer"),
    (lambda: conv_2d(4, 0), "kernel_size must be a positive integer"),
    (lambda: conv_2d(4, (3, 3, 3)), "kernel_size must be an int or 2 ints"),
    (lambda: conv_2d(4, 3, strides=0), "strides must be a positive integer"),
    (lambda: conv_2d(4, 3, strides=(1, -1)), "strides must be a positive integer"),
    (lambda: conv_2d(4, 3, dilation_rate=0), "dilation_rate must be a positive integer"),
    (lambda: conv_2d(4, 3, padding="full"), "padding must be one of"),
    (lambda: conv_2d(4, 3, padding="causal"), "padding must be one of"),
    (lambda: conv_2d(4, 3, data_format="channels_first"), "channels_last"),
    (lambda: conv_1d(4, 0), "kernel_size must be a positive integer"),
    (lambda: max_pooling_2d(0), "pool_size must be a positive integer"),
    (lambda: average_pooling_1d(2, strides=0), "strides must be a positive integer"),
    (lambda: conv_2d_transpose(2, 3, strides=2, output_padding=2), "output_padding"),
])
def test_bad_arguments_raise_config_errors(make, pattern):
    with pytest.raises(ConfigError, match=pattern):
        make()
