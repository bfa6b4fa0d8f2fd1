"""Checks of fit's plain arguments (epochs, initial_epoch, verbose, callbacks), each a `ConfigError` that names
the argument, what it accepts and what it received."""

import numpy as np

from ..callbacks.base import Callback
from ..errors import ConfigError

VERBOSE_VALUES = ("auto", 0, 1, 2)


def _is_count(value):
    """Whether `value` is an integer and not a bool (True is not 1 epoch)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_fit_arguments(epochs, initial_epoch, verbose, callbacks):
    """Returns (epochs, initial_epoch, verbose as 0, 1 or 2, callbacks as a list), checked.

    Args:
        epochs: index of the last epoch, an integer >= 0.
        initial_epoch: epoch to start at, an integer in [0, epochs].
        verbose: "auto", 0, 1 or 2.
        callbacks: None or a list of `Callback` objects.

    Raises:
        ConfigError: for any other value, naming the argument, the accepted values and the received one.
    """
    if not _is_count(epochs) or epochs < 0:
        raise ConfigError(f"fit: epochs must be an integer >= 0 (not a bool), received {epochs!r}.")
    if not _is_count(initial_epoch) or not 0 <= initial_epoch <= epochs:
        raise ConfigError(
            f"fit: initial_epoch must be an integer in [0, epochs] = [0, {int(epochs)}] (not a bool), "
            f"received {initial_epoch!r}."
        )
    if isinstance(verbose, (bool, np.bool_)) or not any(
        verbose == v and isinstance(verbose, str) == isinstance(v, str) for v in VERBOSE_VALUES
    ):
        raise ConfigError(f'fit: verbose must be one of "auto", 0, 1, 2, received {verbose!r}.')
    if callbacks is None:
        callbacks = []
    if not isinstance(callbacks, (list, tuple)):
        raise ConfigError(
            f"fit: callbacks must be a list of Callback objects, received {type(callbacks).__name__}."
        )
    for i, callback in enumerate(callbacks):
        if not isinstance(callback, Callback):
            raise ConfigError(
                f"fit: callbacks[{i}] must be a Callback (pipekeras.callbacks), received {callback!r} "
                f"of type {type(callback).__name__}."
            )
    return int(epochs), int(initial_epoch), 1 if verbose == "auto" else int(verbose), list(callbacks)
