"""Work that does not split changes no BLAS thread count: a one-chunk row split runs in place with BLAS as it
is (its products take one BLAS thread only when BLAS would thread them), and after set_num_threads(1) a
one-thread block calls no library at all."""

import numpy as np

from pipekeras.runtime import blas, blas_threads, threads, tuning


class _Library:
    """Stands for a threadpoolctl library controller, counting the calls that set its count."""

    def __init__(self, threads):
        self.num_threads = threads
        self.calls = 0

    def set_num_threads(self, threads):
        self.num_threads = threads
        self.calls += 1


def _fake_libraries(monkeypatch, count, set_to=None):
    libraries = [_Library(count), _Library(count)]
    monkeypatch.setattr(blas_threads, "_libraries", libraries)
    monkeypatch.setattr(blas_threads, "_set_to", set_to)
    return libraries


def test_one_chunk_runs_in_place_without_touching_blas(monkeypatch):
    libraries = _fake_libraries(monkeypatch, 2)
    seen = []
    threads.split_chunks(lambda lo, hi: seen.append((lo, hi, threads.is_serial(),
                                                     [lib.num_threads for lib in libraries])), 10, 1)
    assert seen == [(0, 10, True, [2, 2])]
    assert [lib.calls for lib in libraries] == [0, 0]
    assert not threads.is_serial()


def test_a_large_product_in_one_chunk_takes_one_blas_thread_and_a_small_one_does_not(monkeypatch, rng):
    libraries = _fake_libraries(monkeypatch, 2)
    small = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    side = int(round((tuning.get("BLAS_OWN_SINGLE_MAX_FLOPS") / 2) ** (1 / 3))) + 2
    large = rng.standard_normal((side, side)), rng.standard_normal((side, side))
    products = []

    def run(lo, hi):
        products.append(blas.matmul(*small))
        assert [lib.calls for lib in libraries] == [0, 0]
        products.append(blas.matmul(*large))
        assert [lib.calls for lib in libraries] == [2, 2]  # one thread for the product, then back
        assert [lib.num_threads for lib in libraries] == [2, 2]

    threads.split_chunks(run, 4, 1)
    np.testing.assert_allclose(products[0], small[0] @ small[1])
    np.testing.assert_allclose(products[1], large[0] @ large[1])


def test_after_set_blas_threads_1_a_one_thread_block_calls_no_library(monkeypatch):
    libraries = _fake_libraries(monkeypatch, 1, set_to=1)
    with blas_threads.one_blas_thread():
        assert [lib.num_threads for lib in libraries] == [1, 1]
    assert [lib.num_threads for lib in libraries] == [1, 1]
    assert [lib.calls for lib in libraries] == [0, 0]


def test_a_count_set_inside_a_block_that_changed_nothing_applies_when_it_ends(monkeypatch):
    libraries = _fake_libraries(monkeypatch, 1, set_to=1)
    with blas_threads.one_blas_thread():
        blas_threads.set_blas_threads(3)
        assert [lib.num_threads for lib in libraries] == [1, 1]
    assert [lib.num_threads for lib in libraries] == [3, 3]
    with blas_threads.one_blas_thread():
        assert [lib.num_threads for lib in libraries] == [1, 1]
    assert [lib.num_threads for lib in libraries] == [3, 3]
