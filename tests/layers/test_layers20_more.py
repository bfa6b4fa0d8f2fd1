"""Issue 20 item 5: transposed convolutions of rank 1 and 3, the 3-D reshaping layers and spatial dropout,
group and unit normalization, the noise layers, ActivityRegularization and Identity (Keras parity:
test_layers20_keras.py)."""

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.r as r
from pipekeras.engine.layer import recording
from pipekeras.errors import ConfigError, ShapeError
from layers20_checks import check_layer


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("make, shape", [
    (lambda: pk.conv_1d_transpose(3, 3, strides=2, padding="same", activation="tanh"), (4, 2)),
    (lambda: pk.conv_3d_transpose(2, 2, strides=(2, 1, 2), output_padding=(1, 0, 0)), (2, 2, 2, 1)),
    (lambda: pk.up_sampling_3d((1, 2, 1)), (2, 2, 2, 1)),
    (lambda: pk.zero_padding_3d(((1, 0), (0, 1), (1, 1))), (2, 2, 2, 1)),
    (lambda: pk.cropping_3d(((0, 1), (1, 0), (0, 0))), (3, 3, 2, 1)),
    (lambda: pk.spatial_dropout_3d(0.3, seed=1), (2, 2, 2, 1)),
    (lambda: pk.group_normalization(groups=2, gamma_initializer="random_normal"), (3, 4)),
    (lambda: pk.group_normalization(groups=-1, axis=1, center=False), (2, 3)),
    (lambda: pk.unit_normalization(axis=[1, 2]), (3, 4)),
    (lambda: pk.gaussian_noise(0.1, seed=1), (4,)),
    (lambda: pk.gaussian_dropout(0.2, seed=1), (4,)),
    (lambda: pk.alpha_dropout(0.2, noise_shape=(None, 1), seed=1), (4,)),
    (lambda: pk.activity_regularization(l1=0.01, l2=0.02), (4,)),
    (lambda: pk.identity(), (4,)),
])
def test_layer_contract_files_and_gradients(make, shape, tmp_path, rng):
    check_layer(make(), shape, tmp_path, rng)


def test_transposed_convolution_shapes_and_kernels():
    layer = pk.Conv1DTranspose(8, 3, strides=2, padding="same")
    assert layer(np.zeros((2, 10, 4), "float32")).shape == (2, 20, 8) and layer.kernel.shape == (3, 8, 4)
    layer = pk.Conv3DTranspose(4, 3, strides=2, padding="valid")
    assert layer(np.zeros((1, 2, 3, 2, 2), "float32")).shape == (1, 5, 7, 5, 4)
    assert layer.kernel.shape == (3, 3, 3, 4, 2) and layer.input_spec.ndim == 5
    # a transposed convolution is the input gradient of the convolution with the same kernel
    rng = np.random.default_rng(1)
    conv = pk.Conv1D(2, 3, strides=2, use_bias=False)
    x = rng.normal(size=(1, 9, 3))
    conv(x)
    with recording():
        _, _, ctx = conv.forward_node(x, False, None)
    dy = rng.normal(size=(1, 4, 2))
    transpose = pk.Conv1DTranspose(3, 3, strides=2, use_bias=False, output_padding=0)
    transpose(dy)
    transpose.kernel.assign(conv.kernel.value)  # Keras lays both out as (k, in of conv, out of conv)
    np.testing.assert_allclose(transpose(dy), conv.backward_node(ctx, dy), rtol=1e-5, atol=1e-6)


def test_volume_reshaping_values():
    x = np.arange(2 * 2 * 2, dtype="float32").reshape(1, 2, 2, 2, 1)
    up = pk.UpSampling3D((2, 1, 1))(x)
    np.testing.assert_array_equal(up[0, :, 0, 0, 0], [0, 0, 4, 4])
    padded = pk.ZeroPadding3D(1)(x)
    assert padded.shape == (1, 4, 4, 4, 1) and padded.sum() == x.sum() and padded[0, 1, 1, 1, 0] == 0
    np.testing.assert_array_equal(pk.Cropping3D(((1, 0), (0, 1), (0, 0)))(x), x[:, 1:, :1])
    assert pk.UpSampling3D().get_config()["size"] == (2, 2, 2)
    assert pk.ZeroPadding3D().get_config()["padding"] == ((1, 1), (1, 1), (1, 1))


def test_group_normalization_normalizes_each_group():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(2, 5, 6))
    y = pk.GroupNormalization(groups=3, epsilon=1e-9)(x).reshape(2, 5, 3, 2)
    np.testing.assert_allclose(y.mean(axis=(1, 3)), 0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(1, 3)), 1, rtol=1e-6)
    layer = pk.GroupNormalization(groups=3)
    layer(x)
    assert [w.name.split("/")[1] for w in layer.weights] == ["gamma", "beta"]
    assert list(layer.get_config())[3:8] == ["groups", "axis", "epsilon", "center", "scale"]


