"""Bidirectional(RNN(cell)): a user's cell written in ops (and stacked cells) run both ways: the same numbers as
the two RNNs alone and as Bidirectional(LSTM) with the same weights, float64 gradients through the tape, states,
masks, configs, saving and training."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.gradient_check import check_gradients
from pipekeras.layers.recurrent import LSTM, RNN, LSTMCell, StackedRNNCells
from pipekeras.layers.wrappers import Bidirectional
from user_cells import TanhCell

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 4, 3))


def test_the_two_directions_are_the_two_rnns_alone():
    layer = Bidirectional(RNN(TanhCell(3), return_sequences=True))
    out = layer(X)
    assert out.shape == (2, 4, 6)
    assert isinstance(layer.forward_layer.cell, TanhCell) and layer.backward_layer.go_backwards
    forward, backward = RNN(TanhCell(3), return_sequences=True), RNN(TanhCell(3), return_sequences=True)
    forward(X), backward(X)
    forward.set_weights(layer.forward_layer.get_weights())
    backward.set_weights(layer.backward_layer.get_weights())
    np.testing.assert_allclose(out[..., :3], forward(X), atol=1e-12)
    np.testing.assert_allclose(out[..., 3:], backward(X[:, ::-1])[:, ::-1], atol=1e-12)


def test_same_numbers_as_bidirectional_lstm_with_states_and_a_mask():
    mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    a = Bidirectional(LSTM(3, return_sequences=True, return_state=True), merge_mode="sum")
    b = Bidirectional(RNN(LSTMCell(3), return_sequences=True, return_state=True), merge_mode="sum")
    a(X), b(X)
    b.set_weights(a.get_weights())
    got, want = b(X, mask=mask), a(X, mask=mask)
    assert len(got) == len(want) == 5
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, atol=1e-6)
    assert b.compute_mask(X, mask)[1:] == [None] * 4


@pytest.mark.parametrize("cell", [lambda: TanhCell(3), lambda: StackedRNNCells([TanhCell(2), TanhCell(3)])])
def test_gradients_through_the_tape(cell):
    result = check_gradients(Bidirectional(RNN(cell(), return_sequences=True), merge_mode="mul"), X[:, :3],
                             max_entries=8)
    assert result, result


def test_config_round_trip_and_saving_with_custom_objects(tmp_path):
    model = pk.sequential() | pk.bidirectional(pk.rnn(TanhCell(3)), input_shape=(4, 3)) | pk.dense(1)
    layer = model.layers[0]
    again = Bidirectional.from_config(layer.get_config() | {"name": "again"}, custom_objects={"TanhCell": TanhCell})
    assert isinstance(again.forward_layer.cell, TanhCell)
    path = str(tmp_path / "m.pkeras")
    model.save(path)
    loaded = pk.load_model(path, custom_objects={"TanhCell": TanhCell})
    np.testing.assert_allclose(loaded.predict(X, verbose=0), model.predict(X, verbose=0), atol=1e-6)


def test_trains_in_a_model():
    model = pk.sequential() | pk.bidirectional(pk.rnn(TanhCell(3)), input_shape=(4, 3)) | pk.dense(1)
    model.compile("adam", "mse")
    x, y = RNG.standard_normal((8, 4, 3)).astype("float32"), RNG.standard_normal((8, 1)).astype("float32")
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(np.abs(a - b).max() > 0 for a, b in zip(model.get_weights(), before))


def test_a_layer_that_is_not_recurrent_names_the_choices():
    with pytest.raises(pk.errors.ArgumentTypeError, match=r"rnn\(cell\).*received layer 'dense"):
        Bidirectional(pk.dense(3))
