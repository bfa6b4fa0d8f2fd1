"""Saving and loading: the native .pkeras format, weights files, JSON, and what bad input gets."""

import io
import json
import os
import subprocess
import sys
import textwrap
import warnings
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError, PipeKerasError, SavingError, ShapeError
from pipekeras.saving import (MODEL_FORMAT_VERSION, clone_model, load_model, load_weights, model_from_json,
                              model_to_json, save_model, save_weights, serialize_model, unserialize_model)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


# ----------------------------------------------------------------------------------- models

def sequential_model():
    model = (pk.sequential(name="seq")
             | pk.Reshape((4, 3), input_shape=(12,))
             | pk.Permute((2, 1))
             | pk.Flatten()
             | pk.dense(16, "relu")
             | pk.dropout(0.25)
             | pk.RepeatVector(2)
             | pk.Flatten()
             | pk.dense(3, "softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def functional_model():
    a = pk.Input(shape=6, name="a")
    b = pk.Input(shape=(2, 3), name="b")
    shared = pk.Dense(5, activation="tanh", name="shared")
    left = shared(a)
    right = shared(pk.Reshape((6,), name="flat_b")(b))
    merged = pk.concatenate([left, right], name="concat")
    summed = pk.add([left, right], name="sum")
    hidden = pk.Dropout(0.1, name="drop")(merged)
    out1 = pk.Dense(2, activation="softmax", name="out1")(hidden)
    out2 = pk.Dense(1, name="out2")(pk.multiply([summed, summed], name="square"))
    model = pk.Model([a, b], [out1, out2], name="func")
    model.compile(optimizer=pk.optimizers.RMSprop(learning_rate=0.01), loss=["categorical_crossentropy", "mse"],
                  metrics={"out1": ["accuracy"], "out2": ["mae"]}, loss_weights=[1.0, 0.5])
    return model


def functional_data(n=16):
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(n, 6)).astype("float32"), rng.normal(size=(n, 2, 3)).astype("float32")]
    y = [np.eye(2, dtype="float32")[rng.integers(0, 2, n)], rng.normal(size=(n, 1)).astype("float32")]
    return x, y


def sequential_data(n=16):
    rng = np.random.default_rng(2)
    return rng.normal(size=(n, 12)).astype("float32"), np.eye(3, dtype="float32")[rng.integers(0, 3, n)]


def spatial_models():
    """Models with the convolutional, pooling, recurrent and embedding families, where they exist."""
    models = []
    if all(hasattr(pk, n) for n in ("Conv2D", "MaxPooling2D", "GlobalAveragePooling2D")):
        model = pk.Sequential([pk.Conv2D(4, 3, activation="relu", padding="same", input_shape=(8, 8, 2)),
                               pk.MaxPooling2D(2), pk.Conv2D(3, 2), pk.GlobalAveragePooling2D(), pk.Dense(2)],
                              name="convnet")
        x = np.random.default_rng(3).normal(size=(5, 8, 8, 2)).astype("float32")
        models.append((model, x))
    if all(hasattr(pk, n) for n in ("Embedding", "LSTM", "GRU", "SimpleRNN", "Conv1D")):
        tokens = pk.Input(shape=7, dtype="int32", name="tokens")
        h = pk.Embedding(20, 6, name="emb")(tokens)
        h = pk.Conv1D(5, 3, padding="same", name="c1")(h)
        h = pk.LSTM(4, return_sequences=True, name="lstm")(h)
        h = pk.GRU(3, return_sequences=True, name="gru")(h)
        h = pk.SimpleRNN(2, name="rnn")(h)
        model = pk.Model(tokens, pk.Dense(1, name="head")(h), name="recurrent")
        x = np.random.default_rng(4).integers(0, 20, size=(5, 7)).astype("int32")
        models.append((model, x))
    return models


def assert_same_predictions(model, loaded, x):
    expected, received = model.predict(x), loaded.predict(x)
    if not isinstance(expected, list):
        expected, received = [expected], [received]
    for e, r in zip(expected, received):
        np.testing.assert_array_equal(e, r)


# ----------------------------------------------------------------------------- round trips

