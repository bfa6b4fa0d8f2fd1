"""LearningRateScheduler: set the learning rate at the start of every epoch from a function."""

import inspect
import math
import numbers

from ..errors import ArgumentTypeError, ConfigError
from ._common import get_learning_rate, set_learning_rate
from .base import Callback


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of every epoch to `schedule(epoch, lr)`.

    The learning rate in use is added to the epoch's logs (and so to the History) as "learning_rate".

    Args:
        schedule: a function of the epoch (0-based) and the current learning rate that returns the new
            learning rate. A function of the epoch alone is accepted too.
        verbose: 1 prints the learning rate set at every epoch.

    Raises:
        ArgumentTypeError: when `schedule` is not callable, or (during fit) returns something not a number.
        ConfigError: (during fit) when `schedule` returns a negative, NaN or infinite learning rate.

    Example:
        >>> model.fit(x, y, epochs=20, callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.9)])
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ArgumentTypeError(f"LearningRateScheduler: schedule must be a function (epoch, lr) -> new lr, "
                                    f"got {type(schedule).__name__} {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _takes_two_arguments(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        owner = "LearningRateScheduler"
        lr = get_learning_rate(owner, self.model)
        new_lr = self.schedule(epoch, lr) if self._takes_lr else self.schedule(epoch)
        if isinstance(new_lr, bool) or not isinstance(new_lr, numbers.Real):
            try:
                new_lr = float(new_lr)  # 0-d NumPy arrays
            except (TypeError, ValueError):
                raise ArgumentTypeError(f"{owner}: the schedule must return a number, but for epoch {epoch} it "
                                        f"returned {new_lr!r}.") from None
        new_lr = float(new_lr)
        if not math.isfinite(new_lr) or new_lr < 0:
            raise ConfigError(f"{owner}: the schedule returned the learning rate {new_lr} for epoch {epoch}; it "
                              "must be a finite number >= 0.")
        set_learning_rate(owner, self.model, new_lr)
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {new_lr:.6g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate("LearningRateScheduler", self.model)


def _takes_two_arguments(function):
    """True unless `function` visibly accepts only one positional argument."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    positional = 0
    for parameter in signature.parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional != 1
