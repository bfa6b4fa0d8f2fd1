"""Splitting work over threads by rows: chunks on the calling thread and a small pool of helper threads.

Samples are independent, so a loop over a batch can run on any range of rows lo:hi (the recurrent time loops
do), and a large product on any block of rows, or of a reduction's long axis. With two or more threads set
(pk.set_num_threads), `split` runs such work as chunks on the calling thread and helper threads, with the
kernels releasing the GIL, each on one BLAS thread: threaded BLAS leaves its threads spinning after a
product, and they took the core from the next loop's helper (a split LSTM loop went from 11 to 16-20 ms
right after a threaded product). Python threads are used rather than Numba's parallel loops for the same
reason: Numba's OpenMP threads keep spinning after a parallel region too.

Waking a helper takes ~150 us on a 2-core VM, so a loop is split only when it has at least SPLIT_MIN_WORK
elements (for a recurrent loop steps * batch * gates * units; ~1 ms on one thread: a 500-step LSTM(32) loop of
16 rows is 1.3x faster split, a 32-step one of 64 rows breaks even), a product when it has at least
SPLIT_MIN_FLOPS flops (smaller ones go to `parallel.matmul`), and every chunk has at least SPLIT_MIN_ROWS rows.
"""

import itertools
import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numba
import numpy as np

from .parallel import holds_one_blas_thread, matmul, one_blas_thread

SPLIT_MIN_WORK = 1 << 19
SPLIT_MIN_FLOPS = 3e7
SPLIT_MIN_ROWS = 8
# Chunks are claimed in turn, so a thread slowed down by other work on its core ends up with fewer of them.
CHUNKS_PER_THREAD = 2

_pool = None
_pool_lock = threading.Lock()
_this_thread = threading.local()


def split_threads():
    """The threads split work may use: Numba's thread count, which pk.set_num_threads sets."""
    return numba.get_num_threads()


def chunk_count(size, work, min_work=None):
    """How many chunks to split `size` rows into: 1 (no split) for work below min_work (SPLIT_MIN_WORK when
    None), fewer rows than two chunks need, or one thread."""
    if work < (SPLIT_MIN_WORK if min_work is None else min_work) or size < 2 * SPLIT_MIN_ROWS:
        return 1  # decided before asking Numba for the thread count, which takes ~3 µs
    threads = split_threads()
    return 1 if threads < 2 else min(threads * CHUNKS_PER_THREAD, size // SPLIT_MIN_ROWS)


def _helpers():
    """The thread pool that runs chunks beside the calling thread (started on first use)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="pipekeras-split")
        return _pool


def _forget_helpers():
    """After fork: the child has none of the parent's threads, so it starts its own pool when it needs one."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_helpers)


def _on_one_blas_thread():
    """Whether products here should run on this thread alone: inside `one_blas_thread()` or a chunk."""
    return holds_one_blas_thread() or getattr(_this_thread, "in_chunk", False)


def split(run, size, chunks):
    """Calls run(lo, hi) for `chunks` ranges covering range(size), on the calling thread and helper threads
    (in one call on this thread when chunks is 1 or this thread is running a chunk already)."""
    if chunks == 1 or getattr(_this_thread, "in_chunk", False):
        run(0, size)
        return
    bounds = [size * k // chunks for k in range(chunks + 1)]
    claim = itertools.count()

    def run_chunks():
        _this_thread.in_chunk = True
        try:
            k = next(claim)
            while k < chunks:
                run(bounds[k], bounds[k + 1])
                k = next(claim)
        finally:
            _this_thread.in_chunk = False

    with one_blas_thread():
        helpers = [_helpers().submit(run_chunks) for _ in range(min(split_threads(), chunks) - 1)]
        try:
            run_chunks()
        finally:
            wait(helpers)  # they write into the caller's arrays: never return before they are done
    for helper in helpers:
        helper.result()  # raises a helper's error


def split_matmul(a, b, bias=None):
    """Returns a @ b (2D) plus `bias` (a row added to every row, unless None); when large, split over threads
    by rows of `a`, or, for a reduction over a long axis (`a` with more columns than rows, as x^T @ dgates), by
    blocks of that axis whose partial products are added in a fixed order. Else `parallel.matmul`; in place on
    this thread inside `parallel.one_blas_thread()` or a chunk. Split rows give the unsplit product's results
    (up to rounding where BLAS picks other kernels for other shapes); split reductions add in another order,
    so results differ by rounding."""
    if _on_one_blas_thread():
        return _plus(np.matmul(a, b), bias)
    m, k = a.shape
    chunks = chunk_count(max(m, k), 2.0 * m * k * b.shape[1], SPLIT_MIN_FLOPS)
    if chunks == 1:
        return _plus(matmul(a, b), bias)
    if m < k:
        return _plus(_split_sum(lambda lo, hi: np.matmul(a[:, lo:hi], b[lo:hi]), k, chunks), bias)
    out = np.empty((m, b.shape[1]), dtype=np.result_type(a, b))

    def rows(lo, hi):
        _plus(np.matmul(a[lo:hi], b, out=out[lo:hi]), bias)

    split(rows, m, chunks)
    return out


def split_column_sums(a):
    """Returns a.sum(axis=0) for a 2D `a` (a bias gradient); when large, split over threads by blocks of rows
    added in a fixed order (so results differ from the unsplit sum by rounding)."""
    # A sum costs ~1/8 of what a loop's gate element does (~0.3 vs ~2.3 ns on one thread).
    chunks = chunk_count(a.shape[0], a.size // 8)
    if chunks == 1 or _on_one_blas_thread():
        return a.sum(axis=0)
    return _split_sum(lambda lo, hi: a[lo:hi].sum(axis=0), a.shape[0], chunks)


def _split_sum(partial, size, chunks):
    """The sum of partial(lo, hi) over `chunks` blocks of range(size): blocks on threads, added in order."""
    parts = {}

    def run(lo, hi):
        parts[lo] = partial(lo, hi)

    split(run, size, chunks)
    return sum(parts[lo] for lo in sorted(parts))


def _plus(array, bias):
    """array += bias (unless None); returns array."""
    if bias is not None:
        array += bias
    return array
