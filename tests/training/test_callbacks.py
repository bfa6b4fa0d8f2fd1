"""Callbacks: exact logic driven with a fake model, then end to end through fit."""

import csv
import math
import os
import warnings

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.callbacks import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler,
                                 ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from pipekeras.errors import ArgumentTypeError, ConfigError, NotBuiltError, SavingError
from pipekeras.utils.atomic import atomic_write


class FakeOptimizer:
    def __init__(self, learning_rate=1.0):
        self.learning_rate = learning_rate


class FakeModel:
    """Just what the callbacks use: stop_training, get/set_weights and optimizer.learning_rate."""

    def __init__(self, learning_rate=1.0):
        self.stop_training = False
        self.weights = [np.zeros((2, 2)), np.zeros(2)]
        self.optimizer = FakeOptimizer(learning_rate)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]

    def mark(self, value):
        """Sets every weight to `value` so a saved or restored set can be identified."""
        self.weights = [np.full_like(w, value) for w in self.weights]


def attach(callback, model=None, epochs=10):
    model = model or FakeModel()
    callback.set_model(model)
    callback.set_params({"epochs": epochs, "steps": 1})
    return model


def run_epochs(callback, values, key="val_loss", model=None):
    """Feeds one value per epoch like fit does; returns the number of epochs run and the model."""
    model = attach(callback, model, len(values))
    callback.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        model.mark(epoch)
        callback.on_epoch_end(epoch, {"loss": 0.0, key: value})
        ran += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return ran, model


def tiny_model():
    model = pk.sequential() | pk.dense(4, "relu", input_shape=3) | pk.dense(1)
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.fixture
def data(rng):
    x = rng.normal(size=(48, 3)).astype("float32")
    y = (x @ np.array([[0.5], [-1.0], [2.0]]) + 0.1).astype("float32")
    return x, y


# ------------------------------------------------------------------ EarlyStopping


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    ran, model = run_epochs(EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.96, 0.97, 0.5])
    assert ran == 4 and model.stop_training


def test_early_stopping_patience_zero_stops_at_first_non_improvement_but_not_at_epoch_zero():
    callback = EarlyStopping(monitor="val_loss")
    ran, _ = run_epochs(callback, [1.0, 0.5, 0.6, 0.1])
    assert ran == 3 and callback.stopped_epoch == 2
    ran, _ = run_epochs(EarlyStopping(), [math.nan, 1.0, 1.0])
    assert ran == 3  # epoch 0 (NaN) never stops; epoch 2 does not improve on epoch 1


def test_early_stopping_min_delta_requires_a_large_enough_improvement():
    callback = EarlyStopping(min_delta=0.05, patience=1)
    ran, _ = run_epochs(callback, [1.0, 0.99, 0.98, 0.5])
    assert ran == 2 and callback.best == 1.0 and callback.best_epoch == 0
    # A negative min_delta means the same as its absolute value.
    ran, _ = run_epochs(EarlyStopping(min_delta=-0.05, patience=1), [1.0, 0.99, 0.98])
    assert ran == 2


def test_early_stopping_auto_mode_maximizes_accuracy_like_metrics():
    for name in ["val_accuracy", "acc", "val_auc", "precision", "val_recall"]:
        assert EarlyStopping(monitor=name).mode == "max"
    for name in ["val_loss", "mae", "val_mean_squared_error"]:
        assert EarlyStopping(monitor=name).mode == "min"
    ran, _ = run_epochs(EarlyStopping(monitor="val_accuracy", patience=1), [0.5, 0.6, 0.55, 0.9],
                        key="val_accuracy")
    assert ran == 3
    ran, _ = run_epochs(EarlyStopping(monitor="val_loss", mode="max", patience=1), [0.5, 0.6, 0.55])
    assert ran == 3


def test_early_stopping_baseline_must_be_beaten():
    callback = EarlyStopping(patience=2, baseline=0.5)
    ran, _ = run_epochs(callback, [1.0, 0.9, 0.8, 0.7])
    assert ran == 2  # improving, but never below the baseline
    ran, _ = run_epochs(EarlyStopping(patience=2, baseline=0.5), [0.4, 0.3, 0.2, 0.1])
    assert ran == 4