def test_save_then_load_in_a_fresh_process_predicts_the_same(tmp_path):
    seq = sequential_model()
    xs, ys = sequential_data()
    seq.fit(xs, ys, epochs=1, batch_size=8, verbose=0)
    func = functional_model()
    xf, yf = functional_data()
    func.fit(xf, yf, epochs=1, batch_size=8, verbose=0)
    cases = [("seq", seq, [xs]), ("func", func, xf)] + \
        [(m.name, m, [x]) for m, x in spatial_models()]
    for name, model, x in cases:
        model.save(tmp_path / f"{name}.pkeras")
        for i, array in enumerate(x):
            np.save(tmp_path / f"{name}_x{i}.npy", array)
    script = textwrap.dedent("""
        import sys, numpy as np
        from pathlib import Path
        from pipekeras.saving import load_model
        folder = Path(sys.argv[1])
        for name in sys.argv[2:]:
            model = load_model(folder / f"{name}.pkeras")
            xs = [np.load(p) for p in sorted(folder.glob(f"{name}_x*.npy"))]
            out = model.predict(xs if len(xs) > 1 else xs[0])
            for i, o in enumerate(out if isinstance(out, list) else [out]):
                np.save(folder / f"{name}_y{i}.npy", o)
            print(name, model.compiled, getattr(getattr(model, "optimizer", None), "iterations", None))
    """)
    env = {**os.environ, "PYTHONPATH": REPO + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)] + [c[0] for c in cases],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "seq True 2" in done.stdout and "func True 2" in done.stdout
    for name, model, x in cases:
        expected = model.predict(x if len(x) > 1 else x[0])
        expected = expected if isinstance(expected, list) else [expected]
        for i, e in enumerate(expected):
            np.testing.assert_array_equal(np.load(tmp_path / f"{name}_y{i}.npy"), e)


def test_loaded_model_keeps_compile_state(tmp_path):
    model = functional_model()
    path = save_model(model, tmp_path / "m.pkeras")
    loaded = load_model(path)
    assert loaded.compiled and loaded.metrics_names == model.metrics_names
    assert loaded.loss_weights == [1.0, 0.5]
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.get_config() == model.optimizer.get_config()
    assert [type(l) for l in loaded.loss_functions] == [type(l) for l in model.loss_functions]
    uncompiled = load_model(path, compile=False)
    assert not uncompiled.compiled


def test_save_without_optimizer_and_uncompiled_models(tmp_path):
    model = sequential_model()
    loaded = load_model(save_model(model, tmp_path / "m.pkeras", include_optimizer=False))
    assert not loaded.compiled
    bare = pk.sequential() | pk.dense(3, input_shape=2)
    loaded = load_model(save_model(bare, tmp_path / "bare.pkeras"))
    assert not loaded.compiled
    assert_same_predictions(bare, loaded, np.ones((2, 2), "float32"))


