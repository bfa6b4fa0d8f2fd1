"""Issue 20's layers against Keras 3.15: Keras files with them load, predict and take one SGD step as Keras
did (tests/fixtures/make_layers20_fixtures.py wrote the files and Keras's numbers)."""

import os

import numpy as np
import pytest

import pipekeras as pk

FIXTURES_DIR = os.path.join(os.path.dirname(__file__), "..", "fixtures")
FIXTURES = np.load(os.path.join(FIXTURES_DIR, "layers20.npz"))
MODELS = sorted({key.split("/")[0] for key in FIXTURES.files if key.endswith("/pred")})


@pytest.mark.parametrize("name", MODELS)
def test_keras_file_predicts_and_trains_one_step_as_keras(name):
    pytest.importorskip("h5py")
    model = pk.load_model(os.path.join(FIXTURES_DIR, f"layers20_{name}.keras"), compile=False,
                          safe_mode=False)  # a committed fixture: no child process
    x, y = FIXTURES[f"{name}/x"], FIXTURES[f"{name}/y"]
    np.testing.assert_allclose(model.predict(x, verbose=0), FIXTURES[f"{name}/pred"], atol=1e-5)
    model.compile(pk.optimizers.SGD(0.1), "mse")
    loss = model.train_on_batch(x, y)
    np.testing.assert_allclose(loss, FIXTURES[f"{name}/loss"], rtol=1e-5)
    after = [FIXTURES[f"{name}/after{i}"] for i in range(len(model.get_weights()))]
    for got, expected in zip(model.get_weights(), after):
        np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("case, layer, mask", [
    ("last", pk.Softmax(), "mask"), ("two_axes", pk.Softmax(axis=[1, 2]), "mask"),
    ("shared", pk.Softmax(), "shared_mask")])
def test_masked_softmax_matches_keras(case, layer, mask):
    x = FIXTURES["masked_softmax/x"]
    got = layer(x, mask=FIXTURES[f"masked_softmax/{mask}"])
    np.testing.assert_allclose(got, FIXTURES[f"masked_softmax/{case}"], atol=1e-6)
