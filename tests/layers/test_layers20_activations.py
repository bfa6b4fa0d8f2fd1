"""Activation layers with arguments (issue 20 item 3): ReLU, LeakyReLU, ELU, ThresholdedReLU, Softmax, PReLU."""

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.r as r
from pipekeras.errors import ConfigError, ShapeError
from layers20_checks import check_layer, masked_gradient_error


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("make, shape", [
    (lambda: pk.activation_relu(max_value=1.0, negative_slope=0.1, threshold=0.2), (4,)),
    (lambda: pk.activation_leaky_relu(negative_slope=0.2), (2, 3)),
    (lambda: pk.activation_elu(alpha=0.5), (4,)),
    (lambda: pk.activation_thresholded_relu(theta=0.3), (4,)),
    (lambda: pk.activation_softmax(axis=[1, 2]), (2, 3)),
    (lambda: pk.activation_parametric_relu(alpha_initializer="ones", shared_axes=1), (2, 3)),
])
def test_layer_contract_files_and_gradients(make, shape, tmp_path, rng):
    check_layer(make(), shape, tmp_path, rng)


def test_elementwise_layers_compute_keras_formulas():
    x = np.array([-2.0, -0.5, 0.0, 0.1, 0.5, 3.0, 8.0], dtype="float32")
    np.testing.assert_allclose(pk.ReLU()(x), np.maximum(x, 0))
    np.testing.assert_allclose(pk.ReLU(6.0)(x), np.clip(x, 0, 6))
    relu = pk.ReLU(max_value=2.0, negative_slope=0.5, threshold=0.3)(x)
    np.testing.assert_allclose(relu, np.where(x >= 2, 2, np.where(x > 0.3, x, 0.5 * (x - 0.3))), rtol=1e-6)
    np.testing.assert_allclose(pk.LeakyReLU()(x), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(pk.LeakyReLU(alpha=0.1)(x), np.where(x > 0, x, 0.1 * x), rtol=1e-6)
    np.testing.assert_allclose(pk.ELU(0.7)(x), np.where(x > 0, x, 0.7 * np.expm1(x)), rtol=1e-6)
    np.testing.assert_allclose(pk.ThresholdedReLU(0.5)(x), np.where(x > 0.5, x, 0.0))
    prelu = pk.PReLU(alpha_initializer=pk.initializers.Constant(0.25))
    np.testing.assert_allclose(prelu(x[None]), np.where(x > 0, x, 0.25 * x)[None], rtol=1e-6)


def test_prelu_weight_shape_and_shared_axes():
    layer = pk.PReLU(shared_axes=[1, 2])
    layer(np.zeros((2, 4, 5, 3), "float32"))
    assert layer.alpha.shape == (1, 1, 3) and layer.alpha.name.endswith("/alpha")
    assert layer.input_spec.axes == {3: 3}
    assert pk.PReLU()(np.ones((1, 4, 5), "float32")).shape == (1, 4, 5)
    model = pk.sequential() | pk.activation_parametric_relu(alpha_regularizer="l2", alpha_constraint="non_neg",
                                                            input_shape=(4,))
    assert model.layers[0].alpha.regularizer is not None and model.layers[0].alpha.constraint is not None


def test_masked_softmax_zeroes_masked_positions_and_rows():
    x = np.array([[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [4.0, 5.0, 6.0]]], "float32")
    mask = np.array([[[True, False, True]] * 3])
    y = pk.Softmax()(x, mask=mask)
    assert y[0, 0, 1] == 0 and np.allclose(y.sum(-1), 1)
    model = pk.sequential() | pk.masking(0.0, input_shape=(3, 3)) | pk.activation_softmax()
    y = model.predict(x, verbose=0)
    np.testing.assert_array_equal(y[0, 1], 0)
    np.testing.assert_allclose(y[0, [0, 2]].sum(-1), 1, rtol=1e-6)
    assert model.layers[-1].output_mask.shape == (None, 3)
    assert masked_gradient_error(pk.Softmax(), x, mask) < 1e-6
    assert masked_gradient_error(pk.Softmax(axis=[1, 2]), x, mask) < 1e-6


def test_bad_arguments_name_the_layer_and_argument():
    with pytest.raises(ConfigError, match="ReLU: max_value"):
        pk.ReLU(max_value=-1)
    with pytest.raises(ConfigError, match="LeakyReLU: negative_slope"):
        pk.LeakyReLU(negative_slope=None)
    with pytest.raises(ConfigError, match="ThresholdedReLU: theta"):
        pk.ThresholdedReLU(theta=-0.5)
    with pytest.raises(ConfigError, match="Softmax: axis"):
        pk.Softmax(axis="last")
    with pytest.raises(ConfigError, match="PReLU: shared_axes"):
        pk.PReLU(shared_axes=[0])
    with pytest.raises(ShapeError, match="axis 3 is outside"):
        pk.Softmax(axis=3)(np.zeros((2, 3), "float32"))
    with pytest.raises(ShapeError, match="shared_axes has axis 3"):
        pk.PReLU(shared_axes=3)(np.zeros((2, 3), "float32"))
    with pytest.raises(ShapeError, match="does not broadcast"):
        pk.Softmax()(np.zeros((2, 3), "float32"), mask=np.ones((2, 2), bool))


def test_r_names_build_the_layers():
    assert r.layer_activation_leaky_relu is pk.activation_leaky_relu
    model = r.keras_model_sequential(input_shape=4) | r.layer_activation_relu(max_value=6.0) | \
        r.layer_activation_parametric_relu() | r.layer_activation_thresholded_relu(theta=0.5) | \
        r.layer_activation_elu() | r.layer_activation_softmax()
    assert [type(l).__name__ for l in model.layers] == ["ReLU", "PReLU", "ThresholdedReLU", "ELU", "Softmax"]
    layer = r.layer_activation_leaky_relu(r.layer_input(shape=3))
    assert layer.shape == (None, 3)
