"""Training numbers against Keras 3 (tests/fixtures/keras_parity.npz, made by make_parity_fixtures.py)."""

import os

import numpy as np
import pytest

import pipekeras as pk

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_parity.npz"))


def _arrays(prefix):
    items = sorted((int(k[len(prefix):]), k) for k in FIXTURES.files if k.startswith(prefix))
    return [FIXTURES[k] for _, k in items]


def _masked_model():
    model = pk.sequential() | pk.embedding(10, 4, mask_zero=True, input_shape=(6,)) | \
        pk.lstm(5, return_sequences=True) | pk.time_distributed(pk.dense(3, activation="softmax"))
    model.compile(pk.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights(_arrays("masked/w"))
    return model


def test_output_mask_restricts_loss_and_accuracy_to_unmasked_timesteps():
    model = _masked_model()
    x, y = FIXTURES["masked/x"], FIXTURES["masked/y"]
    logs = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose([logs["loss"], logs["accuracy"]], FIXTURES["masked/eval"], rtol=1e-5)


def test_training_on_masked_outputs_follows_keras():
    model = _masked_model()
    logs = model.train_on_batch(FIXTURES["masked/x"], FIXTURES["masked/y"], return_dict=True)
    # Keras on JAX drops the mask of the training step's outputs before its metrics (its evaluate keeps it,
    # as the TensorFlow backend does in both): the accuracy here is the masked one, as in evaluate
    np.testing.assert_allclose(logs["loss"], FIXTURES["masked/step"][0], rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], FIXTURES["masked/eval"][1], rtol=1e-5)
    for got, want in zip(model.get_weights(), _arrays("masked/after")):
        np.testing.assert_allclose(got, want, atol=2e-6)


def test_fully_masked_batch_gives_zero_loss_not_nan():
    model = _masked_model()
    logs = model.evaluate(np.zeros((2, 6), "int32"), np.zeros((2, 6), "int32"), verbose=0)
    assert logs["loss"] == 0.0 and np.isfinite(logs["accuracy"])