@pytest.mark.parametrize("optimizer", [
    "adam", "nadam", "adagrad", "adadelta", "adamax",
    pk.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    pk.optimizers.AdamW(learning_rate=0.01, weight_decay=0.01),
])
def test_fit_resumes_exactly_after_load(tmp_path, optimizer):
    x, y = functional_data(24)

    def fresh():
        pk.clear_session()
        pk.set_seed(7)
        model = functional_model()
        model.compile(optimizer=pk.optimizers.get(optimizer) if isinstance(optimizer, str) else
                      pk.optimizers.deserialize(pk.optimizers.serialize(optimizer)),
                      loss=["categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5])
        return model

    # The model has dropout: both runs reseed at epoch 2, so they draw the same masks after it.
    uninterrupted = fresh()
    uninterrupted.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    pk.set_seed(11)
    uninterrupted.fit(x, y, epochs=4, initial_epoch=2, batch_size=8, shuffle=False, verbose=0)

    first = fresh()
    first.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    first.save(tmp_path / "half.pkeras")
    del first
    resumed = load_model(tmp_path / "half.pkeras")
    assert resumed.optimizer.iterations == 6
    pk.set_seed(11)
    resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=8, shuffle=False, verbose=0)
    assert resumed.optimizer.iterations == uninterrupted.optimizer.iterations
    for a, b in zip(uninterrupted.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_serialize_model_round_trips_bytes():
    model = sequential_model()
    data = serialize_model(model)
    assert isinstance(data, bytes) and zipfile.is_zipfile(io.BytesIO(data))
    assert serialize_model(model) == data  # deterministic
    x, _ = sequential_data()
    assert_same_predictions(model, unserialize_model(data), x)
    with pytest.raises(SavingError, match="expected bytes"):
        unserialize_model("not bytes")


def test_file_has_no_pickle_and_documented_layout(tmp_path):
    model = functional_model()
    path = save_model(model, tmp_path / "m.pkeras")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        config = json.loads(archive.read("config.json"))
        for name in names:
            if name.endswith(".npy"):
                np.load(io.BytesIO(archive.read(name)), allow_pickle=False)
    assert names[0] == "config.json"
    assert all(n == "config.json" or n.endswith(".npy") for n in names)
    assert config["format"] == "pipekeras-model" and config["format_version"] == MODEL_FORMAT_VERSION
    assert config["class_name"] == "Model"
    assert config["compile_config"]["optimizer"]["class_name"] == "RMSprop"
    assert sorted(l["name"] for l in config["layers"]) == ["out1", "out2", "shared"]
    assert sum(len(l["weights"]) for l in config["layers"]) == len(model.get_weights())


def test_model_to_json_and_back():
    model = functional_model()
    text = model.to_json()
    assert json.loads(text)["class_name"] == "Model"
    rebuilt = model_from_json(text)
    assert [l.name for l in rebuilt.layers] == [l.name for l in model.layers]
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]
    assert not rebuilt.compiled
    assert json.loads(model_to_json(model, indent=2)) == json.loads(text)


def test_clone_model_has_same_architecture_and_fresh_weights():
    model = sequential_model()
    clone = clone_model(model)
    assert clone is not model and [type(l) for l in clone.layers] == [type(l) for l in model.layers]
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    clone.set_weights(model.get_weights())
    x, _ = sequential_data()
    assert_same_predictions(model, clone, x)


def test_custom_loss_and_layer_through_custom_objects(tmp_path):
    def half_mse(y_true, y_pred):
        return 0.5 * np.mean((y_true - y_pred) ** 2, axis=-1)

    model = pk.sequential() | pk.dense(2, input_shape=3)
    model.compile(optimizer="sgd", loss=half_mse)
    path = model.save(tmp_path / "custom.pkeras")
    with pytest.raises(ConfigError, match="half_mse.*custom_objects"):
        load_model(path)
    loaded = load_model(path, custom_objects={"half_mse": half_mse})
    assert loaded.loss_functions[0].name == "half_mse"
    assert not load_model(path, compile=False).compiled


# ----------------------------------------------------------------------------------- weights

def renamed_model(names, units=(5, 3)):
    return (pk.sequential() | pk.dense(units[0], "relu", input_shape=4, name=names[0])
            | pk.dense(units[1], name=names[1]))


@pytest.mark.parametrize("suffix", [".pkweights", ".npz", ".pkeras"])
def test_weights_by_order(tmp_path, suffix):
    source = renamed_model(["a", "b"])
    target = renamed_model(["c", "d"])
    path = tmp_path / f"w{suffix}"
    if suffix == ".pkeras":
        source.save(path)
    else:
        source.save_weights(path)
    target.load_weights(path)
    assert_same_predictions(source, target, np.ones((2, 4), "float32"))


def test_npz_weights_are_plain_numpy(tmp_path):
    model = renamed_model(["a", "b"])
    path = tmp_path / "w.npz"
    model.save_weights(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = [archive[f"arr_{i}"] for i in range(len(archive.files))]
    assert [a.shape for a in arrays] == [w.shape for w in model.get_weights()]
    with pytest.raises(ConfigError, match="by_name"):
        model.load_weights(path, by_name=True)


def test_weights_by_name_loads_matching_layers_only(tmp_path):
    source = renamed_model(["a", "b"])
    source.save_weights(tmp_path / "w.pkweights")
    target = pk.sequential() | pk.dense(5, "relu", input_shape=4, name="a") | pk.dense(7, name="other")
    before_other = target.get_layer("other").get_weights()
    target.load_weights(tmp_path / "w.pkweights", by_name=True)
    for a, b in zip(target.get_layer("a").get_weights(), source.get_layer("a").get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(target.get_layer("other").get_weights(), before_other):
        np.testing.assert_array_equal(a, b)


def test_skip_mismatch_warns_and_skips(tmp_path):
    source = renamed_model(["a", "b"])
    source.save_weights(tmp_path / "w.pkweights")
    target = renamed_model(["a", "b"], units=(5, 6))
    before = target.get_layer("b").get_weights()
    with pytest.warns(UserWarning, match=r"layer 'b' \(Dense\) expects 2 weight\(s\) with shapes \[\(5, 6\), \(6,\)\]"):
        target.load_weights(tmp_path / "w.pkweights", by_name=True, skip_mismatch=True)
    np.testing.assert_array_equal(target.get_layer("a").get_weights()[0], source.get_layer("a").get_weights()[0])
    np.testing.assert_array_equal(target.get_layer("b").get_weights()[0], before[0])
    target2 = renamed_model(["x", "y"], units=(5, 6))
    with pytest.warns(UserWarning, match="skipping"):
        target2.load_weights(tmp_path / "w.pkweights", skip_mismatch=True)
    np.testing.assert_array_equal(target2.get_layer("x").get_weights()[0], source.get_layer("a").get_weights()[0])


def test_mismatched_weights_raise_and_leave_the_model_unchanged(tmp_path):
    source = renamed_model(["a", "b"])
    source.save_weights(tmp_path / "w.pkweights")
    target = renamed_model(["a", "b"], units=(5, 6))
    before = target.get_weights()
    with pytest.raises(ShapeError, match=r"layer 'b' \(Dense\) expects 2 weight\(s\) with shapes \[\(5, 6\), "
                                         r"\(6,\)\], the file holds 2 with shapes \[\(5, 3\), \(3,\)\]"):
        target.load_weights(tmp_path / "w.pkweights")
    for a, b in zip(before, target.get_weights()):  # layer 'a' matched, but nothing was assigned
        np.testing.assert_array_equal(a, b)
    three = pk.sequential() | pk.dense(5, input_shape=4) | pk.dense(3) | pk.dense(1)
    with pytest.raises(ShapeError, match=r"holds weights for 2 layer\(s\) \['a', 'b'\].*has 3 layer\(s\)"):
        three.load_weights(tmp_path / "w.pkweights")
    source.save_weights(tmp_path / "w.npz")
    with pytest.raises(ShapeError, match="holds 4 arrays"):
        three.load_weights(tmp_path / "w.npz")


def test_load_weights_into_unbuilt_model_is_explained(tmp_path):
    renamed_model(["a", "b"]).save_weights(tmp_path / "w.pkweights")
    with pytest.raises(ConfigError, match="not built"):
        (pk.sequential() | pk.dense(5) | pk.dense(3)).load_weights(tmp_path / "w.pkweights")


def test_model_checkpoint_writes_loadable_files(tmp_path):
    from pipekeras.callbacks import ModelCheckpoint

    model = sequential_model()
    x, y = sequential_data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "m{epoch}.pkeras")),
                         ModelCheckpoint(str(tmp_path / "w{epoch}.pkweights"), save_weights_only=True)])
    loaded = load_model(tmp_path / "m2.pkeras")
    assert loaded.optimizer.iterations == model.optimizer.iterations
    assert_same_predictions(model, loaded, x)
    clone = clone_model(model)
    clone.load_weights(tmp_path / "w2.pkweights")
    assert_same_predictions(model, clone, x)


