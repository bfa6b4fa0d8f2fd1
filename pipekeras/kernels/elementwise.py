"""Elementwise kernels NumPy lacks."""

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _erf_flat(x, out):
    for i in range(x.size):
        out[i] = math.erf(x[i])


def erf(x):
    """The error function, elementwise, in x's dtype."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _erf_flat(x.reshape(-1), out.reshape(-1))
    return out
