"""How every compute function is compiled: cached on disk, with NumPy's error model.

Numba's default ("python") error model checks every division for a zero divisor so it can raise
ZeroDivisionError; that branch keeps LLVM from vectorizing the loop. With NumPy's model, x / 0 gives inf or
nan as it does in NumPy (the training loop reports non-finite losses) and loops vectorize.

Numba's disk cache knows a function by its own source file only, but compiled functions inline helpers from
other files (every activation loop inlines `compute/activation_table.py`), so an edit there would leave the
cached machine code of the others stale: a new activation would be unknown to the cached dense kernels. The
cache of pipekeras's functions is therefore stamped with the contents of every file compiled code can reach
(`compute/` and `runtime/`): any edit there recompiles them all, once.
"""

import functools
import hashlib
import pathlib

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
    decorate = njit(cache=True, error_model="numpy", **options)
    return decorate if function is None else decorate(function)


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
