"""Recurrent layers split their time loops and large products over threads by rows of the batch
(compute/recurrent.py `run_loop`, `product`, over runtime/threads.py `split_rows`). Outputs, states and
gradients must equal the unsplit path's for every cell and option, also for batches that do not divide evenly
or are smaller than the thread count. The tests force
the split with small thresholds and a fixed thread count, so they run it on any machine."""

import os
import threading

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.layer import recording
from pipekeras.compute import recurrent as K
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN
from pipekeras.runtime import threads as runtime_threads
from pipekeras.runtime import tuning


CELLS = {"simple_rnn": lambda **kw: SimpleRNN(4, **kw), "lstm": lambda **kw: LSTM(4, **kw),
         "gru": lambda **kw: GRU(4, **kw), "gru_reset_before": lambda **kw: GRU(4, reset_after=False, **kw)}
OPTIONS = {"last": {}, "sequences_and_states": {"return_sequences": True, "return_state": True},
           "backwards_states": {"go_backwards": True, "return_state": True},
           "backwards_sequences": {"go_backwards": True, "return_sequences": True}}


@pytest.fixture
def threads(monkeypatch):
    """Returns use(n): from then on the layers split everything over n threads (n = 1: nothing is split)."""
    with tuning.override(SPLIT_MIN_WORK=0, SPLIT_MIN_ROWS=1, SPLIT_MIN_FLOPS=0):
        yield lambda n: monkeypatch.setattr(runtime_threads, "_threads", n)


def _layer(cell, rng, x, **options):
    layer = CELLS[cell](dtype="float64", **options)
    layer(x)  # builds it
    for weight in layer.weights:
        weight.value[...] = rng.standard_normal(weight.value.shape) * 0.5
    return layer


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _train_step(layer, x, mask, training=False):
    """Outputs (and states), the input gradient and the weight gradients of one recorded forward and backward,
    for fixed upstream gradients; the dropout masks are drawn from a fixed seed."""
    layer._generator = np.random.default_rng(7)
    for weight in layer.weights:
        weight.grad = None
    with recording():
        outputs, _, ctx = layer.forward_node(x, training, mask)
    outputs = _as_list(outputs)
    grads = [np.random.default_rng(3 + i).standard_normal(o.shape) for i, o in enumerate(outputs)]
    dx = layer.backward_node(ctx, grads if len(grads) > 1 else grads[0], True)
    return outputs + [dx] + [weight.grad for weight in layer.weights]


def _assert_all_equal(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
@pytest.mark.parametrize("batch, n", [(7, 3), (2, 3), (5, 2)], ids=["7 rows 3 threads", "2 rows 3 threads",
                                                                  "5 rows 2 threads"])
def test_split_training_step_equals_the_unsplit_one(threads, cell, option, masked, batch, n):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 9, 3))
    mask = rng.random((batch, 9)) > 0.3 if masked else None
    layer = _layer(cell, rng, x, **OPTIONS[option])
    threads(1)
    unsplit = _train_step(layer, x, mask)
    threads(n)
    _assert_all_equal(_train_step(layer, x, mask), unsplit)


@pytest.mark.parametrize("cell", CELLS)
def test_split_training_with_dropout_and_recurrent_dropout(threads, cell):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 8, 3))
    mask = rng.random((7, 8)) > 0.2
    layer = _layer(cell, rng, x, dropout=0.2, recurrent_dropout=0.3, return_sequences=True)
    threads(1)
    unsplit = _train_step(layer, x, mask, training=True)
    threads(3)
    _assert_all_equal(_train_step(layer, x, mask, training=True), unsplit)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("option", OPTIONS)
def test_split_inference_equals_the_unsplit_one(threads, cell, option):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((7, 10, 3))
    mask = rng.random((7, 10)) > 0.3
    layer = _layer(cell, rng, x, **OPTIONS[option])
    threads(1)
    unsplit = _as_list(layer(x, mask=mask))
    threads(3)
    _assert_all_equal(_as_list(layer(x, mask=mask)), unsplit)


