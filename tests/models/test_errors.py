"""Every mistake gets an error that names the layer, the pipe step, expected and received, and a hint."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import dense, sequential
from pipekeras.errors import ArgumentTypeError, ConfigError, DataError, NotBuiltError, ShapeError


def test_rank_mismatch_names_step_layer_and_data_kind():
    model = sequential() | dense(8, input_shape=4)
    with pytest.raises(ShapeError) as info:
        model | pk.permute((2, 1), name="swap")
    message = str(info.value)
    assert "pipe step 2 (swap)" in message
    assert "expected input with rank 3, received shape (None, 8)" in message
    assert "(samples, timesteps, features)" in message and "embedding" in message


def test_wrong_feature_size_for_a_built_layer(rng):
    layer = dense(3)
    layer(rng.standard_normal((2, 4)))
    with pytest.raises(ShapeError, match="'dense'.*size 4 on axis -1, received shape \\(2, 5\\)"):
        layer(rng.standard_normal((2, 5)))


def test_compile_without_an_input_shape_explains_input_shape():
    model = sequential() | dense(4) | dense(1)
    with pytest.raises(NotBuiltError, match="input_shape="):
        model.compile(optimizer="sgd", loss="mse")


def test_unknown_layer_argument_suggests_the_closest():
    with pytest.raises(ConfigError, match="unknown argument 'activaton'. Did you mean 'activation'"):
        dense(4, activaton="relu")


def test_unknown_activation_lists_names():
    with pytest.raises(ConfigError, match="Unknown activation 'rleu'.*Did you mean 'relu'"):
        dense(4, "rleu")


def test_unknown_initializer_lists_names():
    with pytest.raises(ConfigError, match="glorot_uniform"):
        dense(4, kernel_initializer="glorot_uniformm")


@pytest.mark.parametrize("units", [0, -3, 2.5, "8", True])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ConfigError, match=f"Dense: units must be a positive integer, received {units!r}"):
        dense(units)


def test_predict_with_the_wrong_shape_says_expected_and_received():
    model = sequential() | dense(10, input_shape=784)
    with pytest.raises(ShapeError, match="shape \\(5, 28, 28\\), but the model expects \\(None, 784\\).*reshape"):
        model.predict(np.zeros((5, 28, 28)))


def test_predict_with_one_sample_without_batch_axis_hints_at_it():
    model = sequential() | dense(2, input_shape=(3, 4))
    with pytest.raises(ShapeError, match="lacks its batch axis"):
        model.predict(np.zeros((3, 4)))


def test_predict_with_strings_says_to_convert():
    model = sequential() | dense(1, input_shape=2)
    with pytest.raises(DataError, match="dtype <U1; a model needs numbers"):
        model.predict(np.array([["a", "b"]]))


def test_predict_with_nan_says_where():
    model = sequential() | dense(1, input_shape=2)
    x = np.zeros((4, 2))
    x[2, 1] = np.nan
    with pytest.raises(DataError, match="nan at index \\(2, 1\\) \\(sample 2\\)"):
        model.predict(x)


def test_merge_layer_with_one_tensor_says_to_pipe_a_list():
    with pytest.raises(ShapeError, match="needs a list of at least 2 tensors"):
        pk.Input(shape=3) | pk.add()


def test_merge_layer_with_mismatched_shapes():
    with pytest.raises(ShapeError, match="same shape, received \\[\\(None, 3\\), \\(None, 4\\)\\]"):
        [pk.Input(shape=3), pk.Input(shape=4)] | pk.add()


def test_reshape_to_an_incompatible_shape():
    with pytest.raises(ShapeError, match="pipe step 2.*cannot reshape input \\(None, 6\\)"):
        sequential() | dense(6, input_shape=2) | pk.reshape((4, 2))


def test_input_without_shape():
    with pytest.raises(ConfigError, match="give shape="):
        pk.Input()


def test_first_layer_shape_given_wrongly():
    with pytest.raises(ConfigError, match="input_shape must hold positive sizes"):
        dense(3, input_shape=(0,))


def test_set_weights_on_a_layer_with_wrong_count():
    layer = dense(2)
    layer(np.zeros((1, 3), "float32"))
    with pytest.raises(ShapeError, match="expected 2 arrays with shapes \\[\\(3, 2\\), \\(2,\\)\\], received 1"):
        layer.set_weights([np.zeros((3, 2))])


def test_sequential_refuses_a_non_layer():
    with pytest.raises(ArgumentTypeError, match="pipe step 1 is a str, not a layer"):
        pk.Sequential().add("dense")
