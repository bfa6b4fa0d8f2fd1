"""The public graph of a model (`iter_nodes`, `nodes_of`, `tensor_ref`) that summary, plot_model and saving read."""

import pipekeras as pk
from pipekeras import Input, Model, dense, sequential
from pipekeras.engine.input_layer import InputLayer


def _shared_layer_model():
    a, b = Input(shape=3, name="a"), Input(shape=3, name="b")
    shared = dense(2, name="shared")
    outputs = pk.concatenate([a | shared, b | shared], name="joined") | dense(1, name="out")
    return Model([a, b], outputs), shared


def test_iter_nodes_yields_parents_first_and_input_nodes_too():
    model, _ = _shared_layer_model()
    nodes = list(model.iter_nodes())
    seen = set()
    for node in nodes:
        assert all(id(parent) in seen for parent in node.parent_nodes)
        seen.add(id(node))
    assert [n.layer.name for n in nodes if isinstance(n.layer, InputLayer)] == ["a", "b"]
    assert len(nodes) == 2 + 2 + 1 + 1  # two inputs, the shared layer twice, joined, out


def test_nodes_of_a_shared_layer_keep_only_this_models_calls():
    model, shared = _shared_layer_model()
    assert len(model.nodes_of(shared)) == 2
    other_input = Input(shape=3)
    other = Model(other_input, other_input | shared)
    assert len(shared.inbound_nodes) == 3
    assert len(other.nodes_of(shared)) == 1
    assert len(model.nodes_of(shared)) == 2


def test_tensor_ref_names_layer_node_and_output():
    model, shared = _shared_layer_model()
    second_call = model.nodes_of(shared)[1].output_tensors[0]
    assert model.tensor_ref(second_call) == ["shared", 1, 0]
    assert model.tensor_ref(model.output) == ["out", 0, 0]


def test_a_sequential_model_is_a_stack_and_a_functional_one_is_not():
    assert sequential().is_stack
    assert not _shared_layer_model()[0].is_stack


def test_layer_shapes_given_and_built_are_public():
    layer = dense(4, input_shape=3)
    assert layer.batch_input_shape == (None, 3)
    assert layer.build_input_shape is None
    sequential() | layer
    assert layer.build_input_shape == (None, 3)
    wrapper = pk.bidirectional(pk.lstm(2))
    assert len(wrapper.sublayers) == 2
