"""BatchNormalization and LayerNormalization: shapes, NumPy references (training, inference, moving averages),
float64 gradient checks in both modes, configs, weights, error messages and a small convnet that trains."""

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.optimizers  # noqa: F401  (pk.optimizers)
from pipekeras.engine.layer import recording
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, ShapeError
from pipekeras.layers.normalization import BatchNormalization, LayerNormalization

# (constructor, input shape without batch)
CASES = {
    "bn_dense": (lambda: pk.batch_normalization(), (5,)),
    "bn_image": (lambda: pk.batch_normalization(momentum=0.9, epsilon=1e-2), (4, 3, 2)),
    "bn_axis1": (lambda: pk.batch_normalization(axis=1), (3, 4)),
    "bn_no_center": (lambda: pk.batch_normalization(center=False), (3, 4)),
    "bn_no_scale": (lambda: pk.batch_normalization(scale=False), (3, 4)),
    "ln_last": (lambda: pk.layer_normalization(), (3, 5)),
    "ln_two_axes": (lambda: pk.layer_normalization(axis=[1, 2]), (3, 4)),
    "ln_middle_axis": (lambda: pk.layer_normalization(axis=1, epsilon=1e-2), (3, 4, 2)),
    "ln_image_channels": (lambda: pk.layer_normalization(axis=[-3, -2, -1], center=False), (2, 3, 2)),
}


def _randomize_weights(layer, rng):
    """Gamma, beta and moving stats away from their 1/0 defaults, so gradient checks see them act."""
    for variable in layer.weights:
        value = rng.standard_normal(variable.shape)
        if variable.name.endswith(("gamma", "moving_variance")):
            value = 0.5 + np.abs(value)
        variable.assign(value.astype(variable.value.dtype))


def _batch(shape, rng, batch=4):
    return rng.standard_normal((batch,) + shape) * 2.0 + 0.7


@pytest.mark.parametrize("case", sorted(CASES))
def test_shapes_symbolic_and_eager(case, rng):
    make, shape = CASES[case]
    layer = make()
    assert (pk.Input(shape=shape) | layer).shape == (None,) + shape
    assert layer(_batch(shape, rng).astype("float32")).shape == (4,) + shape
    assert layer(_batch(shape, rng).astype("float32"), training=True).shape == (4,) + shape


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_finite_differences(case, training, rng):
    make, shape = CASES[case]
    layer = make()
    x = _batch(shape, rng)
    layer(x)
    _randomize_weights(layer, rng)
    result = pk.check_gradients(layer, x, training=training)
    assert result.ok, result


def _reference_bn(x, gamma, beta, mean, var, epsilon):
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


def test_batch_norm_training_matches_numpy_and_updates_moving_averages(rng):
    x = _batch((3, 2, 4), rng)
    layer = BatchNormalization(momentum=0.8, epsilon=1e-3, dtype="float64")
    layer(x)
    _randomize_weights(layer, rng)
    gamma, beta, moving_mean, moving_var = layer.get_weights()
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # biased variance
    y = layer(x, training=True)
    np.testing.assert_allclose(y, _reference_bn(x, gamma, beta, mean, var, 1e-3), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.moving_mean.numpy(), moving_mean * 0.8 + mean * 0.2, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance.numpy(), moving_var * 0.8 + var * 0.2, rtol=1e-12)
    # a second step moves them again, from the new values
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), (moving_mean * 0.8 + mean * 0.2) * 0.8 + mean * 0.2,
                               rtol=1e-12)


def test_batch_norm_inference_uses_moving_statistics_and_updates_nothing(rng):
    x = _batch((5,), rng)
    layer = BatchNormalization(epsilon=1e-2, dtype="float64")
    layer(x)
    _randomize_weights(layer, rng)
    before = layer.get_weights()
    gamma, beta, moving_mean, moving_var = before
    y = layer(x)
    np.testing.assert_allclose(y, _reference_bn(x, gamma, beta, moving_mean, moving_var, 1e-2), rtol=1e-10)
    for old, new in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_batch_norm_float32_training_normalizes(rng):
    x = (_batch((6, 6, 3), rng, batch=8) * 10 + 50).astype("float32")
    y = BatchNormalization()(x, training=True)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.var(axis=(0, 1, 2)), 1.0, atol=1e-3)


def test_batch_norm_non_trainable_runs_in_inference_mode(rng):
    x = _batch((4,), rng)
    layer = BatchNormalization()
    layer(x)
    layer.trainable = False
    y = layer(x, training=True)
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), 0.0)


def test_batch_norm_axis1_normalizes_each_index_of_that_axis(rng):
    x = _batch((3, 4), rng)
    y = BatchNormalization(axis=1, epsilon=1e-3, dtype="float64")(x, training=True)
    mean, var = x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-10, atol=1e-12)


def test_batch_norm_inference_gradient_is_the_affine_map(rng):
    layer = BatchNormalization(dtype="float64")
    x = _batch((3,), rng)
    layer(x)
    _randomize_weights(layer, rng)
    with recording():
        _, _, ctx = layer.forward_node(x, False, None)
    dy = rng.standard_normal(x.shape)
    dx = layer.backward_node(ctx, dy)
    gamma, _, _, var = layer.get_weights()
    np.testing.assert_allclose(dx, dy * gamma / np.sqrt(var + 1e-3), rtol=1e-12)


def test_batch_norm_weights_in_keras_order():
    layer = BatchNormalization()
    layer(np.zeros((2, 3), "float32"))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name.split("/")[-1] for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name.split("/")[-1] for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    np.testing.assert_array_equal(layer.get_weights()[3], 1.0)
    assert layer.count_params() == 12
    assert layer.uses_learning_phase
    layer = BatchNormalization(center=False)
    layer(np.zeros((2, 3), "float32"))
    assert [w.name.split("/")[-1] for w in layer.weights] == ["gamma", "moving_mean", "moving_variance"]


