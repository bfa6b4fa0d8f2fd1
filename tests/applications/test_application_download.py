"""`weights="imagenet"` downloads Keras's published file when it is not on the machine: atomically, checked against
the md5 Keras publishes, from a local HTTP server standing in for Keras's store (the store's address and the
hashes are patched); a checksum mismatch is refused, and offline the error says which file to get and where to
put it. R's `get_file` and the ImageNet class index download through the same function."""

import functools
import hashlib
import http.server
import json
import socket
import threading

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.applications as apps
import pipekeras.r as r
from pipekeras.applications import base, imagenet_utils
from pipekeras.errors import ConfigError, DataError

FILE = "mobilenet_2_5_128_tf_no_top.h5"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def home(tmp_path, monkeypatch):
    """Empty dataset directories and home: nothing is found locally."""
    monkeypatch.setenv("PIPEKERAS_DATASETS", str(tmp_path / "datasets"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A folder served on 127.0.0.1 in a thread, standing in for Keras's store."""
    root = tmp_path / "store"
    root.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setattr(base, "KERAS_STORE", f"http://127.0.0.1:{server.server_address[1]}/")
    yield root
    server.shutdown()
    server.server_close()
    thread.join()


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _publish(store, tmp_path):
    """A MobileNet (alpha 0.25, no top) whose weights file is put in the store as Keras's ImageNet file; returns
    the model and the file's md5."""
    pk.set_seed(3)
    source = apps.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False)
    source.save_weights(str(tmp_path / "source.weights"))
    (store / "mobilenet").mkdir()
    served = store / "mobilenet" / FILE
    (tmp_path / "source.weights").rename(served)
    return source, hashlib.md5(served.read_bytes()).hexdigest()


def _imagenet_mobilenet():
    return apps.MobileNet(input_shape=(128, 128, 3), alpha=0.25, include_top=False, weights="imagenet")


def test_imagenet_weights_are_downloaded_checked_and_kept(home, store, tmp_path, monkeypatch):
    source, md5 = _publish(store, tmp_path)
    monkeypatch.setitem(base.IMAGENET_HASHES, FILE, md5)
    loaded = _imagenet_mobilenet()
    for got, want in zip(loaded.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(got, want)
    folder = home / ".pipekeras" / "datasets" / "models"
    assert sorted(p.name for p in folder.iterdir()) == [FILE]  # no temporary file left
    (store / "mobilenet" / FILE).unlink()
    again = _imagenet_mobilenet()  # from the copy downloaded before
    np.testing.assert_array_equal(again.get_weights()[0], source.get_weights()[0])


def test_a_download_with_the_wrong_checksum_is_refused(home, store, tmp_path, monkeypatch):
    _, md5 = _publish(store, tmp_path)
    monkeypatch.setitem(base.IMAGENET_HASHES, FILE, "0" * 32)
    with pytest.raises(ConfigError) as error:
        _imagenet_mobilenet()
    message = str(error.value)
    assert "MobileNet" in message and FILE in message and "0" * 32 in message and md5 in message
    assert "not kept" in message
    folder = home / ".pipekeras" / "datasets" / "models"
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("where", ["unreachable", "not on the server"])
def test_without_a_download_the_error_says_what_to_get_and_where_to_put_it(home, store, where, monkeypatch):
    if where == "unreachable":
        monkeypatch.setattr(base, "KERAS_STORE", _closed_port_url())
    with pytest.raises(ConfigError) as error:
        apps.VGG16(weights="imagenet", include_top=False)
    message = str(error.value)
    file_name = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    assert f"Get it from {base.KERAS_STORE}vgg16/{file_name} (md5 6d6bbae143d832006294945121d1f1fc)" in message
    assert "weights='<its path>'" in message and "$PIPEKERAS_DATASETS/models/" in message
    assert ("URLError" if where == "unreachable" else "HTTPError") in message
    assert not (home / ".pipekeras" / "datasets" / "models" / file_name).exists()


def test_the_class_index_is_downloaded_with_its_checksum(home, store, monkeypatch):
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (store / "imagenet_class_index.json").write_text(json.dumps(index))
    md5 = hashlib.md5((store / "imagenet_class_index.json").read_bytes()).hexdigest()
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_URL", base.KERAS_STORE + "imagenet_class_index.json")
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", "f" * 32)
    preds = np.zeros((1, 1000), "float32")
    preds[0, 5] = 1.0
    with pytest.raises(DataError, match=f"{'f' * 32}.*{md5}|{md5}.*{'f' * 32}"):
        apps.decode_predictions(preds, top=1)
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_MD5", md5)
    assert apps.decode_predictions(preds, top=1)[0][0][:2] == ("n00000005", "class_5")


def test_r_get_file_downloads_through_the_same_function(home, store, monkeypatch):
    (store / "data.csv").write_text("a,b\n1,2\n")
    sha256 = hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    with pytest.raises(DataError, match=f"expected {'e' * 64}"):
        r.get_file("data.csv", origin=base.KERAS_STORE + "data.csv", file_hash="e" * 64)
    path = r.get_file("data.csv", origin=base.KERAS_STORE + "data.csv", file_hash=sha256)
    assert open(path).read() == "a,b\n1,2\n"