def test_early_stopping_start_from_epoch_ignores_warm_up_epochs():
    ran, _ = run_epochs(EarlyStopping(patience=0, start_from_epoch=3), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    assert ran == 5  # epoch 3 is the first watched; epoch 4 does not improve on it


def test_early_stopping_restore_best_weights():
    callback = EarlyStopping(patience=2, restore_best_weights=True)
    ran, model = run_epochs(callback, [1.0, 0.2, 0.5, 0.6, 0.1])
    assert ran == 4 and callback.best_epoch == 1
    assert all(np.all(w == 1) for w in model.weights)
    # Without the flag the last weights stay.
    ran, model = run_epochs(EarlyStopping(patience=2), [1.0, 0.2, 0.5, 0.6])
    assert all(np.all(w == 3) for w in model.weights)


def test_early_stopping_restores_best_weights_even_without_stopping():
    callback = EarlyStopping(patience=5, restore_best_weights=True)
    ran, model = run_epochs(callback, [1.0, 0.2, 0.5])
    assert ran == 3 and callback.stopped_epoch == 0
    assert all(np.all(w == 1) for w in model.weights)


def test_early_stopping_state_resets_between_fits():
    callback = EarlyStopping(patience=1)
    assert run_epochs(callback, [1.0, 2.0, 3.0])[0] == 2
    assert run_epochs(callback, [5.0, 4.0, 3.0])[0] == 3


def test_early_stopping_warns_once_about_an_unknown_monitor_and_lists_available_keys():
    callback = EarlyStopping(monitor="val_los")
    with pytest.warns(RuntimeWarning) as record:
        ran, model = run_epochs(callback, [1.0, 2.0, 3.0])
    assert ran == 3 and not model.stop_training
    assert len(record) == 1
    message = str(record[0].message)
    assert "'val_los'" in message and "Available metrics are: loss, val_loss" in message
    assert "Did you mean 'val_loss'?" in message


def test_early_stopping_hints_at_validation_data_when_val_metric_missing():
    with pytest.warns(RuntimeWarning, match="validation_data"):
        run_epochs(EarlyStopping(monitor="val_loss"), [1.0], key="loss")


def test_early_stopping_bad_arguments():
    with pytest.raises(ConfigError, match="'auto', 'min', 'max'.*Did you mean 'max'"):
        EarlyStopping(mode="maxx")
    with pytest.raises(ConfigError, match="patience must be >= 0"):
        EarlyStopping(patience=-1)
    with pytest.raises(ArgumentTypeError):
        EarlyStopping(patience=1.5)
    with pytest.raises(ArgumentTypeError):
        EarlyStopping(monitor=None)
    with pytest.raises(ArgumentTypeError):
        EarlyStopping(baseline="0.1")
    with pytest.raises(ConfigError):
        EarlyStopping(start_from_epoch=-2)
    with pytest.raises(ValueError):  # ConfigError is a ValueError, as in Keras
        EarlyStopping(mode="minimum")


# ------------------------------------------------------------------ atomic writes


def test_atomic_write_replaces_the_file(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"old")
    assert atomic_write(path, lambda f: f.write(b"new")) == str(path)
    assert path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["file.bin"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "file.bin"
    path.write_bytes(b"old content")

    def broken(file):
        file.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, broken)
    assert path.read_bytes() == b"old content"
    assert os.listdir(tmp_path) == ["file.bin"]  # no temporary file left behind


def test_atomic_write_creates_a_new_file_and_text_mode(tmp_path):
    path = tmp_path / "new.txt"
    atomic_write(path, lambda f: f.write("héllo"), binary=False)
    assert path.read_text(encoding="utf-8") == "héllo"
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask  # as open() would create it, not mkstemp's 0o600


def test_atomic_write_missing_directory_is_a_saving_error(tmp_path):
    with pytest.raises(SavingError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "f.npz", lambda f: None)


# ------------------------------------------------------------------ ModelCheckpoint


def load_npz(path):
    with np.load(path, allow_pickle=False) as archive:
        return [archive[f"arr_{i}"] for i in range(len(archive.files))]


def test_checkpoint_formats_epoch_and_logs_into_the_file_name(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.npz"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_epochs(callback, [0.5, 0.25, 0.125])
    assert sorted(os.listdir(tmp_path)) == ["w.01-0.50.npz", "w.02-0.25.npz", "w.03-0.12.npz"]
    weights = load_npz(tmp_path / "w.02-0.25.npz")
    assert [w.shape for w in weights] == [(2, 2), (2,)]
    assert all(np.all(w == 1) for w in weights)


def test_checkpoint_save_best_only_keeps_the_best_epoch(tmp_path):
    path = tmp_path / "best.npz"
    callback = ModelCheckpoint(path, save_best_only=True, save_weights_only=True)
    model = attach(callback)
    callback.on_train_begin()
    for epoch, (value, expected) in enumerate([(1.0, 0), (2.0, 0), (0.5, 2), (0.7, 2)]):
        model.mark(epoch)
        callback.on_epoch_end(epoch, {"loss": 1.0, "val_loss": value})
        assert all(np.all(w == expected) for w in load_npz(path))
    assert callback.best == 0.5


def test_checkpoint_save_best_only_with_max_mode_and_threshold(tmp_path, capsys):
    path = tmp_path / "best.npz"
    callback = ModelCheckpoint(path, monitor="val_accuracy", save_best_only=True, save_weights_only=True,
                               initial_value_threshold=0.6, verbose=1)
    run_epochs(callback, [0.5, 0.7, 0.65], key="val_accuracy")
    assert all(np.all(w == 1) for w in load_npz(path))
    out = capsys.readouterr().out
    assert "val_accuracy improved from 0.60000 to 0.70000" in out and "did not improve" in out


def test_checkpoint_skips_with_a_warning_when_the_monitor_is_missing(tmp_path):
    callback = ModelCheckpoint(tmp_path / "w.npz", monitor="val_acc", save_best_only=True,
                               save_weights_only=True)
    with pytest.warns(RuntimeWarning, match="val_acc"):
        run_epochs(callback, [1.0, 0.5])
    assert os.listdir(tmp_path) == []


def test_checkpoint_uses_the_models_save_methods_when_present(tmp_path):
    calls = []

    class SavingModel(FakeModel):
        def save(self, path):
            calls.append(("save", path))

        def save_weights(self, path):
            calls.append(("save_weights", path))

    run_epochs(ModelCheckpoint(str(tmp_path / "m{epoch}.keras")), [1.0], model=SavingModel())
    run_epochs(ModelCheckpoint(str(tmp_path / "w{epoch}.npz"), save_weights_only=True), [1.0],
               model=SavingModel())
    assert calls == [("save", str(tmp_path / "m1.keras")), ("save_weights", str(tmp_path / "w1.npz"))]


def test_checkpoint_without_model_save_falls_back_to_weights_with_a_warning(tmp_path):
    with pytest.warns(RuntimeWarning, match="only its weights"):
        run_epochs(ModelCheckpoint(tmp_path / "m.npz"), [1.0, 2.0])
    assert os.listdir(tmp_path) == ["m.npz"]


def test_checkpoint_creates_missing_directories(tmp_path):
    path = tmp_path / "a" / "b" / "w.npz"
    run_epochs(ModelCheckpoint(path, save_weights_only=True), [1.0])
    assert path.exists()


def test_checkpoint_save_freq_in_batches(tmp_path):
    callback = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.npz"), save_weights_only=True, save_freq=3)
    attach(callback)
    callback.on_train_begin()
    for epoch in range(2):
        callback.on_epoch_begin(epoch)
        for batch in range(4):
            callback.on_train_batch_end(batch, {"loss": 1.0, "batch_loss": 1.0})
        callback.on_epoch_end(epoch, {"loss": 1.0})
    assert sorted(os.listdir(tmp_path)) == ["e1-b3.npz", "e2-b2.npz"]


def test_checkpoint_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match="save_freq"):
        ModelCheckpoint("w.npz", save_freq="batch")
    with pytest.raises(ConfigError, match="save_freq"):
        ModelCheckpoint("w.npz", save_freq=0)
    with pytest.raises(ConfigError, match="Did you mean 'min'"):
        ModelCheckpoint("w.npz", mode="mni")
    callback = ModelCheckpoint(str(tmp_path / "w{val_accuracy:.2f}.npz"), save_weights_only=True)
    with pytest.raises(ConfigError, match=r"\{val_accuracy\}.*Available fields are: epoch, loss, val_loss"):
        run_epochs(callback, [1.0])


# ------------------------------------------------------------------ ReduceLROnPlateau


def lr_run(callback, values, lr=1.0):
    model = attach(callback, FakeModel(lr))
    callback.on_train_begin()
    rates, logged = [], []
    for epoch, value in enumerate(values):
        logs = {"loss": 1.0, "val_loss": value}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
        rates.append(model.optimizer.learning_rate)
    return rates, logged


def test_reduce_lr_after_patience_epochs_without_improvement():
    rates, logged = lr_run(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 1.0, 1.0, 1.0, 1.0, 0.1, 0.1])
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert logged == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25]  # the rate in use during that epoch


