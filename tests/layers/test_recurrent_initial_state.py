"""initial_state of SimpleRNN, LSTM and GRU: gradients into the states (float64 finite differences), symbolic
states from an encoder, masks and stateful layers with given states, and errors. Keras's numbers:
test_recurrent_keras_parity.py."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ShapeError
from pipekeras.gradient_check import check_gradients
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN

STATES = {SimpleRNN: 1, LSTM: 2, GRU: 1}


def _inputs(n_states, batch=2, steps=4, features=3, units=3, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, steps, features))] + [rng.standard_normal((batch, units))
                                                              for _ in range(n_states)]


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "return_state": True}, {"go_backwards": True}])
def test_gradients_reach_the_states(cls, options):
    result = check_gradients(cls(3, **options), _inputs(STATES[cls]))
    assert result, result


def test_gradients_with_a_mask_and_gru_reset_before():
    layer = GRU(3, reset_after=False, return_state=True)
    assert check_gradients(layer, _inputs(1))
    x, h, c = _inputs(2)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    lstm = LSTM(3, return_sequences=True, return_state=True)
    out, h_last, c_last = lstm(x, initial_state=[h, c], mask=mask)
    # a sample masked from step 2 on keeps the states it had after step 1, and starts from the given ones
    np.testing.assert_allclose(h_last[0], out[0, 1])
    short = lstm(x[:1, :2], initial_state=[h[:1], c[:1]])[2]
    np.testing.assert_allclose(c_last[0], short[0], rtol=1e-6)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_states_change_the_output_and_zeros_match_none(cls):
    x, *states = _inputs(STATES[cls])
    layer = cls(3)
    plain = layer(x)
    np.testing.assert_allclose(layer(x, initial_state=[np.zeros_like(s) for s in states]), plain)
    assert np.abs(layer(x, initial_state=states) - plain).max() > 1e-3


def test_encoder_states_feed_a_decoder_and_train():
    enc_in, dec_in = pk.Input((5, 4)), pk.Input((6, 3))
    _, h, c = pk.lstm(enc_in, 8, return_state=True)
    decoded = LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])
    model = pk.Model([enc_in, dec_in], pk.dense(decoded, 2))
    model.compile("adam", "mse")
    rng = np.random.default_rng(0)
    x = [rng.standard_normal((16, 5, 4)).astype("float32"), rng.standard_normal((16, 6, 3)).astype("float32")]
    y = rng.standard_normal((16, 6, 2)).astype("float32")
    encoder = model.layers[2]
    before = encoder.get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.abs(encoder.get_weights()[0] - before).max() > 0  # the decoder's loss reached the encoder
    assert check_gradients(model, [a.astype("float64")[:2] for a in x])


def test_stateful_layer_takes_given_states_then_carries_its_own():
    x, h = _inputs(1, batch=2)
    layer = SimpleRNN(3, stateful=True, batch_input_shape=(2, 4, 3))
    first = layer(x, initial_state=[h])
    np.testing.assert_allclose(layer.states[0], first)
    second = layer(x)
    np.testing.assert_allclose(second, layer(x, initial_state=[first]))


def test_wrong_number_of_states_names_layer_argument_and_shapes():
    x = pk.Input((4, 3))
    with pytest.raises(ShapeError, match=r"'dec'.*initial_state expected 2 tensor\(s\) \(h, c\) of shape\(s\) "
                                         r"\(None, 5\), \(None, 5\), received 1"):
        LSTM(5, name="dec")(x, initial_state=[pk.Input((5,))])


def test_wrong_state_shape_symbolic_and_eager():
    with pytest.raises(ShapeError, match=r"initial_state expected 1 tensor\(s\) \(h\) of shape\(s\) \(None, 5\), "
                                         r"received 1 of shape\(s\) \(None, 4\)"):
        GRU(5)(pk.Input((4, 3)), initial_state=pk.Input((4,)))
    x, h = _inputs(1, batch=2, units=5)
    with pytest.raises(ShapeError, match=r"of shape\(s\) \(2, 5\), received 1 of shape\(s\) \(3, 5\)"):
        SimpleRNN(5)(x, initial_state=[np.zeros((3, 5))])
    assert SimpleRNN(5)(x, initial_state=h).shape == (2, 5)
