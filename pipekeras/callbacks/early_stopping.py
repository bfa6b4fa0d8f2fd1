"""EarlyStopping: stop training when a monitored metric has stopped improving."""

import numbers

from ..errors import ArgumentTypeError
from ._common import check_monitor, check_non_negative, improved, monitor_value, resolve_mode, worst
from .base import Callback


class EarlyStopping(Callback):
    """Stops training when a monitored metric has stopped improving.

    At the end of every epoch the monitored value is compared with the best seen so far. When it has not
    improved by more than `min_delta` for `patience` epochs in a row, `model.stop_training` is set and fit
    ends after that epoch.

    Args:
        monitor: name of the metric to watch, as it appears in fit's logs ("val_loss", "accuracy", ...).
        min_delta: smallest change that counts as an improvement (its sign is ignored).
        patience: number of epochs with no improvement after which training stops.
        verbose: 1 prints a line when training is stopped and when weights are restored.
        mode: "min" (stop when the value stops decreasing), "max" (stops increasing) or "auto" (max for
            accuracy, AUC, precision and recall; min otherwise).
        baseline: a value the metric must beat; until it does, epochs count towards `patience` even when they
            improve on earlier epochs.
        restore_best_weights: at the end of training, set the model's weights back to those of the best
            epoch (the model keeps its last weights if no epoch gave a monitored value).
        start_from_epoch: number of warm-up epochs (0-based) during which the metric is not watched.

    Attributes:
        stopped_epoch: the epoch (0-based) at which training was stopped, 0 if it was not.
        best: the best monitored value seen.
        best_epoch: the epoch (0-based) of that value.

    Raises:
        ConfigError: for an invalid mode or a negative patience, min_delta or start_from_epoch.

    Example:
        >>> model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[EarlyStopping(patience=3)])
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto", baseline=None,
                 restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        owner = "EarlyStopping"
        self.monitor = check_monitor(owner, monitor)
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real):
            raise ArgumentTypeError(f"{owner}: min_delta must be a number, got {min_delta!r}.")
        self.min_delta = abs(float(min_delta))
        self.patience = check_non_negative(owner, "patience", patience, integer=True)
        self.verbose = verbose
        self.mode = resolve_mode(owner, mode, self.monitor)
        if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, numbers.Real)):
            raise ArgumentTypeError(f"{owner}: baseline must be a number or None, got {baseline!r}.")
        self.baseline = None if baseline is None else float(baseline)
        self.restore_best_weights = bool(restore_best_weights)
        self.start_from_epoch = check_non_negative(owner, "start_from_epoch", start_from_epoch, integer=True)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = worst(self.mode)
        self.best_epoch = 0
        self.best_weights = None
        self._warned = set()

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        current = monitor_value("EarlyStopping", self.monitor, logs, self._warned)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Something to restore even if no epoch ever improves (e.g. the first value is NaN).
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if improved(self.mode, current, self.best, self.min_delta):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or improved(self.mode, current, self.baseline, self.min_delta):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping ({self.monitor} has not improved for "
                  f"{self.wait} epoch(s); best {self.best:.5g} at epoch {self.best_epoch + 1}).")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """Returns the monitored value from `logs`, or None (with a warning) if it is missing."""
        return monitor_value("EarlyStopping", self.monitor, logs, self._warned)