def test_reduce_lr_min_delta_cooldown_and_min_lr():
    # Improvements smaller than min_delta do not count.
    rates, _ = lr_run(ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.1), [1.0, 0.95, 0.5])
    assert rates == [1.0, 0.5, 0.5]
    # After a reduction the cooldown counter runs down (counting the epoch it reaches 0 as usable, as in Keras).
    rates, _ = lr_run(ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2), [1.0] * 6)
    assert rates == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    rates, _ = lr_run(ReduceLROnPlateau(factor=0.5, patience=1, cooldown=3), [1.0] * 6)
    assert rates == [1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    # Never below min_lr, and no change once there.
    rates, _ = lr_run(ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.05), [1.0] * 4)
    assert rates == [1.0, 0.1, 0.05, 0.05]


def test_reduce_lr_max_mode_for_accuracy():
    callback = ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1)
    model = attach(callback)
    callback.on_train_begin()
    for epoch, value in enumerate([0.5, 0.6, 0.55]):
        callback.on_epoch_end(epoch, {"val_accuracy": value})
    assert model.optimizer.learning_rate == 0.5


def test_reduce_lr_bad_arguments():
    with pytest.raises(ConfigError, match="factor >= 1"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ConfigError, match="factor"):
        ReduceLROnPlateau(factor=-0.5)
    with pytest.raises(ConfigError, match="patience"):
        ReduceLROnPlateau(patience=-3)
    with pytest.raises(ConfigError, match="min_lr"):
        ReduceLROnPlateau(min_lr=-1)
    with pytest.raises(ConfigError, match="'auto', 'min', 'max'"):
        ReduceLROnPlateau(mode="up")
    with pytest.raises(ArgumentTypeError, match="unexpected"):
        ReduceLROnPlateau(paitence=3)
    assert ReduceLROnPlateau(epsilon=0.5).min_delta == 0.5


