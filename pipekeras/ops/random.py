"""Random arrays and dropout, drawn from pipekeras's generator (`backend.set_seed`) or an explicit seed."""

import numpy as np

from .. import backend
from ..autodiff.tape import value_of
from ..errors import ConfigError
from . import math as elementwise


def _generator(seed):
    """The generator to draw from: a fresh one for an int seed, else pipekeras's."""
    if seed is None:
        return backend.rng()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise ConfigError(f"random: seed must be None, a non-negative int or a numpy Generator, received {seed!r}.")


def _dtype(dtype):
    return np.dtype(dtype or backend.floatx())


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Draws from a normal distribution.

    Args:
        shape: the shape of the result.
        mean: the mean.
        stddev: the standard deviation.
        dtype: a float type (floatx by default).
        seed: None (pipekeras's generator, see `set_seed`), an int, or a numpy Generator.

    Returns:
        An array.

    Example:
        >>> normal((2, 3), seed=1)
    """
    return _generator(seed).normal(mean, stddev, size=shape).astype(_dtype(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Draws uniformly from `[minval, maxval)`.

    Args:
        shape: the shape of the result.
        minval: the lower bound.
        maxval: the upper bound.
        dtype: a float type (floatx by default).
        seed: None, an int, or a numpy Generator.

    Returns:
        An array.

    Example:
        >>> uniform((2,), seed=1)
    """
    return _generator(seed).uniform(minval, maxval, size=shape).astype(_dtype(dtype))


def dropout_mask(shape, rate, dtype=None, seed=None):
    """The scaled keep-mask of dropout: 0 with probability `rate`, else `1 / (1 - rate)`.

    Args:
        shape: the mask's shape.
        rate: the fraction dropped, in [0, 1).
        dtype: a float type (floatx by default).
        seed: None, an int, or a numpy Generator.

    Returns:
        An array of `shape`.

    Raises:
        ConfigError: `rate` outside [0, 1).

    Example:
        >>> dropout_mask((4,), 0.5, seed=0)
    """
    if not 0 <= rate < 1:
        raise ConfigError(f"dropout: rate must be in [0, 1), received {rate}.")
    keep = _generator(seed).random(shape) >= rate
    return (keep / (1 - rate)).astype(_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries with probability `rate` and scales the rest by `1 / (1 - rate)`.

    Args:
        inputs: an array.
        rate: the fraction dropped, in [0, 1).
        noise_shape: the mask's shape, broadcast over `inputs` (e.g. `(batch, 1, features)`); default: inputs'.
        seed: None, an int, or a numpy Generator.

    Returns:
        The array with dropped entries; its gradient passes through the same mask.

    Example:
        >>> dropout(np.ones((2, 4)), 0.5, seed=0)
    """
    shape = np.shape(value_of(inputs)) if noise_shape is None else tuple(noise_shape)
    dtype = np.result_type(value_of(inputs))
    return elementwise.multiply(inputs, dropout_mask(shape, rate, dtype if dtype.kind == "f" else None, seed))
