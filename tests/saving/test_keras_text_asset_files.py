"""Keras-written `.keras` files with adapted TextVectorization, StringLookup and IntegerLookup layers, whose
vocabularies Keras keeps under assets/ and whose tf-idf weights it keeps in model.weights.h5: they load and
predict as Keras does, pipekeras's `.keras` files keep the same layout, adapt() gives Keras's vocabulary, and
malformed assets are refused naming the entry (string_lookup_padded_tf_idf is a file Keras 3.15 itself cannot
load: it pads the idf weights it writes). Fixtures: tests/fixtures/make_text_assets_fixtures.py (which
also checks, with TensorFlow, that Keras loads pipekeras-written files and predicts the same)."""

import io
import json
import pathlib
import sys
import zipfile

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import SavingError

FIXTURES = pathlib.Path(__file__).parents[1] / "fixtures"
IO = np.load(FIXTURES / "text_assets_io.npz")
NAMES = sorted({key.split("/")[0] for key in IO.files})
sys.path.insert(0, str(FIXTURES))
import make_text_assets_fixtures as made  # noqa: E402

sys.path.remove(str(FIXTURES))


def _x(name):
    x = IO[f"{name}/x"]
    return x.astype(object) if x.dtype.kind == "U" else x


def _first(model):
    return next(layer for layer in model.layers if type(layer).__name__ != "InputLayer")


def _same(got, want):
    got = np.asarray(got)
    assert got.shape == want.shape
    if want.dtype.kind in "iu":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_its_vocabulary_and_predicts_as_keras(name):
    model = pk.load_model(FIXTURES / f"text_assets_{name}.keras")
    layer = _first(model)
    if f"{name}/vocab" in IO:
        assert [str(t) for t in layer.get_vocabulary()] == list(IO[f"{name}/vocab"])
    _same(layer(_x(name)), IO[f"{name}/encoded"])
    _same(model.predict(_x(name), verbose=0), IO[f"{name}/pred"])


ADAPTED = {
    "tv_int": lambda: pk.text_vectorization(max_tokens=14, output_sequence_length=6, ngrams=2),
    "tv_multi_hot": lambda: pk.text_vectorization(max_tokens=10, output_mode="multi_hot"),
    "tv_count": lambda: pk.text_vectorization(output_mode="count", ngrams=(1, 3)),
    "tv_tf_idf": lambda: pk.text_vectorization(max_tokens=12, output_mode="tf_idf", ngrams=2),
    "string_lookup": lambda: pk.string_lookup(mask_token="[MASK]"),
    "string_lookup_multi_hot": lambda: pk.string_lookup(output_mode="multi_hot", max_tokens=4),
    "integer_lookup": lambda: pk.integer_lookup(num_oov_indices=2, mask_token=0, oov_token=-7),
    "integer_lookup_count": lambda: pk.integer_lookup(output_mode="count"),
    "integer_lookup_masked_multi_hot": lambda: pk.integer_lookup(mask_token=0, output_mode="multi_hot"),
    "string_lookup_oov3": lambda: pk.string_lookup(num_oov_indices=3),
    "string_lookup_padded_tf_idf": lambda: pk.string_lookup(output_mode="tf_idf", max_tokens=8, pad_to_max_tokens=True),
}


@pytest.mark.parametrize("name", sorted(ADAPTED))
def test_adapt_learns_the_vocabulary_keras_learns(name):
    data = made.SENTENCES if name.startswith("tv_") else np.array(made.WORDS if "string" in name else made.NUMBERS)
    layer = ADAPTED[name]().adapt(data)
    assert [str(t) for t in layer.get_vocabulary()] == list(IO[f"{name}/vocab"])
    _same(layer(_x(name)), IO[f"{name}/encoded"])


@pytest.mark.parametrize("name", ["tv_tf_idf", "integer_lookup", "string_lookup_multi_hot"])
def test_pipekeras_writes_keras_assets_layout_and_reads_it_back(name, tmp_path):
    model = pk.load_model(FIXTURES / f"text_assets_{name}.keras")
    path = tmp_path / "again.keras"
    model.save(path)
    with zipfile.ZipFile(path) as archive:
        original = zipfile.ZipFile(FIXTURES / f"text_assets_{name}.keras")
        assets = sorted(n for n in archive.namelist() if n.startswith("assets/"))
        assert assets == sorted(n for n in original.namelist() if n.startswith("assets/"))
        for entry in assets:
            assert archive.read(entry) == original.read(entry)
        layers = json.loads(archive.read("config.json"))["config"]["layers"]
        entry = next(l for l in layers if l["class_name"] in ("TextVectorization", "StringLookup", "IntegerLookup"))
        assert entry["config"]["vocabulary"] is None and entry["config"]["idf_weights"] is None
    _same(pk.load_model(path).predict(_x(name), verbose=0), IO[f"{name}/pred"])


