"""Threads: how many, and the verbs that run work on them.

There are two pools of threads. Numba's (OpenMP) threads run the `prange` loops of `parallel_loop` kernels
and, inside `training_step()`, large products split into single-thread gemms (`blas.matmul`). A small pool
of Python threads runs `split_rows` work: chunks of batch rows of a nogil kernel (the recurrent time loops)
or of a product, beside the calling thread. Both pools, and threaded BLAS, keep their threads spinning
after a region, and on a few cores the next region of another pool then waits for them; so every decision
below keeps one pool busy at a time, and small work serial.

Every decision reads `thread_count()` and the thresholds in `tuning` per call, so both may change between
calls. Each thread keeps one record of the scope it runs in (`_scope`): inside `training_step()`, inside
`row_pool()`, or serial (running a chunk or a `serial()` block). A training step of a model runs on the
count its `StepThreads` chooses (one thread while other processes make that faster: step_threads.py).

How work is split and how many threads run it are separate: `thread_count()`, the configured count, sets
the structure (whether a loop runs its parallel copy, how many chunks a product or a row split has, the
order partial sums are added in); `running_threads()` says how many threads execute those chunks (Numba's
count on the step's thread, and the row-split helpers). A step on fewer threads runs the same chunks in
turn, so its numbers are bitwise those of a step on all of them.
"""

import contextlib
import itertools
import os
import threading
import time
import types
import weakref
from concurrent.futures import ThreadPoolExecutor, wait

import numba
import numpy as np

from . import tuning
from .blas_threads import one_blas_thread, set_blas_threads
from .jit import jit
from .step_threads import StepThreads

# Chunks are claimed in turn, so a thread slowed down by other work on its core ends up with fewer of them.
CHUNKS_PER_THREAD = 2


class _Scope(threading.local):
    """What this thread runs in now."""

    training = False  # inside training_step()
    row_pool = False  # inside row_pool()
    serial = 0  # depth of serial() blocks and chunks: products unsplit, on one BLAS thread (see split_chunks)
    step_threads = 0  # inside a model's training_step(): the threads that run the step (0: _threads)


_scope = _Scope()
_threads = numba.get_num_threads()


