"""ModelCheckpoint: save the model or its weights during training."""

import numbers
import os
import warnings

import numpy as np

from ..errors import ArgumentTypeError, ConfigError
from ..utils.atomic import atomic_write
from ._common import check_monitor, improved, monitor_value, resolve_mode, worst
from .base import Callback


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) at the end of every epoch or every few batches.

    `filepath` may hold format fields filled in at save time: `{epoch}` (1-based), `{batch}` (1-based, with
    an integer `save_freq`) and any key of the epoch's logs, e.g. "w.{epoch:02d}-{val_loss:.2f}.npz".
    Files are written atomically, so an interrupted save never leaves a truncated checkpoint behind.

    Args:
        filepath: path of the file to write, optionally with format fields.
        monitor: metric compared between saves when `save_best_only` is True.
        verbose: 1 prints a line for every save (and every skipped save with `save_best_only`).
        save_best_only: save only when `monitor` improves on the best value seen; with a fixed `filepath`
            the file then always holds the best model.
        save_weights_only: save only the weights (`model.save_weights`) instead of the whole model
            (`model.save`).
        mode: "min", "max" or "auto" (max for accuracy, AUC, precision and recall; min otherwise).
        save_freq: "epoch" to save after every epoch, or an integer n to save every n training batches.
        initial_value_threshold: with `save_best_only`, a value the metric must beat before the first save.

    Raises:
        ConfigError: for an invalid mode or save_freq, or when `filepath` names a field the logs lack.

    Example:
        >>> model.fit(x, y, validation_split=0.2, callbacks=[ModelCheckpoint("best.npz", save_best_only=True)])
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False, save_weights_only=False,
                 mode="auto", save_freq="epoch", initial_value_threshold=None):
        super().__init__()
        owner = "ModelCheckpoint"
        try:
            self.filepath = os.fspath(filepath)
        except TypeError:
            raise ArgumentTypeError(f"{owner}: filepath must be a str or path, got {filepath!r}.") from None
        if not self.filepath:
            raise ConfigError(f"{owner}: filepath must not be empty.")
        self.monitor = check_monitor(owner, monitor)
        self.verbose = verbose
        self.save_best_only = bool(save_best_only)
        self.save_weights_only = bool(save_weights_only)
        self.mode = resolve_mode(owner, mode, self.monitor)
        if save_freq != "epoch":
            if isinstance(save_freq, bool) or not isinstance(save_freq, numbers.Integral) or save_freq < 1:
                raise ConfigError(f"{owner}: save_freq must be 'epoch' or a positive number of batches, got "
                                  f"{save_freq!r}.")
            save_freq = int(save_freq)
        self.save_freq = save_freq
        if initial_value_threshold is not None:
            initial_value_threshold = float(initial_value_threshold)
        self.initial_value_threshold = initial_value_threshold
        self.best = worst(self.mode) if initial_value_threshold is None else initial_value_threshold
        self._warned = set()
        self._warned_fallback = False
        self._current_epoch = 0
        self._batches_since_save = 0
        self.last_saved = None

    def on_train_begin(self, logs=None):
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch, batch, logs):
        logs = {k: v for k, v in (logs or {}).items() if k != "batch_loss"}
        path = self._format_path(epoch, batch, logs)
        if self.save_best_only:
            current = monitor_value("ModelCheckpoint", self.monitor, logs, self._warned)
            if current is None:
                return
            if not improved(self.mode, current, self.best):
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}.")
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving {'weights' if self.save_weights_only else 'model'} to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving {'weights' if self.save_weights_only else 'model'} to {path}")
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        self._write(path)
        self.last_saved = path

    def _format_path(self, epoch, batch, logs):
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except KeyError as error:
            name = error.args[0]
            raise ConfigError(f"ModelCheckpoint: filepath {self.filepath!r} names the field {{{name}}}, which "
                              f"is not available. Available fields are: {', '.join(sorted(fields))}.") from None
        except (IndexError, ValueError) as error:
            raise ConfigError(f"ModelCheckpoint: cannot format filepath {self.filepath!r}: {error}.") from None

    def _write(self, path):
        model = self.model
        if not self.save_weights_only and callable(getattr(model, "save", None)):
            model.save(path)
            return
        if not self.save_weights_only and not self._warned_fallback:
            self._warned_fallback = True
            warnings.warn("ModelCheckpoint: this model has no save() method, so only its weights are saved.",
                          RuntimeWarning, stacklevel=2)
        if callable(getattr(model, "save_weights", None)):
            model.save_weights(path)
        else:
            save_weights_npz(model.get_weights(), path)


def save_weights_npz(weights, path):
    """Writes a list of arrays atomically as an .npz file (arr_0, arr_1, ... in list order, no pickles)."""
    arrays = [np.asarray(w) for w in weights]
    for i, array in enumerate(arrays):
        if array.dtype == object:
            raise ConfigError(f"Cannot save weight {i}: it is not a numeric array.")
    atomic_write(path, lambda file: np.savez(file, *arrays))
    return path