def test_lr_callbacks_need_an_optimizer():
    callback = ReduceLROnPlateau()
    model = attach(callback)
    model.optimizer = None
    with pytest.raises(NotBuiltError, match="compile"):
        callback.on_epoch_end(0, {"val_loss": 1.0})


# ------------------------------------------------------------------ LearningRateScheduler


def test_scheduler_sets_the_learning_rate_each_epoch():
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5 if epoch > 0 else lr

    callback = LearningRateScheduler(schedule)
    model = attach(callback, FakeModel(0.8))
    logged = []
    for epoch in range(3):
        callback.on_epoch_begin(epoch)
        logs = {"loss": 1.0}
        callback.on_epoch_end(epoch, logs)
        logged.append(logs["learning_rate"])
    assert seen == [(0, 0.8), (1, 0.8), (2, 0.4)]
    assert logged == [0.8, 0.4, 0.2] and model.optimizer.learning_rate == 0.2


def test_scheduler_accepts_a_function_of_the_epoch_alone(capsys):
    callback = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1), verbose=1)
    model = attach(callback)
    callback.on_epoch_begin(3)
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    assert "Epoch 4: LearningRateScheduler setting learning rate to 0.025" in capsys.readouterr().out
    callback = LearningRateScheduler(lambda epoch, lr: np.float32(0.5))
    model = attach(callback)
    callback.on_epoch_begin(0)
    assert model.optimizer.learning_rate == 0.5 and isinstance(model.optimizer.learning_rate, float)


