"""initial_state of SimpleRNN, LSTM and GRU: gradients into the states (float64 finite differences), symbolic
states from an encoder, masks and stateful layers with given states, saving, errors, and Keras's numbers
(tests/fixtures/make_recurrent_fixtures.py: a Keras seq2seq file, forward and one SGD step)."""

import os

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ShapeError
from pipekeras.gradient_check import check_gradients
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
PARITY = np.load(os.path.join(FIXTURES, "recurrent_parity.npz"))
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


def test_keras_seq2seq_file_loads_and_predicts():
    model = pk.load_model(os.path.join(FIXTURES, "seq2seq.keras"))
    predicted = model.predict([PARITY["seq2seq/x0"], PARITY["seq2seq/x1"]], verbose=0)
    np.testing.assert_allclose(predicted, PARITY["seq2seq/y"], atol=1e-5)


@pytest.mark.parametrize("suffix", ["keras", "pkeras"])
def test_seq2seq_saves_and_loads(tmp_path, suffix):
    model = pk.load_model(os.path.join(FIXTURES, "seq2seq.keras"))
    path = str(tmp_path / f"s2s.{suffix}")
    model.save(path)
    again = pk.load_model(path)
    x = [PARITY["seq2seq/x0"], PARITY["seq2seq/x1"]]
    np.testing.assert_allclose(again.predict(x, verbose=0), PARITY["seq2seq/y"], atol=1e-5)


PARITY_CASES = {
    "lstm_state": lambda: LSTM(6, return_sequences=True, return_state=True),
    "gru_state": lambda: GRU(6, return_state=True, go_backwards=True),
    "gru_before_state": lambda: GRU(6, reset_after=False, return_sequences=True),
    "simple_rnn_state": lambda: SimpleRNN(6, return_sequences=True),
}


def keras_parity(prefix, make_layer):
    """Rebuilds a fixture case (x and states as inputs, one layer, mse, SGD(0.1)) and compares it with Keras:
    the forward outputs and the weights after one training step."""
    count = lambda key: len([k for k in PARITY.files if k.startswith(f"{prefix}/{key}")])
    inputs = [PARITY[f"{prefix}/in{i}"] for i in range(count("in"))]
    tensors = [pk.Input(a.shape[1:]) for a in inputs]
    layer = make_layer()
    outputs = layer(tensors[0], initial_state=tensors[1:]) if len(tensors) > 1 else layer(tensors[0])
    model = pk.Model(tensors, outputs)
    model.set_weights([PARITY[f"{prefix}/w{i}"] for i in range(count("w"))])
    predicted = model.predict(inputs, verbose=0)
    predicted = predicted if isinstance(predicted, list) else [predicted]
    for i, p in enumerate(predicted):
        np.testing.assert_allclose(p, PARITY[f"{prefix}/out{i}"], atol=1e-5)
    targets = [PARITY[f"{prefix}/target{i}"] for i in range(count("target"))]
    model.compile(pk.optimizers.SGD(0.1), ["mse"] * len(targets))
    model.train_on_batch(inputs, targets if len(targets) > 1 else targets[0])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, PARITY[f"{prefix}/after{i}"], atol=1e-5)


@pytest.mark.parametrize("prefix", sorted(PARITY_CASES))
def test_matches_keras_forward_and_one_step(prefix):
    keras_parity(prefix, PARITY_CASES[prefix])


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
