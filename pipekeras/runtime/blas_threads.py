"""The one owner of BLAS thread counts in the process.

BLAS libraries (NumPy's, and SciPy's, which Numba's `np.dot` calls) keep one thread count for the whole
process, so a count set by one thread applies to every thread. Code that wants products on one BLAS thread
(`one_blas_thread()`) therefore takes a process-wide reference: the first holder sets every library to one
thread, the last to leave sets back the counts to run at (`set_blas_threads`, or the counts the first holder
found). A change of count while one-thread holders are inside (`set_blas_threads`) is kept for when the last
one leaves. Per-thread save-and-restore contexts cannot do this: two threads overlapping in them (A enters,
B enters, A leaves, B leaves) leave the process on one thread. After `set_blas_threads(1)` (one thread
configured) the libraries are on one thread already, and holders change nothing; counts changed outside this
module (the user's own threadpoolctl) are then not seen.
"""

import contextlib
import threading

_lock = threading.Lock()
_holders = 0  # one_blas_thread() blocks running now, in all threads
_counts = None  # per library: the count to run at when nobody holds one thread (None: as found)
_libraries = None
_set_to = None  # the count set_blas_threads last gave every library (None: never called, or unknown)
_changed = False  # whether the first holder changed the counts (the last one to leave sets them back)


def _blas_libraries():
    """threadpoolctl's controllers of the BLAS libraries, SciPy's included (found on first use)."""
    global _libraries
    if _libraries is None:
        import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS before the controller looks)
        from threadpoolctl import ThreadpoolController

        _libraries = ThreadpoolController().select(user_api="blas").lib_controllers
    return _libraries


@contextlib.contextmanager
def one_blas_thread():
    """Runs the block with every BLAS library on one thread, process-wide, for as long as any thread is inside
    such a block (re-entrant; ~1 us per library for the first in and the last out, a counter otherwise)."""
    global _holders, _counts, _changed
    with _lock:
        if _holders == 0:
            # every library is on one thread already after set_blas_threads(1): nothing to change
            _changed = _set_to != 1
            if _changed:
                libraries = _blas_libraries()
                if _counts is None:
                    _counts = [library.num_threads for library in libraries]
                for library in libraries:
                    library.set_num_threads(1)
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                if _changed:
                    for library, threads in zip(_blas_libraries(), _counts):
                        library.set_num_threads(threads)
                _counts, _changed = None, False


def set_blas_threads(threads):
    """Sets every BLAS library to `threads` threads, now or, while a `one_blas_thread()` block runs, when the
    last one leaves."""
    global _counts, _set_to, _changed
    with _lock:
        libraries = _blas_libraries()
        _set_to = threads
        if _holders:
            if _changed or threads != 1:
                _counts, _changed = [threads] * len(libraries), True
            return
        for library in libraries:
            library.set_num_threads(threads)


def blas_thread_counts():
    """Returns the thread count of each BLAS library now (1s inside `one_blas_thread()`)."""
    with _lock:
        return [library.num_threads for library in _blas_libraries()]