def test_unit_normalization_gives_unit_norms_and_keeps_zeros():
    x = np.array([[3.0, 4.0], [0.0, 0.0]], "float32")
    np.testing.assert_allclose(pk.UnitNormalization()(x), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_noise_layers_in_training_and_inference():
    x = np.ones((400, 50))
    noisy = pk.GaussianNoise(0.5, seed=0)(x, training=True)
    assert abs(np.std(noisy - x) - 0.5) < 0.01 and np.array_equal(pk.GaussianNoise(0.5)(x), x)
    dropped = pk.GaussianDropout(0.2, seed=0)(x, training=True)
    assert abs(dropped.mean() - 1) < 0.01 and abs(dropped.std() - np.sqrt(0.2 / 0.8)) < 0.01
    normal = np.random.default_rng(0).normal(size=(400, 50))
    selu = pk.AlphaDropout(0.2, seed=0)(normal, training=True)
    assert abs(selu.mean()) < 0.02 and abs(selu.std() - 1) < 0.02
    volume = pk.SpatialDropout3D(0.5, seed=0)(np.ones((4, 2, 2, 2, 8)), training=True)
    per_channel = volume.reshape(4, -1, 8)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))  # a channel is dropped everywhere at once
    layer = pk.GaussianDropout(0.3, seed=0)
    with recording():
        y, _, ctx = layer.forward_node(x[:2], True, None)
    np.testing.assert_allclose(layer.backward_node(ctx, np.ones_like(y)), y)  # d(x * noise)/dx = noise, x = 1
    seeded = [pk.AlphaDropout(0.3, seed=5)(normal, training=True) for _ in range(2)]
    np.testing.assert_array_equal(*seeded)


def test_masks_pass_through_the_new_layers():
    model = pk.sequential() | pk.masking(0.0, input_shape=(3, 4)) | pk.group_normalization(groups=2) | \
        pk.unit_normalization() | pk.gaussian_noise(0.1) | pk.gaussian_dropout(0.1) | pk.alpha_dropout(0.1) | \
        pk.activity_regularization(l2=0.01) | pk.identity()
    assert model.layers[-1].output_mask.shape == (None, 3)


def test_bad_arguments_name_the_layer_and_argument():
    with pytest.raises(ConfigError, match="GroupNormalization: groups"):
        pk.GroupNormalization(groups=0)
    with pytest.raises(ShapeError, match="groups=3 must divide the 4 channels"):
        pk.GroupNormalization(groups=3)(np.zeros((2, 4), "float32"))
    with pytest.raises(ConfigError, match="Conv1DTranspose: output_padding"):
        pk.Conv1DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ShapeError, match="expected input of rank 5"):
        pk.Conv3DTranspose(2, 3)(np.zeros((1, 4, 4, 1), "float32"))
    with pytest.raises(ConfigError, match="GaussianNoise: stddev"):
        pk.GaussianNoise(-0.1)
    with pytest.raises(ConfigError, match="AlphaDropout: rate"):
        pk.AlphaDropout(1.0)
    with pytest.raises(ConfigError, match="ActivityRegularization: l1"):
        pk.ActivityRegularization(l1=-1)
    with pytest.raises(ShapeError, match="axis 0 is not a feature axis"):
        pk.UnitNormalization(axis=0)(np.zeros((2, 3), "float32"))
    with pytest.raises(ShapeError, match="leaves nothing"):
        pk.Cropping3D(2)(np.zeros((1, 4, 4, 4, 1), "float32"))
    with pytest.raises(ConfigError, match="ZeroPadding3D: padding"):
        pk.ZeroPadding3D((1, 2))


def test_r_names_build_the_layers():
    assert r.layer_upsampling_3d is r.layer_up_sampling_3d is pk.up_sampling_3d
    volume = r.keras_model_sequential(input_shape=(2, 2, 2, 1)) | r.layer_conv_3d_transpose(filters=2, kernel_size=2) | \
        r.layer_zero_padding_3d() | r.layer_cropping_3d() | r.layer_up_sampling_3d() | \
        r.layer_spatial_dropout_3d(rate=0.1)
    assert volume.output_shape == (None, 6, 6, 6, 2)
    sequence = r.keras_model_sequential(input_shape=(4, 2)) | r.layer_conv_1d_transpose(filters=4, kernel_size=2) | \
        r.layer_group_normalization(groups=2) | r.layer_unit_normalization() | r.layer_gaussian_noise(stddev=0.1) | \
        r.layer_gaussian_dropout(rate=0.1) | r.layer_alpha_dropout(rate=0.1) | \
        r.layer_activity_regularization(l1=0.01) | r.layer_identity()
    assert sequence.output_shape == (None, 5, 4)


def test_keras_files_of_spatial_dropout_omit_trainable_which_keras_refuses(tmp_path):
    import json
    import zipfile

    model = pk.sequential() | pk.spatial_dropout_3d(0.2, input_shape=(2, 2, 2, 1))
    model.save(str(tmp_path / "m.keras"))
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
    assert [sorted(layer["config"]) for layer in layers if layer["class_name"] == "SpatialDropout3D"] == \
        [["data_format", "dtype", "name", "rate", "seed"]]
