"""runtime.threads.training_step: a step's numbers do not depend on how many threads run it. Seeded fits whose
adaptive policy runs some steps on one thread give bitwise the weights and history of fits that never do, with
the thresholds lowered so that every split of a step (products, parallel loops, row splits, split sums) is
taken on these tiny shapes."""

import numba
import numpy as np
import pytest

import pipekeras as pk
from pipekeras.runtime import blas, threads, tuning

# Every split taken on tiny shapes: products split over Numba's threads, loops parallel, recurrent row splits
# and split sums, dense chains through the layer runner.
SPLIT_EVERYTHING = dict(POOL_MIN_WORK=1, BLAS_THREADED_MIN_FLOPS=1, SPLIT_MIN_WORK=1, SPLIT_MIN_FLOPS=1,
                        SPLIT_MIN_ROWS=2, DENSE_STACK_MAX_FLOPS=0)
# The thread counts the scripted policy gives successive steps (some runs of one thread, some of two).
PATTERN = (2, 1, 1, 2, 1, 2, 2, 1, 1, 1)


class Scripted:
    """Stands for a model's `StepThreads`: the counts of PATTERN in turn, and what each step saw."""

    def __init__(self):
        self.counts = []

    def next_count(self):
        return PATTERN[len(self.counts) % len(PATTERN)]

    def record(self, count, seconds):
        self.counts.append(count)


def _mlp():
    return (pk.sequential() | pk.dense(24, "relu", input_shape=10) | pk.dropout(0.2) | pk.dense(16, "tanh")
            | pk.dense(3, "softmax")), (10,), 3


def _dense_stack():
    return pk.sequential() | pk.dense(12, "relu", input_shape=9) | pk.dense(8, "relu") | pk.dense(2, "softmax"), \
        (9,), 2


def _convnet():
    model = pk.sequential() | pk.conv_2d(4, 3, activation="relu", input_shape=(8, 8, 2)) | pk.max_pooling_2d(2) \
        | pk.batch_normalization() | pk.conv_2d(3, 2, padding="same") | pk.global_average_pooling_2d() \
        | pk.dense(3, "softmax")
    return model, (8, 8, 2), 3


def _lstm():
    model = pk.sequential() | pk.embedding(20, 6, mask_zero=True, input_length=7) | pk.lstm(5, return_sequences=True) \
        | pk.bidirectional(pk.gru(4)) | pk.dense(2, "softmax")
    return model, "tokens", 2


MODELS = {"mlp": _mlp, "dense stack": _dense_stack, "convnet": _convnet, "lstm": _lstm}


def _fit(name, adapt):
    """A seeded fit of MODELS[name], the adaptive policy on or off; returns (weights, history)."""
    pk.set_seed(5)
    model, shape, classes = MODELS[name]()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    if shape == "tokens":
        x = rng.integers(1, 20, size=(48, 7))
        x[:16, 5:] = 0  # padded, masked
    else:
        x = rng.standard_normal((48,) + shape).astype("float32")
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, 48)]
    with tuning.override(ADAPT_THREADS=int(adapt), **SPLIT_EVERYTHING):
        history = model.fit(x, y, epochs=2, batch_size=12, validation_split=0.25, verbose=0)
    return model.get_weights(), history.history


@pytest.fixture
def two_threads(monkeypatch):
    """The configured count 2 (the structure of every split), whatever the machine has."""
    monkeypatch.setattr(threads, "_threads", 2)
    saved = numba.get_num_threads()
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    yield
    numba.set_num_threads(saved)


@pytest.mark.parametrize("name", list(MODELS))
def test_steps_on_one_thread_give_bitwise_the_numbers_of_steps_on_all(name, two_threads, monkeypatch):
    scripted = Scripted()
    seen = []

    def owners_policy(owner):
        return scripted

    def spy(product, running):  # what blas.matmul splits, and on how many threads
        def split(*args):
            seen.append((args[-1], running))
            return product(*args)
        return split

    monkeypatch.setattr(blas, "split_product", spy(blas.split_product, 2))
    monkeypatch.setattr(blas, "split_product_serial", spy(blas.split_product_serial, 1))
    monkeypatch.setattr(threads, "step_threads_of", owners_policy)
    reference = _fit(name, adapt=False)
    assert not scripted.counts  # policy off: nothing timed
    calls_off = len(seen)
    adapted = _fit(name, adapt=True)
    assert set(scripted.counts) == {1, 2}
    assert calls_off and len(seen) == 2 * calls_off  # products split alike, on one thread in some steps
    assert {chunks for chunks, _ in seen} == {2} and {running for _, running in seen[calls_off:]} == {1, 2}
    for got, want in zip(adapted[0], reference[0]):
        assert got.tobytes() == want.tobytes()
    assert adapted[1] == reference[1]


def test_a_one_thread_step_runs_the_same_chunks_on_one_numba_thread(two_threads, monkeypatch):
    scripted = Scripted()
    monkeypatch.setattr(threads, "step_threads_of", lambda owner: scripted)
    outside = numba.get_num_threads()
    with tuning.override(ADAPT_THREADS=1):
        for count in PATTERN[:3]:
            with threads.training_step(object()):
                assert threads.running_threads() == count
                assert threads.thread_count() == 2  # the structure: as on two threads
                if count == 1:
                    assert numba.get_num_threads() == 1
            assert numba.get_num_threads() == outside
    assert scripted.counts == list(PATTERN[:3])
