"""Bidirectional and TimeDistributed: shapes, gradients (float64 finite differences), references computed
with plain LSTM / Dense layers, masks, configs, weights, parameter counts and error messages."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.layer import recording
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ArgumentTypeError, ConfigError, ShapeError
from pipekeras.layers import CONSTRUCTORS
from pipekeras.layers.core import Dense
from pipekeras.layers.embedding import Embedding
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN
from pipekeras.layers.wrappers import Bidirectional, TimeDistributed

bidirectional = pk.layer_constructor(Bidirectional)
time_distributed = pk.layer_constructor(TimeDistributed)
lstm = pk.layer_constructor(LSTM)
gru = pk.layer_constructor(GRU)
dense = pk.layer_constructor(Dense)
embedding = pk.layer_constructor(Embedding)

MERGE_MODES = ["concat", "sum", "mul", "ave", None]


def _expected_shape(mode, return_sequences, batch, steps, units):
    last = 2 * units if mode == "concat" else units
    shape = (batch, steps, last) if return_sequences else (batch, last)
    if mode is None:
        shape = (batch, steps, units) if return_sequences else (batch, units)
        return [shape, shape]
    return shape


# ----- shapes -----------------------------------------------------------------------------------

def test_constructors_are_registered():
    assert CONSTRUCTORS["bidirectional"] is Bidirectional
    assert CONSTRUCTORS["time_distributed"] is TimeDistributed
    assert pk.bidirectional(pk.lstm(3)).merge_mode == "concat"


@pytest.mark.parametrize("mode", MERGE_MODES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_shapes_symbolic_and_eager(mode, return_sequences, rng):
    layer = bidirectional(lstm(3, return_sequences=return_sequences), merge_mode=mode)
    inputs = pk.Input(shape=(5, 4))
    outputs = inputs | layer
    expected = _expected_shape(mode, return_sequences, None, 5, 3)
    if mode is None:
        assert [t.shape for t in outputs] == expected
    else:
        assert outputs.shape == expected
    y = layer(rng.standard_normal((2, 5, 4)).astype("float32"))
    eager = _expected_shape(mode, return_sequences, 2, 5, 3)
    if mode is None:
        assert [a.shape for a in y] == eager
    else:
        assert y.shape == eager and y.dtype == np.float32


def test_bidirectional_return_state_shapes(rng):
    layer = bidirectional(lstm(3, return_state=True))
    outputs = pk.Input(shape=(5, 4)) | layer
    assert [t.shape for t in outputs] == [(None, 6)] + [(None, 3)] * 4
    y = layer(rng.standard_normal((2, 5, 4)))
    assert [a.shape for a in y] == [(2, 6)] + [(2, 3)] * 4
    np.testing.assert_allclose(y[0][:, :3], y[1], rtol=1e-6)   # forward h == forward output


@pytest.mark.parametrize("shape, inner, expected", [
    ((None, 6, 4), lambda: dense(5), (None, 6, 5)),
    ((None, 6, 3, 4), lambda: dense(5), (None, 6, 3, 5)),
])
def test_time_distributed_shapes(shape, inner, expected, rng):
    layer = time_distributed(inner())
    assert (pk.Input(shape=shape[1:]) | layer).shape == expected
    y = layer(rng.standard_normal((2,) + shape[1:]))
    assert y.shape == (2,) + expected[1:]


# ----- values: the same as running the layers by hand ------------------------------------------------

@pytest.mark.parametrize("mode", MERGE_MODES)
@pytest.mark.parametrize("return_sequences", [False, True])
def test_bidirectional_equals_forward_and_reversed_backward_lstm(mode, return_sequences, rng):
    x = rng.standard_normal((3, 6, 4)).astype("float32")
    layer = bidirectional(lstm(5, return_sequences=return_sequences), merge_mode=mode)
    y = layer(x)
    weights = layer.get_weights()
    assert len(weights) == 6
    forward = lstm(5, return_sequences=return_sequences)
    backward = lstm(5, return_sequences=return_sequences, go_backwards=True)
    forward(x), backward(x)
    forward.set_weights(weights[:3])
    backward.set_weights(weights[3:])
    y_f, y_b = forward(x), backward(x)
    if return_sequences:
        y_b = y_b[:, ::-1]
    expected = {"concat": lambda: np.concatenate([y_f, y_b], -1), "sum": lambda: y_f + y_b,
                "mul": lambda: y_f * y_b, "ave": lambda: (y_f + y_b) / 2, None: lambda: [y_f, y_b]}[mode]()
    if mode is None:
        for got, want in zip(y, expected):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    else:
        np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_bidirectional_names_and_weight_order():
    layer = bidirectional(lstm(2, name="enc"))
    layer.ensure_built((None, 4, 3))
    assert layer.forward_layer.name == "forward_enc"
    assert layer.backward_layer.name == "backward_enc"
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    assert [v.name for v in layer.weights] == [
        "forward_enc/kernel", "forward_enc/recurrent_kernel", "forward_enc/bias",
        "backward_enc/kernel", "backward_enc/recurrent_kernel", "backward_enc/bias"]


def test_time_distributed_equals_dense_per_step(rng):
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    inner = dense(5, activation="relu")
    layer = time_distributed(inner)
    y = layer(x)
    for t in range(4):
        np.testing.assert_allclose(y[:, t], inner(x[:, t]), rtol=1e-6)
    assert layer.weights == inner.weights and layer.count_params() == 3 * 5 + 5


# ----- gradients ------------------------------------------------------------------------------------

def _joined(layer, input_shape):
    """A model concatenating a multi-output layer's outputs (check_gradients projects one output)."""
    inputs = pk.Input(shape=input_shape)
    outputs = inputs | layer
    flat = [t | pk.layers.Reshape((-1,)) if len(t.shape) > 2 else t for t in outputs]
    return pk.Model(inputs, pk.layers.Concatenate(dtype="float64")(flat))


