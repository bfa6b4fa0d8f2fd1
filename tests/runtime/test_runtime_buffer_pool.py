"""BufferPool: arrays are handed out again only when nobody holds them; layers using it give the same
results as fresh arrays, also when several threads predict at once."""

import copy
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import pipekeras as pk
from pipekeras.runtime.buffers import BufferPool


def test_idle_array_is_reused():
    pool = BufferPool()
    first = pool.empty("a", (3, 4), np.float32)
    address = first.ctypes.data
    del first
    assert pool.empty("a", (3, 4), np.float32).ctypes.data == address


def test_held_array_or_view_is_not_reused():
    pool = BufferPool()
    held = pool.empty("a", (3, 4), np.float32)
    assert pool.empty("a", (3, 4), np.float32) is not held
    view = pool.empty("b", (8,), np.float64)[2:]
    assert not np.shares_memory(pool.empty("b", (8,), np.float64), view)


def test_other_shape_or_dtype_gets_a_new_array():
    pool = BufferPool()
    pool.empty("a", (3, 4), np.float32)
    for shape, dtype in [((4, 3), np.float32), ((3, 4), np.float64), ((12,), np.float32)]:
        array = pool.empty("a", shape, dtype)
        assert array.shape == shape and array.dtype == dtype


def test_copies_start_empty():
    pool = BufferPool()
    kept = pool.empty("a", (2,), np.float32)
    for clone in (copy.deepcopy(pool), pickle.loads(pickle.dumps(pool))):
        assert clone.empty("a", (2,), np.float32) is not kept


def _convnet():
    pk.set_seed(0)
    return (pk.sequential() | pk.conv_2d(4, 3, activation="relu", input_shape=(10, 10, 1)) | pk.max_pooling_2d(2)
            | pk.conv_2d(6, 3, activation="relu") | pk.flatten() | pk.dense(3, "softmax"))


def test_outputs_held_by_the_caller_are_not_overwritten():
    model = _convnet()
    x = np.random.default_rng(0).random((5, 10, 10, 1), np.float32)
    conv = model.layers[0]
    first = conv(x)
    kept = first.copy()
    conv(x[::-1].copy())
    np.testing.assert_array_equal(first, kept)


def test_threads_predicting_at_once_get_the_serial_results():
    model = _convnet()
    rng = np.random.default_rng(1)
    inputs = [rng.random((7, 10, 10, 1), np.float32) for _ in range(16)]
    expected = [model.predict_on_batch(x) for x in inputs]
    with ThreadPoolExecutor(4) as executor:
        results = list(executor.map(model.predict_on_batch, inputs * 4))
    for got, want in zip(results, expected * 4):
        np.testing.assert_array_equal(got, want)
