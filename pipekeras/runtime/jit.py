"""How every kernel is compiled: cached on disk, with NumPy's error model.

Numba's default ("python") error model checks every division for a zero divisor so it can raise
ZeroDivisionError; that branch keeps LLVM from vectorizing the loop. With NumPy's model, x / 0 gives inf or
nan as it does in NumPy (the training loop reports non-finite losses) and loops vectorize.
"""

from numba import njit


def jit(function=None, **options):
    """Compiles `function` with Numba: `@jit` or `@jit(parallel=True, inline="always", ...)`.

    Args:
        function: the Python function to compile (omitted when options are given).
        **options: further `numba.njit` options.

    Returns:
        The compiled dispatcher, or a decorator when `function` is None.
    """
    decorate = njit(cache=True, error_model="numpy", **options)
    return decorate if function is None else decorate(function)
