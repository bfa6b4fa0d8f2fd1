"""Global settings: the float type, the random seed and the thread count.

Everything random in pipekeras (initializers, dropout, shuffling in `fit`) draws from the one
generator returned by `rng()`, so `set_seed(n)` makes a whole run reproducible.
"""

import os
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


def set_num_threads(n):
    """Sets the threads used by Numba kernels and by BLAS together, so they never oversubscribe.

    Args:
        n: a positive integer; more than the number of cores counts as that number.

    Returns:
        The number of threads set.

    Raises:
        ValueError: `n` is not a positive integer.

    Example:
        >>> set_num_threads(2)
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, received {n!r}.")
    n = int(min(n, os.cpu_count() or 1))
    import numba
    from threadpoolctl import threadpool_limits

    numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    global _blas_limit
    _blas_limit = threadpool_limits(limits=n, user_api="blas")
    return n


_blas_limit = None


def get_num_threads():
    """Returns the number of threads Numba kernels use."""
    import numba

    return numba.get_num_threads()
