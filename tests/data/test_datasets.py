"""Dataset loaders: real files in ../shared/datasets (conftest sets PIPEKERAS_DATASETS), synthetic files in
Keras' layouts for the datasets not shipped here, and the missing-file / download paths."""

import gzip
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from pipekeras.datasets import _files, boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters
from pipekeras.errors import ConfigError, DataError

HAVE_REAL = os.path.isfile(os.path.join(os.environ.get("PIPEKERAS_DATASETS", ""), "imdb.npz"))
needs_real = pytest.mark.skipif(not HAVE_REAL, reason="real datasets not available")


# ---------------------------------------------------------------------------------------------- helpers

@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """An empty PIPEKERAS_DATASETS, an empty home (cache) and a download that always fails."""
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PIPEKERAS_DATASETS", str(datasets))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_files, "_trusted_by_user", set())

    def offline(url, fileobj):
        raise OSError(f"offline (test): {url}")

    monkeypatch.setattr(_files, "_download", offline)
    return datasets


def keras_reference(seq_parts, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Keras' documented algorithm, written plainly, on already-shuffled (sequences, labels) parts."""
    parts = []
    for seqs, labels in seq_parts:
        if start_char is not None:
            seqs = [[start_char] + [w + index_from for w in s] for s in seqs]
        else:
            seqs = [[w + index_from for w in s] for s in seqs]
        labels = list(labels)
        if maxlen:
            kept = [(s, y) for s, y in zip(seqs, labels) if len(s) < maxlen]
            seqs, labels = [s for s, _ in kept], [y for _, y in kept]
        parts.append((seqs, labels))
    if not num_words:
        num_words = max(max(s) for seqs, _ in parts for s in seqs)
    out = []
    for seqs, labels in parts:
        if oov_char is not None:
            seqs = [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs]
        else:
            seqs = [[w for w in s if skip_top <= w < num_words] for s in seqs]
        out.append((seqs, labels))
    return out


def object_array(lists):
    arr = np.empty(len(lists), dtype=object)
    for i, s in enumerate(lists):
        arr[i] = s
    return arr


def random_corpus(rng, n, vocab=40, max_len=12):
    return object_array([rng.integers(1, vocab, size=rng.integers(1, max_len)).tolist() for _ in range(n)])


# ---------------------------------------------------------------------------------------------- real data

@needs_real
def test_mnist_shapes_and_dtypes():
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and x_test.dtype == np.uint8
    assert y_test.shape == (10000,) and y_test.dtype == np.uint8
    assert set(np.unique(y_train)) == set(range(10))
    assert np.bincount(y_train)[1] == 6742


@needs_real
def test_boston_split_matches_keras():
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    assert y_train.shape == (404,) and y_test.shape == (102,)
    np.testing.assert_allclose(y_train[:5], [15.2, 42.3, 50.0, 21.1, 17.7])
    np.testing.assert_allclose(y_test[:5], [7.2, 18.8, 19.0, 27.0, 22.2])
    (a, _), (b, _) = boston_housing.load_data(test_split=0.5)
    assert len(a) == 253 and len(b) == 253


@needs_real
def test_imdb_num_words():
    (x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=1000)
    assert x_train.shape == (25000,) and x_test.shape == (25000,)
    assert x_train.dtype == object and isinstance(x_train[0], list)
    assert y_train.shape == (25000,) and int(y_train.sum()) == 12500 and int(y_test.sum()) == 12500
    for xs in (x_train, x_test):
        assert all(s[0] == 1 for s in xs)  # start_char
        assert max(max(s) for s in xs) == 999  # < num_words, and the cut is filled by oov_char
        assert min(min(s) for s in xs) == 1
        assert any(2 in s for s in xs[:50])
        assert sum(s.count(4) for s in xs[:100]) > 100  # "the" (rank 1) + index_from 3


@needs_real
def test_imdb_word_index_matches_ids():
    index = imdb.get_word_index()
    assert isinstance(index, dict) and len(index) > 80000
    assert index["the"] == 1 and index["film"] == 19


# ---------------------------------------------------------------------------------------------- imdb semantics

def write_imdb(directory, rng, n_train=60, n_test=50):
    x_train, x_test = random_corpus(rng, n_train), random_corpus(rng, n_test)
    y_train, y_test = rng.integers(0, 2, n_train), rng.integers(0, 2, n_test)
    np.savez(directory / "imdb.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    _files.trust_file(directory / "imdb.npz")  # object arrays: unpickled only from a trusted file
    return x_train, y_train, x_test, y_test


@pytest.mark.parametrize("kwargs", [
    {},
    {"num_words": 20},
    {"num_words": 20, "skip_top": 6, "maxlen": 8},
    {"maxlen": 6, "oov_char": None, "skip_top": 5},
    {"start_char": None, "index_from": 0, "num_words": 10},
    {"seed": 7, "start_char": 9, "oov_char": 3, "index_from": 5, "num_words": 30},
])
def test_imdb_semantics_match_keras_algorithm(data_dir, kwargs):
    rng = np.random.default_rng(1)
    x_train, y_train, x_test, y_test = write_imdb(data_dir, rng)
    args = dict(num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2, index_from=3)
    args.update(kwargs)
    generator = np.random.RandomState(args["seed"])
    order_train = np.arange(len(x_train))
    generator.shuffle(order_train)
    order_test = np.arange(len(x_test))
    generator.shuffle(order_test)
    expected = keras_reference(
        [(x_train[order_train], y_train[order_train]), (x_test[order_test], y_test[order_test])],
        args["num_words"], args["skip_top"], args["maxlen"], args["start_char"], args["oov_char"],
        args["index_from"])

    (a, b), (c, d) = imdb.load_data(**kwargs)
    assert a.dtype == object and c.dtype == object
    assert list(a) == expected[0][0] and list(b) == expected[0][1]
    assert list(c) == expected[1][0] and list(d) == expected[1][1]
    if args["maxlen"]:
        assert all(len(s) < args["maxlen"] for s in list(a) + list(c))


def test_imdb_bad_arguments(data_dir):
    with pytest.raises(ConfigError, match="num_words"):
        imdb.load_data(num_words=-5)
    with pytest.raises(ConfigError, match="maxlen"):
        imdb.load_data(maxlen=0)
    write_imdb(data_dir, np.random.default_rng(0))
    with pytest.raises(DataError, match="maxlen=1"):
        imdb.load_data(maxlen=1)


# ---------------------------------------------------------------------------------------------- synthetic files

def idx_gz(path, array, labels):
    header = (b"\x00\x00\x08\x01" + len(array).to_bytes(4, "big") if labels else
              b"\x00\x00\x08\x03" + len(array).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2)
    with gzip.open(path, "wb") as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def test_fashion_mnist_reads_keras_layout(data_dir):
    rng = np.random.default_rng(0)
    sub = data_dir / "fashion-mnist"
    sub.mkdir()
    x_tr, y_tr = rng.integers(0, 256, (30, 28, 28)), rng.integers(0, 10, 30)
    x_te, y_te = rng.integers(0, 256, (7, 28, 28)), rng.integers(0, 10, 7)
    idx_gz(sub / "train-labels-idx1-ubyte.gz", y_tr, True)
    idx_gz(sub / "train-images-idx3-ubyte.gz", x_tr, False)
    idx_gz(data_dir / "t10k-labels-idx1-ubyte.gz", y_te, True)  # also found without the subdirectory
    idx_gz(data_dir / "t10k-images-idx3-ubyte.gz", x_te, False)
    (a, b), (c, d) = fashion_mnist.load_data()
    assert a.shape == (30, 28, 28) and a.dtype == np.uint8 and b.dtype == np.uint8
    np.testing.assert_array_equal(a, x_tr)
    np.testing.assert_array_equal(b, y_tr)
    np.testing.assert_array_equal(c, x_te)
    np.testing.assert_array_equal(d, y_te)


def test_reuters_split_and_semantics(data_dir):
    rng = np.random.default_rng(2)
    xs, ys = random_corpus(rng, 50), rng.integers(0, 46, 50)
    np.savez(data_dir / "reuters.npz", x=xs, y=ys)
    _files.trust_file(data_dir / "reuters.npz")
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)
    [(seqs, labels)] = keras_reference([(xs[order], ys[order])], 25, 0, 10, 1, 2, 3)
    (a, b), (c, d) = reuters.load_data(num_words=25, maxlen=10, test_split=0.2)
    cut = int(len(seqs) * 0.8)
    assert list(a) == seqs[:cut] and list(c) == seqs[cut:]
    assert list(b) == labels[:cut] and list(d) == labels[cut:]
    assert len(reuters.get_label_names()) == 46


def cifar_batch(rng, n):
    return {b"data": rng.integers(0, 256, (n, 3072)).astype(np.uint8), b"labels": rng.integers(0, 10, n).tolist()}


def test_cifar10_from_archive(data_dir):
    rng = np.random.default_rng(3)
    batches = {f"data_batch_{i}": cifar_batch(rng, 4) for i in range(1, 6)}
    batches["test_batch"] = cifar_batch(rng, 3)
    with tarfile.open(data_dir / "cifar-10-python.tar.gz", "w:gz") as tar:
        for name, batch in batches.items():
            raw = pickle.dumps(batch)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    _files.trust_file(data_dir / "cifar-10-python.tar.gz")
    (a, b), (c, d) = cifar10.load_data()
    assert a.shape == (20, 32, 32, 3) and a.dtype == np.uint8
    assert b.shape == (20, 1) and b.dtype == np.uint8
    assert c.shape == (3, 32, 32, 3) and d.shape == (3, 1)
    first = batches["data_batch_1"][b"data"][0].reshape(3, 32, 32)
    np.testing.assert_array_equal(a[0], first.transpose(1, 2, 0))
    assert b[:4, 0].tolist() == batches["data_batch_1"][b"labels"]


# ---------------------------------------------------------------------------------------------- missing files

@pytest.mark.parametrize("load, fname", [
    (mnist.load_data, "mnist.npz"),
    (imdb.load_data, "imdb.npz"),
    (imdb.get_word_index, "imdb_word_index.json"),
    (boston_housing.load_data, "boston_housing.npz"),
    (fashion_mnist.load_data, "train-labels-idx1-ubyte.gz"),
    (reuters.load_data, "reuters.npz"),
    (reuters.get_word_index, "reuters_word_index.json"),
    (cifar10.load_data, "cifar-10-python.tar.gz"),
])
def test_missing_file_error(data_dir, load, fname):
    with pytest.raises(DataError) as info:
        load()
    message = str(info.value)
    assert fname in message and "missing" in message
    assert str(data_dir) in message  # the places looked
    assert "PIPEKERAS_DATASETS" in message  # where to put it
    assert "offline (test)" in message
    assert not any(p.name.endswith(".part") for p in (data_dir.parent / "home").rglob("*"))


def test_download_is_checked_and_atomic(data_dir, monkeypatch):
    payload = b"pretend dataset bytes"
    monkeypatch.setattr(_files, "_download", lambda url, f: f.write(payload))
    monkeypatch.setitem(_files.KNOWN_HASHES, "thing.bin", hashlib.sha256(payload).hexdigest())
    path = _files.get_file("thing.bin")
    assert path == os.path.join(_files.cache_dir(), "thing.bin")
    with open(path, "rb") as f:
        assert f.read() == payload
    assert _files.get_file("thing.bin") == path  # now found in the cache

    monkeypatch.setitem(_files.KNOWN_HASHES, "other.bin", "0" * 64)
    with pytest.raises(DataError, match="checksum"):
        _files.get_file("other.bin")
    assert sorted(os.listdir(_files.cache_dir())) == ["thing.bin"]  # no partial file left


def test_env_dir_takes_precedence_over_cache(data_dir, monkeypatch):
    os.makedirs(_files.cache_dir())
    for directory, text in ((_files.cache_dir(), "cache"), (str(data_dir), "env")):
        with open(os.path.join(directory, "x.json"), "w") as f:
            f.write(text)
    assert _files.get_file("x.json") == str(data_dir / "x.json")
    monkeypatch.delenv("PIPEKERAS_DATASETS")
    assert _files.get_file("x.json") == os.path.join(_files.cache_dir(), "x.json")
