"""Global settings: the float type and the random seed (threads: `runtime.threads`).

Everything random in pipekeras (initializers, dropout, shuffling in `fit`) draws from the one
generator returned by `rng()`, so `set_seed(n)` makes a whole run reproducible.
"""

import random

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_rng = np.random.default_rng()


def floatx():
    """Returns the default float type, as a string (`"float32"` unless changed).

    Returns:
        `"float32"` or `"float64"`.

    Example:
        >>> floatx()   # 'float32'
    """
    return _FLOATX


def set_floatx(dtype):
    """Sets the default float type.

    Args:
        dtype: `"float32"` or `"float64"`.

    Raises:
        ValueError: for any other type.

    Example:
        >>> set_floatx("float64")   # e.g. before check_gradients
    """
    global _FLOATX
    name = np.dtype(dtype).name
    if name not in ("float32", "float64"):
        raise ValueError(f"set_floatx: expected 'float32' or 'float64', received {dtype!r}.")
    _FLOATX = name


def epsilon():
    """Returns the fuzz factor used to keep logarithms and divisions finite (1e-7)."""
    return _EPSILON


def set_seed(seed):
    """Seeds every source of randomness pipekeras uses (and Python's and NumPy's global ones).

    Args:
        seed: a non-negative integer.

    Raises:
        ValueError: `seed` is not a non-negative integer.

    Example:
        >>> set_seed(42)   # the same weights, shuffles and dropout masks on every run
    """
    global _rng
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"set_seed: expected a non-negative integer, received {seed!r}.")
    _rng = np.random.default_rng(int(seed))
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)


def rng():
    """Returns pipekeras's random generator (a `numpy.random.Generator`)."""
    return _rng