# -------------------------------------------------------------------------------- bad input

def test_missing_file_and_directory_paths(tmp_path):
    model = renamed_model(["a", "b"])
    with pytest.raises(SavingError, match="no such file"):
        load_model(tmp_path / "absent.pkeras")
    with pytest.raises(SavingError, match="does not exist"):
        model.save(tmp_path / "no" / "such" / "dir" / "m.pkeras")
    with pytest.raises(SavingError, match="does not exist"):
        model.save_weights(tmp_path / "no" / "w.pkweights")
    with pytest.raises(SavingError, match="is a directory"):
        model.save(tmp_path)
    with pytest.raises(SavingError, match="is a directory"):
        load_model(tmp_path)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(SavingError, match="Cannot write"):
            renamed_model(["a", "b"]).save(folder / "m.pkeras")
    finally:
        folder.chmod(0o700)


def test_failed_save_leaves_the_existing_file(tmp_path, monkeypatch):
    model = renamed_model(["a", "b"])
    path = model.save(tmp_path / "m.pkeras")
    before = open(path, "rb").read()
    original = model.get_config
    monkeypatch.setattr(model, "get_config", lambda: {**original(), "bad": object()})
    with pytest.raises(SavingError, match="cannot be written as JSON"):
        model.save(path)
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.pkeras"]  # no temporary file left behind


