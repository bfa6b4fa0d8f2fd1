"""The cells and RNN(cell): float64 gradient checks through the tape, the same numbers as the fused layers
(masks and initial states included), a user's cell written in ops, stacked cells, stateful use, configs and
weights, and errors. Keras's numbers: test_recurrent_keras_parity.py."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ArgumentTypeError, ConfigError, ShapeError
from pipekeras.gradient_check import check_gradients
from pipekeras.layers.recurrent import (GRU, LSTM, RNN, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell,
                                        StackedRNNCells)
from user_cells import TanhCell

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 4, 3))

CELLS = {
    "simple": lambda: SimpleRNNCell(3),
    "lstm": lambda: LSTMCell(3),
    "gru": lambda: GRUCell(3),
    "gru_before": lambda: GRUCell(3, reset_after=False, use_bias=False),
    "stacked": lambda: StackedRNNCells([LSTMCell(3), GRUCell(2)]),
    "user": lambda: TanhCell(3),
}


@pytest.mark.parametrize("name", sorted(CELLS))
def test_gradients_through_the_tape(name):
    layer = RNN(CELLS[name](), return_sequences=True, go_backwards=name == "gru")
    result = check_gradients(layer, X[:, :3], max_entries=8)
    assert result, result


def test_gradients_reach_initial_states_and_skip_masked_steps():
    layer = RNN(LSTMCell(3), return_state=True)
    states = [RNG.standard_normal((2, 3)) for _ in range(2)]
    result = check_gradients(layer, [X[:, :3]] + states, max_entries=8)
    assert result, result


@pytest.mark.parametrize("fused, cell", [(SimpleRNN, SimpleRNNCell), (LSTM, LSTMCell), (GRU, GRUCell)])
def test_same_numbers_as_the_fused_layer(fused, cell):
    mask = np.array([[0, 1, 1, 0], [1, 1, 1, 1]], bool)
    states = [RNG.standard_normal((2, 3)) for _ in fused(3).state_names]
    a = fused(3, return_sequences=True, return_state=True)
    b = RNN(cell(3), return_sequences=True, return_state=True)
    a(X), b(X)
    b.set_weights(a.get_weights())
    for got, want in zip(b(X, mask=mask, initial_state=states), a(X, mask=mask, initial_state=states)):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_zero_output_for_mask_and_stateful():
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = RNN(SimpleRNNCell(3), return_sequences=True, zero_output_for_mask=True)(X, mask=mask)
    assert np.all(out[0, 2:] == 0) and np.all(out[1] != 0)
    layer = RNN(GRUCell(3), stateful=True, batch_input_shape=(2, 4, 3))
    first = layer(X)
    np.testing.assert_allclose(layer.states[0], first)
    second = layer(X)  # starts from the states the first call left
    np.testing.assert_allclose(second, layer(X, initial_state=[first]))
    layer.reset_states()
    np.testing.assert_allclose(layer(X), first)


def test_trains_in_a_model_and_a_stacked_list_is_stacked():
    model = pk.sequential() | pk.rnn([pk.lstm_cell(4), TanhCell(3)], input_shape=(4, 3)) | pk.dense(1)
    assert isinstance(model.layers[0].cell, StackedRNNCells)
    model.compile("adam", "mse")
    x, y = RNG.standard_normal((16, 4, 3)).astype("float32"), RNG.standard_normal((16, 1)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert all(np.abs(a - b).max() > 0 for a, b in zip(model.get_weights(), before))


def test_cell_dropout_trains_and_inference_is_deterministic():
    model = pk.sequential() | pk.rnn(pk.gru_cell(4, dropout=0.3, recurrent_dropout=0.3, seed=1),
                                     input_shape=(4, 3)) | pk.dense(1)
    model.compile("adam", "mse")
    x, y = RNG.standard_normal((8, 4, 3)).astype("float32"), RNG.standard_normal((8, 1)).astype("float32")
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))
    assert model.layers[0].cell._masks == {}  # a sequence's masks are dropped after it


@pytest.mark.parametrize("name", ["simple", "lstm", "gru_before", "stacked"])
def test_config_and_weight_round_trip(name):
    layer = RNN(CELLS[name](), return_sequences=True, go_backwards=True, unroll=True, name="r")
    out = layer(X)
    again = deserialize_layer(serialize_layer(layer))
    again(X)
    again.set_weights(layer.get_weights())
    assert again.get_config() == layer.get_config()
    np.testing.assert_allclose(again(X), out)


def test_user_cell_saves_with_custom_objects(tmp_path):
    model = pk.sequential() | pk.rnn(TanhCell(3), return_sequences=True, input_shape=(4, 3))
    path = str(tmp_path / "m.pkeras")
    model.save(path)
    again = pk.load_model(path, custom_objects={"TanhCell": TanhCell})
    np.testing.assert_allclose(again.predict(X, verbose=0), model.predict(X, verbose=0))


def test_a_cell_steps_alone():
    cell = LSTMCell(3)
    h, states = cell(X[:, 0], [np.zeros((2, 3)), np.zeros((2, 3))])
    assert h.shape == (2, 3) and len(states) == 2
    with pytest.raises(ArgumentTypeError, match=r"rnn\(lstmcell"):
        cell(pk.Input((3,)), [pk.Input((3,)), pk.Input((3,))])


def test_a_cell_without_state_size_names_layer_argument_expected_and_received():
    class NoState(pk.Layer):
        def call(self, inputs, states):
            return inputs, states

    with pytest.raises(ConfigError, match=r"'seq'.*cell expected a recurrent cell: a Layer with a `state_size`.*"
                                          r"received NoState without state_size"):
        RNN(NoState(), name="seq")
    with pytest.raises(ConfigError, match="received str"):
        StackedRNNCells(["lstm"])


def test_wrong_initial_state_for_rnn():
    with pytest.raises(ShapeError, match=r"initial_state expected 2 tensor\(s\).*received 1 of shape\(s\) \(2, 3\)"):
        RNN(LSTMCell(3))(X, initial_state=[np.zeros((2, 3))])


def test_built_in_cells_run_through_the_fused_loops_and_others_through_ops():
    fused = RNN(LSTMCell(3))
    fused(X)
    assert isinstance(fused._fused, LSTM) and fused._fused.kernel is fused.cell.kernel
    for layer in (RNN(TanhCell(3)), RNN(StackedRNNCells([LSTMCell(3)])), RNN(GRUCell(3), zero_output_for_mask=True),
                  RNN(SimpleRNNCell(3, activation=lambda v: ops.tanh(v)))):
        layer(X)
        assert layer._fused is None


@pytest.mark.parametrize("make", [lambda: RNN(LSTMCell(3), stateful=True, batch_input_shape=(2, 4, 3)),
                                  lambda: pk.lstm(3, stateful=True, batch_input_shape=(2, 4, 3))])
def test_stateful_states_are_checked_alike_for_rnn_of_a_cell_and_the_fused_layer(make):
    layer = make()
    layer(X)
    with pytest.raises(ShapeError, match=r"reset_states expected 2 array\(s\) of shape\(s\) \(2, 3\), \(2, 3\), "
                                         r"received \(2, 3\)"):
        layer.reset_states([np.zeros((2, 3))])
    layer.reset_states([np.ones((2, 3)), np.zeros((2, 3))])
    np.testing.assert_array_equal(layer.states[0], np.ones((2, 3)))
    with pytest.raises(ShapeError, match="batch size 2, but received a batch of 1 samples.*batch_size=2"):
        layer(X[:1])
