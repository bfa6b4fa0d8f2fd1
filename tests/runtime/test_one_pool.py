"""runtime.threads.training_step: products split over Numba's threads equal the unsplit ones, BLAS runs on one
thread inside and gets its thread counts back after (nested, and with several threads inside at once), loops go
parallel from POOL_MIN_WORK inside it, and the layer-by-layer engine's training steps run inside it."""

import os
import threading

import numpy as np
import pytest
from numba import prange

import pipekeras as pk
from pipekeras.runtime import blas, blas_threads, threads, tuning


def _blas_threads():
    return blas_threads.blas_thread_counts()


@pytest.mark.parametrize("dtype, tolerance", [("float32", 1e-5), ("float64", 1e-12)])
@pytest.mark.parametrize("chunks", [1, 2, 3])
@pytest.mark.parametrize("shape", [(301, 47, 19), (19, 47, 301), (1, 5, 3), (4, 3, 1), (6, 1, 4)],
                         ids=["rows", "columns", "one row", "one column", "inner 1"])
def test_split_products_equal_the_float64_reference(dtype, tolerance, chunks, shape, rng):
    rows, inner, cols = shape
    a = rng.standard_normal((rows, inner)).astype(dtype)
    b = rng.standard_normal((inner, cols)).astype(dtype)
    reference = a.astype(np.float64) @ b.astype(np.float64)
    scale = max(np.abs(reference).max(), 1.0)
    f_a, f_b = np.asfortranarray(a), np.asfortranarray(b)
    for left, right in ((a, b), (f_a, b), (a, f_b), (f_a, f_b)):
        assert blas._splittable(left, right, None)
        out = np.full(reference.shape, np.nan, dtype)
        assert blas._numba_split(left, right, out, chunks) is out
        np.testing.assert_allclose(out, reference, atol=tolerance * scale, rtol=0)
    np.testing.assert_allclose(blas._numba_split(a, b, None, chunks), reference, atol=tolerance * scale,
                               rtol=0)


def test_products_the_split_does_not_take_go_to_numpy(rng):
    a, b = rng.standard_normal((40, 30)), rng.standard_normal((15, 7))
    assert not blas._splittable(a.astype("float32"), a.T, None)  # two dtypes
    assert not blas._splittable(a[:, ::2], b, None)  # neither C- nor F-contiguous
    assert not blas._splittable(a, a.T.copy(), np.empty((40, 40)).T)  # out not C-contiguous
    assert not blas._splittable(a[None], a.T, None)  # not 2D
    with threads.training_step():
        np.testing.assert_allclose(blas.matmul(a[:, ::2], b), a[:, ::2] @ b)


def test_a_training_step_sets_blas_to_one_thread_and_restores_it():
    before = _blas_threads()
    with threads.training_step():
        assert threads.in_training_step()
        assert _blas_threads() == [1] * len(before)
        with threads.training_step():  # nested: nothing changes, nothing is restored early
            assert threads.in_training_step()
        assert _blas_threads() == [1] * len(before)
    assert not threads.in_training_step()
    assert _blas_threads() == before


class _Library:
    """Stands for a threadpoolctl library controller; records every thread count set."""

    def __init__(self, threads):
        self.num_threads, self.calls = threads, []

    def set_num_threads(self, threads):
        self.num_threads = threads
        self.calls.append(threads)


def test_the_first_thread_in_sets_one_thread_and_the_last_out_restores(monkeypatch):
    library = _Library(4)
    monkeypatch.setattr(blas_threads, "_libraries", [library])
    inside, release, left = threading.Barrier(3), threading.Event(), threading.Event()
    order = []

    def hold(name, wait_for):
        with threads.training_step():
            inside.wait(timeout=30)
            wait_for.wait(timeout=30)
            order.append((name, library.num_threads))
        if name == "first":
            left.set()

    workers = [threading.Thread(target=hold, args=("first", release)),
               threading.Thread(target=hold, args=("second", left))]
    for worker in workers:
        worker.start()
    inside.wait(timeout=30)
    assert not threads.in_training_step()  # the scope belongs to each thread
    release.set()
    for worker in workers:
        worker.join(timeout=30)
    assert order == [("first", 1), ("second", 1)]  # the first one out did not restore under the second
    assert library.calls == [1, 4] and library.num_threads == 4


def _fill(out):
    for i in prange(out.size):
        out[i] = i


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_loops_go_parallel_from_pool_min_work_inside_training_steps_on_several_threads():
    fill = threads.parallel_loop(_fill)
    out = np.empty(500)
    count = threads.get_num_threads()
    try:
        with tuning.override(PARALLEL_MIN_WORK=1 << 40, POOL_MIN_WORK=100):
            pk.set_num_threads(1)
            with threads.training_step():  # one thread: a parallel copy would only cost its compilation
                fill(out.size, out)
            assert fill.serial.signatures and not fill.parallel.signatures
            pk.set_num_threads(2)
            fill(out.size, out)  # outside the training step: PARALLEL_MIN_WORK
            assert not fill.parallel.signatures
            with threads.training_step():
                fill(out.size, out)
            assert fill.parallel.signatures
    finally:
        pk.set_num_threads(count)
    np.testing.assert_array_equal(out, np.arange(500))


def test_layer_by_layer_training_steps_run_inside_training_step_and_inference_outside(monkeypatch, rng):
    model = pk.sequential() | pk.conv_2d(4, 3, activation="relu", input_shape=(8, 8, 1)) | pk.flatten() \
        | pk.dense(2, "softmax")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    conv = model.layers[0]
    seen = []
    for method in ("call", "backward"):
        original = getattr(conv, method)

        def record(*args, _original=original, _method=method, **kwargs):
            seen.append((_method, threads.in_training_step()))
            return _original(*args, **kwargs)

        monkeypatch.setattr(conv, method, record)
    x = rng.standard_normal((16, 8, 8, 1)).astype("float32")
    y = np.eye(2, dtype="float32")[rng.integers(0, 2, 16)]
    before = _blas_threads()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert seen == [("call", True), ("backward", True)] * 2
    seen.clear()
    model.predict(x, verbose=0)
    assert seen == [("call", False)]  # see training_step: predictions must not depend on the calling thread
    assert _blas_threads() == before and not threads.in_training_step()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to split over")
def test_a_convnet_trains_alike_on_one_and_two_threads(rng):
    """The split products add in another order than the unsplit ones: same training to float32 rounding."""
    x = rng.standard_normal((64, 12, 12, 3)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 64)]
    losses, count = [], threads.get_num_threads()
    try:
        with tuning.override(BLAS_THREADED_MIN_FLOPS=0):  # every product splits on two threads
            for threads_now in (1, 2):
                pk.set_num_threads(threads_now)
                pk.set_seed(0)
                model = pk.sequential() | pk.conv_2d(16, 3, activation="relu", input_shape=(12, 12, 3)) \
                    | pk.max_pooling_2d(2) | pk.conv_2d(8, 3) | pk.flatten() | pk.dense(3, "softmax")
                model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
                losses.append(model.fit(x, y, epochs=3, batch_size=32, verbose=0).history["loss"])
    finally:
        pk.set_num_threads(count)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
