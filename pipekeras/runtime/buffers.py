"""Scratch memory: large arrays handed out again once nothing else holds them.

A training step allocates the same large arrays every time (im2col columns, layer outputs, gradients, the
gathered batch). Fresh multi-megabyte arrays come from new memory pages, which the operating system
zero-fills on first touch, a measurable part of a step.

A `BufferPool` keeps the last array it handed out under each key and hands it out again only when its
reference count shows that nobody else holds it: not the caller's previous result, not a view of it, not a
saved tensor, not another thread's call still running (each caller holds a reference while it works, so two
threads never get the same array). Otherwise it allocates a fresh one. Reuse therefore never changes
results; it only saves the page faults. A pool belongs to an owner: a layer keeps one, and `pool_of(array)`
gives one that lives as long as an array (for the batches gathered from it).
"""

import sys
import weakref

import numpy as np

# References to an idle pooled array inside `BufferPool.empty`: the dict, the local name, getrefcount's argument.
_IDLE_REFERENCES = 3


class BufferPool:
    """Per-owner arrays, one per key, reused when idle."""

    def __init__(self):
        self._arrays = {}
        self._turns = {}

    def empty(self, key, shape, dtype):
        """Returns an uninitialized array of `shape` and `dtype`: the idle one kept under `key`, or a new one."""
        shape, dtype = tuple(shape), np.dtype(dtype)
        array = self._arrays.get(key)
        if array is None or sys.getrefcount(array) > _IDLE_REFERENCES or array.shape != shape or \
                array.dtype != dtype:
            array = np.empty(shape, dtype)
            self._arrays[key] = array
        return array

    def empty_in_turn(self, key, shape, dtype):
        """Returns an uninitialized C-contiguous array of `shape` and `dtype`: the first rows of one of two
        arrays under `key`, used in turn, each with the rows of the largest request so far.

        For arrays the caller still holds when it asks for the next one (a batch, held by the first layer's
        saved tensors while the next batch is gathered): the one before is idle by then.
        """
        turn, rows = self._turns.get(key, (0, 0))
        turn, rows = turn ^ 1, max(rows, shape[0])
        self._turns[key] = turn, rows
        return self.empty((key, turn), (rows,) + tuple(shape[1:]), dtype)[:shape[0]]

    def __reduce__(self):
        """Copies and pickles start empty: the arrays are scratch, not state."""
        return BufferPool, ()


def empty(pool, key, shape, dtype):
    """`pool.empty(key, shape, dtype)`, or a fresh array when `pool` is None."""
    return np.empty(shape, dtype) if pool is None else pool.empty(key, shape, dtype)


_pools = {}  # id(owner) -> its BufferPool, dropped when the owner is freed


def pool_of(owner):
    """Returns the BufferPool that lives as long as `owner` (an object that takes weak references, such as a
    NumPy array or a layer), creating it on first use; None for None (fresh arrays).

    Kernels take the owner rather than a pool, so that their callers never handle scratch memory."""
    if owner is None:
        return None
    pool = _pools.get(id(owner))
    if pool is None:
        pool = _pools[id(owner)] = BufferPool()
        weakref.finalize(owner, _pools.pop, id(owner), None)
    return pool