def test_layer_norm_matches_numpy(rng):
    x = _batch((3, 4), rng)
    layer = LayerNormalization(axis=[1, 2], epsilon=1e-3, dtype="float64")
    layer(x)
    _randomize_weights(layer, rng)
    gamma, beta = layer.get_weights()
    assert gamma.shape == (3, 4)
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    expected = gamma * (x - mean) / np.sqrt(var + 1e-3) + beta
    np.testing.assert_allclose(layer(x), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer(x, training=True), expected, rtol=1e-10, atol=1e-12)


def test_layer_norm_middle_axis_matches_numpy(rng):
    x = _batch((3, 4, 2), rng)
    layer = LayerNormalization(axis=1, dtype="float64")
    layer(x)
    _randomize_weights(layer, rng)
    gamma, beta = layer.get_weights()
    assert gamma.shape == (3,)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    expected = gamma[:, None, None] * (x - mean) / np.sqrt(var + 1e-3) + beta[:, None, None]
    np.testing.assert_allclose(layer(x), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case, rng):
    make, shape = CASES[case]
    layer = make()
    layer(_batch(shape, rng))
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()


def test_batch_norm_config_has_keras_keys():
    config = pk.batch_normalization(gamma_regularizer="l2", beta_constraint="non_neg").get_config()
    for key in ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
                "beta_constraint", "gamma_constraint"):
        assert key in config
    assert config["momentum"] == 0.99 and config["epsilon"] == 1e-3 and config["axis"] == -1
    assert config["gamma_regularizer"] is not None and config["beta_constraint"] is not None


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_round_trip(case, rng):
    make, shape = CASES[case]
    x = _batch(shape, rng).astype("float32")
    source, target = make(), make()
    source(x)
    target(x)
    _randomize_weights(source, rng)
    target.set_weights(source.get_weights())
    np.testing.assert_array_equal(source(x), target(x))
    assert source.count_params() == sum(w.size for w in source.get_weights())


# ----- errors ----------------------------------------------------------------------------------------


def test_axis_out_of_range_is_reported():
    with pytest.raises(ShapeError, match=r"batch_normalization.*axis 3 is out of range.*rank 3.*\(None, 4, 5\)"):
        pk.Input(shape=(4, 5)) | pk.batch_normalization(axis=3)
    with pytest.raises(ShapeError, match=r"axis -4 is out of range.*rank 3"):
        pk.Input(shape=(4, 5)) | pk.layer_normalization(axis=[-1, -4])


def test_batch_axis_is_rejected():
    with pytest.raises(ShapeError, match=r"axis 0 is the batch axis.*axis=-1"):
        pk.Input(shape=(4,)) | pk.batch_normalization(axis=0)


def test_unknown_feature_size_is_reported():
    with pytest.raises(ShapeError, match=r"axis 1 .*known size.*\(None, None, 3\)"):
        pk.Input(shape=(None, 3)) | pk.batch_normalization(axis=1)


def test_rank_mismatch_after_build_names_expected_rank():
    layer = pk.batch_normalization()
    layer(np.zeros((2, 3, 4), "float32"))
    with pytest.raises(ShapeError, match=r"rank 3.*\(2, 4\)"):
        layer(np.zeros((2, 4), "float32"))
    with pytest.raises(ShapeError, match=r"size 4 on axis 2.*\(2, 3, 5\)"):
        layer(np.zeros((2, 3, 5), "float32"))


@pytest.mark.parametrize("make, pattern", [
    (lambda: pk.batch_normalization(axis="channels"), r"BatchNormalization: axis must be an int"),
    (lambda: pk.batch_normalization(axis=[1, 2]), r"BatchNormalization: axis must be an int"),
    (lambda: pk.batch_normalization(momentum=1.5), r"momentum must be in \[0, 1\], received 1.5"),
    (lambda: pk.batch_normalization(epsilon=0), r"epsilon must be in \(0, inf\]"),
    (lambda: pk.layer_normalization(axis=[]), r"LayerNormalization: axis must be an int or a non-empty list"),
    (lambda: pk.layer_normalization(epsilon=-1.0), r"epsilon must be in \(0"),
    (lambda: pk.batch_normalization(momentun=0.9), r"unknown argument 'momentun'.*momentum"),
])
def test_bad_arguments_raise_config_errors(make, pattern):
    with pytest.raises(ConfigError, match=pattern):
        make()


# ----- in a model -------------------------------------------------------------------------------------


def test_convnet_with_batch_normalization_trains(rng):
    x = rng.standard_normal((32, 6, 6, 1)).astype("float32") * 3 + 1
    labels = (x.mean(axis=(1, 2, 3)) > 1).astype(int)
    y = np.eye(2)[labels].astype("float32")
    inputs = pk.Input(shape=(6, 6, 1))
    outputs = (inputs | pk.conv_2d(4, 3, padding="same") | pk.batch_normalization() | pk.activation("relu")
               | pk.global_average_pooling_2d() | pk.dense(2, "softmax"))
    model = pk.Model(inputs, outputs)
    assert pk.check_gradients(model, x[:4].astype("float64"), training=True)
    bn = model.layers[2] if isinstance(model.layers[2], BatchNormalization) else \
        next(layer for layer in model.layers if isinstance(layer, BatchNormalization))
    model.compile(optimizer=pk.optimizers.Adam(0.05), loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < losses[0]
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)  # fit ran in training mode and moved the averages
    before = [w.copy() for w in bn.get_weights()]
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    for old, new in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(old, new)