@pytest.mark.parametrize("mode", MERGE_MODES)
def test_bidirectional_lstm_gradients(mode, rng):
    layer = Bidirectional(LSTM(3, return_sequences=True, dtype="float64"), merge_mode=mode)
    target = layer if mode is not None else _joined(layer, (4, 3))
    result = pk.check_gradients(target, rng.standard_normal((2, 4, 3)))
    assert result, result


def test_bidirectional_lstm_last_output_gradients(rng):
    layer = Bidirectional(LSTM(3, dtype="float64"))
    result = pk.check_gradients(layer, rng.standard_normal((2, 5, 3)))
    assert result, result


def test_bidirectional_gru_sum_gradients(rng):
    layer = Bidirectional(GRU(3, dtype="float64"), merge_mode="sum")
    result = pk.check_gradients(layer, rng.standard_normal((2, 5, 3)))
    assert result, result


def test_bidirectional_return_state_gradients(rng):
    layer = Bidirectional(LSTM(2, return_state=True, dtype="float64"), merge_mode="ave")
    result = pk.check_gradients(_joined(layer, (4, 3)), rng.standard_normal((2, 4, 3)))
    assert result, result


def test_time_distributed_dense_gradients(rng):
    layer = TimeDistributed(Dense(4, activation="tanh", dtype="float64"))
    result = pk.check_gradients(layer, rng.standard_normal((2, 3, 5)))
    assert result, result


def test_time_distributed_conv2d_gradients(rng):
    convolutional = pytest.importorskip("pipekeras.layers.convolutional")
    layer = TimeDistributed(convolutional.Conv2D(2, 3, dtype="float64"))
    result = pk.check_gradients(layer, rng.standard_normal((2, 3, 5, 5, 2)))
    assert result, result
    assert layer.compute_output_shape((None, 3, 5, 5, 2)) == (None, 3, 3, 3, 2)


def test_gradients_inside_a_model(rng):
    inputs = pk.Input(shape=(4, 3))
    hidden = inputs | dense(3) | bidirectional(lstm(2, return_sequences=True, dtype="float64"))
    model = pk.Model(inputs, hidden | time_distributed(dense(2, dtype="float64")))
    for v in model.weights:
        v.value = v.value.astype(np.float64)
    result = pk.check_gradients(model, rng.standard_normal((2, 4, 3)))
    assert result, result


# ----- masks ----------------------------------------------------------------------------------------

