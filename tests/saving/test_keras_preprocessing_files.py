"""Keras-written files with preprocessing layers (an adapted Normalization, Discretization, CategoryEncoding,
Rescaling): they load and predict as Keras does; the adapted statistics come from the file's weights.
Fixtures: tests/fixtures/make_preprocessing_fixtures.py."""

import pathlib

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, normalization, sequential

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures"


def test_keras_file_with_preprocessing_layers_loads_and_predicts_as_keras(tmp_path):
    io = np.load(FIXTURES / "preprocessing_io.npz")
    model = pk.load_model(FIXTURES / "preprocessing.keras")
    inputs = [io["numbers"], io["values"], io["pixels"]]
    np.testing.assert_allclose(model.predict(inputs, verbose=0), io["predicted"], rtol=1e-5, atol=1e-5)
    norm = model.get_layer("norm")
    np.testing.assert_allclose(norm.mean, io["mean"], rtol=1e-6)
    np.testing.assert_allclose(norm.variance, io["variance"], rtol=1e-6)
    path = tmp_path / "again.keras"
    model.save(path)
    np.testing.assert_allclose(pk.load_model(path).predict(inputs, verbose=0), io["predicted"], rtol=1e-5,
                               atol=1e-5)


def test_adapted_normalization_keeps_its_statistics_in_weights_as_keras(tmp_path):
    x = np.random.default_rng(0).normal(5.0, 2.0, size=(64, 3)).astype("float32")
    norm = normalization(input_shape=(3,)).adapt(x)
    assert [w.name.split("/")[-1] for w in norm.weights] == ["mean", "variance", "count"]
    assert norm.get_config()["mean"] is None  # learned statistics are weights, given ones config
    model = sequential() | norm | dense(1)
    model | compile(optimizer="sgd", loss="mse")
    for path in (tmp_path / "m.pkeras", tmp_path / "m.keras"):
        model.save(path)
        np.testing.assert_allclose(pk.load_model(path).predict(x[:4], verbose=0), model.predict(x[:4], verbose=0),
                                   rtol=1e-6)
