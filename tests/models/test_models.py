"""Sequential and functional models: graphs, shared layers, summary, configs, weights."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Input, Model, concatenate, dense, sequential
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, NotBuiltError, ShapeError


def _two_in_two_out():
    left, right = Input(shape=6, name="left"), Input(shape=6, name="right")
    shared = dense(4, "tanh", name="shared")
    merged = [left | shared, right | shared] | concatenate(name="merge")
    score = merged | dense(1, "sigmoid", name="score")
    klass = merged | dense(3, "softmax", name="klass")
    return Model([left, right], [score, klass], name="two_by_two"), shared


def test_functional_model_predicts_what_the_layers_compose_to(rng):
    model, shared = _two_in_two_out()
    x1, x2 = rng.standard_normal((5, 6)), rng.standard_normal((5, 6))
    score, klass = model.predict([x1, x2])
    h = np.concatenate([shared(x1.astype("float32")), shared(x2.astype("float32"))], axis=-1)
    np.testing.assert_allclose(score, model.get_layer("score")(h), rtol=1e-5)
    np.testing.assert_allclose(klass, model.get_layer("klass")(h), rtol=1e-5)
    assert score.shape == (5, 1) and klass.shape == (5, 3)


def test_shared_layer_nodes_describe_each_call():
    model, shared = _two_in_two_out()
    assert len(shared.inbound_nodes) == 2
    assert shared.get_input_at(0) is model.inputs[0]
    assert shared.get_input_at(1) is model.inputs[1]
    assert shared.get_input_shape_at(0) == (None, 6) == shared.get_input_shape_at(1)
    assert shared.get_output_shape_at(1) == (None, 4)
    assert shared.get_output_at(0) is not shared.get_output_at(1)
    assert shared.get_input_mask_at(0) is None and shared.get_output_mask_at(1) is None
    assert shared.input_shape == (None, 6)  # same for both calls, so defined
    with pytest.raises(AttributeError, match="get_input_at"):
        shared.input
    with pytest.raises(AttributeError, match="get_output_at"):
        shared.output
    with pytest.raises(ConfigError, match="out of range"):
        shared.get_input_at(2)


def test_layer_contract_properties_on_a_single_use_layer():
    inputs = Input(shape=3)
    layer = dense(2, name="d")
    out = inputs | layer
    assert layer.input is inputs and layer.output is out
    assert layer.input_shape == (None, 3) and layer.output_shape == (None, 2)
    assert layer.inbound_nodes[0].parent_nodes == [inputs.node]
    assert inputs.node.layer.outbound_nodes == [layer.inbound_nodes[0]]
    assert layer.input_mask is None and layer.output_mask is None
    assert [w.name for w in layer.weights] == ["d/kernel", "d/bias"]
    assert layer.non_trainable_weights == [] and layer.constraints == {}
    assert layer.input_spec.axes == {-1: 3}
    assert layer.uses_learning_phase is False and pk.dropout(0.5).uses_learning_phase is True
    layer.reset_states()  # stateless: a no-op


def test_freezing_moves_weights_to_non_trainable():
    model = sequential() | dense(4, input_shape=3) | dense(2)
    first = model.layers[0]
    first.trainable = False
    assert first.trainable_weights == [] and len(first.non_trainable_weights) == 2
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    assert model.weights == first.weights + model.layers[1].weights  # layer by layer, as Keras
    model.trainable = False
    assert model.trainable_weights == []


def test_summary_table_has_keras_columns_and_totals(capsys):
    model = sequential(name="mnist") | dense(512, "relu", input_shape=784) | dense(10, "softmax")
    model.summary()
    text = capsys.readouterr().out
    for piece in ['Model: "mnist"', "Layer (type)", "Output Shape", "Param #", "dense (Dense)", "(None, 512)",
                  "401,920", "Total params: 407,050", "Trainable params: 407,050", "Non-trainable params: 0"]:
        assert piece in text
    functional, _ = _two_in_two_out()
    functional.summary()
    text = capsys.readouterr().out
    assert "Connected to" in text and "shared[1][0]" in text
    assert repr(model) == "<Sequential 'mnist': 2 layers, 407,050 params>"


def test_get_layer_and_pop():
    model = sequential() | dense(4, input_shape=3, name="a") | dense(2, name="b") | dense(1, name="c")
    assert model.get_layer("b") is model.layers[1] and model.get_layer(index=-1).name == "c"
    with pytest.raises(ConfigError, match="Did you mean 'b'"):
        model.get_layer("bb")
    removed = model.pop()
    assert removed.name == "c" and model.output_shape == (None, 2) and len(model.layers) == 2
    assert model.layers[1].outbound_nodes == []
    model | dense(5, name="c2")
    assert model.output_shape == (None, 5)


def test_deferred_build_happens_at_first_call(rng):
    model = sequential() | dense(4, "relu") | dense(2)
    assert not model.built
    with pytest.raises(NotBuiltError, match="count_params"):
        model.layers[0].count_params()
    y = model.predict(rng.standard_normal((3, 7)))
    assert y.shape == (3, 2) and model.built and model.input_shape == (None, 7)


def test_duplicate_layer_names_are_refused():
    model = sequential() | dense(4, input_shape=3, name="hidden")
    with pytest.raises(ConfigError, match="second layer named 'hidden'"):
        model | dense(2, name="hidden")
    assert len(model.layers) == 1
    a = Input(shape=2)
    with pytest.raises(ConfigError, match="two layers are named"):
        Model(a, a | dense(2, name="x") | dense(2, name="x"))


def test_disconnected_graph_names_the_missing_input():
    a, b = Input(shape=2, name="a"), Input(shape=2, name="b")
    out = [a, b] | pk.add()
    with pytest.raises(ConfigError, match="graph disconnected: input 'b'"):
        Model(a, out)


def test_model_configs_round_trip(rng):
    sequential_model = sequential() | dense(8, "relu", input_shape=4) | pk.dropout(0.2) | dense(3, "softmax")
    functional_model, _ = _two_in_two_out()
    x = rng.standard_normal((4, 4))
    for model, data in [(sequential_model, x), (functional_model, [rng.standard_normal((4, 6))] * 2)]:
        clone = deserialize_layer(serialize_layer(model))
        assert type(clone) is type(model)
        assert clone.get_config() == model.get_config()
        clone.set_weights(model.get_weights())
        expected, got = model.predict(data), clone.predict(data)
        for e, g in zip(expected if isinstance(expected, list) else [expected],
                        got if isinstance(got, list) else [got]):
            np.testing.assert_array_equal(e, g)


def test_model_set_weights_checks_count_and_shapes():
    model = sequential() | dense(4, input_shape=3) | dense(2)
    weights = model.get_weights()
    with pytest.raises(ShapeError, match="expected 4 arrays"):
        model.set_weights(weights[:3])
    bad = list(weights)
    bad[2] = np.zeros((5, 2))
    with pytest.raises(ShapeError, match="has shape \\(4, 2\\), received \\(5, 2\\)"):
        model.set_weights(bad)
    np.testing.assert_array_equal(model.get_weights()[0], weights[0])


def test_nested_model_gradients(rng):
    inner = sequential() | dense(3, "tanh", input_shape=4)
    inputs = Input(shape=4)
    model = Model(inputs, [inputs | inner, inputs | inner] | pk.multiply())
    assert pk.check_gradients(model, rng.standard_normal((2, 4)))


def test_model_check_gradients_through_every_merge(rng):
    a, b = Input(shape=4), Input(shape=4)
    ha, hb = a | dense(4, "tanh"), b | dense(4, "sigmoid")
    merged = [[ha, hb] | merge() for merge in (pk.add, pk.subtract, pk.multiply, pk.average,
                                                pk.maximum, pk.minimum)]
    out = (merged + [[ha, hb] | pk.dot(axes=1)]) | pk.concatenate()
    model = Model([a, b], out | dense(2))
    assert pk.check_gradients(model, [rng.standard_normal((3, 4)), rng.standard_normal((3, 4))])
