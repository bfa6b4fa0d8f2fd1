"""Masking: the mask, the zeroed steps, the gradient, and a Keras file with a Masking layer (keras_parity.npz)."""

import os

import numpy as np
import pytest

import pipekeras as pk

FIXTURES_DIR = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURES = np.load(os.path.join(FIXTURES_DIR, "keras_parity.npz"))


def test_masking_zeroes_masked_steps_and_passes_the_mask():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [0.0, 3.0]]])
    layer = pk.Masking(0.0)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.compute_mask(x), [[True, False, True]])
    np.testing.assert_array_equal(pk.Masking(3.0)(x + 3.0), [[[4.0, 5.0], [0.0, 0.0], [3.0, 6.0]]])
    model = pk.sequential() | pk.masking(0.0, input_shape=(3, 2)) | pk.lstm(2, return_sequences=True)
    assert model.layers[0].output_mask.shape == (None, 3)


def test_masking_gradient_matches_central_differences():
    model = pk.sequential() | pk.masking(0.5, input_shape=(4, 3)) | pk.simple_rnn(2)
    x = np.random.default_rng(0).normal(size=(2, 4, 3))
    x[0, 2] = 0.5
    pk.check_gradients(model, x)


@pytest.mark.skipif(pytest.importorskip("h5py") is None, reason="needs h5py")
def test_keras_file_with_masking_predicts_and_evaluates_as_keras():
    model = pk.load_model(os.path.join(FIXTURES_DIR, "masking.keras"))
    np.testing.assert_allclose(model.predict(FIXTURES["masking/x"]), FIXTURES["masking/pred"], atol=1e-5)
    loss = model.evaluate(FIXTURES["masking/x"], FIXTURES["masking/y"], verbose=0)["loss"]
    np.testing.assert_allclose(loss, FIXTURES["masking/eval"], rtol=1e-5)


def test_keras_functional_file_with_mask_operations_loads_and_predicts_as_keras():
    """Keras 3 records the masks of Masking and Embedding(mask_zero=True) as NotEqual/Any graph nodes."""
    pytest.importorskip("h5py")
    model = pk.load_model(os.path.join(FIXTURES_DIR, "masking_functional.keras"))
    x = [FIXTURES["masking/x"], FIXTURES["masking_functional/ids"]]
    np.testing.assert_allclose(model.predict(x), FIXTURES["masking_functional/pred"], atol=1e-5)
