"""Data checks over whole arrays: one compiled pass.

fit, evaluate and predict scan every float input for NaN and Inf before the first step (100 MB per call on
IMDB's multi-hot set). The pass runs on one thread, on purpose: Numba's OpenMP threads keep spinning on the
cores after a parallel region, and the steps that follow, whose products run on BLAS's own threads, waited
for them (measurements in benchmarks/NOTES.md).
"""

import math

from ..runtime.jit import jit


@jit
def _count_non_finite(values):
    bad = 0
    for i in range(values.size):
        if not math.isfinite(values[i]):
            bad += 1
    return bad


def all_finite(values):
    """Returns whether a contiguous float array holds no NaN or Inf."""
    return _count_non_finite(values.reshape(-1)) == 0
