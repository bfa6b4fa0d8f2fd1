"""Faults: Ctrl-C at every point of fit, interrupted checkpoints and a full disk while saving.

Ctrl-C is injected with `signal.raise_signal(SIGINT)`, which runs the handler fit installed right there, as a
real Ctrl-C does at the next Python instruction. One press asks fit to stop after the current step; two
presses abort with KeyboardInterrupt (see pipekeras/training/interrupt.py). After either, the model must hold
weights and optimizer state that equal a reference trained for exactly as many steps, keep training and
save, and its History must list the completed epochs only.
"""

import errno
import io
import os
import signal
import tempfile
import threading
import time

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import batch_normalization, dense, sequential
from pipekeras.training.interrupt import deferred_interrupt
from pipekeras.compute import dense_stack as stack_kernels
from pipekeras.errors import SavingError

N, VAL, BATCH, EPOCHS = 48, 16, 8, 3
STEPS = N // BATCH


def _data():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N + VAL, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]
    return (x[:N], y[:N]), (x[N:], y[N:])


def _model(kind):
    """A fresh model with the same initial weights every time: "generic" runs layer by layer (with batch
    normalization's moving statistics updated in the forward pass), "stack" and "stack run" qualify for
    DenseStack ("stack" gets a callback that sees every batch, so fit takes one step per call; "stack run"
    none, so fit trains a whole epoch per call)."""
    pk.clear_session()
    pk.set_seed(0)
    model = sequential() | dense(16, "relu", input_shape=6)
    if kind == "generic":
        model = model | batch_normalization()
    model = model | dense(3, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _reference(kind, steps):
    """The model after exactly `steps` optimizer steps on fit's batches (no shuffling)."""
    (x, y), _ = _data()
    model = _model(kind)
    if kind == "stack run":  # runs compute the loss gradient in the kernel: compare with runs
        assert steps % STEPS == 0
        model.fit(x, y, epochs=steps // STEPS, batch_size=BATCH, shuffle=False, verbose=0)
        return model
    for step in range(steps):
        index = slice((step % STEPS) * BATCH, (step % STEPS + 1) * BATCH)
        model.train_on_batch(x[index], y[index])
    return model


def _assert_same_state(model, reference):
    assert model.optimizer.iterations == reference.optimizer.iterations
    for ours, theirs in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    ours = model.optimizer.get_weights(model.trainable_weights)
    theirs = reference.optimizer.get_weights(reference.trainable_weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def _assert_history_of_completed_epochs(history, epochs):
    assert history.epoch == list(range(epochs))
    assert all(len(values) == epochs for values in history.history.values())
    if epochs:
        assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def _assert_keeps_training_and_saving(model, tmp_path):
    (x, y), _ = _data()
    before = model.optimizer.iterations
    history = model.fit(x, y, epochs=1, batch_size=BATCH, shuffle=False, verbose=0)
    assert not history.interrupted and np.isfinite(history.history["loss"][0])
    assert model.optimizer.iterations == before + STEPS
    path = tmp_path / "after.pkeras"
    model.save(path)
    loaded = pk.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    _assert_same_state(loaded, model)


class Presser:
    """Presses Ctrl-C `presses` times at the `nth` call of a hooked point made while the optimizer is at
    `at_iterations` steps."""

    def __init__(self, model, presses, at_iterations, nth=1):
        self.model, self.presses, self.at_iterations, self.nth = model, presses, at_iterations, nth
        self.calls = 0
        self.fired = False

    def maybe_press(self):
        if self.fired or self.model.optimizer.iterations != self.at_iterations:
            return
        self.calls += 1
        if self.calls == self.nth:
            self.fired = True
            for _ in range(self.presses):
                signal.raise_signal(signal.SIGINT)

    def wrap(self, owner, name, when=lambda *args, **kwargs: True, setter=setattr):
        original = getattr(owner, name)

        def hooked(*args, **kwargs):
            if when(*args, **kwargs):
                self.maybe_press()
            return original(*args, **kwargs)

        setter(owner, name, hooked)


class PressInCallback(pk.Callback):
    def __init__(self, presser, hook):
        super().__init__()
        setattr(self, hook, lambda *args, **kwargs: presser.maybe_press())


class EveryBatch(pk.Callback):
    """Sees every batch, so fit trains one step per call (no runs of steps)."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def _training(*args, training=False, **kwargs):
    return training


# (model kind, where, optimizer steps when Ctrl-C is pressed, which matching call,
#  (steps done, epochs in the History) after one press, the same after two presses)
POINTS = [
    ("generic", "first layer forward", 8, 1, (9, 1), (9, 1)),
    ("generic", "batch normalization forward", 8, 1, (9, 1), (9, 1)),
    ("generic", "loss gradient", 8, 1, (9, 1), (9, 1)),
    ("generic", "batch normalization backward", 8, 1, (9, 1), (9, 1)),
    ("generic", "first layer backward", 8, 1, (9, 1), (9, 1)),
    ("generic", "optimizer update, first weight", 8, 1, (9, 1), (9, 1)),
    ("generic", "optimizer update, between weights", 8, 2, (9, 1), (9, 1)),
    ("generic", "optimizer update, last weight", 8, 6, (9, 1), (9, 1)),
    ("generic", "metric update", 9, 1, (9, 1), (9, 1)),  # metrics are updated after the optimizer
    ("generic", "on_train_begin", 0, 1, (0, 0), (0, 0)),
    ("generic", "on_epoch_begin", 6, 1, (6, 1), (6, 1)),
    ("generic", "on_train_batch_begin", 8, 1, (9, 1), (8, 1)),
    ("generic", "on_train_batch_end", 9, 1, (9, 1), (9, 1)),
    ("generic", "last on_train_batch_end of an epoch", 12, 1, (12, 1), (12, 1)),
    ("generic", "validation forward", 12, 1, (12, 2), (12, 1)),
    ("generic", "on_epoch_end", 12, 1, (12, 2), (12, 1)),
    ("stack", "loss gradient", 8, 1, (9, 1), (9, 1)),
    ("stack", "optimizer update, first weight", 8, 1, (9, 1), (9, 1)),
    ("stack", "on_train_batch_end", 9, 1, (9, 1), (9, 1)),
    ("stack", "validation forward", 12, 1, (12, 2), (12, 1)),
    # a run is one epoch here: Ctrl-C takes effect when the run ends, with the epoch's steps done but not its end
    ("stack run", "run kernel", 8, 1, (12, 1), (12, 1)),
    ("stack run", "optimizer update, first weight", 8, 1, (12, 1), (12, 1)),
    ("stack run", "validation forward", 12, 1, (12, 2), (12, 1)),
]


def _arm(model, kind, point, presser, monkeypatch):
    """Hooks `presser` into `point` of `model`'s fit; returns the callbacks to pass to fit."""
    first, norm = model.layers[:2]
    hooks = {
        "first layer forward": lambda: presser.wrap(first, "call", _training),
        "batch normalization forward": lambda: presser.wrap(norm, "call", _training),
        "batch normalization backward": lambda: presser.wrap(norm, "backward"),
        "first layer backward": lambda: presser.wrap(first, "backward"),
        "loss gradient": lambda: presser.wrap(model.loss_functions[0], "fused_gradient"),
        "metric update": lambda: presser.wrap(model.output_metrics[0][0], "update_state"),
        "validation forward": lambda: presser.wrap(model, "_infer"),
        "run kernel": lambda: presser.wrap(stack_kernels, "train_batch", setter=monkeypatch.setattr),
    }
    callbacks = [EveryBatch()] if kind == "stack" else []
    if point.startswith("optimizer update"):
        presser.wrap(model.optimizer, "update" if kind == "generic" else "apply_flat")
        return callbacks
    if point in hooks:
        hooks[point]()
        return callbacks
    hook = "on_train_batch_end" if point.startswith("last on_train_batch_end") else point
    return callbacks + [PressInCallback(presser, hook)]


@pytest.mark.parametrize("kind, point, at, nth, after_one, after_two", POINTS,
                         ids=[f"{kind}: {point}" for kind, point, *_ in POINTS])
@pytest.mark.parametrize("presses", [1, 2], ids=["one Ctrl-C", "two Ctrl-C"])
def test_ctrl_c_anywhere_in_fit_leaves_a_consistent_model(kind, point, at, nth, after_one, after_two, presses,
                                                          tmp_path, monkeypatch):
    (x, y), validation = _data()
    model = _model(kind)
    presser = Presser(model, presses, at, nth)
    callbacks = _arm(model, kind, point, presser, monkeypatch)
    run = lambda: model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, validation_data=validation,
                            callbacks=callbacks, verbose=0)
    steps, epochs = after_one if presses == 1 else after_two
    if presses == 1:
        history = run()
        assert history.interrupted and history is model.history
    else:
        with pytest.raises(KeyboardInterrupt):
            run()
    _assert_history_of_completed_epochs(model.history, epochs)
    assert presser.fired
    _assert_same_state(model, _reference(kind, steps))
    _assert_keeps_training_and_saving(model, tmp_path)


def test_ctrl_c_while_the_progress_bar_writes_does_not_crash():
    """The handler used to print, which raised "RuntimeError: reentrant call" when Ctrl-C arrived while the
    program was writing to the same line-buffered stream (a terminal; here a pipe that fills up)."""
    read_end, write_end = os.pipe()
    stream = io.TextIOWrapper(io.BufferedWriter(io.FileIO(write_end, "w")), line_buffering=True)

    def press_then_drain():
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGINT)  # arrives while the write below is blocked on the full pipe
        time.sleep(0.2)
        while os.read(read_end, 1 << 16):
            pass

    drainer = threading.Thread(target=press_then_drain)
    drainer.start()
    with deferred_interrupt() as interrupts:
        stream.write("x" * (1 << 20) + "\n")
    stream.close()
    drainer.join()
    os.close(read_end)
    assert interrupts.requested


def test_fit_says_that_it_stopped(capsys):
    (x, y), _ = _data()
    model = _model("stack")
    presser = Presser(model, 1, 3)
    history = model.fit(x, y, epochs=2, batch_size=BATCH, verbose=0,
                        callbacks=[PressInCallback(presser, "on_train_batch_end")])
    assert history.interrupted
    assert "Interrupted: fit stopped after 3 steps; the history holds the 0 completed epoch(s)." in \
        capsys.readouterr().out


def test_the_stop_message_counts_the_steps_of_this_fit_only(capsys):
    """A model that trained before (its optimizer at 2 epochs of steps) reports this fit's steps."""
    (x, y), _ = _data()
    model = _model("stack")
    model.fit(x, y, epochs=2, batch_size=BATCH, verbose=0)
    presser = Presser(model, 1, 2 * STEPS + 3)
    history = model.fit(x, y, epochs=2, batch_size=BATCH, verbose=0,
                        callbacks=[PressInCallback(presser, "on_train_batch_end")])
    assert history.interrupted and model.optimizer.iterations == 2 * STEPS + 3
    assert "Interrupted: fit stopped after 3 steps;" in capsys.readouterr().out


def test_fit_in_a_thread_is_not_affected_by_the_handler():
    """Only the main thread installs the handler; fit in another thread runs unguarded and completes."""
    (x, y), _ = _data()
    model = _model("stack")
    handler = signal.getsignal(signal.SIGINT)  # Python's default, or SIG_IGN in a job started with `&`
    results = []
    worker = threading.Thread(target=lambda: results.append(model.fit(x, y, epochs=2, batch_size=BATCH,
                                                                      verbose=0)))
    worker.start()
    worker.join()
    assert results[0].epoch == [0, 1] and not results[0].interrupted
    assert signal.getsignal(signal.SIGINT) is handler


# ----- interrupted and failing writes --------------------------------------------------------------------

class FailingWrites:
    """Makes the next file opened by atomic_write fail: `stage` "write" writes half of the first chunk and
    raises, "fsync" fails when flushing to disk, "create" fails to create the temporary file."""

    def __init__(self, monkeypatch, error, stage="write"):
        self.error, self.stage = error, stage
        self.armed = False
        self.triggered = 0
        self._fdopen, self._fsync, self._mkstemp = os.fdopen, os.fsync, tempfile.mkstemp
        monkeypatch.setattr(os, "fdopen", self.fdopen)
        monkeypatch.setattr(os, "fsync", self.fsync)
        monkeypatch.setattr(tempfile, "mkstemp", self.mkstemp)

    def fail(self):
        self.armed = False
        self.triggered += 1
        raise self.error

    def mkstemp(self, *args, **kwargs):
        if self.armed and self.stage == "create":
            self.fail()
        return self._mkstemp(*args, **kwargs)

    def fdopen(self, *args, **kwargs):
        file = self._fdopen(*args, **kwargs)
        return HalfWrite(file, self.fail) if self.armed and self.stage == "write" else file

    def fsync(self, fd):
        if self.armed and self.stage == "fsync":
            self.fail()
        return self._fsync(fd)


class HalfWrite:
    """A file whose first write stores half of its data, then calls `fail`."""

    def __init__(self, file, fail):
        self.file, self.fail = file, fail

    def write(self, data):
        self.file.write(data[:max(1, len(data) // 2)])
        self.fail()

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.file.close()


def _no_space():
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _files(directory):
    return sorted(os.listdir(directory))


@pytest.mark.parametrize("save_weights_only", [False, True], ids=["model", "weights"])
@pytest.mark.parametrize("fault", [KeyboardInterrupt, _no_space], ids=["Ctrl-C", "disk full"])
def test_a_checkpoint_interrupted_mid_write_keeps_the_previous_one(save_weights_only, fault, tmp_path,
                                                                   monkeypatch):
    (x, y), validation = _data()
    model = _model("generic")
    path = tmp_path / ("ckpt.weights" if save_weights_only else "ckpt.pkeras")
    writes = FailingWrites(monkeypatch, fault())
    snapshots = []

    class ArmAfterFirstSave(pk.Callback):  # runs after ModelCheckpoint: snapshot what it saved, then arm
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append(model.get_weights())
            writes.armed = True

    checkpoint = pk.callbacks.ModelCheckpoint(str(path), save_weights_only=save_weights_only)
    expected = KeyboardInterrupt if fault is KeyboardInterrupt else SavingError
    with pytest.raises(expected) as raised:
        model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, validation_data=validation, verbose=0,
                  callbacks=[checkpoint, ArmAfterFirstSave()])
    assert writes.triggered == 1 and checkpoint.last_saved == str(path)
    if expected is SavingError:
        assert "No space left on device" in str(raised.value) and "unchanged" in str(raised.value)
    assert _files(tmp_path) == [path.name]
    _assert_history_of_completed_epochs(model.history, 1)
    restored = _model("generic")
    if save_weights_only:
        restored.load_weights(path)
    else:
        restored = pk.load_model(path)
    for saved, kept in zip(restored.get_weights(), snapshots[0]):
        np.testing.assert_array_equal(saved, kept)
    _assert_same_state(model, _reference("generic", 2 * STEPS))
    _assert_keeps_training_and_saving(model, tmp_path)


WRITERS = {
    "save_model .pkeras": ("model.pkeras", lambda model, path: pk.save_model(model, path)),
    "model.save .keras": ("model.keras", lambda model, path: model.save(path)),
    "save_weights native": ("model.weights", lambda model, path: pk.save_weights(model, path)),
    "save_weights .npz": ("model.npz", lambda model, path: pk.save_weights(model, path)),
    "save_weights .weights.h5": ("model.weights.h5", lambda model, path: model.save_weights(path)),
}


@pytest.mark.parametrize("stage", ["write", "fsync", "create"])
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_full_disk_raises_and_keeps_the_old_file(writer, stage, tmp_path, monkeypatch):
    name, save = WRITERS[writer]
    path = tmp_path / name
    model = _model("generic")
    save(model, path)
    old = path.read_bytes()
    (x, y), _ = _data()
    model.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
    writes = FailingWrites(monkeypatch, _no_space(), stage)
    writes.armed = True
    with pytest.raises(SavingError, match=f"Cannot write '{path}': No space left on device") as raised:
        save(model, path)
    assert isinstance(raised.value, OSError) and raised.value.errno == errno.ENOSPC
    assert writes.triggered == 1
    assert path.read_bytes() == old and _files(tmp_path) == [name]
    save(model, path)  # space again: the same call succeeds
    assert path.read_bytes() != old and _files(tmp_path) == [name]
