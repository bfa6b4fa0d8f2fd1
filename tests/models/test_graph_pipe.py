"""The pipe in its operands: each left side decides what `|` does, and any `PipeStep` can stand on the right."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Input, Model, dense, sequential
from pipekeras.engine.pipe_step import PipeStep
from pipekeras.errors import ArgumentTypeError, ConfigError


class Describe(PipeStep):
    """A pipe step defined outside the library: returns what it received, tagged."""

    def __ror__(self, lhs):
        return ("described", lhs)


def test_a_step_defined_outside_the_library_takes_every_left_side(rng):
    model = sequential() | dense(2, input_shape=3)
    tensor = Input(shape=3)
    array = rng.standard_normal((2, 3))
    for lhs in (model, Model(tensor, tensor | dense(1)), tensor, array, [tensor, tensor], pk.callbacks.History()):
        tagged, received = lhs | Describe()
        assert tagged == "described" and received is lhs
        assert (lhs >> Describe())[1] is lhs


def test_sequential_appends_a_layer_in_place():
    model = sequential()
    layer = dense(2, input_shape=3)
    assert (model | layer) is model
    assert model.layers == [layer]


def test_a_symbolic_tensor_calls_the_layer():
    tensor = Input(shape=3)
    layer = dense(2)
    output = tensor | layer
    assert output.shape == (None, 2)
    assert layer.inbound_nodes[0].input_tensors == [tensor]


def test_an_array_on_the_left_runs_the_layer(rng):
    x = rng.standard_normal((4, 3)).astype("float32")
    layer = dense(2)
    np.testing.assert_allclose(x | layer, layer(x))


def _functional():
    tensor = Input(shape=3)
    return Model(tensor, tensor | dense(1))


@pytest.mark.parametrize("make_lhs", [lambda: Input(shape=3), sequential, _functional],
                         ids=["tensor", "sequential", "functional"])
def test_something_that_is_not_a_step_on_the_right_says_what_to_pipe(make_lhs):
    with pytest.raises(ArgumentTypeError, match="right side of \\| must be a layer"):
        make_lhs() | 42


def test_a_left_side_that_is_not_pipeable_into_a_layer_is_named():
    with pytest.raises(ArgumentTypeError, match="Cannot pipe a int into layer 'd'"):
        42 | dense(2, name="d")


def test_a_functional_model_does_not_grow_in_place():
    tensor = Input(shape=3)
    model = Model(tensor, tensor | dense(2))
    with pytest.raises(ConfigError, match="only Sequential models grow in place"):
        model >> dense(1)
