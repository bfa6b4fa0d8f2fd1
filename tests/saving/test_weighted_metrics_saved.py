"""compile(weighted_metrics=...) survives a .pkeras round trip (the compile config saves them), and files written
before they were saved still load."""

import json
import zipfile

import numpy as np

import pipekeras as pk


def _model():
    pk.set_seed(3)
    model = pk.sequential() | pk.dense(3, activation="softmax", input_shape=(4,))
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy", "mae"], weighted_metrics=["accuracy", "mse"])
    return model


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
    return x, y, rng.uniform(0.1, 2.0, 8).astype("float32")


def test_weighted_metrics_round_trip(tmp_path):
    model = _model()
    x, y, w = _data()
    path = tmp_path / "m.pkeras"
    model.save(path)
    loaded = pk.load_model(path)
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy", "mae", "weighted_accuracy", "mse"]
    want = model.evaluate(x, y, sample_weight=w, verbose=0)
    got = loaded.evaluate(x, y, sample_weight=w, verbose=0)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6)


def test_a_file_without_weighted_metrics_loads_with_none(tmp_path):
    path, old = tmp_path / "m.pkeras", tmp_path / "old.pkeras"
    _model().save(path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(old, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                del config["compile_config"]["weighted_metrics"]
                data = json.dumps(config).encode()
            target.writestr(item, data)
    assert pk.load_model(old).metrics_names == ["loss", "accuracy", "mae"]
