"""Keras 3's numbers for the recurrent additions of issue 20 (tests/fixtures/make_recurrent_fixtures.py): a
seq2seq .keras file (LSTM encoder states into an LSTM decoder) loads and predicts, and saves again; every new
layer's forward outputs and weights after one SGD step match Keras with the same weights; Keras files with
RNN(cell) load."""

import os

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.layers.recurrent import GRU, LSTM, RNN, ConvLSTM2D, GRUCell, LSTMCell, SimpleRNN, SimpleRNNCell, StackedRNNCells

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
PARITY = np.load(os.path.join(FIXTURES, "recurrent_parity.npz"))


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


CELL_CASES = {
    "rnn_simple_cell": lambda: RNN(SimpleRNNCell(6), return_sequences=True),
    "rnn_lstm_cell": lambda: RNN(LSTMCell(6), return_state=True),
    "rnn_gru_cell": lambda: RNN(GRUCell(6), return_sequences=True, go_backwards=True),
    "rnn_gru_cell_before": lambda: RNN(GRUCell(6, reset_after=False)),
    "rnn_stacked": lambda: RNN(StackedRNNCells([LSTMCell(6), GRUCell(4)]), return_sequences=True),
}


@pytest.mark.parametrize("prefix", sorted(CELL_CASES))
def test_cells_match_keras_forward_and_one_step(prefix):
    keras_parity(prefix, CELL_CASES[prefix])


@pytest.mark.parametrize("prefix", sorted(CELL_CASES))
def test_keras_files_with_cells_load(prefix):
    model = pk.load_model(os.path.join(FIXTURES, f"recurrent_{prefix}.keras"))
    count = len([k for k in PARITY.files if k.startswith(f"{prefix}/in")])
    predicted = model.predict([PARITY[f"{prefix}/in{i}"] for i in range(count)], verbose=0)
    np.testing.assert_allclose(predicted[0] if isinstance(predicted, list) else predicted, PARITY[f"{prefix}/out0"],
                               atol=1e-5)


CONV_CASES = {
    "conv_lstm_2d": lambda: ConvLSTM2D(3, 3, padding="same", return_sequences=True),
    "conv_lstm_2d_valid": lambda: ConvLSTM2D(2, (2, 3), strides=(1, 2)),
}


@pytest.mark.parametrize("prefix", sorted(CONV_CASES))
def test_conv_lstm_matches_keras_forward_and_one_step(prefix):
    keras_parity(prefix, CONV_CASES[prefix])


@pytest.mark.parametrize("prefix", sorted(CONV_CASES))
def test_keras_conv_lstm_files_load(prefix):
    test_keras_files_with_cells_load(prefix)


@pytest.mark.parametrize("prefix", ["rnn_stacked", "rnn_lstm_cell", "conv_lstm_2d"])
def test_models_with_cells_write_keras_files(tmp_path, prefix):
    """Written in Keras's layout (cells nested in the config, weights under cell/ or cell/cells/<key>/), which
    Keras 3.15 loads to the same predictions (checked by hand); here: they load back."""
    model = pk.load_model(os.path.join(FIXTURES, f"recurrent_{prefix}.keras"))
    path = str(tmp_path / "m.keras")
    model.save(path)
    count = len([k for k in PARITY.files if k.startswith(f"{prefix}/in")])
    inputs = [PARITY[f"{prefix}/in{i}"] for i in range(count)]
    again = pk.load_model(path).predict(inputs, verbose=0)
    np.testing.assert_allclose(again[0] if isinstance(again, list) else again, PARITY[f"{prefix}/out0"], atol=1e-5)
