"""A dense layer on sparse rows: the product of CSR rows with a kernel, its kernel gradient, and row gathering.

A multi-hot IMDB review holds ~120 ids out of 10,000: its product with a (10000, units) kernel is the sum of
~120 kernel rows. The rows are kept as CSR arrays: `indptr` (int64, rows + 1), `indices` (int32 column ids,
each in [0, fan_in): callers check them before, these loops do not) and `values` (the entries, or an empty
array when every entry is 1, as in multi-hot rows: then no multiplications).

The forward product splits the batch rows over threads (`runtime.threads.split_chunks`: chunks claimed in
turn by threads that block, not spin, so a loaded machine costs no barrier waits; Numba's prange threads
lost 8x at 2 threads beside other jobs); the kernel gradient splits the kernel's rows, each chunk scanning
the batch for the ids of its range, so every kernel row sums its contributions in batch order whatever the
thread count.
"""

import numpy as np

from ..runtime.jit import jit
from ..runtime.threads import chunk_count, split_chunks
# The work (entries x units) from which the loops split: an add per element, ~0.2 ms per million on one thread,
# so the recurrent loops' SPLIT_MIN_WORK (~1 ms of their work) is too early; at IMDB's batch of 512 (1.1
# million) a split waited 8 ms per step for its helper on a loaded 2-core machine.
_MIN_WORK = "PARALLEL_MIN_WORK"


@jit(nogil=True)
def _times_rows(indptr, indices, values, kernel, out, lo, hi):
    """out[lo:hi] = rows[lo:hi] @ kernel."""
    units = out.shape[1]
    ones = values.size == 0
    acc = np.empty(units, out.dtype)  # a local accumulator vectorizes
    for i in range(lo, hi):
        for j in range(units):
            acc[j] = 0
        for p in range(indptr[i], indptr[i + 1]):
            k = indices[p]
            if ones:
                for j in range(units):
                    acc[j] += kernel[k, j]
            else:
                v = values[p]
                for j in range(units):
                    acc[j] += v * kernel[k, j]
        for j in range(units):
            out[i, j] = acc[j]


@jit(nogil=True)
def _kernel_grad_rows(indptr, indices, values, dz, grad, lo, hi):
    """grad[lo:hi] = (rows.T @ dz)[lo:hi]: zeroed, then the batch scanned for the ids in [lo, hi)."""
    units = grad.shape[1]
    ones = values.size == 0
    for k in range(lo, hi):
        for j in range(units):
            grad[k, j] = 0
    for i in range(dz.shape[0]):
        for p in range(indptr[i], indptr[i + 1]):
            k = indices[p]
            if k < lo or k >= hi:
                continue
            if ones:
                for j in range(units):
                    grad[k, j] += dz[i, j]
            else:
                v = values[p]
                for j in range(units):
                    grad[k, j] += v * dz[i, j]


def _split(run, rows, work):
    """run(lo, hi) over range(rows), split over the row-split threads from _MIN_WORK; unsplit, called directly
    (its loops use no BLAS, so `split_rows`'s one-BLAS-thread scope would only cost its ~15 us)."""
    chunks = chunk_count(rows, work, _MIN_WORK)
    if chunks == 1:
        run(0, rows)
    else:
        split_chunks(run, rows, chunks)


def sparse_times(indptr, indices, values, kernel):
    """Returns rows @ kernel for CSR rows (see the module docstring) and a 2D C-contiguous kernel.

    Args:
        indptr, indices, values: the CSR rows (values empty: every entry is 1).
        kernel: (fan_in, units) array; the result has its dtype.

    Returns:
        A (rows, units) array.
    """
    out = np.empty((len(indptr) - 1, kernel.shape[1]), kernel.dtype)

    def run(lo, hi):
        _times_rows(indptr, indices, values, kernel, out, lo, hi)

    _split(run, len(out), indices.size * kernel.shape[1])
    return out


def sparse_kernel_grad(indptr, indices, values, dz, fan_in):
    """Returns rows.T @ dz, the (fan_in, units) kernel gradient of `sparse_times` from the gradient `dz` of its
    output (2D C-contiguous, rows x units)."""
    grad = np.empty((fan_in, dz.shape[1]), dz.dtype)

    def run(lo, hi):
        _kernel_grad_rows(indptr, indices, values, dz, grad, lo, hi)

    _split(run, fan_in, indices.size * dz.shape[1] + grad.size)
    return grad


def csr_of_ids(rows, ids, count, width):
    """Returns (indptr, indices) of the multi-hot rows of the ids: ids[k] in row rows[k] (both int64, ids in
    [0, width)), ids sorted and kept once in each of the `count` rows. Sorts instead of np.unique, whose
    hash-based path took 11 s for IMDB's 1.2 million ids of 5,000 reviews."""
    keys = rows * width + ids
    keys.sort()
    if keys.size:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    indptr = np.zeros(count + 1, np.int64)
    np.cumsum(np.bincount(keys // width, minlength=count), out=indptr[1:])
    return indptr, (keys % width).astype(np.int32)


@jit
def gather_sparse_rows(indptr, indices, values, index, out_indptr, out_indices, out_values):
    """Writes the CSR rows `index` of (indptr, indices, values) into the out arrays (out_indptr already holds the
    new row starts; out_values is empty when values is)."""
    copy_values = values.size > 0
    for r in range(index.size):
        source = indptr[index[r]]
        start = out_indptr[r]
        for p in range(out_indptr[r + 1] - start):
            out_indices[start + p] = indices[source + p]
            if copy_values:
                out_values[start + p] = values[source + p]