def test_masked_bidirectional_ignores_padding(rng):
    ids = np.array([[3, 1, 4, 1, 0, 0], [2, 7, 0, 0, 0, 0]])
    inputs = pk.Input(shape=(None,))
    model = pk.Model(inputs, inputs | embedding(10, 4, mask_zero=True) | bidirectional(lstm(3)))
    y = model.predict(ids, verbose=0)
    short = model.predict(ids[:, :4], verbose=0)
    np.testing.assert_allclose(y, short, rtol=1e-5, atol=1e-6)
    # by hand: the forward and backward copies see only the unmasked steps
    layer = model.layers[-1]
    emb = model.layers[1](ids[:1, :4])
    y_f = layer.forward_layer(emb)
    y_b = layer.backward_layer(emb)
    np.testing.assert_allclose(y[:1], np.concatenate([y_f, y_b], -1), rtol=1e-5, atol=1e-6)


def test_masked_bidirectional_sequences_gradients_and_mask_out(rng):
    inputs = pk.Input(shape=(5,))
    hidden = inputs | embedding(8, 3, mask_zero=True, dtype="float64")
    outputs = hidden | Bidirectional(GRU(2, return_sequences=True, dtype="float64"), merge_mode="mul")
    assert outputs.mask is not None
    model = pk.Model(inputs, outputs | time_distributed(dense(1, dtype="float64")))
    assert model.output.mask is not None
    ids = np.array([[1, 2, 3, 0, 0], [4, 5, 6, 7, 1]])
    with recording():
        y, masks, tape = model.run_forward([ids], training=False)
    np.testing.assert_array_equal(masks[0], ids != 0)
    model.run_backward(tape, [np.ones_like(y[0])])
    assert all(v.grad is not None for v in model.trainable_weights)


# ----- configs and weights ----------------------------------------------------------------------------

def test_bidirectional_config_round_trip(rng):
    layer = bidirectional(gru(3, return_sequences=True, reset_after=False), merge_mode="ave", name="bi")
    x = rng.standard_normal((2, 4, 5)).astype("float32")
    y = layer(x)
    entry = serialize_layer(layer)
    assert entry["class_name"] == "Bidirectional"
    assert entry["config"]["merge_mode"] == "ave"
    assert entry["config"]["layer"]["class_name"] == "GRU"
    clone = deserialize_layer(entry)
    assert isinstance(clone, Bidirectional) and clone.name == "bi"
    assert clone.forward_layer.name == layer.forward_layer.name
    assert clone.backward_layer.name == layer.backward_layer.name
    assert not clone.forward_layer.reset_after and clone.return_sequences
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), y, rtol=1e-6)
    assert serialize_layer(clone) == entry


def test_bidirectional_custom_backward_layer_config():
    layer = Bidirectional(LSTM(2), backward_layer=SimpleRNN(2, go_backwards=True, name="back"), merge_mode="sum")
    layer.ensure_built((None, 3, 4))
    assert layer.backward_layer.name == "back" and layer.count_params() == (4 * 8 + 2 * 8 + 8) + (4 * 2 + 4 + 2)
    clone = deserialize_layer(serialize_layer(layer))
    assert isinstance(clone.backward_layer, SimpleRNN) and clone.backward_layer.name == "back"


def test_bidirectional_initial_weights(rng):
    source = bidirectional(lstm(2))
    source.ensure_built((None, 3, 4))
    layer = Bidirectional(LSTM(2), weights=source.get_weights())
    x = rng.standard_normal((2, 3, 4)).astype("float32")
    np.testing.assert_allclose(layer(x), source(x), rtol=1e-6)


def test_time_distributed_config_and_weights_round_trip(rng):
    layer = time_distributed(dense(3, activation="relu"), name="td")
    x = rng.standard_normal((2, 4, 5)).astype("float32")
    y = layer(x)
    entry = serialize_layer(layer)
    assert entry["config"]["layer"]["class_name"] == "Dense"
    clone = deserialize_layer(entry)
    assert isinstance(clone, TimeDistributed) and clone.name == "td"
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(clone(x), y, rtol=1e-6)
    assert serialize_layer(clone) == entry


def test_model_with_wrappers_config_round_trip(rng):
    model = (pk.sequential() | embedding(20, 4, input_length=6) | bidirectional(lstm(3, return_sequences=True))
             | time_distributed(dense(2)))
    ids = rng.integers(0, 20, (2, 6))
    clone = type(model).from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(ids, verbose=0), model.predict(ids, verbose=0), rtol=1e-6)


