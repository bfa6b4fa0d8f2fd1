"""runtime.blas.matmul, the one product outside compiled code: every path it picks (serial, one BLAS thread,
split over the row threads by rows or by a long reduction axis, split over Numba's threads in a training
step) gives a @ b (+ bias) to rounding, into `out` when given, and leaves BLAS's thread counts as they were."""

import contextlib

import numpy as np
import pytest

from pipekeras.runtime import blas, blas_threads, threads, tuning

SHAPES = {"rows": (300, 40, 24), "reduction": (24, 300, 16), "tiny": (1, 5, 3)}
FORCED_SPLITS = {"SPLIT_MIN_FLOPS": 0, "SPLIT_MIN_ROWS": 1, "BLAS_THREADED_MIN_FLOPS": 0}


@contextlib.contextmanager
def _training_row_pool():
    with threads.training_step(), threads.row_pool():
        yield


SCOPES = {"outside": contextlib.nullcontext, "serial": threads.serial, "training": threads.training_step,
          "training, row pool": _training_row_pool}  # every scope in which matmul decides differently


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("forced", [False, True], ids=["default thresholds", "every split forced"])
@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-5), ("float64", 1e-12)])
def test_every_path_gives_the_product(monkeypatch, shape, forced, dtype, tolerance, rng):
    monkeypatch.setattr(threads, "_threads", 3)
    rows, inner, cols = SHAPES[shape]
    a = rng.standard_normal((rows, inner)).astype(dtype)
    b = rng.standard_normal((inner, cols)).astype(dtype)
    bias = rng.standard_normal(cols).astype(dtype)
    reference = a.astype(np.float64) @ b.astype(np.float64)
    scale = max(np.abs(reference).max(), 1.0)
    before = blas_threads.blas_thread_counts()
    with tuning.override(**(FORCED_SPLITS if forced else {})):
        for name, scope in SCOPES.items():
            with scope():
                for left, right in ((a, b), (np.asfortranarray(a), b), (a, np.asfortranarray(b))):
                    got = blas.matmul(left, right)
                    np.testing.assert_allclose(got, reference, atol=tolerance * scale, rtol=0, err_msg=name)
                    out = np.full(reference.shape, np.nan, dtype)
                    assert blas.matmul(left, right, out=out, bias=bias) is out
                    np.testing.assert_allclose(out, reference + bias, atol=tolerance * scale, rtol=0,
                                               err_msg=name)
    assert blas_threads.blas_thread_counts() == before