def test_scheduler_bad_schedules():
    with pytest.raises(ArgumentTypeError, match="schedule must be a function"):
        LearningRateScheduler(0.01)
    callback = LearningRateScheduler(lambda epoch, lr: "fast")
    attach(callback)
    with pytest.raises(ArgumentTypeError, match="must return a number"):
        callback.on_epoch_begin(0)
    callback = LearningRateScheduler(lambda epoch, lr: math.nan)
    attach(callback)
    with pytest.raises(ConfigError, match="finite"):
        callback.on_epoch_begin(0)


# ------------------------------------------------------------------ CSVLogger


def read_csv(path, separator=","):
    with open(path, newline="") as file:
        return list(csv.reader(file, delimiter=separator))


def drive_csv(callback, rows):
    attach(callback)
    callback.on_train_begin()
    for epoch, logs in enumerate(rows):
        callback.on_epoch_end(epoch, logs)
        assert callback.csv_file.closed is False
    callback.on_train_end()


def test_csv_logger_writes_header_and_rows(tmp_path):
    path = tmp_path / "log.csv"
    drive_csv(CSVLogger(path), [{"val_loss": 0.5, "loss": 1.0, "accuracy": np.float32(0.25)},
                                {"val_loss": 0.25, "loss": 0.5, "accuracy": 0.5}])
    assert read_csv(path) == [["epoch", "accuracy", "loss", "val_loss"],
                              ["0", "0.25", "1.0", "0.5"], ["1", "0.5", "0.5", "0.25"]]


def test_csv_logger_flushes_every_epoch(tmp_path):
    path = tmp_path / "log.csv"
    callback = CSVLogger(path)
    attach(callback)
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 2.0})
    assert read_csv(path) == [["epoch", "loss"], ["0", "2.0"]]
    callback.on_train_end()


def test_csv_logger_append_separator_and_missing_values(tmp_path):
    path = tmp_path / "log.tsv"
    drive_csv(CSVLogger(path, separator="\t"), [{"loss": 1.0, "val_loss": 2.0}])
    drive_csv(CSVLogger(path, separator="\t", append=True), [{"loss": 0.5}, {"loss": math.nan, "val_loss": 1.0}])
    assert read_csv(path, "\t") == [["epoch", "loss", "val_loss"], ["0", "1.0", "2.0"], ["0", "0.5", "NaN"],
                                    ["1", "NaN", "1.0"]]
    drive_csv(CSVLogger(path, separator="\t"), [{"loss": 3.0}])  # no append: overwritten
    assert read_csv(path, "\t") == [["epoch", "loss"], ["0", "3.0"]]


def test_csv_logger_bad_separator():
    with pytest.raises(ConfigError, match="single character"):
        CSVLogger("log.csv", separator=", ")


# ------------------------------------------------------------------ TerminateOnNaN


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_terminate_on_nan_stops_and_names_the_batch(bad, capsys):
    callback = TerminateOnNaN()
    model = attach(callback)
    callback.on_epoch_begin(1)
    callback.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(4, {"loss": bad})
    assert model.stop_training
    out = capsys.readouterr().out
    assert "Epoch 2, batch 5: invalid loss" in out and "terminating training" in out


def test_terminate_on_nan_prefers_the_batch_loss():
    callback = TerminateOnNaN()
    model = attach(callback)
    callback.on_train_batch_end(0, {"loss": 1.0, "batch_loss": math.nan})
    assert model.stop_training
    callback = TerminateOnNaN()
    model = attach(callback)
    callback.on_train_batch_end(0, {})
    assert not model.stop_training


# ------------------------------------------------------------------ LambdaCallback


def test_lambda_callback_calls_the_given_functions():
    calls = []
    callback = LambdaCallback(on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["loss"])),
                              on_train_begin=lambda logs: calls.append(("train_begin",)),
                              on_test_begin=lambda logs: calls.append(("test_begin",)))
    attach(callback)
    callback.on_train_begin(None)
    callback.on_epoch_begin(0)  # not given: the base no-op
    callback.on_epoch_end(0, {"loss": 0.5})
    callback.on_test_begin(None)
    assert calls == [("train_begin",), ("epoch_end", 0, 0.5), ("test_begin",)]


def test_lambda_callback_bad_arguments():
    with pytest.raises(ConfigError, match="Did you mean 'on_epoch_end'"):
        LambdaCallback(on_epoch_ends=print)
    with pytest.raises(ArgumentTypeError, match="on_train_end must be a function"):
        LambdaCallback(on_train_end="print")


