"""Data checks over whole arrays: one pass, in parallel over large arrays.

fit, evaluate and predict scan every float input for NaN and Inf before the first step. On large inputs
(IMDB's 25,000 x 10,000 multi-hot matrix is 1 GB) that pass is bound by memory bandwidth, which one core
does not saturate: on two cores this loop scans 100 MB in ~4 ms against ~7 ms for NumPy's `isfinite(sum())`.
"""

import math

from numba import prange

from .parallel import twin


@twin
def _count_non_finite(values):
    bad = 0
    for i in prange(values.size):
        if not math.isfinite(values[i]):
            bad += 1
    return bad


def all_finite(values):
    """Returns whether a contiguous float array holds no NaN or Inf."""
    flat = values.reshape(-1)
    return _count_non_finite(flat.size, flat) == 0
