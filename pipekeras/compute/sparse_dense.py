"""A dense layer on sparse rows: the product of CSR rows with a kernel, its kernel gradient, and row gathering.

A multi-hot IMDB review holds ~120 ids out of 10,000: its product with a (10000, units) kernel is the sum of
~120 kernel rows. The rows are kept as CSR arrays: `indptr` (int64, rows + 1), `indices` (int32 column ids,
each in [0, fan_in): callers check them before, these loops do not) and `values` (the entries, or an empty
array when every entry is 1, as in multi-hot rows: then no multiplications).

The forward product splits its rows over Numba's threads (`runtime.threads.parallel_loop`); the kernel
gradient splits the kernel's rows, each thread scanning the batch for the ids of its block, so every kernel
row sums its contributions in batch order whatever the thread count.
"""

import numba
import numpy as np

from ..runtime.jit import jit
from ..runtime.threads import parallel_loop, thread_count

ROW_BLOCKS_PER_THREAD = 2


def _sparse_times(indptr, indices, values, kernel, out, blocks):
    """out = rows @ kernel, the rows split into `blocks` runs of rows."""
    rows, units = out.shape
    ones = values.size == 0
    for block in numba.prange(blocks):
        acc = np.empty(units, out.dtype)  # a local accumulator vectorizes
        for i in range(rows * block // blocks, rows * (block + 1) // blocks):
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


def _sparse_kernel_grad(indptr, indices, values, dz, grad, blocks):
    """grad = rows.T @ dz (grad zeroed first), the kernel's rows split into `blocks` ranges of ids."""
    fan_in, units = grad.shape
    rows = dz.shape[0]
    ones = values.size == 0
    for block in numba.prange(blocks):
        lo, hi = fan_in * block // blocks, fan_in * (block + 1) // blocks
        for k in range(lo, hi):
            for j in range(units):
                grad[k, j] = 0
        for i in range(rows):
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


_times_loop = parallel_loop(_sparse_times)
_grad_loop = parallel_loop(_sparse_kernel_grad)


def _blocks(rows):
    return max(1, min(rows, thread_count() * ROW_BLOCKS_PER_THREAD))


def sparse_times(indptr, indices, values, kernel):
    """Returns rows @ kernel for CSR rows (see the module docstring) and a 2D C-contiguous kernel.

    Args:
        indptr, indices, values: the CSR rows (values empty: every entry is 1).
        kernel: (fan_in, units) array; the result has its dtype.

    Returns:
        A (rows, units) array.
    """
    out = np.empty((len(indptr) - 1, kernel.shape[1]), kernel.dtype)
    _times_loop(indices.size * kernel.shape[1], indptr, indices, values, kernel, out, _blocks(len(out)))
    return out


def sparse_kernel_grad(indptr, indices, values, dz, fan_in):
    """Returns rows.T @ dz, the (fan_in, units) kernel gradient of `sparse_times` from the gradient `dz` of its
    output (2D C-contiguous, rows x units)."""
    grad = np.empty((fan_in, dz.shape[1]), dz.dtype)
    _grad_loop(indices.size * dz.shape[1] + grad.size, indptr, indices, values, dz, grad, _blocks(fan_in))
    return grad


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
