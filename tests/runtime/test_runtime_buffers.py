"""runtime.buffers beyond BufferPool.empty (tests/runtime/test_runtime_buffer_pool.py): arrays used in turn, and pools that
live as long as their owner."""

import gc

import numpy as np

from pipekeras.runtime import buffers
from pipekeras.runtime.buffers import BufferPool, pool_of


def test_arrays_in_turn_alternate_and_keep_the_rows_of_the_largest_request():
    pool = BufferPool()
    first = pool.empty_in_turn("batch", (4, 3), np.float32)
    second = pool.empty_in_turn("batch", (6, 3), np.float32)  # first still held: the other array
    assert not np.shares_memory(first, second) and second.shape == (6, 3)
    del first
    third = pool.empty_in_turn("batch", (2, 3), np.float32)  # a smaller batch: first rows of a 6-row array
    assert third.shape == (2, 3) and third.base.shape == (6, 3) and third.flags.c_contiguous
    assert not np.shares_memory(third, second)


def test_a_pool_of_an_owner_is_kept_with_it_and_dropped_after_it():
    owner = np.zeros(3)
    assert pool_of(owner) is pool_of(owner)
    key = id(owner)
    del owner
    gc.collect()
    assert key not in buffers._pools