def set_num_threads(n):
    """Sets the threads used by Numba kernels, row splits and BLAS together, so they never oversubscribe.

    Args:
        n: a positive integer; more than the number of cores counts as that number.

    Returns:
        The number of threads set.

    Raises:
        ValueError: `n` is not a positive integer.

    Example:
        >>> set_num_threads(2)
    """
    global _threads
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, received {n!r}.")
    n = int(min(n, os.cpu_count() or 1))
    _threads = min(n, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(_threads)
    set_blas_threads(n)
    return n


def get_num_threads():
    """Returns the number of threads Numba kernels and row splits use (set by `set_num_threads`)."""
    return _threads


def thread_count():
    """The threads parallel work is split for (the configured count): every split and parallel loop asks here,
    per call, for its structure; `running_threads()` runs it."""
    return _threads


def running_threads():
    """The threads that run parallel work now: inside a model's `training_step()` the count its `StepThreads`
    chose (at most `thread_count()`), else `thread_count()`."""
    return _scope.step_threads or _threads


# ----- scopes --------------------------------------------------------------------------------------------

_controllers = {}  # id(owner) -> its StepThreads, dropped when the owner is freed


def step_threads_of(owner):
    """The `StepThreads` that chooses the thread count of `owner`'s training steps (made on first use, and
    again when `set_num_threads` has changed the count since)."""
    controller = _controllers.get(id(owner))
    if controller is None or controller.threads != _threads:
        if controller is None:
            weakref.finalize(owner, _controllers.pop, id(owner), None)
        controller = _controllers[id(owner)] = StepThreads(_threads)
    return controller


@contextlib.contextmanager
def training_step(owner=None):
    """Runs a training step: BLAS on one thread, large products split over Numba's threads and loops parallel
    from POOL_MIN_WORK elements, so that Numba's threads are the only pool. Re-entrant.

    Only training steps use it: OpenBLAS (0.3.30) ignores thread counts set from other threads once the main
    thread has set one, so a product inside it may run on one BLAS thread in the main thread and on several in
    another, and some shapes then round differently; predictions must not depend on the calling thread.

    Args:
        owner: the object whose steps these are (a model's runner; it must take weak references): with
            ADAPT_THREADS on and several threads, its steps are timed and run on the thread count its
            `StepThreads` chooses, split as on `get_num_threads()` (same numbers). None: on
            `get_num_threads()`.
    """
    if _scope.training:
        yield
        return
    adapting = owner is not None and _threads > 1 and tuning.get("ADAPT_THREADS")
    controller = step_threads_of(owner) if adapting else None
    count = _threads if controller is None else controller.next_count()
    numba_count = numba.get_num_threads() if count != _threads else 0
    with one_blas_thread():
        _scope.training = True
        _scope.step_threads = count
        if numba_count:
            numba.set_num_threads(count)  # this thread's parallel loops: the same chunks on fewer threads
        start = time.perf_counter()
        try:
            yield
        finally:
            _scope.training = False
            _scope.step_threads = 0
            if numba_count:
                numba.set_num_threads(numba_count)
    if controller is not None:
        controller.record(count, time.perf_counter() - start)


def in_training_step():
    """Whether this thread is inside `training_step()`."""
    return _scope.training


@contextlib.contextmanager
def row_pool():
    """Runs the block's large products on the row-split threads even inside `training_step()`: for kernels
    whose loops run there (the recurrent time loops), so that one pool serves the whole block."""
    outer = _scope.row_pool
    _scope.row_pool = True
    try:
        yield
    finally:
        _scope.row_pool = outer


def in_row_pool():
    """Whether this thread's large products split over the row-split threads (inside `row_pool()`: the
    recurrent kernels' products, in training and inference alike)."""
    return _scope.row_pool


@contextlib.contextmanager
def serial():
    """Runs the block on this thread alone: its products unsplit on one BLAS thread, its row splits in place."""
    with one_blas_thread():
        _scope.serial += 1
        try:
            yield
        finally:
            _scope.serial -= 1


def is_serial():
    """Whether this thread is inside `serial()` (or running a chunk of a row split)."""
    return _scope.serial > 0


# ----- parallel loops ------------------------------------------------------------------------------------

def _min_parallel_work():
    """The elements from which a loop runs in parallel: POOL_MIN_WORK inside `training_step()` with several
    threads, else PARALLEL_MIN_WORK (on one thread a parallel copy only costs its compilation, ~1.5 s)."""
    if _scope.training and thread_count() > 1:
        return tuning.get("POOL_MIN_WORK")
    return tuning.get("PARALLEL_MIN_WORK")


def parallel_loop(loop):
    """Compiles `loop` (a plain function using prange) twice: serial and parallel.

    Args:
        loop: the Python function; its prange loop runs over independent elements.

    Returns:
        A function `run(work, *args)` that calls the parallel copy when `work` (elements touched) reaches the
        threshold of the current scope and `thread_count()` is above 1, else the serial one. The copies get
        distinct names so that their on-disk caches do not overwrite each other; `run.serial` and
        `run.parallel` are the two dispatchers.
    """
    def copy(suffix):
        clone = types.FunctionType(loop.__code__, loop.__globals__, loop.__name__ + suffix, loop.__defaults__,
                                   loop.__closure__)
        clone.__qualname__ = loop.__qualname__ + suffix
        clone.__module__ = loop.__module__
        clone.__doc__ = loop.__doc__
        return clone

    serial_copy = jit(copy("_serial"))
    parallel_copy = jit(copy("_parallel"), parallel=True)

    def run(work, *args):
        return (parallel_copy if work >= _min_parallel_work() and thread_count() > 1 else serial_copy)(*args)

    run.serial, run.parallel = serial_copy, parallel_copy
    run.__name__, run.__doc__ = loop.__name__, loop.__doc__
    return run


# ----- splits over batch rows ----------------------------------------------------------------------------

_pool = None
_pool_lock = threading.Lock()


def chunk_count(rows, work, min_work_name="SPLIT_MIN_WORK"):
    """How many chunks to split `rows` rows of `work` into: 1 (no split) below the threshold `min_work_name`,
    for fewer rows than two chunks need, on one thread, or on a thread that is serial already."""
    min_rows = tuning.get("SPLIT_MIN_ROWS")
    if work < tuning.get(min_work_name) or rows < 2 * min_rows or _scope.serial:
        return 1
    threads = thread_count()
    return 1 if threads < 2 else min(threads * CHUNKS_PER_THREAD, rows // min_rows)


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


def split_rows(run, rows, work, min_work_name="SPLIT_MIN_WORK"):
    """Calls run(lo, hi) over ranges covering range(rows), split over threads when the work is large.

    Every chunk of a split runs `serial()`: on one BLAS thread, its products unsplit, its own splits in place.
    The chunks run on the calling thread and the row-split helper threads (`run` should release the GIL),
    claimed in turn; a helper's exception is raised here once every chunk has finished. Work that does not
    split runs in place, serial, without changing BLAS's thread count (`split_chunks`).

    Args:
        run: function of (lo, hi), writing only its own rows of shared arrays.
        rows: how many rows to cover.
        work: the size of the whole job, in the unit of the threshold `min_work_name`.
        min_work_name: the `tuning` threshold from which the job splits.
    """
    split_chunks(run, rows, chunk_count(rows, work, min_work_name))


def split_chunks(run, rows, chunks):
    """`split_rows` with the chunk count given (see `chunk_count`); in place on a serial thread.

    One chunk runs in place as serial without changing BLAS's thread count: its products take one BLAS thread
    only when BLAS would run them on several (`blas.matmul`; compiled loops with per-step products ask for
    it themselves). Only a real split holds BLAS on one thread for the whole block.
    """
    if _scope.serial:
        run(0, rows)
        return
    if chunks == 1:
        _scope.serial += 1
        try:
            run(0, rows)
        finally:
            _scope.serial -= 1
        return
    bounds = [rows * k // chunks for k in range(chunks + 1)]
    claim = itertools.count()

    def run_chunks():
        with serial():
            k = next(claim)
            while k < chunks:
                run(bounds[k], bounds[k + 1])
                k = next(claim)

    with one_blas_thread():
        helpers = [_helpers().submit(run_chunks) for _ in range(min(running_threads(), chunks) - 1)]
        try:
            run_chunks()
        finally:
            wait(helpers)  # they write into the caller's arrays: never return before they are done
    for helper in helpers:
        helper.result()  # raises a helper's error


def split_sum(partial, size, chunks):
    """The sum of partial(lo, hi) over `chunks` blocks of range(size), run as `split_chunks` and added in
    block order (so the result does not depend on which thread ran which block)."""
    parts = {}

    def run(lo, hi):
        parts[lo] = partial(lo, hi)

    split_chunks(run, size, chunks)
    return sum(parts[lo] for lo in sorted(parts))
