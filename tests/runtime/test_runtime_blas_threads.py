"""The one owner of BLAS thread counts: threads overlapping in one-thread blocks, in any order, leave BLAS on
the counts it had; set_num_threads while such a block runs takes effect when the last one leaves; concurrent
predict on a conv and an LSTM model leaves the BLAS thread count unchanged."""

import threading

import numpy as np
import pytest
import scipy.linalg.cython_blas  # noqa: F401  (SciPy's BLAS, which the runtime also controls, loaded up front)
from threadpoolctl import threadpool_info

import pipekeras as pk
from pipekeras.runtime import blas_threads, threads


def _blas_counts():
    """Every BLAS library's thread count, as threadpoolctl reads it (not through the owner)."""
    return [library["num_threads"] for library in threadpool_info() if library["user_api"] == "blas"]


def _in_order(first_block, second_block, steps, counts=None):
    """Runs two threads, each inside `first_block()` / `second_block()`, through `steps` ("A in", "B in",
    "A out", "B out" in some order) one at a time, and returns the BLAS counts seen after each step."""
    events = {step: threading.Event() for step in steps}
    done = {step: threading.Event() for step in steps}
    errors = []

    def worker(name, block):
        try:
            events[f"{name} in"].wait(30)
            with block():
                done[f"{name} in"].set()
                events[f"{name} out"].wait(30)
            done[f"{name} out"].set()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
            for event in done.values():
                event.set()

    workers = [threading.Thread(target=worker, args=("A", first_block)),
               threading.Thread(target=worker, args=("B", second_block))]
    for worker_thread in workers:
        worker_thread.start()
    seen = []
    for step in steps:
        events[step].set()
        assert done[step].wait(30), step
        seen.append((counts or _blas_counts)())
    for worker_thread in workers:
        worker_thread.join(30)
    if errors:
        raise errors[0]
    return seen


class _Library:
    """Stands for a threadpoolctl library controller: the count the owner last set, from whichever thread.

    The real libraries cannot show the sequence from the main thread: OpenBLAS ignores counts set from other
    threads once the main thread has set one (what the process ends on is checked on them below)."""

    def __init__(self, threads):
        self.num_threads = threads

    def set_num_threads(self, threads):
        self.num_threads = threads


ORDERS = pytest.mark.parametrize("steps", [("A in", "B in", "A out", "B out"), ("A in", "B in", "B out", "A out")],
                                 ids=["overlapping", "nested"])


@ORDERS
def test_two_threads_interleaving_in_one_blas_thread_hold_one_thread_until_the_last_leaves(steps, monkeypatch):
    libraries = [_Library(2), _Library(4)]
    monkeypatch.setattr(blas_threads, "_libraries", libraries)
    monkeypatch.setattr(blas_threads, "_set_to", None)  # counts as found, not as set_num_threads left them
    seen = _in_order(blas_threads.one_blas_thread, blas_threads.one_blas_thread, steps,
                     counts=lambda: [library.num_threads for library in libraries])
    assert seen == [[1, 1], [1, 1], [1, 1], [2, 4]]  # one thread while anybody is inside, then as found


@ORDERS
def test_two_threads_interleaving_in_one_blas_thread_leave_the_process_on_its_counts(steps):
    before = _blas_counts()
    _in_order(blas_threads.one_blas_thread, blas_threads.one_blas_thread, steps)
    assert _blas_counts() == before


def test_a_training_step_and_a_serial_block_interleaving_leave_the_counts_as_they_were(monkeypatch):
    libraries = [_Library(2)]
    monkeypatch.setattr(blas_threads, "_libraries", libraries)
    monkeypatch.setattr(blas_threads, "_set_to", None)
    seen = _in_order(threads.training_step, threads.serial, ("A in", "B in", "A out", "B out"),
                     counts=lambda: [library.num_threads for library in libraries])
    assert seen == [[1], [1], [1], [2]]  # the serial block still runs on one thread after the step left


def test_set_num_threads_inside_a_one_thread_block_takes_effect_when_it_ends():
    count = threads.get_num_threads()
    try:
        with blas_threads.one_blas_thread():
            pk.set_num_threads(1)
            assert _blas_counts() == [1] * len(_blas_counts())
        assert _blas_counts() == [1] * len(_blas_counts())  # restored to the count set, not the one found
        pk.set_num_threads(count)
        assert _blas_counts() == [count] * len(_blas_counts())
    finally:
        pk.set_num_threads(count)


def _convnet():
    model = pk.sequential() | pk.conv_2d(16, 3, activation="relu", input_shape=(28, 28, 1)) \
        | pk.max_pooling_2d(2) | pk.conv_2d(32, 3, activation="relu") | pk.flatten() | pk.dense(10, "softmax")
    return model, lambda rng, n: rng.standard_normal((n, 28, 28, 1)).astype("float32")


def _lstm():
    model = pk.sequential() | pk.lstm(32, input_shape=(40, 8)) | pk.dense(2, "softmax")
    return model, lambda rng, n: rng.standard_normal((n, 40, 8)).astype("float32")


@pytest.mark.parametrize("make", [_convnet, _lstm], ids=["conv", "lstm"])
def test_concurrent_predict_leaves_the_blas_thread_count_unchanged(make, rng):
    model, inputs = make()
    batches = [inputs(rng, n) for n in (1, 7, 64, 200)]
    serial = [model.predict(x, verbose=0) for x in batches]
    before = _blas_counts()
    start, errors, results = threading.Barrier(4), [], {}

    def worker(k):
        try:
            start.wait(30)
            for _ in range(3):
                for i, x in enumerate(batches):
                    results[k, i] = model.predict(x, verbose=0)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    workers = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for worker_thread in workers:
        worker_thread.start()
    for worker_thread in workers:
        worker_thread.join(120)
    assert not errors, errors
    assert _blas_counts() == before
    for (_, i), got in results.items():
        np.testing.assert_array_equal(got, serial[i])
