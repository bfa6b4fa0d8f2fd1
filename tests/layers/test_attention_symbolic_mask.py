"""MultiHeadAttention's attention_mask as a symbolic tensor in functional models: the graph carries it as
the node's fourth input [query, value, key, attention_mask]; predictions, training (no gradient into the mask),
saving (.pkeras, .keras), Keras-written files and shape errors."""

import json
import os
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import Input, Model, check_gradients
from pipekeras.engine.layer import recording
from pipekeras.errors import ShapeError
from pipekeras.layers.attention import MultiHeadAttention

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
rng = np.random.default_rng(3)


def data(batch=2, queries=3, keys=4, features=5):
    mask = rng.random((batch, queries, keys)) < 0.6
    mask[:, :, 0] = True
    return rng.normal(size=(batch, queries, features)), rng.normal(size=(batch, keys, features)), mask


def masked_model(dtype="float32", with_key=False):
    query, value = Input(shape=(3, 5)), Input(shape=(4, 5))
    mask = Input(shape=(3, 4), dtype="bool")
    layer = MultiHeadAttention(num_heads=2, key_dim=2, dtype=dtype)
    key = value if with_key else None
    outputs = layer(query, value, key, attention_mask=mask) | pk.dense(2, dtype=dtype)
    return Model([query, value, mask], outputs), layer


def test_the_graph_carries_the_mask_and_matches_the_array_call():
    model, layer = masked_model()
    node = layer.inbound_nodes[0]
    assert len(node.input_tensors) == 4 and node.input_tensors[1] is node.input_tensors[2]
    query, value, mask = data()
    expected = model.get_layer(index=-1)(layer(query, value, attention_mask=mask))
    np.testing.assert_allclose(model.predict([query, value, mask], verbose=0), expected, rtol=1e-6, atol=1e-6)
    unmasked = model.predict([query, value, np.ones_like(mask)], verbose=0)
    assert np.abs(unmasked - expected).max() > 1e-3  # the mask changes the result


def test_gradients_flow_to_query_and_value_but_not_the_mask():
    model, _ = masked_model("float64")
    query, value, mask = data()
    result = check_gradients(model, [query, value, mask])
    assert result, result
    model.compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit([query, value, mask], np.zeros((2, 3, 2)), epochs=1, batch_size=2, verbose=0)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(before, model.get_weights()))
    with recording():
        outputs, _, tape = model.run_forward([query, value, mask])
    grads = model.run_backward(tape, [np.ones_like(outputs[0])], need_input_grads=True)
    assert grads[0] is not None and grads[1] is not None and grads[2] is None


@pytest.mark.parametrize("suffix", [".pkeras", ".keras"])
def test_save_and_load_keep_the_mask(tmp_path, suffix):
    model, _ = masked_model(with_key=True)
    query, value, mask = data()
    path = str(tmp_path / f"masked{suffix}")
    model.save(path)
    loaded = pk.load_model(path)
    np.testing.assert_allclose(loaded.predict([query, value, mask], verbose=0),
                               model.predict([query, value, mask], verbose=0), rtol=1e-6, atol=1e-7)
    if suffix == ".keras":
        config = json.loads(zipfile.ZipFile(path).read("config.json"))
        node = next(l for l in config["config"]["layers"] if l["class_name"] == "MultiHeadAttention")
        call = node["inbound_nodes"][0]
        assert len(call["args"]) == 2 and call["kwargs"]["attention_mask"]["class_name"] == "__keras_tensor__"


def test_a_mask_of_the_wrong_shape_is_named():
    query, value = Input(shape=(3, 5)), Input(shape=(4, 5))
    with pytest.raises(ShapeError, match=r"multi_head_attention.*attention_mask must have shape \(None, 3, 4\) "
                                         r"\(batch, query steps, key steps.*received \(None, 4, 3\)"):
        MultiHeadAttention(2, 2)(query, value, attention_mask=Input(shape=(4, 3), dtype="bool"))


def test_a_mask_with_an_axis_of_size_one_broadcasts_as_in_keras():
    query, value = Input(shape=(3, 5)), Input(shape=(4, 5))
    mask = Input(shape=(1, 4), dtype="bool")
    layer = MultiHeadAttention(num_heads=1, key_dim=2)
    model = Model([query, value, mask], layer(query, value, attention_mask=mask))
    q, v, full = data()
    keys = full[:, :1, :]
    np.testing.assert_allclose(model.predict([q, v, keys], verbose=0),
                               layer(q, v, attention_mask=np.repeat(keys, 3, axis=1)), rtol=1e-6, atol=1e-6)


def test_a_keras_model_with_a_symbolic_attention_mask_loads_and_predicts():
    arrays = np.load(os.path.join(FIXTURES, "attention_mha_mask.npz"))
    model = pk.load_model(os.path.join(FIXTURES, "attention_mha_mask.keras"))
    predicted = model.predict([arrays["query"], arrays["value"], arrays["mask"]], verbose=0)
    np.testing.assert_allclose(predicted, arrays["y"], atol=1e-5)