def _tampered(tmp_path, name, change):
    """The fixture `name` with its zip entries changed by `change(entries)` (a dict name -> bytes)."""
    with zipfile.ZipFile(FIXTURES / f"text_assets_{name}.keras") as archive:
        entries = {n: archive.read(n) for n in archive.namelist()}
    change(entries)
    path = tmp_path / f"{name}.keras"
    with zipfile.ZipFile(path, "w") as archive:
        for entry, data in entries.items():
            archive.writestr(entry, data)
    return path


def _set(entry, data):
    return lambda entries: entries.__setitem__(entry, data)


VOCAB = "assets/layers/{}/vocabulary.txt"


@pytest.mark.parametrize("name, change, message", [
    ("tv_int", lambda e: e.pop(VOCAB.format("text_vectorization")), "vocabulary.txt is missing"),
    ("tv_int", _set(VOCAB.format("text_vectorization"), b"\xff\xfe"), "is not UTF-8"),
    ("tv_int", _set(VOCAB.format("text_vectorization"), b"\n\n"), "holds no tokens"),
    ("tv_int", _set(VOCAB.format("text_vectorization"), b"\n[UNK]\na\nb"), "holds 4 tokens.*vocabulary_size=14"),
    ("integer_lookup", _set(VOCAB.format("integer_lookup"), b"0\n-7\n-7\n7\nseven\n12\n5\n42"),
     "line 5 .*'seven', not an integer"),
    ("integer_lookup_count", _set(VOCAB.format("integer_lookup"), b"-1\n7\n3\n7\n5\n42"), "repeats the token 7"),
    ("integer_lookup_count", _set(VOCAB.format("integer_lookup"), b"0\n7\n3\n12\n5\n42"),
     r"does not start with the special tokens \[-1\].*starts with \[0\]"),
    ("string_lookup", _set(VOCAB.format("string_lookup"), b"[MASK]\n[UNK]\nred\nblue\ngreen\nyellow\nx\ny"),
     "holds 8 tokens.*vocabulary_size=6"),
])
def test_malformed_vocabularies_are_refused_naming_the_entry(tmp_path, name, change, message):
    path = _tampered(tmp_path, name, change)
    with pytest.raises(SavingError, match=message) as caught:
        pk.load_model(path)
    assert str(path) in str(caught.value)


def _with_idf(value):
    h5py = pytest.importorskip("h5py")

    def change(entries):
        buffer = io.BytesIO(entries["model.weights.h5"])
        with h5py.File(buffer, "r+") as file:
            group = file["layers/text_vectorization/vars"]
            del group["idf_weights"]
            if value is not None:
                group.create_dataset("idf_weights", data=value)
        entries["model.weights.h5"] = buffer.getvalue()
    return change


@pytest.mark.parametrize("value, message", [
    (None, "idf_weights is missing"),
    (np.ones(5, np.float32), r"has shape \(5,\).*needs 12 float weights"),
    (np.full(12, np.nan, np.float32), "NaN or infinite"),
])
def test_malformed_idf_weights_are_refused(tmp_path, value, message):
    with pytest.raises(SavingError, match=message):
        pk.load_model(_tampered(tmp_path, "tv_tf_idf", _with_idf(value)))


def test_a_token_with_a_line_break_cannot_go_into_a_keras_vocabulary_file(tmp_path):
    layer = pk.string_lookup(vocabulary=["a", "b\nc"], input_shape=(1,))
    model = pk.sequential() | layer | pk.dense(1)
    with pytest.raises(SavingError, match="line break.*Save to .pkeras"):
        model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.pkeras")
    assert pk.load_model(tmp_path / "m.pkeras").layers[0].get_vocabulary() == ["[UNK]", "a", "b\nc"]


def test_a_layer_without_vocabulary_writes_the_special_tokens_as_keras(tmp_path):
    model = pk.sequential() | pk.text_vectorization(output_sequence_length=3) | pk.embedding(5, 2)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        assert archive.read(VOCAB.format("text_vectorization")) == b"\n[UNK]"
    again = pk.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(again.layers[0](np.array(["a b"], dtype=object)), [[1, 1, 0]])
