"""Choosing between serial and parallel execution, for Numba loops and for BLAS products.

Two cores are common on laptops and CI machines; there, waking threads for small work costs more than it
saves, and with more runnable threads than cores a parallel region can wait milliseconds for a
descheduled worker. So every kernel with a parallel loop is compiled twice (`twin`) and picks by work size,
and BLAS products below a size run on one thread (`matmul`).
"""

import contextlib
import os
import threading
import types

import numpy as np

from .compile import jit

# A loop runs in parallel over the batch only when it touches at least this many array elements: below it,
# waking threads costs more than it saves, and on a busy machine (more runnable threads than cores) each
# parallel region can wait milliseconds for a descheduled worker.
PARALLEL_MIN_WORK = int(os.environ.get("PIPEKERAS_PARALLEL_MIN_WORK", 1 << 22))


# BLAS products below this many flops run on one BLAS thread: waking BLAS threads for a small product costs
# more than it saves. Above it, BLAS uses its threads: on two idle cores the MNIST convnet's products run
# 1.7x faster threaded (9.3 -> 5.4 ms per step) and training went 2,550 -> 3,250-3,470 samples/s. On a
# machine whose cores are busy with other work, threaded products can be many times slower; raise this
# (environment variable PIPEKERAS_BLAS_THREADED_MIN_FLOPS) or pin one thread there.
BLAS_THREADED_MIN_FLOPS = float(os.environ.get("PIPEKERAS_BLAS_THREADED_MIN_FLOPS", 1e7))
_controller = None
_this_thread = threading.local()


@contextlib.contextmanager
def one_blas_thread():
    """Runs the block with BLAS on one thread (for products too small to share). Entered once per thread:
    nested uses skip threadpoolctl, which takes ~30 µs to enter and as much to leave."""
    global _controller
    if holds_one_blas_thread():
        yield
        return
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    with _controller.limit(limits=1, user_api="blas"):
        _this_thread.one_blas = True
        try:
            yield
        finally:
            _this_thread.one_blas = False


def holds_one_blas_thread():
    """Whether this thread is inside `one_blas_thread()`."""
    return getattr(_this_thread, "one_blas", False)


def matmul(a, b, out=None):
    """Returns a @ b (2D), on one BLAS thread unless the product is large."""
    if holds_one_blas_thread() or 2.0 * a.shape[0] * a.shape[1] * b.shape[1] >= BLAS_THREADED_MIN_FLOPS:
        return np.matmul(a, b, out=out)
    with one_blas_thread():
        return np.matmul(a, b, out=out)


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
        return (parallel if work >= PARALLEL_MIN_WORK else serial)(*args)

    run.serial, run.parallel = serial, parallel
    run.__name__, run.__doc__ = loop.__name__, loop.__doc__
    return run
