"""How every compute function is compiled: cached on disk, with NumPy's error model.

Numba's default ("python") error model checks every division for a zero divisor so it can raise
ZeroDivisionError; that branch keeps LLVM from vectorizing the loop. With NumPy's model, x / 0 gives inf or
nan as it does in NumPy (the training loop reports non-finite losses) and loops vectorize.

Numba's disk cache knows a function by its own source file only, but compiled functions inline helpers from
other files (every activation loop inlines `compute/activation_table.py`), so an edit there would leave the
cached machine code of the others stale: a new activation would be unknown to the cached dense kernels. The
cache of pipekeras's functions is therefore stamped with the contents of every file compiled code can reach
(`compute/` and `runtime/`): any edit there recompiles them all, once.

Several processes may share one cache (pytest-xdist's workers, data-parallel ranks, Dask workers). Numba's
save reads a function's index, names a new data file by the first number the index does not use, and writes
both: two processes saving different signatures at once pick the same name, one's machine code overwrites the
other's, and both indexes point to it, so a later process loads the wrong overload. pipekeras's functions
therefore read and write their cache under an fcntl lock on its directory (shared to load, exclusive to
save); where fcntl is missing (Windows), they cache as Numba does.
"""

import contextlib
import functools
import hashlib
import os
import pathlib

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, Numba's unlocked cache
    fcntl = None

from numba import njit
from numba.core import caching

_PACKAGE = pathlib.Path(__file__).resolve().parents[1]
_COMPILED_SOURCES = ("compute", "runtime")


def jit(function=None, **options):
    """Compiles `function` with Numba: `@jit` or `@jit(parallel=True, inline="always", ...)`.

    Args:
        function: the Python function to compile (omitted when options are given).
        **options: further `numba.njit` options.

    Returns:
        The compiled dispatcher, or a decorator when `function` is None.
    """
    def decorate(function):
        dispatcher = njit(cache=True, error_model="numpy", **options)(function)
        if fcntl is not None and hasattr(dispatcher, "_cache"):  # a plain function under NUMBA_DISABLE_JIT
            dispatcher._cache = _SharedFunctionCache(dispatcher.py_func)
        return dispatcher

    return decorate if function is None else decorate(function)


@contextlib.contextmanager
def _locked(directory, operation):
    """Holds an fcntl lock (`fcntl.LOCK_SH` or `LOCK_EX`) on a cache directory, released when the block ends."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(handle, operation)
        yield
    finally:
        os.close(handle)  # closing releases the lock


class _SharedCacheFile(caching.IndexDataCacheFile):
    """Numba's index and data files of one function, read under a shared lock and written under an exclusive one."""

    def save(self, key, data):
        with _locked(self._cache_path, fcntl.LOCK_EX):
            super().save(key, data)

    def load(self, key):
        try:
            with _locked(self._cache_path, fcntl.LOCK_SH):
                return super().load(key)
        except FileNotFoundError:  # the cache directory was removed: nothing cached
            return None

    def flush(self):
        with _locked(self._cache_path, fcntl.LOCK_EX):
            super().flush()


class _SharedFunctionCache(caching.FunctionCache):
    """Numba's cache of one function's compiled overloads, kept in a `_SharedCacheFile`."""

    def __init__(self, py_func):
        super().__init__(py_func)
        numbas = self._cache_file
        self._cache_file = _SharedCacheFile(numbas._cache_path, self._impl.filename_base, numbas._source_stamp)


@functools.lru_cache(maxsize=None)
def compiled_sources_digest():
    """The SHA-256 of every source file under compute/ and runtime/ (read once per process)."""
    digest = hashlib.sha256()
    for part in _COMPILED_SOURCES:
        for path in sorted((_PACKAGE / part).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _in_package(py_file):
    """Whether a source file is pipekeras's (asked for each compiled function at import: resolved once per file)."""
    return pathlib.Path(py_file).resolve().is_relative_to(_PACKAGE)


_ensured_paths = set()  # cache directories made and found writable in this process


def _stamped(locator_class):
    """`locator_class` for pipekeras's own files, with the compiled sources' digest added to its stamp."""

    class Stamped(locator_class):
        def get_source_stamp(self):
            return super().get_source_stamp(), compiled_sources_digest()

        def ensure_cache_path(self):
            # Numba checks each function's cache directory by creating a file in it; pipekeras's ~160 compiled
            # functions share a few directories, so each is checked once (~10% of `import pipekeras` otherwise)
            path = self.get_cache_path()
            if path not in _ensured_paths:
                super().ensure_cache_path()
                _ensured_paths.add(path)

        @classmethod
        def from_function(cls, py_func, py_file):
            return super().from_function(py_func, py_file) if _in_package(py_file) else None

    Stamped.__name__ = Stamped.__qualname__ = "Pipekeras" + locator_class.__name__
    return Stamped


def _stamp_package_caches():
    """Puts stamped locators for pipekeras's files before Numba's own (which still serve every other file)."""
    implementation = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # renamed in Numba 0.61
    standard = [cls for cls in implementation._locator_classes if not cls.__name__.startswith("Pipekeras")]
    implementation._locator_classes = [_stamped(cls) for cls in standard
                                       if hasattr(cls, "get_source_stamp")] + standard


_stamp_package_caches()
