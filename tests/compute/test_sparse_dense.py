"""compute/sparse_dense.py: the CSR row product, its kernel gradient and row gathering against float64 NumPy."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.compute import sparse_dense
from pipekeras.engine.sparse_rows import SparseRows
from pipekeras.runtime import tuning
from pipekeras.runtime.threads import chunk_count, get_num_threads


def _rows(rng, count, width, with_values, dtype=np.float64):
    lengths = rng.integers(0, 6, count)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    indices = rng.integers(0, width, indptr[-1]).astype(np.int32)  # repeats included: they add up
    values = rng.normal(size=indices.size).astype(dtype) if with_values else None
    return SparseRows(indptr, indices, values, width, dtype)


@pytest.mark.parametrize("with_values", [False, True])
@pytest.mark.parametrize("chunks", [1, 3])
def test_product_and_kernel_gradient_match_float64_numpy_in_chunks(with_values, chunks):
    rng = np.random.default_rng(1)
    rows = _rows(rng, 7, 11, with_values)
    kernel = rng.normal(size=(11, 5))
    dense = rows.toarray()
    args = rows.indptr, rows.indices, rows.value_array()
    out = np.full((7, 5), np.nan)
    for c in range(chunks):
        sparse_dense._times_rows(*args, kernel, out, 7 * c // chunks, 7 * (c + 1) // chunks)
    np.testing.assert_allclose(out, dense @ kernel, rtol=1e-12, atol=1e-12)
    dz = rng.normal(size=(7, 5))
    grad = np.full((11, 5), np.nan)  # the kernel zeroes its rows
    for c in range(chunks):
        sparse_dense._kernel_grad_rows(*args, dz, grad, 11 * c // chunks, 11 * (c + 1) // chunks)
    np.testing.assert_allclose(grad, dense.T @ dz, rtol=1e-12, atol=1e-12)


def test_split_over_two_threads_matches_one():
    rng = np.random.default_rng(4)
    rows = _rows(rng, 4000, 300, True, np.float32)
    kernel = rng.normal(size=(300, 16)).astype(np.float32)
    dz = rng.normal(size=(4000, 16)).astype(np.float32)
    args = rows.indptr, rows.indices, rows.value_array()
    results, before = [], get_num_threads()
    for threads in (1, 2):
        threads = pk.set_num_threads(threads)  # 1 on a one-core machine
        with tuning.override(PARALLEL_MIN_WORK=1, SPLIT_MIN_ROWS=8):  # split this small job on 2 threads
            assert (chunk_count(4000, 1, "PARALLEL_MIN_WORK") > 1) == (threads == 2)
            results.append((sparse_dense.sparse_times(*args, kernel),
                            sparse_dense.sparse_kernel_grad(*args, dz, 300)))
    pk.set_num_threads(before)
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)  # each row and kernel row sums in the same order


def test_float32_wrappers_match_the_dense_product():
    rng = np.random.default_rng(2)
    rows = _rows(rng, 9, 13, False, np.float32)
    kernel = rng.normal(size=(13, 4)).astype(np.float32)
    z = sparse_dense.sparse_times(rows.indptr, rows.indices, rows.value_array(), kernel)
    assert z.dtype == np.float32
    np.testing.assert_allclose(z, rows.toarray() @ kernel, rtol=1e-5, atol=1e-6)
    dz = rng.normal(size=(9, 4)).astype(np.float32)
    grad = sparse_dense.sparse_kernel_grad(rows.indptr, rows.indices, rows.value_array(), dz, 13)
    np.testing.assert_allclose(grad, rows.toarray().T @ dz, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("with_values", [False, True])
def test_rows_by_index_and_slice_match_the_dense_rows(with_values):
    rows = _rows(np.random.default_rng(3), 8, 10, with_values)
    dense = rows.toarray()
    index = np.array([5, 0, 5, 7, -1])
    np.testing.assert_array_equal(rows[index].toarray(), dense[index])
    np.testing.assert_array_equal(rows[2:6].toarray(), dense[2:6])
    np.testing.assert_array_equal(rows[::3].toarray(), dense[::3])
    assert rows[6:2].shape == (0, 10)
    with pytest.raises(IndexError):
        rows[np.array([8])]
