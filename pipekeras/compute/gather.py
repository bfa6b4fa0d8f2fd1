"""Gathering rows: one training batch out of the shuffled samples.

`take` copies the rows into two arrays per input, used in turn (`runtime.buffers.pool_of`), so that no step
touches fresh pages. The copy runs on one thread, on purpose: split over Numba's threads it was faster by
itself, but Numba's OpenMP threads keep spinning on the cores after a parallel region and the step's next
products, run by BLAS's own threads, waited for them.
"""

import numpy as np

from ..runtime.buffers import pool_of
from ..runtime.jit import jit


@jit
def gather_rows(source, index, out):
    """Writes source[index] into `out`.

    Args:
        source: 2D C-contiguous array (samples, values per sample).
        index: 1D int64 array of rows, each in [0, len(source)).
        out: 2D C-contiguous array (len(index), values per sample) of source's dtype.
    """
    # Element by element: a row assignment (out[i] = source[j]) first copies the row to a temporary, in case
    # the two overlap, and took twice as long.
    values = source.shape[1]
    for i in range(index.size):
        row = index[i]
        for k in range(values):
            out[i, k] = source[row, k]


def take(array, index):
    """Returns array[index] for an index array: copied by `gather_rows` into a reused array where the kernel
    covers the layout (C-contiguous numbers in native byte order, integer indices within bounds), else by
    NumPy (which also raises its errors for bad indices)."""
    covered = array.flags.c_contiguous and array.dtype.kind in "iuf" and array.dtype.isnative and array.size and \
        index.ndim == 1 and index.dtype.kind in "iu" and index.size and 0 <= index.min() and \
        index.max() < len(array)
    if not covered:
        return array[index]
    out = pool_of(array).empty_in_turn("batch", (len(index),) + array.shape[1:], array.dtype)
    gather_rows(array.reshape(len(array), -1), index.astype(np.intp, copy=False), out.reshape(len(index), -1))
    return out