def test_callbacks_are_exported_at_the_package_level():
    for name in ["EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
                 "TerminateOnNaN", "LambdaCallback"]:
        assert hasattr(pk.callbacks, name)


# ------------------------------------------------------------------ end to end through fit


def test_fit_with_early_stopping_and_restore_best_weights(data):
    x, y = data
    model = tiny_model()
    snapshots = []
    record = LambdaCallback(on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights()))
    # No later epoch improves by 1e9, so training stops at epoch 1 (0-based) and restores epoch 0's weights.
    stopper = EarlyStopping(monitor="loss", min_delta=1e9, restore_best_weights=True)
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0, callbacks=[record, stopper])
    assert history.epoch == [0, 1] and stopper.stopped_epoch == 1
    for restored, best in zip(model.get_weights(), snapshots[0]):
        np.testing.assert_array_equal(restored, best)
    assert not all(np.array_equal(a, b) for a, b in zip(snapshots[0], snapshots[1]))


def test_fit_with_early_stopping_on_validation_loss(data):
    x, y = data
    model = tiny_model()
    stopper = EarlyStopping(monitor="val_loss", patience=2, min_delta=1e9)
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0, validation_data=(x, y), callbacks=[stopper])
    assert history.epoch == [0, 1, 2]


def test_fit_with_checkpoint_files(tmp_path, data):
    x, y = data
    model = tiny_model()
    pattern = str(tmp_path / "w.{epoch:02d}-{val_loss:.3f}.npz")
    checkpoint = ModelCheckpoint(pattern, save_weights_only=True)
    best = ModelCheckpoint(tmp_path / "best" / "best.npz", save_weights_only=True, save_best_only=True)
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y),
                        callbacks=[checkpoint, best])
    expected = {f"w.{e + 1:02d}-{v:.3f}.npz" for e, v in enumerate(history.history["val_loss"])}
    assert set(os.listdir(tmp_path)) - {"best"} == expected
    assert os.listdir(tmp_path / "best") == ["best.npz"]
    assert best.best == min(history.history["val_loss"])


def test_fit_with_learning_rate_callbacks(data):
    x, y = data
    model = tiny_model()
    scheduler = LearningRateScheduler(lambda epoch, lr: 0.01 / (epoch + 1))
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0, callbacks=[scheduler])
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.005, 0.01 / 3])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01 / 3)

    model = tiny_model()
    model.optimizer.learning_rate = 0.01
    reducer = ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1e9)
    history = model.fit(x, y, epochs=4, batch_size=8, verbose=0, callbacks=[reducer])
    assert history.history["learning_rate"] == pytest.approx([0.01, 0.01, 0.005, 0.0025])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.00125)


def test_fit_with_csv_logger(tmp_path, data):
    x, y = data
    path = tmp_path / "training.csv"
    history = tiny_model().fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y),
                               callbacks=[CSVLogger(path)])
    rows = read_csv(path)
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    assert [float(r[1]) for r in rows[1:]] == pytest.approx(history.history["loss"])
    assert [float(r[2]) for r in rows[1:]] == pytest.approx(history.history["val_loss"])


def test_fit_with_terminate_on_nan(data, capsys):
    x, y = data
    model = tiny_model()
    model.optimizer.learning_rate = 1e6  # diverges within a few batches
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            history = model.fit(x, y * 100, epochs=50, batch_size=8, verbose=0, callbacks=[TerminateOnNaN()])
    assert len(history.epoch) < 50 and model.stop_training
    assert "terminating training" in capsys.readouterr().out


def test_fit_calls_lambda_callback_hooks(data):
    x, y = data
    counts = {}

    def count(name):
        return lambda *args: counts.__setitem__(name, counts.get(name, 0) + 1)

    callback = LambdaCallback(**{name: count(name) for name in
                                 ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
                                  "on_train_batch_begin", "on_train_batch_end"]})
    tiny_model().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[callback])
    assert counts == {"on_train_begin": 1, "on_train_end": 1, "on_epoch_begin": 2, "on_epoch_end": 2,
                      "on_train_batch_begin": 12, "on_train_batch_end": 12}