def test_split_stateful_layer_carries_the_same_states(threads):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 12, 3))
    results = []
    for n in (1, 2):
        threads(n)
        pk.clear_session()
        layer = _layer("lstm", np.random.default_rng(4), x[:, :6], stateful=True, return_state=True)
        layer.reset_states()
        results.append(_train_step(layer, x[:, :6], None) + _train_step(layer, x[:, 6:], None) + layer.states)
    _assert_all_equal(results[1], results[0])


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_through_the_split_path_match_finite_differences(threads, cell):
    threads(3)
    layer = CELLS[cell](return_sequences=True)
    result = pk.check_gradients(layer, np.random.default_rng(5).standard_normal((5, 4, 3)), max_entries=20)
    assert result.ok, result


def test_split_runs_every_row_once_and_raises_a_helper_error(threads):
    threads(3)
    seen = []
    lock = threading.Lock()

    def record(lo, hi):
        with lock:
            seen.extend(range(lo, hi))

    runtime_threads.split_chunks(record, 11, 6)
    assert sorted(seen) == list(range(11))

    def fail_on_last_rows(lo, hi):
        if hi == 11:
            raise ValueError("chunk failed")

    with pytest.raises(ValueError, match="chunk failed"):
        runtime_threads.split_chunks(fail_on_last_rows, 11, 6)


def test_a_split_inside_a_chunk_runs_in_place(threads):
    threads(2)
    inner = []

    def outer(lo, hi):
        runtime_threads.split_chunks(lambda a, b: inner.append((a, b)), 4, 2)

    runtime_threads.split_chunks(outer, 4, 2)
    assert inner == [(0, 4), (0, 4)]


def test_only_large_loops_on_several_threads_split(monkeypatch):
    monkeypatch.setattr(runtime_threads, "_threads", 2)
    min_work = tuning.get("SPLIT_MIN_WORK")
    assert runtime_threads.chunk_count(128, 500 * 128 * 128) == 2 * runtime_threads.CHUNKS_PER_THREAD
    assert runtime_threads.chunk_count(1, 500 * 128 * 128) == 1  # a single sample
    assert runtime_threads.chunk_count(128, min_work - 1) == 1
    with runtime_threads.serial():
        assert runtime_threads.chunk_count(128, 500 * 128 * 128) == 1  # a chunk splits no further
    monkeypatch.setattr(runtime_threads, "_threads", 1)
    assert runtime_threads.chunk_count(128, 500 * 128 * 128) == 1


def _train_split_models_under_bounds_checking():
    """Run as a script by the test below: trains every cell with masks, go_backwards and recurrent dropout on
    7 rows split over 3 threads (chunks starting at rows other than 0 index masks and states at offsets)."""
    runtime_threads._threads = 3
    tuning.override(SPLIT_MIN_WORK=0, SPLIT_MIN_ROWS=1, SPLIT_MIN_FLOPS=0).__enter__()  # for the whole script
    rng = np.random.default_rng(0)
    tokens = rng.integers(1, 20, size=(7, 6))
    tokens[:3, 4:] = 0  # padding, masked by mask_zero
    for cell in (pk.simple_rnn, pk.lstm, pk.gru, lambda *a, **k: pk.gru(*a, reset_after=False, **k)):
        model = pk.sequential() | pk.embedding(20, 4, mask_zero=True, input_length=6) \
            | cell(5, return_sequences=True, go_backwards=True, recurrent_dropout=0.2) | cell(3) | pk.dense(1)
        model.compile(optimizer="sgd", loss="mse")
        model.fit(tokens, rng.standard_normal((7, 1)), epochs=1, batch_size=7, verbose=0)
        assert np.isfinite(model.predict(tokens, verbose=0)).all()
    print("split recurrent training under bounds checking: ok")


def test_split_kernels_run_under_bounds_checking(bounds_checked):
    """This file as a script with NUMBA_BOUNDSCHECK=1, in the background from collection on (conftest.py)."""
    result, _ = bounds_checked.result(os.path.basename(__file__))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "split recurrent training under bounds checking: ok" in result.stdout


if __name__ == "__main__":
    _train_split_models_under_bounds_checking()
