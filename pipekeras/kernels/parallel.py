"""Choosing between serial and parallel execution, for Numba loops and for BLAS products.

Two cores are common on laptops and CI machines; there, waking threads for small work costs more than it
saves, and with more runnable threads than cores a parallel region can wait milliseconds for a
descheduled worker. So every kernel with a parallel loop is compiled twice (`twin`) and picks by work size,
and BLAS products below a size run on one thread (`matmul`). The layer-by-layer engine runs its steps inside
`one_pool()`: BLAS on one thread, large products split over Numba's threads, so that only one pool of threads
shares the cores.
"""

import contextlib
import os
import threading
import types

import numba
import numpy as np

from .blas import split_product
from .compile import jit

# A loop runs in parallel over the batch only when it touches at least this many array elements: below it,
# waking threads costs more than it saves, and on a busy machine (more runnable threads than cores) each
# parallel region can wait milliseconds for a descheduled worker.
PARALLEL_MIN_WORK = int(os.environ.get("PIPEKERAS_PARALLEL_MIN_WORK", 1 << 22))
# Inside `one_pool()` no BLAS thread competes for the cores, and loops go parallel from this many elements.
POOL_MIN_WORK = int(os.environ.get("PIPEKERAS_POOL_MIN_WORK", 1 << 17))


# BLAS products below this many flops run on one BLAS thread: waking BLAS threads for a small product costs
# more than it saves. Above it, BLAS uses its threads: on two idle cores the MNIST convnet's products run
# 1.7x faster threaded (9.3 -> 5.4 ms per step) and training went 2,550 -> 3,250-3,470 samples/s. On a
# machine whose cores are busy with other work, threaded products can be many times slower; raise this
# (environment variable PIPEKERAS_BLAS_THREADED_MIN_FLOPS) or pin one thread there.
BLAS_THREADED_MIN_FLOPS = float(os.environ.get("PIPEKERAS_BLAS_THREADED_MIN_FLOPS", 1e7))
_this_thread = threading.local()
_one_thread_controller = None


@contextlib.contextmanager
def one_blas_thread():
    """Runs the block with BLAS on one thread (for products too small to share). Entered once per thread:
    nested uses skip threadpoolctl, which takes ~30 µs to enter and as much to leave."""
    global _one_thread_controller
    if holds_one_blas_thread():
        yield
        return
    if _one_thread_controller is None:
        from threadpoolctl import ThreadpoolController

        _one_thread_controller = ThreadpoolController()
    with _one_thread_controller.limit(limits=1, user_api="blas"):
        _this_thread.one_blas = True
        try:
            yield
        finally:
            _this_thread.one_blas = False


@contextlib.contextmanager
def one_pool():
    """Runs the block with BLAS on one thread, large products split over Numba's threads (`pooled_matmul`) and loops
    parallel from POOL_MIN_WORK elements: Numba's threads are then the only pool.

    Threaded BLAS keeps its threads spinning after a product, and so does Numba's OpenMP after a parallel
    loop; on two cores each pool then waits for the other's spinning thread to be descheduled (a threaded
    product followed by a parallel loop took 8 ms instead of 2). Re-entrant, and threads may hold it at once:
    the first to enter sets every BLAS library (SciPy's too, which Numba's `np.dot` calls) to one thread and
    the last to leave restores the counts the first found (~1 µs per library each way).

    Only training steps use it: OpenBLAS (0.3.30) ignores thread counts set from other threads once the main
    thread has set one, so a product inside it may run on one BLAS thread in the main thread and on several in
    another, and some shapes then round differently; predictions must not depend on the calling thread.
    """
    global _pool_users, _pool_saved
    if in_one_pool():
        yield
        return
    with _pool_lock:
        if _pool_users == 0:
            libraries = _pool_controller().lib_controllers
            _pool_saved = [library.num_threads for library in libraries]
            for library in libraries:
                library.set_num_threads(1)
        _pool_users += 1
    _this_thread.pooled = True
    try:
        yield
    finally:
        _this_thread.pooled = False
        with _pool_lock:
            _pool_users -= 1
            if _pool_users == 0:
                for library, threads in zip(_pool_controller().lib_controllers, _pool_saved):
                    library.set_num_threads(threads)