def test_atomic_write_failure_mid_write_keeps_old_file(tmp_path, monkeypatch):
    from pipekeras.saving import archive

    model = renamed_model(["a", "b"])
    path = model.save(tmp_path / "m.pkeras")
    before = open(path, "rb").read()

    def exploding_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", exploding_replace)
    with pytest.raises(SavingError, match="No space left"):
        archive.write_file(path, b"new content")
    monkeypatch.undo()
    assert open(path, "rb").read() == before
    assert os.listdir(tmp_path) == ["m.pkeras"]


def test_truncated_and_foreign_files(tmp_path):
    model = sequential_model()
    data = serialize_model(model)
    for name, content in [("truncated", data[: len(data) // 2]), ("empty", b""), ("text", b"hello world\n"),
                          ("tail", data[-100:])]:
        path = tmp_path / f"{name}.pkeras"
        path.write_bytes(content)
        with pytest.raises(SavingError, match="not a readable model file|truncated|corrupted"):
            load_model(path)
        with pytest.raises(SavingError):
            model.load_weights(path)
    foreign = io.BytesIO()
    with zipfile.ZipFile(foreign, "w") as z:
        z.writestr("readme.txt", "hi")
    (tmp_path / "foreign.pkeras").write_bytes(foreign.getvalue())
    with pytest.raises(SavingError, match="not a model file"):
        load_model(tmp_path / "foreign.pkeras")
    model.save_weights(tmp_path / "w.pkweights")
    with pytest.raises(SavingError, match="holds only weights"):
        load_model(tmp_path / "w.pkweights")


def rewrite_config(data, change):
    """The bytes of a saved model whose config.json was changed by `change(config)`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "config.json":
                config = json.loads(content)
                change(config)
                content = json.dumps(config).encode()
            target.writestr(name, content)
    return out.getvalue()


def test_newer_format_version_says_upgrade():
    data = rewrite_config(serialize_model(sequential_model()), lambda c: c.update(format_version=99))
    with pytest.raises(SavingError, match=r"newer pipekeras \(format version 99.*Upgrade pipekeras"):
        unserialize_model(data)


def test_unknown_layer_classes_are_named():
    def rename(config):
        config["config"]["layers"][3]["class_name"] = "ConvLSTM3D"
        config["config"]["layers"][5]["class_name"] = "Dragon"

    data = rewrite_config(serialize_model(sequential_model()), rename)
    with pytest.raises(ConfigError, match=r"\[.ConvLSTM3D., .Dragon.\].*Keras has \['ConvLSTM3D'\] "
                                          r"but pipekeras does not implement it.*\['Dragon'\] is neither"):
        unserialize_model(data)


def test_lambda_layer_is_refused_without_running_code():
    text = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "Lambda", "config": {"name": "evil", "function": {
            "class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}}]}})
    with pytest.raises(ConfigError, match="'Lambda' layer.*never loads or runs code"):
        model_from_json(text)


def test_bad_json_and_wrong_weight_shapes_in_file():
    with pytest.raises(ConfigError, match="JSON is not valid"):
        model_from_json("{not json")
    with pytest.raises(ConfigError, match="class_name"):
        model_from_json("[1, 2]")

    def wrong_shape(config):
        config["config"]["layers"][0]["config"]["units"] = 6  # the saved kernel is (4, 5)

    data = rewrite_config(serialize_model(renamed_model(["a", "b"])), wrong_shape)
    with pytest.raises(ShapeError, match=r"layer 'a' \(Dense\) expects .*\(4, 6\).*\(4, 5\)"):
        unserialize_model(data)


def test_manifest_that_lies_about_shapes_is_caught():
    def lie(config):
        config["layers"][0]["weights"][0]["shape"] = [5, 4]

    data = rewrite_config(serialize_model(renamed_model(["a", "b"])), lie)
    with pytest.raises(SavingError, match="manifest says"):
        unserialize_model(data)


# ------------------------------------------------------------------------------- corruption

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_SAVED = {}


def _saved():
    if not _SAVED:
        pk.clear_session()
        pk.set_seed(0)
        model = renamed_model(["a", "b"])
        model.compile(optimizer="adam", loss="mse")
        x = np.linspace(-1, 1, 12, dtype="float32").reshape(3, 4)
        model.fit(x, np.zeros((3, 3), "float32"), epochs=1, verbose=0)
        _SAVED.update(model=model, x=x, data=serialize_model(model), weights=None)
        from pipekeras.saving.weights import weights_bytes

        _SAVED["weights"] = weights_bytes(model)
    return _SAVED


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_corrupted_files_load_identically_or_raise_library_errors(data):
    saved = _saved()
    which = data.draw(st.sampled_from(["data", "weights"]))
    content = bytearray(saved[which])
    action = data.draw(st.sampled_from(["flip", "truncate", "both"]))
    if action in ("flip", "both"):
        for _ in range(data.draw(st.integers(1, 4))):
            position = data.draw(st.integers(0, len(content) - 1))
            content[position] ^= data.draw(st.integers(1, 255))
    if action in ("truncate", "both"):
        content = content[: data.draw(st.integers(0, len(content) - 1))]
    model, x = saved["model"], saved["x"]
    try:
        if which == "data":
            loaded = unserialize_model(bytes(content))
        else:
            loaded = clone_model(model)
            from pipekeras.saving.weights import assign_weight_groups, read_groups_from_bytes

            assign_weight_groups(loaded, read_groups_from_bytes(bytes(content), "corrupted"))
    except PipeKerasError:
        return
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))


# ------------------------------------------------------------------------------ Keras files

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fixtures")
KERAS_MODELS = ["dense_net", "convnet", "lstm_net", "functional_net"]


def keras_fixture(name):
    xs = [np.load(os.path.join(FIXTURES, f"{name}_x{i}.npy")) for i in range(2)
          if os.path.exists(os.path.join(FIXTURES, f"{name}_x{i}.npy"))]
    ys = [np.load(os.path.join(FIXTURES, f"{name}_y{i}.npy")) for i in range(2)
          if os.path.exists(os.path.join(FIXTURES, f"{name}_y{i}.npy"))]
    return (xs if len(xs) > 1 else xs[0]), ys


def assert_predicts(model, x, ys):
    out = model.predict(x)
    out = out if isinstance(out, list) else [out]
    assert len(out) == len(ys)
    for o, y in zip(out, ys):
        np.testing.assert_allclose(o, y, rtol=1e-5, atol=1e-6)


def test_keras_fixtures_record_the_keras_version():
    with open(os.path.join(FIXTURES, "keras_fixtures.json")) as file:
        info = json.load(file)
    assert info["keras_version"].startswith("3.")
    assert set(info["files"]) == set(KERAS_MODELS)


@pytest.mark.parametrize("name", KERAS_MODELS)
@pytest.mark.parametrize("extension", [".keras", ".h5"])
def test_keras_model_files_predict_what_keras_predicted(name, extension):
    pytest.importorskip("h5py")
    x, ys = keras_fixture(name)
    model = load_model(os.path.join(FIXTURES, name + extension))
    assert model.compiled  # Keras' compile config (adam, mse) is used
    assert_predicts(model, x, ys)


@pytest.mark.parametrize("name", KERAS_MODELS)
def test_keras_weights_h5_loads_into_the_same_architecture(name):
    pytest.importorskip("h5py")
    x, ys = keras_fixture(name)
    model = load_model(os.path.join(FIXTURES, name + ".keras"), compile=False)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(os.path.join(FIXTURES, name + ".weights.h5"))
    assert_predicts(model, x, ys)


def test_keras_weights_into_a_model_built_in_pipekeras_with_other_names():
    pytest.importorskip("h5py")
    x, ys = keras_fixture("convnet")
    model = pk.Sequential([pk.Conv2D(4, 3, activation="relu", padding="same", input_shape=(8, 8, 2), name="c1"),
                           pk.MaxPooling2D(2, name="p"), pk.Conv2D(3, 2, name="c2"), pk.Flatten(name="f"),
                           pk.Dense(2, name="d")])
    model.load_weights(os.path.join(FIXTURES, "convnet.weights.h5"))  # matched by Keras' per-class keys
    assert_predicts(model, x, ys)
    wrong = pk.Sequential([pk.Dense(3, input_shape=(5,))])
    before = wrong.get_weights()
    with pytest.raises(ShapeError, match="conv2d"):
        wrong.load_weights(os.path.join(FIXTURES, "convnet.weights.h5"))
    np.testing.assert_array_equal(wrong.get_weights()[0], before[0])


def keras_config(name):
    with zipfile.ZipFile(os.path.join(FIXTURES, name + ".keras")) as archive:
        return json.loads(archive.read("config.json"))


def test_keras_json_builds_the_architecture_and_names_missing_layers():
    config = keras_config("functional_net")
    model = model_from_json(json.dumps(config))
    assert sorted(l.name for l in model.layers) == sorted(l["name"] for l in config["config"]["layers"])
    config["config"]["layers"][1]["class_name"] = "ConvLSTM3D"
    with pytest.raises(ConfigError, match=r"Keras has \['ConvLSTM3D'\] but pipekeras does not"):
        model_from_json(json.dumps(config))
    config["config"]["layers"][1]["class_name"] = "Lambda"
    with pytest.raises(ConfigError, match="never loads or runs code"):
        model_from_json(json.dumps(config))


def test_keras_option_pipekeras_lacks_is_named():
    config = keras_config("dense_net")
    config["config"]["layers"][1]["config"]["lora_rank"] = 4
    with pytest.raises(ConfigError, match=r"Keras layer 'dense' \(Dense\) has lora_rank=4"):
        model_from_json(json.dumps(config))


@pytest.mark.parametrize("name", ["dense_net.keras", "dense_net.h5", "dense_net.weights.h5"])
def test_corrupted_keras_files_raise_library_errors(tmp_path, name):
    pytest.importorskip("h5py")
    data = open(os.path.join(FIXTURES, name), "rb").read()
    model = load_model(os.path.join(FIXTURES, "dense_net.keras"), compile=False)
    for i, bad in enumerate([data[: len(data) // 2], data[:1000], data[:8] + bytes(200)]):
        path = tmp_path / f"{i}_{name}"
        path.write_bytes(bad)
        with pytest.raises(PipeKerasError):
            if name.endswith(".weights.h5"):
                model.load_weights(path)
            else:
                load_model(path)


def test_pipekeras_writes_keras_files_it_reads_back(tmp_path):
    pytest.importorskip("h5py")
    model = functional_model()
    x, _ = functional_data()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    assert_same_predictions(model, load_model(tmp_path / "m.keras"), x)
    clone = clone_model(model)
    clone.load_weights(tmp_path / "m.weights.h5")
    assert_same_predictions(model, clone, x)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.save(tmp_path / "m.h5")  # Keras 2's HDF5 model file: config, compile settings, weights
    loaded = load_model(tmp_path / "m.h5")
    assert_same_predictions(model, loaded, x)
    assert type(loaded.optimizer).__name__ == "Adam" and loaded.metrics_names[-1].endswith("mae")


def _keras_available():
    try:
        done = subprocess.run([sys.executable, "-c", "import keras"], capture_output=True, timeout=120,
                              env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.mark.skipif(not _keras_available(), reason="Keras 3 (with a working backend) is not installed")
def test_keras_loads_the_keras_files_pipekeras_writes(tmp_path):
    pytest.importorskip("h5py")
    cases = [(sequential_model(), [sequential_data()[0]]), (functional_model(), functional_data()[0])] + \
        [(m, [x]) for m, x in spatial_models()]
    for i, (model, xs) in enumerate(cases):
        model.save(tmp_path / f"m{i}.keras")
        model.save_weights(tmp_path / f"m{i}.weights.h5")
        out = model.predict(xs if len(xs) > 1 else xs[0])
        out = out if isinstance(out, list) else [out]
        np.savez(tmp_path / f"m{i}_io.npz", *xs, *out, nx=len(xs))
    script = textwrap.dedent("""
        import sys, numpy as np, keras
        folder, count = sys.argv[1], int(sys.argv[2])
        for i in range(count):
            model = keras.saving.load_model(f"{folder}/m{i}.keras")
            model.load_weights(f"{folder}/m{i}.weights.h5")
            d = np.load(f"{folder}/m{i}_io.npz"); nx = int(d["nx"])
            arrays = [d[f"arr_{j}"] for j in range(len(d.files) - 1)]
            out = model.predict(arrays[:nx] if nx > 1 else arrays[0], verbose=0)
            out = list(out) if isinstance(out, (list, tuple)) else [out]
            for o, y in zip(out, arrays[nx:]):
                np.testing.assert_allclose(np.asarray(o), y, rtol=1e-5, atol=1e-6)
            print("ok", i)
    """)
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path), str(len(cases))], capture_output=True,
                          text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("ok") == len(cases)
