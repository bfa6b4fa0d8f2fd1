"""A Keras .weights.h5 of a Bidirectional layer loads forward and backward into their own layers."""

import os

import numpy as np
import pytest

import pipekeras as pk

pytest.importorskip("h5py")
HERE = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURES = np.load(os.path.join(HERE, "keras_parity.npz"))


def test_bidirectional_weights_from_keras_predict_as_keras():
    model = pk.sequential() | pk.bidirectional(pk.lstm(4), input_shape=(5, 3)) | pk.dense(2)
    model.load_weights(os.path.join(HERE, "bidirectional.weights.h5"))
    np.testing.assert_allclose(model.predict(FIXTURES["bidirectional/x"]), FIXTURES["bidirectional/y"], atol=1e-5)
