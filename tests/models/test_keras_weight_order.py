"""Model-level get_weights()/set_weights() in Keras's order: layer by layer (fixtures: keras_parity.npz)."""

import os

import numpy as np
import pytest

import pipekeras as pk

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_parity.npz"))


def _keras_weights(name):
    prefix = f"order_{name}/w"
    items = sorted((int(k[len(prefix):]), k) for k in FIXTURES.files if k.startswith(prefix))
    return [FIXTURES[k] for _, k in items]


def _model(name):
    if name == "bn_ln":
        return pk.sequential() | pk.dense(5, input_shape=(4,)) | pk.batch_normalization() | \
            pk.layer_normalization() | pk.dense(3)
    if name == "frozen":
        model = pk.sequential() | pk.dense(5, input_shape=(4,)) | pk.dense(5) | pk.dense(2)
        model.layers[0].trainable = False
        return model
    if name == "wrappers":
        return pk.sequential() | pk.bidirectional(pk.lstm(4, return_sequences=True), input_shape=(5, 3)) | \
            pk.time_distributed(pk.batch_normalization()) | pk.time_distributed(pk.dense(2))
    inner = pk.sequential(name="inner") | pk.dense(5, input_shape=(4,)) | pk.batch_normalization()
    a = pk.Input(shape=(4,))
    return pk.Model(a, a | pk.batch_normalization() | inner | pk.dense(2))


@pytest.mark.parametrize("name", ["bn_ln", "frozen", "wrappers", "nested"])
def test_keras_weights_set_in_keras_order_predict_as_keras(name):
    model = _model(name)
    weights = _keras_weights(name)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in weights]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)
    x = FIXTURES[f"order_{name}/x"]
    np.testing.assert_allclose(model.predict(x), FIXTURES[f"order_{name}/y"], atol=1e-5)


def test_freezing_a_layer_keeps_the_order():
    model = _model("bn_ln")
    before = [v.name for v in model.weights]
    model.layers[1].trainable = False
    model.layers[0].trainable = False
    assert [v.name for v in model.weights] == before
