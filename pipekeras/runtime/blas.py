"""The one matrix product of the library outside compiled code: `matmul` decides how it runs.

By the calling thread's scope and the product's size (`tuning`):

- on a serial thread (a chunk of a row split, a `serial()` block): NumPy's product, unsplit, on one BLAS
  thread (held for the product when BLAS would use several: a one-chunk split does not hold it);
- inside `row_pool()` (the recurrent kernels, whose loops run on the row-split threads), split over those
  threads by rows of `a` (or, for a reduction over a long axis, `a` with more columns than rows as in
  x^T @ dgates, by blocks of that axis added in a fixed order), from SPLIT_MIN_FLOPS;
- inside `training_step()`, from BLAS_THREADED_MIN_FLOPS: split over Numba's threads into single-thread gemms
  on blocks of the output's longer side (`gemm.split_product`), since BLAS is on one thread there;
- outside it, below BLAS_THREADED_MIN_FLOPS: on one BLAS thread (waking BLAS threads costs more than they
  save), except products so small that BLAS runs them on one thread by itself;
- else NumPy's product on BLAS's threads.

Split rows give the unsplit product's results (up to rounding where BLAS picks other kernels for other
shapes); split reductions add in another order, so results differ by rounding.
"""

import numpy as np

from . import tuning
from .blas_threads import one_blas_thread
from .gemm import split_product, split_product_serial
from .threads import (chunk_count, in_row_pool, in_training_step, is_serial, running_threads, split_chunks,
                      split_sum, thread_count)


def matmul(a, b, out=None, bias=None):
    """Returns a @ b for 2D arrays, plus `bias` added to every row unless None (see the module docstring).

    Args:
        a, b: 2D arrays (views and transposes welcome).
        out: optional C-contiguous array for the result, of a @ b's shape and dtype.
        bias: optional row (b.shape[1],) added to the result.

    Returns:
        The product (`out` when given).
    """
    rows, inner = a.shape
    flops = 2.0 * rows * inner * b.shape[1]
    if is_serial():
        if flops <= tuning.get("BLAS_OWN_SINGLE_MAX_FLOPS"):
            return _plus(np.matmul(a, b, out=out), bias)
        with one_blas_thread():
            return _plus(np.matmul(a, b, out=out), bias)
    if in_row_pool():
        chunks = chunk_count(max(rows, inner), flops, "SPLIT_MIN_FLOPS")
        if chunks > 1:
            return _plus(_row_split(a, b, out, chunks), bias)
    if flops >= tuning.get("BLAS_THREADED_MIN_FLOPS"):
        if in_training_step() and thread_count() > 1 and _splittable(a, b, out):
            return _plus(_numba_split(a, b, out, thread_count()), bias)
        return _plus(np.matmul(a, b, out=out), bias)
    if in_training_step() or flops <= tuning.get("BLAS_OWN_SINGLE_MAX_FLOPS"):
        return _plus(np.matmul(a, b, out=out), bias)
    with one_blas_thread():
        return _plus(np.matmul(a, b, out=out), bias)


def _row_split(a, b, out, chunks):
    """a @ b in chunks on the row-split threads: by rows of a, or by blocks of a long reduction axis."""
    rows, inner = a.shape
    if rows < inner:
        total = split_sum(lambda lo, hi: np.matmul(a[:, lo:hi], b[lo:hi]), inner, chunks)
        if out is None:
            return total
        out[...] = total
        return out
    if out is None:
        out = np.empty((rows, b.shape[1]), dtype=np.result_type(a, b))

    def product_rows(lo, hi):
        np.matmul(a[lo:hi], b, out=out[lo:hi])

    split_chunks(product_rows, rows, chunks)
    return out


def _splittable(a, b, out):
    """Whether `gemm.split_product` takes these arrays: 2D, one float dtype, a and b C- or F-contiguous, out
    absent or C-contiguous."""
    if not (a.ndim == b.ndim == 2 and a.dtype == b.dtype and a.dtype in (np.float32, np.float64)):
        return False
    if out is not None and not (out.flags.c_contiguous and out.dtype == a.dtype):
        return False
    return all(m.flags.c_contiguous or m.flags.f_contiguous for m in (a, b))


def _numba_split(a, b, out, chunks):
    """a @ b in `chunks` blocks on Numba's threads (one BLAS thread each, as `training_step()` set); the same
    blocks in turn when the step runs on one thread."""
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    product = split_product if running_threads() > 1 else split_product_serial
    product(*_stored(a), *_stored(b), out, chunks)
    return out


def _stored(m):
    """(a C-contiguous array, whether m is its transpose) for a C- or F-contiguous m."""
    return (m, False) if m.flags.c_contiguous else (m.T, True)


def _plus(array, bias):
    """array += bias (unless None); returns array."""
    if bias is not None:
        array += bias
    return array
