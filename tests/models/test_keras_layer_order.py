"""A functional model lists its layers (and so its weights) in Keras's order: by depth from the outputs, deepest
first, ties in the order Keras's walk from the outputs meets them. (Every application's table equals Keras's:
tests/applications/test_application_structure.py.)"""

import numpy as np

import pipekeras as pk


def test_branching_model_lists_layers_as_keras():
    x = pk.Input(shape=(3,), name="x")
    a = pk.Dense(2, name="a")(x)
    b = pk.Dense(2, name="b")(pk.Dense(2, name="c")(x))
    model = pk.Model(x, pk.Add(name="add")([a, b]))
    # Keras 3.15: ['x', 'c', 'a', 'b', 'add'] (c is two steps from the output, a and b one)
    assert [layer.name for layer in model.layers] == ["x", "c", "a", "b", "add"]
    assert [w.shape for w in model.get_weights()] == [(3, 2), (2,), (3, 2), (2,), (2, 2), (2,)]


def test_an_input_no_output_needs_comes_at_the_outputs_depth():
    x, unused = pk.Input(shape=(3,), name="x"), pk.Input(shape=(2,), name="unused")
    model = pk.Model([x, unused], pk.Dense(1, name="d")(x))
    assert [layer.name for layer in model.layers] == ["x", "unused", "d"]  # Keras 3.15 too
    assert model.predict([np.ones((1, 3), "float32"), np.ones((1, 2), "float32")], verbose=0).shape == (1, 1)
