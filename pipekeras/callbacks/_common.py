"""Shared helpers of the callbacks that watch a metric or drive the learning rate."""

import math
import numbers
import warnings

from ..errors import ArgumentTypeError, ConfigError, NotBuiltError, did_you_mean

MODES = ("auto", "min", "max")
# Substrings that mark a metric where larger is better, for mode="auto".
_HIGHER_IS_BETTER = ("acc", "accuracy", "auc", "precision", "recall")


def check_monitor(owner, monitor):
    if not isinstance(monitor, str) or not monitor:
        raise ArgumentTypeError(f"{owner}: monitor must be a metric name such as 'val_loss', got {monitor!r}.")
    return monitor


def resolve_mode(owner, mode, monitor):
    """Returns "min" or "max" for `mode`; "auto" picks "max" for accuracy-like metrics, else "min"."""
    if mode not in MODES:
        raise ConfigError(f"{owner}: mode must be one of 'auto', 'min', 'max', got {mode!r}."
                          f"{did_you_mean(mode, MODES)}")
    if mode != "auto":
        return mode
    name = monitor.lower()
    if "loss" in name:
        return "min"
    return "max" if any(part in name for part in _HIGHER_IS_BETTER) else "min"


def check_non_negative(owner, name, value, integer=False):
    kinds = (numbers.Integral,) if integer else (numbers.Real,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        what = "an integer" if integer else "a number"
        raise ArgumentTypeError(f"{owner}: {name} must be {what} >= 0, got {value!r}.")
    if not value >= 0:
        raise ConfigError(f"{owner}: {name} must be >= 0, got {value!r}.")
    return int(value) if integer else float(value)


def worst(mode):
    """The starting 'best' value: nothing has been seen yet."""
    return math.inf if mode == "min" else -math.inf


def improved(mode, current, reference, min_delta=0.0):
    """True when `current` beats `reference` by more than `min_delta` in the direction of `mode`."""
    if current is None or reference is None:
        return False
    if mode == "min":
        return current < reference - abs(min_delta)
    return current > reference + abs(min_delta)


def monitor_value(owner, monitor, logs, warned):
    """Returns logs[monitor] as a float, or None (warning once per run via the `warned` set) if absent."""
    logs = logs or {}
    if monitor not in logs:
        if monitor not in warned:
            warned.add(monitor)
            available = ", ".join(sorted(logs)) or "(none)"
            if monitor.startswith("val_") and monitor[4:] in logs:
                hint = " Pass validation_data or validation_split to fit to get validation metrics."
            elif "val_" + monitor in logs:
                hint = f" Did you mean {'val_' + monitor!r}?"
            else:
                hint = did_you_mean(monitor, logs)
            warnings.warn(f"{owner} is conditioned on metric {monitor!r}, which is not available.{hint} "
                          f"Available metrics are: {available}.", RuntimeWarning, stacklevel=4)
        return None
    value = logs[monitor]
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{owner}: monitored metric {monitor!r} is not a number (got {value!r}).") from None


def _optimizer(owner, model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise NotBuiltError(f"{owner} needs a compiled model with an optimizer; call compile() before fit().")
    if not hasattr(optimizer, "learning_rate"):
        raise ConfigError(f"{owner}: the optimizer {type(optimizer).__name__} has no learning_rate attribute.")
    return optimizer


def get_learning_rate(owner, model):
    value = _optimizer(owner, model).learning_rate
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{owner} needs the optimizer's learning_rate to be a number, but it is "
                          f"{type(value).__name__}; a learning-rate schedule cannot be changed by a "
                          "callback.") from None


def set_learning_rate(owner, model, value):
    _optimizer(owner, model).learning_rate = float(value)