def test_parameter_count_matches_keras():
    model = pk.sequential() | embedding(10000, 32, input_length=100) | bidirectional(lstm(32)) | dense(1, "sigmoid")
    assert model.layers[0].count_params() == 320_000
    assert model.layers[1].count_params() == 2 * 8_320
    assert model.layers[2].count_params() == 65
    assert model.count_params() == 320_000 + 2 * 8_320 + 65
    assert model.output_shape == (None, 1)


def test_trains_and_freezing_freezes_the_inner_layers(rng):
    model = pk.sequential() | embedding(10, 3, input_length=5) | bidirectional(lstm(2)) | dense(1, "sigmoid")
    model | pk.compile(optimizer="adam", loss="binary_crossentropy")
    x, y = rng.integers(0, 10, (16, 5)), rng.integers(0, 2, (16, 1))
    before = model.layers[1].get_weights()
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert any(not np.allclose(a, b) for a, b in zip(before, model.layers[1].get_weights()))
    model.layers[1].trainable = False
    assert not model.layers[1].forward_layer.trainable and not model.layers[1].trainable_weights
    assert len(model.layers[1].non_trainable_weights) == 6


# ----- errors ---------------------------------------------------------------------------------------

def test_bidirectional_of_a_non_recurrent_layer():
    with pytest.raises(ArgumentTypeError, match=r"'dense_x'.*Dense.*needs an RNN layer"):
        bidirectional(dense(3, name="dense_x"))


def test_bidirectional_bad_merge_mode():
    with pytest.raises(ConfigError, match=r"merge_mode='max'.*'concat', 'sum', 'mul', 'ave', None"):
        bidirectional(lstm(3), merge_mode="max")


def test_bidirectional_bad_backward_layer():
    with pytest.raises(ConfigError, match="go_backwards=True"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    with pytest.raises(ConfigError, match="return_sequences"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2, go_backwards=True, return_sequences=True))


def test_bidirectional_on_rank_2_input():
    with pytest.raises(ShapeError, match=r"bidirectional.*rank 3.*\(None, 4\)"):
        pk.Input(shape=(4,)) | bidirectional(lstm(2))


def test_time_distributed_on_rank_2_input():
    with pytest.raises(ShapeError, match=r"time_distributed.*\(samples, timesteps, \.\.\.\).*\(None, 4\)"):
        pk.Input(shape=(4,)) | time_distributed(dense(2))
    with pytest.raises(ShapeError, match=r"\(samples, timesteps, \.\.\.\)"):
        time_distributed(dense(2))(np.zeros((3, 4)))


def test_time_distributed_of_a_non_layer():
    with pytest.raises(ArgumentTypeError, match="must be a layer"):
        TimeDistributed("dense")


def test_saved_model_round_trip(tmp_path, rng):
    model = (pk.sequential() | bidirectional(gru(3, return_sequences=True), merge_mode="sum", input_shape=(5, 2))
             | time_distributed(dense(2, activation="tanh")))
    x = rng.standard_normal((3, 5, 2)).astype("float32")
    path = str(tmp_path / "wrappers.pkeras")
    model.save(path)
    loaded = pk.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Bidirectional", "TimeDistributed"]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_input_shape_of_the_wrapped_layer_starts_a_sequential():
    model = pk.sequential() | bidirectional(lstm(2, input_shape=(3, 4)))
    assert model.input_shape == (None, 3, 4) and model.output_shape == (None, 4)
    assert "batch_input_shape" not in serialize_layer(model.layers[0])["config"]["layer"]["config"]


def test_multi_output_bidirectional_in_a_functional_model(rng):
    inputs = pk.Input(shape=(4, 3))
    forward, backward = inputs | bidirectional(lstm(2, return_sequences=True), merge_mode=None)
    model = pk.Model(inputs, pk.layers.Add()([forward, backward]))
    summed = pk.Model(inputs, model.layers[1].output[0])
    assert model.output_shape == (None, 4, 2) and summed.output_shape == (None, 4, 2)
    x = rng.standard_normal((2, 4, 3)).astype("float32")
    both = model.layers[1](x)
    np.testing.assert_allclose(model.predict(x, verbose=0), both[0] + both[1], rtol=1e-5, atol=1e-6)
