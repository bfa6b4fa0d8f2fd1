"""LambdaCallback: a callback built from plain functions."""

from ..errors import ArgumentTypeError, ConfigError, did_you_mean
from .base import Callback

_HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass.

    Each function is called with the same arguments as the hook it replaces: `on_epoch_begin(epoch, logs)`,
    `on_epoch_end(epoch, logs)`, `on_train_batch_begin(batch, logs)`, `on_train_batch_end(batch, logs)`,
    `on_train_begin(logs)`, `on_train_end(logs)`. Other hooks (`on_test_begin`, `on_predict_batch_end`, ...)
    may be passed by name as keyword arguments.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: functions for those hooks, or None.
        **kwargs: functions for any other hook of `Callback`.

    Raises:
        ConfigError: for a keyword that is not a hook name.
        ArgumentTypeError: for a value that is not callable.

    Example:
        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name in kwargs:
            if name not in _HOOKS:
                raise ConfigError(f"LambdaCallback: unknown hook {name!r}.{did_you_mean(name, _HOOKS)} Valid "
                                  f"hooks: {', '.join(_HOOKS)}.")
        hooks.update(kwargs)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise ArgumentTypeError(f"LambdaCallback: {name} must be a function, got {function!r}.")
            setattr(self, name, function)