_pool_lock = threading.Lock()
_pool_users = 0
_pool_saved = None
_pool_blas = None


def _pool_controller():
    """threadpoolctl's controller of the BLAS libraries, SciPy's included."""
    global _pool_blas
    if _pool_blas is None:
        import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS before the controller looks)
        from threadpoolctl import ThreadpoolController

        _pool_blas = ThreadpoolController().select(user_api="blas")
    return _pool_blas


def in_one_pool():
    """Whether this thread is inside `one_pool()`."""
    return getattr(_this_thread, "pooled", False)


def holds_one_blas_thread():
    """Whether this thread is inside `one_blas_thread()`."""
    return getattr(_this_thread, "one_blas", False)


def matmul(a, b, out=None):
    """Returns a @ b (2D) as `pooled_matmul` does, except that outside `one_pool()` and `one_blas_thread()` a
    product below BLAS_THREADED_MIN_FLOPS runs on one BLAS thread (entering it costs ~20 µs)."""
    if in_one_pool() or holds_one_blas_thread() or _flops(a, b) >= BLAS_THREADED_MIN_FLOPS:
        return pooled_matmul(a, b, out)
    with one_blas_thread():
        return np.matmul(a, b, out=out)


def pooled_matmul(a, b, out=None):
    """Returns a @ b (2D): inside `one_pool()` (and outside `one_blas_thread()`), a product of at least
    BLAS_THREADED_MIN_FLOPS split over Numba's threads; else NumPy's product, on BLAS's threads as set."""
    if in_one_pool() and not holds_one_blas_thread() and _flops(a, b) >= BLAS_THREADED_MIN_FLOPS:
        chunks = numba.get_num_threads()
        if chunks > 1 and _splittable(a, b, out):
            return _split_matmul(a, b, out, chunks)
    return np.matmul(a, b, out=out)


def _flops(a, b):
    return 2.0 * a.shape[0] * a.shape[1] * b.shape[1]


def _splittable(a, b, out):
    """Whether `blas.split_product` takes these arrays: 2D, one float dtype, a and b C- or F-contiguous, out
    absent or C-contiguous."""
    if not (a.ndim == b.ndim == 2 and a.dtype == b.dtype and a.dtype in (np.float32, np.float64)):
        return False
    if out is not None and not (out.flags.c_contiguous and out.dtype == a.dtype):
        return False
    return all(m.flags.c_contiguous or m.flags.f_contiguous for m in (a, b))


def _split_matmul(a, b, out, chunks):
    """a @ b in `chunks` blocks on Numba's threads (one BLAS thread each, as `one_pool()` set)."""
    if out is None:
        out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    split_product(*_stored(a), *_stored(b), out, chunks)
    return out


def _stored(m):
    """(a C-contiguous array, whether m is its transpose) for a C- or F-contiguous m."""
    return (m, False) if m.flags.c_contiguous else (m.T, True)


def _min_parallel_work():
    """The elements from which a loop runs in parallel: POOL_MIN_WORK inside `one_pool()` with several Numba
    threads, else PARALLEL_MIN_WORK (on one thread a parallel copy only costs its compilation, ~1.5 s)."""
    return POOL_MIN_WORK if in_one_pool() and numba.get_num_threads() > 1 else PARALLEL_MIN_WORK


def twin(loop):
    """Compiles `loop` (a plain function using prange) twice: serial and parallel.

    Returns a function `run(work, *args)` that calls the parallel version when `work >= PARALLEL_MIN_WORK`.
    The two copies get distinct names so that their on-disk caches do not overwrite each other.
    """
    def copy(suffix):
        clone = types.FunctionType(loop.__code__, loop.__globals__, loop.__name__ + suffix, loop.__defaults__,
                                   loop.__closure__)
        clone.__qualname__ = loop.__qualname__ + suffix
        clone.__module__ = loop.__module__
        clone.__doc__ = loop.__doc__
        return clone

    serial = jit(copy("_serial"))
    parallel = jit(copy("_parallel"), parallel=True)

    def run(work, *args):
        return (parallel if work >= _min_parallel_work() else serial)(*args)

    run.serial, run.parallel = serial, parallel
    run.__name__, run.__doc__ = loop.__name__, loop.__doc__
    return run
