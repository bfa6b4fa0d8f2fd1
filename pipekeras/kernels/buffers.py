"""Large arrays handed out again once nothing else holds them.

A training step allocates the same large arrays every time (im2col columns, layer outputs, gradients).
Fresh multi-megabyte arrays come from new memory pages, which the operating system zero-fills on first
touch: on the MNIST convnet (batch 64) that was ~2,800 page faults and ~4 ms of a ~24 ms step.

A `BufferPool` keeps the last array it handed out under each key and hands it out again only when its
reference count shows that nobody else holds it: not the caller's previous result, not a view of it, not a
saved tensor, not another thread's call still running (each caller holds a reference while it works, so two
threads never get the same array). Otherwise it allocates a fresh one. Reuse therefore never changes
results; it only saves the page faults.
"""

import sys
import weakref

import numpy as np

# References to an idle pooled array inside `BufferPool.empty`: the dict, the local name, getrefcount's argument.
_IDLE_REFERENCES = 3


class BufferPool:
    """Per-owner (e.g. per-layer) arrays, one per key, reused when idle."""

    def __init__(self):
        self._arrays = {}

    def empty(self, key, shape, dtype):
        """Returns an uninitialized array of `shape` and `dtype`: the idle one kept under `key`, or a new one."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        array = self._arrays.get(key)
        if array is None or sys.getrefcount(array) > _IDLE_REFERENCES or array.shape != shape or \
                array.dtype != dtype:
            array = np.empty(shape, dtype)
            self._arrays[key] = array
        return array

    def __reduce__(self):
        """Copies and pickles start empty: the arrays are scratch, not state."""
        return BufferPool, ()


_OWNED_POOLS = weakref.WeakKeyDictionary()


def scratch_pool(owner):
    """The `BufferPool` of `owner` (e.g. a layer), made on first use and dropped with it; None for None.

    Kernels take the owner rather than a pool, so that callers never handle scratch memory themselves.
    """
    if owner is None:
        return None
    pool = _OWNED_POOLS.get(owner)
    if pool is None:
        pool = _OWNED_POOLS.setdefault(owner, BufferPool())
    return pool


def empty(pool, key, shape, dtype):
    """`pool.empty(key, shape, dtype)`, or a fresh array when `pool` is None."""
    return np.empty(shape, dtype) if pool is None else pool.empty(key, shape, dtype)
