"""take_rows (one training batch) against NumPy's indexing: the compiled gather, the layouts it leaves to
NumPy, and the reuse of its batch arrays."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.training.data import take_rows

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("shape", [(7,), (7, 5), (7, 3, 4)])
@pytest.mark.parametrize("count", [0, 1, 4, 7])
def test_rows_match_numpy(dtype, shape, count):
    generator = np.random.default_rng(count)
    array = (generator.standard_normal(shape) * 50).astype(dtype)
    index = generator.permutation(shape[0])[:count]
    (batch,) = take_rows([array], index)
    assert batch.dtype == array.dtype and batch.shape == (count,) + shape[1:]
    np.testing.assert_array_equal(batch, array[index])


def test_repeated_rows_and_other_index_types():
    array = np.arange(24, dtype=np.float32).reshape(6, 4)
    for index in ([5, 0, 5, 5], np.array([3, 1], np.int32), np.array([2], np.uint16), np.array([0, 5], np.int64)):
        np.testing.assert_array_equal(take_rows([array], index)[0], array[np.asarray(index)])


def test_slices_stay_views():
    array = np.arange(20.0).reshape(10, 2)
    batch, targets = take_rows([array, array[:, :1]], slice(2, 5))
    assert np.shares_memory(batch, array) and np.shares_memory(targets, array)
    np.testing.assert_array_equal(batch, array[2:5])


@pytest.mark.parametrize("make", [
    lambda a: np.asfortranarray(a), lambda a: a[:, ::2], lambda a: a.astype(a.dtype.newbyteorder()),
    lambda a: a > 0, lambda a: a.astype(np.complex64), lambda a: a[:, :0]], ids=[
    "fortran", "strided", "byteswapped", "bool", "complex", "empty rows"])
def test_layouts_left_to_numpy(make):
    array = make(np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32))
    index = np.array([4, 1, 1, 0])
    np.testing.assert_array_equal(take_rows([array], index)[0], array[index])


def test_negative_out_of_range_and_mask_indices_behave_as_in_numpy():
    array = np.arange(12, dtype=np.float64).reshape(4, 3)
    np.testing.assert_array_equal(take_rows([array], np.array([-1, 0]))[0], array[[-1, 0]])
    np.testing.assert_array_equal(take_rows([array], np.array([True, False, True, False]))[0], array[[0, 2]])
    with pytest.raises(IndexError):
        take_rows([array], np.array([0, 4]))


def test_large_batch():
    array = np.random.default_rng(1).random((700, 6000), dtype=np.float32)
    index = np.random.default_rng(2).permutation(700)[:600]
    np.testing.assert_array_equal(take_rows([array], index)[0], array[index])


def test_fit_with_shuffling_matches_fit_on_numpy_batches(monkeypatch):
    from pipekeras.training import epochs

    x = np.random.default_rng(0).random((64, 6), dtype=np.float32)
    y = (x.sum(axis=1, keepdims=True) > 3).astype(np.float32)
    weights = []
    for gather in (take_rows, lambda arrays, index: [a[index] for a in arrays]):
        monkeypatch.setattr(epochs, "take_rows", gather)
        pk.set_seed(3)
        model = pk.sequential() | pk.dense(5, "relu", input_shape=6, kernel_regularizer="l2") | pk.dense(1, "sigmoid")
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        model.fit(x, y, epochs=2, batch_size=16, verbose=0, shuffle=True)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)


def test_held_batches_are_never_overwritten():
    array = np.random.default_rng(0).standard_normal((50, 8)).astype(np.float32)
    indices = [np.random.default_rng(i).permutation(50)[:10] for i in range(5)]
    held = [take_rows([array], index)[0] for index in indices]  # all held at once
    held.append(take_rows([array], indices[0])[0][2:])  # a view of one
    for batch, index in zip(held, indices):
        np.testing.assert_array_equal(batch, array[index])


def test_idle_batch_arrays_are_reused_and_dropped_with_their_input():
    from pipekeras.runtime import buffers

    array = np.ones((20, 3), np.float32)
    previous = take_rows([array], np.arange(4))[0]  # as the first layer holds the batch of the step before
    addresses = set()
    for step in range(6):
        current = take_rows([array], np.arange(4))[0]
        assert not np.shares_memory(current, previous)
        addresses.add(current.ctypes.data)
        previous = current
    assert len(addresses) == 2
    key = id(array)
    del array, previous, current
    assert key not in buffers._pools
