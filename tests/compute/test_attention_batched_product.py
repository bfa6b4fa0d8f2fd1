"""compute.attention.batched_product: the stacked products attention uses, on one BLAS thread below the threaded
threshold (as in predict and evaluate, outside a training step) and on BLAS's threads above it; the same numbers
either way, transposes included, and BLAS's thread count is given back."""

import numpy as np
import pytest
import scipy.linalg.cython_blas  # noqa: F401  (SciPy's BLAS, which one_blas_thread also sets, loaded before counting)
from threadpoolctl import threadpool_info

from pipekeras.compute.attention import batched_product
from pipekeras.runtime import tuning

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((2, 3, 5, 4)), RNG.standard_normal((2, 3, 4, 6))


def _blas_threads():
    return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]


@pytest.mark.parametrize("threshold", [1e12, 1.0])  # one BLAS thread / BLAS's threads
def test_same_numbers_as_numpy_and_blas_threads_given_back(threshold):
    before = _blas_threads()
    with tuning.override(BLAS_THREADED_MIN_FLOPS=threshold):
        out = batched_product(A, B)
        np.testing.assert_allclose(out, A @ B, rtol=1e-12)
        assert out.flags.c_contiguous
        np.testing.assert_allclose(batched_product(np.swapaxes(A, -1, -2).copy(), B, transpose_a=True), A @ B,
                                   rtol=1e-12)
        np.testing.assert_allclose(batched_product(A, np.swapaxes(B, -1, -2).copy(), transpose_b=True), A @ B,
                                   rtol=1e-12)
    assert _blas_threads() == before
