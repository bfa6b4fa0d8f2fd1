"""Argument checks shared by layer constructors, with messages that name the layer and argument."""

import math

import numpy as np

from ..errors import ConfigError


def positive_int(layer_class, argument, value):
    """Returns `value` as an int, or raises a ConfigError naming the layer and the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)) or \
            not math.isfinite(value) or int(value) != value or value <= 0:
        raise ConfigError(f"{layer_class}: {argument} must be a positive integer, received {value!r}.")
    return int(value)


def int_tuple(layer_class, argument, value, length):
    """Returns `value` (an int or a sequence of `length` ints) as a tuple of positive ints."""
    items = (value,) * length if isinstance(value, (int, np.integer)) else \
        tuple(value) if isinstance(value, (list, tuple, np.ndarray)) else ()
    if len(items) != length:
        raise ConfigError(f"{layer_class}: {argument} must be an int or {length} ints, received {value!r}.")
    return tuple(positive_int(layer_class, argument, v) for v in items)


def rate_in_unit_interval(layer_class, argument, value):
    """Returns `value` as a float in [0, 1), or raises."""
    if not isinstance(value, (int, float, np.floating)) or not 0.0 <= float(value) < 1.0:
        raise ConfigError(f"{layer_class}: {argument} must be a number in [0, 1), received {value!r}.")
    return float(value)


def one_of(layer_class, argument, value, choices):
    """Returns `value` lower-cased if it is one of `choices`, or raises."""
    lowered = value.lower() if isinstance(value, str) else value
    if lowered not in choices:
        raise ConfigError(f"{layer_class}: {argument} must be one of {list(choices)}, received {value!r}.")
    return lowered
