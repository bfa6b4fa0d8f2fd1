"""Planted dataset files: a pickle in the datasets directory never runs; object arrays are unpickled only
from files whose sha256 is trusted."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from pipekeras import datasets
from pipekeras.datasets import _files, cifar10, imdb, mnist, reuters
from pipekeras.errors import DataError


class Payload:
    """Unpickling this creates the marker file: the proof that code from the file ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv("PIPEKERAS_DATASETS", str(folder))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(_files.TRUSTED_ENV_VAR, raising=False)
    monkeypatch.setattr(_files, "_trusted_by_user", set())
    return folder


def planted(marker, n=3):
    values = np.empty(n, dtype=object)
    values[0] = Payload(str(marker))
    for i in range(1, n):
        values[i] = [1, 2, 3]
    return values


def test_a_planted_mnist_does_not_run_code(data_dir, tmp_path):
    marker = tmp_path / "ran"
    np.savez(data_dir / "mnist.npz", x_train=planted(marker), y_train=np.zeros(3, "uint8"),
             x_test=np.zeros((1, 28, 28), "uint8"), y_test=np.zeros(1, "uint8"))
    with pytest.raises(DataError, match="Python objects where numbers were expected"):
        mnist.load_data()
    assert not marker.exists()


@pytest.mark.parametrize("loader, fname, keys", [
    (imdb.load_data, "imdb.npz", ("x_train", "y_train", "x_test", "y_test")),
    (reuters.load_data, "reuters.npz", ("x", "y")),
])
def test_a_planted_object_array_file_is_refused_with_its_digest(data_dir, tmp_path, loader, fname, keys):
    marker = tmp_path / "ran"
    arrays = {k: planted(marker) if k.startswith("x") else np.zeros(3, "int64") for k in keys}
    np.savez(data_dir / fname, **arrays)
    digest = _files.file_sha256(str(data_dir / fname))
    with pytest.raises(DataError) as info:
        loader()
    message = str(info.value)
    assert digest in message and "trust_file" in message and _files.TRUSTED_ENV_VAR in message
    assert "runs any code" in message
    assert not marker.exists()


def test_a_planted_cifar_archive_is_refused(data_dir, tmp_path):
    marker = tmp_path / "ran"
    raw = pickle.dumps({b"data": Payload(str(marker)), b"labels": [0]})
    with tarfile.open(data_dir / "cifar-10-python.tar.gz", "w:gz") as tar:
        for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]:
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    with pytest.raises(DataError, match="Refusing to unpickle"):
        cifar10.load_data()
    assert not marker.exists()


def trusted_imdb(data_dir):
    corpus = np.empty(4, dtype=object)
    for i in range(4):
        corpus[i] = [1 + i, 2, 3]
    np.savez(data_dir / "imdb.npz", x_train=corpus, y_train=np.array([0, 1, 0, 1]), x_test=corpus,
             y_test=np.array([1, 0, 1, 0]))
    return str(data_dir / "imdb.npz")


def test_trust_file_allows_a_users_own_file(data_dir):
    path = trusted_imdb(data_dir)
    with pytest.raises(DataError):
        imdb.load_data()
    assert datasets.trust_file(path) == _files.file_sha256(path)
    (x_train, y_train), _ = imdb.load_data()
    assert len(x_train) == 4 and list(y_train) != []


def test_the_environment_variable_trusts_a_digest(data_dir, monkeypatch):
    path = trusted_imdb(data_dir)
    monkeypatch.setenv(_files.TRUSTED_ENV_VAR, "0" * 64 + ", " + _files.file_sha256(path).upper())
    (x_train, _), _ = imdb.load_data()
    assert len(x_train) == 4


@pytest.mark.skipif(not os.path.isfile(os.path.join(os.environ.get("PIPEKERAS_DATASETS", ""), "imdb.npz")),
                    reason="the shared datasets are not available")
def test_the_shared_imdb_copy_is_trusted():
    path = os.path.join(os.environ["PIPEKERAS_DATASETS"], "imdb.npz")
    _files.check_unpickling_allowed(path, "test")
