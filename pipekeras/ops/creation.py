"""Conversions and new arrays (constants: they carry no gradient)."""

import numpy as np

from .. import backend
from ..autodiff.tape import value_of
from .reshaping import cast


def _float_or(dtype):
    return np.dtype(dtype or backend.floatx())


def convert_to_tensor(x, dtype=None):
    """Returns `x` as an array (traced values and variables stay as they are, unless `dtype` changes them).

    Args:
        x: an array-like, traced value or variable.
        dtype: an optional dtype.

    Returns:
        An array (or the traced value, cast when `dtype` differs).

    Example:
        >>> convert_to_tensor([1, 2], dtype="float32")
    """
    if value_of(x) is not x:
        return x if dtype is None else cast(x, dtype)
    return np.asarray(x, dtype=dtype)


def convert_to_numpy(x):
    """Returns the NumPy value of an array, traced value or variable.

    Args:
        x: an array-like, traced value or variable.

    Returns:
        An `np.ndarray`.

    Example:
        >>> convert_to_numpy(traced)
    """
    return np.asarray(value_of(x))


def shape(x):
    """Returns the shape of an array, traced value or variable.

    Args:
        x: an array-like, traced value or variable.

    Returns:
        A tuple of ints.

    Example:
        >>> shape(np.ones((2, 3)))   # (2, 3)
    """
    return np.shape(value_of(x))


def zeros(shape, dtype=None):
    """An array of zeros.

    Args:
        shape: its shape.
        dtype: its dtype (floatx by default).

    Returns:
        The array.

    Example:
        >>> zeros((2, 3))
    """
    return np.zeros(shape, _float_or(dtype))


def ones(shape, dtype=None):
    """An array of ones.

    Args:
        shape: its shape.
        dtype: its dtype (floatx by default).

    Returns:
        The array.

    Example:
        >>> ones((2, 3))
    """
    return np.ones(shape, _float_or(dtype))


def full(shape, fill_value, dtype=None):
    """An array filled with one value.

    Args:
        shape: its shape.
        fill_value: the value.
        dtype: its dtype (floatx by default).

    Returns:
        The array.

    Example:
        >>> full((2,), 7.0)
    """
    return np.full(shape, fill_value, _float_or(dtype))


def zeros_like(x, dtype=None):
    """Zeros of `x`'s shape (and dtype unless given).

    Args:
        x: an array, traced value or variable.
        dtype: an optional dtype.

    Returns:
        The array.

    Example:
        >>> zeros_like(np.ones(3))
    """
    return np.zeros_like(value_of(x), dtype=dtype)


def ones_like(x, dtype=None):
    """Ones of `x`'s shape (and dtype unless given).

    Args:
        x: an array, traced value or variable.
        dtype: an optional dtype.

    Returns:
        The array.

    Example:
        >>> ones_like(np.zeros(3))
    """
    return np.ones_like(value_of(x), dtype=dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Evenly spaced values in `[start, stop)`.

    Args:
        start: the first value (or the stop when `stop` is None).
        stop: the end (excluded).
        step: the spacing.
        dtype: an optional dtype.

    Returns:
        A 1-D array.

    Example:
        >>> arange(3)   # array([0, 1, 2])
    """
    return np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(start, dtype=dtype)


def eye(N, M=None, k=0, dtype=None):
    """A 2-D array with ones on a diagonal.

    Args:
        N: rows.
        M: columns (N by default).
        k: the diagonal (0 the main one).
        dtype: its dtype (floatx by default).

    Returns:
        The array.

    Example:
        >>> eye(3)
    """
    return np.eye(N, M, k, dtype=_float_or(dtype))
