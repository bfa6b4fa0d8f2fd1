"""TensorBoard (R's callback_tensorboard): the event files it writes, read back record by record."""

import struct
import sys

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.r as keras
from pipekeras.callbacks import TensorBoard
from pipekeras.errors import ConfigError


def _events(folder):
    """{tag: [(step, value), ...]} and the histogram tags from the TFRecord event files in `folder`."""
    event_pb2 = pytest.importorskip("tensorboardX.proto.event_pb2")
    scalars, histograms = {}, set()
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            (length,) = struct.unpack_from("<Q", data, offset)
            record = data[offset + 12:offset + 12 + length]  # after the length and its crc
            offset += 12 + length + 4  # and the data's crc
            event = event_pb2.Event.FromString(record)
            for value in event.summary.value:
                if value.HasField("histo"):
                    histograms.add(value.tag)
                else:
                    scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return scalars, histograms


def test_event_files_hold_the_loss_and_metrics_per_epoch(tmp_path):
    pytest.importorskip("tensorboardX")
    model = pk.sequential() | pk.dense(3, "relu", input_shape=2, name="hidden") | pk.dense(1, name="out")
    model | pk.compile(optimizer=keras.optimizer_sgd(learning_rate=0.05), loss="mse", metrics=["mae"])
    x = np.random.default_rng(0).random((32, 2), dtype=np.float32)
    history = model | pk.fit(x, x.sum(axis=1), epochs=3, verbose=0, validation_split=0.25,
                             callbacks=[keras.callback_tensorboard(tmp_path / "run", histogram_freq=2)])
    train, histograms = _events(tmp_path / "run" / "train")
    validation, _ = _events(tmp_path / "run" / "validation")
    assert set(train) == {"epoch_loss", "epoch_mae", "epoch_learning_rate"}
    assert set(validation) == {"epoch_loss", "epoch_mae"}
    np.testing.assert_allclose([v for _, v in train["epoch_loss"]], history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in validation["epoch_mae"]], history.history["val_mae"], rtol=1e-6)
    assert [step for step, _ in train["epoch_loss"]] == [0, 1, 2]
    assert [v for _, v in train["epoch_learning_rate"]] == pytest.approx([0.05] * 3)
    assert histograms == {"hidden/kernel", "hidden/bias", "out/kernel", "out/bias"}


def test_tensorboard_messages(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="TensorBoard: histogram_freq must be a non-negative integer, received -1"):
        TensorBoard(tmp_path, histogram_freq=-1)
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    model = pk.sequential() | pk.dense(1, input_shape=1)
    model | pk.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ImportError, match=r"pip install 'pipekeras\[tensorboard\]'"):
        model | pk.fit(np.ones((4, 1)), np.ones((4, 1)), verbose=0, callbacks=[TensorBoard(tmp_path)])
    monkeypatch.setattr(keras._callbacks._importlib_util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="tensorboard: TensorBoard is not installed; pip install tensorboard"):
        keras.tensorboard(tmp_path)
