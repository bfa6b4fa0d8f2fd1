"""Argument checks shared by layer constructors, with messages that name the layer and argument."""

import math

import numpy as np

from ..errors import ConfigError


# Window sizes and strides index arrays in compiled kernels: larger values cannot describe a real window.
MAX_WINDOW = 2**31 - 1


def positive_int(layer_class, argument, value, maximum=None):
    """Returns `value` as a positive int (at most `maximum` when given), or raises a ConfigError naming the
    layer and the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer, float)) or \
            not math.isfinite(value) or int(value) != value or value <= 0:
        raise ConfigError(f"{layer_class}: {argument} must be a positive integer, received {value!r}.")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{layer_class}: {argument} must be at most {maximum}, received {value!r}.")
    return int(value)


def boolean(layer_class, argument, value):
    """Returns `value` as a bool; only True and False are accepted (a string such as "false" is not)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ConfigError(f"{layer_class}: {argument} must be True or False, received {value!r}.")
    return bool(value)


def noise_shape(layer_class, value):
    """Returns a dropout mask shape (None, or a tuple of None and positive ints), or raises."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)) and value:
        items = tuple(value)
        if all(v is None or (not isinstance(v, (bool, np.bool_)) and isinstance(v, (int, np.integer))
                             and v > 0) for v in items):
            return tuple(None if v is None else int(v) for v in items)
    raise ConfigError(f"{layer_class}: noise_shape must be None or a tuple of positive ints and None (one per "
                      f"input axis, e.g. (None, 1, 64)), received {value!r}.")


def int_tuple(layer_class, argument, value, length):
    """Returns `value` (an int or a sequence of `length` ints) as a tuple of positive ints."""
    items = (value,) * length if isinstance(value, (int, np.integer)) else \
        tuple(value) if isinstance(value, (list, tuple, np.ndarray)) else ()
    if len(items) != length:
        raise ConfigError(f"{layer_class}: {argument} must be an int or {length} ints, received {value!r}.")
    return tuple(positive_int(layer_class, argument, v, MAX_WINDOW) for v in items)


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
