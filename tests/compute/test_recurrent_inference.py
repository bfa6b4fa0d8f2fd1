"""Recurrent inference runs the time loop in blocks of steps (layers/recurrent.py `_infer`); its outputs and
states must equal the whole-sequence path that training records, for every cell, option and block size."""

import numpy as np
import pytest

from pipekeras.engine.layer import recording
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN
from pipekeras.runtime import tuning

CELLS = {"simple_rnn": lambda **kw: SimpleRNN(5, **kw), "lstm": lambda **kw: LSTM(5, **kw),
         "gru": lambda **kw: GRU(5, **kw), "gru_reset_before": lambda **kw: GRU(5, reset_after=False, **kw)}
OPTIONS = [{}, {"return_sequences": True}, {"go_backwards": True, "return_state": True},
           {"return_sequences": True, "go_backwards": True}]


def _outputs(layer, x, mask, record):
    if record:
        with recording():
            result = layer(x, mask=mask)
    else:
        result = layer(x, mask=mask)
    return result if isinstance(result, list) else [result]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("block_bytes", [1, 3 * 4 * 5 * 3 * 8])  # one step per block; a few steps per block
@pytest.mark.parametrize("masked", [False, True])
def test_blocked_inference_equals_the_recorded_forward(cell, options, block_bytes, masked):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 11, 3))
    mask = rng.random((4, 11)) > 0.3 if masked else None
    layer = CELLS[cell](dtype="float64", **options)
    layer(x)  # builds it
    for weight in layer.weights:
        weight.value[...] = rng.standard_normal(weight.value.shape) * 0.5
    recorded = _outputs(layer, x, mask, record=True)
    with tuning.override(RECURRENT_INFERENCE_BLOCK_BYTES=block_bytes):
        blocked = _outputs(layer, x, mask, record=False)
    assert len(blocked) == len(recorded)
    for got, want in zip(blocked, recorded):
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-14)


def test_stateful_inference_carries_the_state_across_calls_and_blocks():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 9, 3))
    layer = LSTM(4, stateful=True, dtype="float64")
    layer(x)  # builds it
    for weight in layer.weights:
        weight.value[...] = rng.standard_normal(weight.value.shape)
    layer.reset_states()
    with recording():
        expected = [layer(x[:, :5]), layer(x[:, 5:])]
    layer.reset_states()
    with tuning.override(RECURRENT_INFERENCE_BLOCK_BYTES=1):
        got = [layer(x[:, :5]), layer(x[:, 5:])]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-13, atol=1e-14)
