"""The pipe: |, >>, the R form, model.add, and what each left side does."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Dense, Input, Model, dense, sequential
from pipekeras.errors import ArgumentTypeError, ConfigError


def _mnist_by_pipe():
    return sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax")


def _mnist_by_shift():
    return sequential() >> dense(512, "relu", input_shape=784) >> dense(10, "softmax")


def _mnist_by_r_form():
    model = sequential()
    dense(model, 512, "relu", input_shape=784)
    dense(model, 10, "softmax")
    return model


def _mnist_by_add():
    model = pk.Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dense(10, activation="softmax"))
    return model


@pytest.mark.parametrize("build", [_mnist_by_pipe, _mnist_by_shift, _mnist_by_r_form, _mnist_by_add])
def test_every_spelling_gives_the_same_model(build):
    pk.clear_session()
    pk.set_seed(1)
    model = build()
    assert model.count_params() == 407_050
    assert [type(l).__name__ for l in model.layers] == ["Dense", "Dense"]
    assert [l.name for l in model.layers] == ["dense", "dense_1"]
    assert model.output_shape == (None, 10)
    pk.clear_session()
    pk.set_seed(1)
    reference = _mnist_by_pipe()
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_pipe_mutates_the_model_in_place():
    model = sequential()
    returned = model | dense(4, input_shape=3)
    assert returned is model
    model | dense(2)
    assert len(model.layers) == 2


def test_seed_models_parameter_counts():
    imdb = sequential() | dense(16, "relu", input_shape=10000) | dense(16, "relu") | dense(1, "sigmoid")
    boston = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1)
    assert imdb.count_params() == 160_305
    assert boston.count_params() == 5_121


def test_constructor_alone_returns_a_shareable_layer():
    layer = dense(3)
    assert isinstance(layer, Dense)
    a, b = Input(shape=4), Input(shape=4)
    out_a, out_b = a | layer, b | layer
    assert len(layer.inbound_nodes) == 2
    assert out_a.shape == out_b.shape == (None, 3)


def test_array_on_the_left_runs_eagerly(rng):
    x = rng.standard_normal((5, 4)).astype("float32")
    layer = dense(3, "relu")
    y = x | layer
    assert isinstance(y, np.ndarray) and y.shape == (5, 3)
    np.testing.assert_allclose(y, np.maximum(x @ layer.kernel.value + layer.bias.value, 0), rtol=1e-6)
    assert (x >> layer).shape == (5, 3)


def test_symbolic_tensor_on_the_left_records_a_node():
    inputs = Input(shape=8)
    hidden = inputs | dense(4, "relu")
    assert isinstance(hidden, pk.engine.tensor.SymbolicTensor)
    assert hidden.node.layer.inbound_nodes == [hidden.node]


def test_list_of_tensors_into_a_merge_layer():
    a, b = Input(shape=3), Input(shape=3)
    assert ([a, b] | pk.add()).shape == (None, 3)
    assert pk.concatenate([a, b]).shape == (None, 6)


def test_verbs_in_pipe_and_r_form_and_methods_agree():
    model = sequential() | dense(1, input_shape=2)
    assert (model | pk.compile(optimizer="sgd", loss="mse")) is model
    assert model.compiled
    other = sequential() | dense(1, input_shape=2)
    pk.compile(other, optimizer="sgd", loss="mse")
    assert other.compiled


def test_piping_something_that_is_not_a_layer_says_what_to_pipe():
    with pytest.raises(ArgumentTypeError, match="right side of \\| must be a layer"):
        sequential() | 42


def test_piping_into_a_functional_model_explains_the_alternative():
    inputs = Input(shape=3)
    model = Model(inputs, inputs | dense(2))
    with pytest.raises(ConfigError, match="only Sequential models grow in place"):
        model | dense(2)


def test_a_model_is_a_layer_in_a_pipe(rng):
    inner = sequential() | dense(4, "relu", input_shape=3) | dense(2)
    outer = sequential() | dense(3, input_shape=5) | inner
    assert outer.output_shape == (None, 2)
    x = rng.standard_normal((2, 5)).astype("float32")
    np.testing.assert_allclose(outer.predict(x), inner.predict(outer.layers[0](x)), rtol=1e-6)
