"""ReduceLROnPlateau: lower the learning rate when a metric has stopped improving."""

import numbers

from ..errors import ArgumentTypeError, ConfigError
from ._common import (check_monitor, check_non_negative, get_learning_rate, improved, monitor_value,
                      resolve_mode, set_learning_rate, worst)
from .base import Callback


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by `factor` when a monitored metric has stopped improving.

    After `patience` epochs without an improvement larger than `min_delta`, the optimizer's learning rate
    becomes `max(learning_rate * factor, min_lr)`; then `cooldown` epochs pass before the count of epochs
    without improvement starts again. The current learning rate is added to the epoch's logs (and so to
    the History) as "learning_rate".

    Args:
        monitor: name of the metric to watch, as it appears in fit's logs.
        factor: the factor the learning rate is multiplied by, 0 <= factor < 1.
        patience: number of epochs with no improvement after which the learning rate is reduced.
        verbose: 1 prints a line for every reduction.
        mode: "min", "max" or "auto" (max for accuracy, AUC, precision and recall; min otherwise).
        min_delta: smallest change that counts as an improvement.
        cooldown: number of epochs to wait after a reduction before counting again.
        min_lr: the learning rate is never reduced below this.

    Raises:
        ConfigError: for factor >= 1, an invalid mode, or a negative patience, cooldown, min_delta or min_lr.

    Example:
        >>> model.fit(x, y, validation_split=0.2, callbacks=[ReduceLROnPlateau(factor=0.5, patience=2)])
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto", min_delta=1e-4,
                 cooldown=0, min_lr=0.0, **kwargs):
        super().__init__()
        owner = "ReduceLROnPlateau"
        if "epsilon" in kwargs:  # Keras's old name of min_delta.
            min_delta = kwargs.pop("epsilon")
        if kwargs:
            raise ArgumentTypeError(f"{owner}: unexpected argument(s) {', '.join(map(repr, kwargs))}.")
        self.monitor = check_monitor(owner, monitor)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real):
            raise ArgumentTypeError(f"{owner}: factor must be a number, got {factor!r}.")
        if not 0 <= factor < 1.0:
            raise ConfigError(f"{owner} does not support a factor >= 1 (or < 0), got factor={factor!r}; the new "
                              "learning rate is learning_rate * factor, so use e.g. factor=0.5 to halve it.")
        self.factor = float(factor)
        self.patience = check_non_negative(owner, "patience", patience, integer=True)
        self.verbose = verbose
        self.mode = resolve_mode(owner, mode, self.monitor)
        self.min_delta = check_non_negative(owner, "min_delta", min_delta)
        self.cooldown = check_non_negative(owner, "cooldown", cooldown, integer=True)
        self.min_lr = check_non_negative(owner, "min_lr", min_lr)
        self._reset()

    def _reset(self):
        self.wait = 0
        self.cooldown_counter = 0
        self.best = worst(self.mode)
        self._warned = set()

    def in_cooldown(self):
        """True while the callback waits after a reduction."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        owner = "ReduceLROnPlateau"
        if logs is None:
            logs = {}
        logs["learning_rate"] = get_learning_rate(owner, self.model)
        current = monitor_value(owner, self.monitor, logs, self._warned)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if improved(self.mode, current, self.best, self.min_delta):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = get_learning_rate(owner, self.model)
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            set_learning_rate(owner, self.model, new_lr)
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr:.6g}.")
        self.cooldown_counter = self.cooldown
        self.wait = 0
