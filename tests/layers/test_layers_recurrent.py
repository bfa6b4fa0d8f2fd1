"""Embedding, SimpleRNN, LSTM, GRU: shapes, gradients (float64 finite differences), NumPy references,
masking, stateful carry, configs, weights and error messages."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import optimizers
from pipekeras.engine.layer import recording
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, DataError, ShapeError
from pipekeras.layers.core import Dense
from pipekeras.layers.embedding import Embedding
from pipekeras.layers.merge import Concatenate
from pipekeras.layers.recurrent import GRU, LSTM, SimpleRNN
from pipekeras.layers.reshaping import Flatten

embedding = pk.layer_constructor(Embedding)
simple_rnn = pk.layer_constructor(SimpleRNN)
lstm = pk.layer_constructor(LSTM)
gru = pk.layer_constructor(GRU)
dense = pk.layer_constructor(Dense)

RNNS = {"simple_rnn": simple_rnn, "lstm": lstm, "gru": gru}
VARIANTS = {
    "last": {},
    "sequences": {"return_sequences": True},
    "backwards": {"go_backwards": True},
    "backwards_sequences": {"go_backwards": True, "return_sequences": True},
    "no_bias": {"use_bias": False},
}


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ----- float64 NumPy references, one step at a time -----------------------------------------------------

def reference(kind, layer, x, mask=None):
    weights = layer.get_weights()
    kernel, recurrent = weights[0], weights[1]
    bias = weights[2] if len(weights) > 2 else None
    u = layer.units
    batch, steps, _ = x.shape
    h = np.zeros((batch, u))
    c = np.zeros((batch, u))
    outputs = []
    order = range(steps - 1, -1, -1) if layer.go_backwards else range(steps)
    for t in order:
        xt = x[:, t]
        if kind == "simple_rnn":
            h_new = np.tanh(xt @ kernel + h @ recurrent + (0 if bias is None else bias))
            c_new = c
        elif kind == "lstm":
            a = xt @ kernel + h @ recurrent + (0 if bias is None else bias)
            i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
            c_new = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h_new = _sigmoid(o) * np.tanh(c_new)
        elif layer.reset_after:
            bx, br = (0, 0) if bias is None else (bias[0], bias[1])
            ax, ar = xt @ kernel + bx, h @ recurrent + br
            z = _sigmoid(ax[:, :u] + ar[:, :u])
            r = _sigmoid(ax[:, u:2 * u] + ar[:, u:2 * u])
            hh = np.tanh(ax[:, 2 * u:] + r * ar[:, 2 * u:])
            h_new, c_new = z * h + (1 - z) * hh, c
        else:
            ax = xt @ kernel + (0 if bias is None else bias)
            z = _sigmoid(ax[:, :u] + h @ recurrent[:, :u])
            r = _sigmoid(ax[:, u:2 * u] + h @ recurrent[:, u:2 * u])
            hh = np.tanh(ax[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
            h_new, c_new = z * h + (1 - z) * hh, c
        if mask is not None:
            keep = mask[:, t][:, None]
            h_new, c_new = np.where(keep, h_new, h), np.where(keep, c_new, c)
        h, c = h_new, c_new
        outputs.append(h)
    return np.stack(outputs, axis=1) if layer.return_sequences else h


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_kernel_matches_numpy_reference(kind, variant, rng):
    extra = {"reset_after": False} if kind == "gru_reset_before" else {}
    layer = RNNS[kind.replace("_reset_before", "")](4, dtype="float64", **VARIANTS[variant], **extra)
    x = rng.standard_normal((3, 6, 5))
    mask = rng.random((3, 6)) > 0.3
    layer(x)
    layer.set_weights([w + 0.1 * rng.standard_normal(w.shape) for w in layer.get_weights()])
    np.testing.assert_allclose(layer(x), reference(kind.replace("_reset_before", ""), layer, x), atol=1e-12)
    np.testing.assert_allclose(layer(x, mask=mask), reference(kind.replace("_reset_before", ""), layer, x, mask),
                               atol=1e-12)


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_float32_fast_activations_stay_close_to_float64(kind, rng):
    extra = {"reset_after": False} if kind == "gru_reset_before" else {}
    make = RNNS[kind.replace("_reset_before", "")]
    exact = make(8, return_sequences=True, dtype="float64", **extra)
    fast = make(8, return_sequences=True, **extra)
    x = 2 * rng.standard_normal((4, 40, 5))
    mask = rng.random((4, 40)) > 0.2
    exact(x)
    fast(x.astype("float32"))
    weights = [2 * w + 0.3 * rng.standard_normal(w.shape) for w in exact.get_weights()]  # saturate some units
    exact.set_weights(weights)
    fast.set_weights(weights)
    np.testing.assert_allclose(fast(x.astype("float32"), mask=mask), exact(x, mask=mask), atol=2e-5)
    with recording():
        y32, _, ctx32 = fast.forward_node(x.astype("float32"), False, mask)
        y64, _, ctx64 = exact.forward_node(x, False, mask)
    grad = rng.standard_normal(y64.shape)
    dx32 = fast.backward_node(ctx32, grad.astype("float32"), True)
    dx64 = exact.backward_node(ctx64, grad, True)
    np.testing.assert_allclose(dx32, dx64, atol=1e-4 * np.abs(dx64).max())
    for a, b in zip(fast.weights, exact.weights):
        np.testing.assert_allclose(a.grad, b.grad, atol=1e-4 * np.abs(b.grad).max())


# ----- shapes -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(RNNS))
@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("return_state", [False, True])
def test_output_shapes_symbolic_and_eager(kind, return_sequences, return_state, rng):
    layer = RNNS[kind](7, return_sequences=return_sequences, return_state=return_state)
    out = (None, 5, 7) if return_sequences else (None, 7)
    states = 2 if kind == "lstm" else 1
    expected = [out] + [(None, 7)] * states if return_state else out
    symbolic = pk.Input(shape=(5, 3)) | layer
    shapes = [t.shape for t in symbolic] if return_state else symbolic.shape
    assert shapes == expected
    eager = layer(rng.standard_normal((2, 5, 3)).astype("float32"))
    eager_shapes = [a.shape for a in eager] if return_state else eager.shape
    fix = lambda s: (2,) + s[1:]
    assert eager_shapes == ([fix(s) for s in expected] if return_state else fix(expected))


def test_weight_layouts_match_keras():
    x = np.zeros((1, 2, 5), "float32")
    layer = lstm(3)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [(5, 12), (3, 12), (12,)]
    np.testing.assert_array_equal(layer.get_weights()[2], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    layer = lstm(3, unit_forget_bias=False)
    layer(x)
    assert not layer.get_weights()[2].any()
    layer = gru(3)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [(5, 9), (3, 9), (2, 9)]
    layer = gru(3, reset_after=False)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [(5, 9), (3, 9), (9,)]
    layer = simple_rnn(3)
    layer(x)
    assert [w.shape for w in layer.get_weights()] == [(5, 3), (3, 3), (3,)]
    recurrent = layer.get_weights()[1]
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-5)  # orthogonal


def test_embedding_shapes_and_lookup(rng):
    layer = embedding(20, 4)
    assert (pk.Input(shape=7, dtype="int32") | layer).shape == (None, 7, 4)
    ids = rng.integers(0, 20, (3, 7))
    out = layer(ids)
    assert out.shape == (3, 7, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out, layer.get_weights()[0][ids])
    np.testing.assert_array_equal(layer(ids.astype("float32")), out)
    table = layer.get_weights()[0]
    assert table.min() >= -0.05 and table.max() <= 0.05


def test_model_parameter_count():
    model = pk.sequential() | embedding(10000, 32) | lstm(32) | dense(1, "sigmoid")
    model.build((None, 500))
    assert model.count_params() == 328_353
    pk.clear_session()
    model = pk.sequential() | embedding(10000, 32, input_length=500) | lstm(32) | dense(1, "sigmoid")
    assert model.count_params() == 328_353
    assert model.layers[1].output_shape == (None, 32)


# ----- gradients ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
def test_gradients_match_finite_differences(kind, variant, rng):
    extra = {"reset_after": False} if kind == "gru_reset_before" else {}
    layer = RNNS[kind.replace("_reset_before", "")](3, **VARIANTS[variant], **extra)
    result = pk.check_gradients(layer, rng.standard_normal((2, 4, 3)), max_entries=20)
    assert result.ok, result


@pytest.mark.parametrize("make", [
    lambda: simple_rnn(3, activation="relu"),
    lambda: simple_rnn(3, activation="sigmoid", return_sequences=True),
    lambda: lstm(3, recurrent_activation="hard_sigmoid", return_sequences=True),
    lambda: lstm(3, activation="relu", recurrent_activation="sigmoid"),
    lambda: gru(3, activation="linear", recurrent_activation="hard_sigmoid"),
    lambda: gru(3, reset_after=False, recurrent_activation="hard_sigmoid", return_sequences=True),
], ids=["rnn_relu", "rnn_sigmoid", "lstm_hard_sigmoid", "lstm_relu", "gru_linear_hard", "gru_before_hard"])
def test_gradients_with_other_activations(make, rng):
    result = pk.check_gradients(make(), rng.standard_normal((2, 4, 3)), max_entries=20)
    assert result.ok, result


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru", "gru_reset_before"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_gradients_with_a_mask_from_embedding(kind, return_sequences, rng):
    extra = {"reset_after": False} if kind == "gru_reset_before" else {}
    inputs = pk.Input(shape=6, dtype="int32")
    outputs = inputs | embedding(8, 3, mask_zero=True) | RNNS[kind.replace("_reset_before", "")](
        3, return_sequences=return_sequences, **extra)
    if return_sequences:
        outputs = outputs | Flatten()
    model = pk.Model(inputs, outputs)
    ids = rng.integers(1, 8, (3, 6))
    ids[0, 4:] = 0  # post-padding
    ids[1, :3] = 0  # pre-padding
    ids[2, 2] = 0   # a hole
    result = pk.check_gradients(model, ids, max_entries=20)
    assert result.ok, result


@pytest.mark.parametrize("kind", sorted(RNNS))
def test_gradients_of_returned_states(kind, rng):
    inputs = pk.Input(shape=(4, 3))
    outputs = inputs | RNNS[kind](3, return_sequences=True, return_state=True)
    model = pk.Model(inputs, Concatenate()([outputs[0] | Flatten()] + outputs[1:]))
    result = pk.check_gradients(model, rng.standard_normal((2, 4, 3)), max_entries=20)
    assert result.ok, result
    direct = pk.check_gradients(RNNS[kind](3, return_state=True, go_backwards=True), rng.standard_normal((2, 4, 3)),
                                max_entries=20)
    assert direct.ok, direct


@pytest.mark.parametrize("kind", sorted(RNNS))
def test_gradients_with_dropout_masks_held_fixed(kind, rng):
    layer = RNNS[kind](3, dropout=0.3, recurrent_dropout=0.4, return_sequences=True)
    x = rng.standard_normal((2, 4, 3))
    layer(x)
    fixed = {}

    def frozen_mask(shape, rate, dtype):
        if shape not in fixed:
            fixed[shape] = (rng.random(shape) >= rate) / (1 - rate)
        return fixed[shape].astype(dtype)

    layer._dropout_mask = frozen_mask
    result = pk.check_gradients(layer, x, training=True, max_entries=20)
    assert result.ok, result
    assert not np.allclose(layer(x, training=True), layer(x))


def test_embedding_gradient_scatter_adds_repeated_ids(rng):
    layer = embedding(6, 2)
    ids = np.array([[1, 1, 3], [0, 1, 5]])
    assert pk.check_gradients(layer, ids)
    with recording():
        out, _, ctx = layer.forward_node(ids, False, None)
    grad = rng.standard_normal(out.shape).astype("float32")
    assert layer.backward_node(ctx, grad, True) is None
    expected = np.zeros((6, 2), "float32")
    np.add.at(expected, ids.reshape(-1), grad.reshape(-1, 2))
    np.testing.assert_allclose(layer.embeddings.grad, expected, rtol=1e-6)


# ----- masking ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(RNNS))
@pytest.mark.parametrize("padding", ["pre", "post"])
def test_masked_padded_sequence_equals_unpadded(kind, padding, rng):
    ids = rng.integers(1, 12, (2, 5))
    pad = np.zeros((2, 3), ids.dtype)
    padded = np.concatenate([pad, ids] if padding == "pre" else [ids, pad], axis=1)
    inputs = pk.Input(shape=(None,), dtype="int32")
    model = pk.Model(inputs, inputs | embedding(12, 4, mask_zero=True) | RNNS[kind](3))
    np.testing.assert_allclose(model(padded), model(ids), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict(padded, verbose=0), model(ids), rtol=1e-5, atol=1e-6)


def test_masked_steps_repeat_the_previous_output(rng):
    layer = lstm(3, return_sequences=True, dtype="float64")
    x = rng.standard_normal((2, 5, 2))
    mask = np.array([[1, 1, 0, 0, 1], [0, 1, 1, 1, 1]], bool)
    y = layer(x, mask=mask)
    np.testing.assert_array_equal(y[0, 2], y[0, 1])
    np.testing.assert_array_equal(y[0, 3], y[0, 1])
    np.testing.assert_array_equal(y[1, 0], 0)
    emb = embedding(5, 2, mask_zero=True)
    seq = lstm(3, return_sequences=True)
    tensor = pk.Input(shape=4, dtype="int32") | emb
    assert tensor.mask is not None
    assert (tensor | seq).mask is not None
    assert (tensor | lstm(3)).mask is None
    np.testing.assert_array_equal(emb.compute_mask(np.array([[0, 2, 0]])), [[False, True, False]])


# ----- stateful -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(RNNS))
def test_stateful_carries_states_and_resets(kind, rng):
    x = rng.standard_normal((2, 6, 3)).astype("float32")
    stateless = RNNS[kind](4, return_sequences=True)
    full = stateless(x)
    layer = RNNS[kind](4, return_sequences=True, stateful=True, batch_input_shape=(2, 3, 3))
    model = pk.sequential() | layer
    layer.set_weights(stateless.get_weights())
    first, second = model(x[:, :3]), model(x[:, 3:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), full, rtol=1e-5, atol=1e-6)
    model.reset_states()
    np.testing.assert_allclose(model(x[:, :3]), full[:, :3], rtol=1e-5, atol=1e-6)
    layer.reset_states()
    assert all(not s.any() for s in layer.states)
    with pytest.raises(ShapeError, match="batch size 2.*3 samples"):
        layer(x[:3, :3] if len(x) >= 3 else np.concatenate([x, x])[:3, :3])


def test_stateful_needs_a_fixed_batch_size():
    with pytest.raises(ConfigError, match="stateful=True needs a fixed batch size.*batch_input_shape"):
        pk.Input(shape=(5, 3)) | lstm(4, stateful=True)


# ----- configs and weights ------------------------------------------------------------------------------

CONFIG_CASES = {
    "embedding": lambda: embedding(10, 3, mask_zero=True, embeddings_regularizer=pk.regularizers.l2(0.01)),
    "embedding_input_length": lambda: embedding(10, 3, input_length=4),
    "simple_rnn": lambda: simple_rnn(3, activation="relu", return_sequences=True, dropout=0.1),
    "lstm": lambda: lstm(3, return_state=True, go_backwards=True, unit_forget_bias=False,
                         kernel_regularizer=pk.regularizers.l1(0.01), recurrent_constraint=pk.constraints.non_neg()),
    "gru": lambda: gru(3, reset_after=False, recurrent_dropout=0.2, seed=3),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_config_and_weights_round_trip(case, rng):
    layer = CONFIG_CASES[case]()
    x = rng.integers(0, 10, (2, 4)) if case.startswith("embedding") else rng.standard_normal((2, 4, 2))
    layer(x)
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    clone(x)
    clone.set_weights(layer.get_weights())
    first, second = layer(x), clone(x)
    for a, b in zip(first if isinstance(first, list) else [first], second if isinstance(second, list) else [second]):
        np.testing.assert_array_equal(a, b)
    assert layer.count_params() == sum(w.size for w in layer.get_weights())


# ----- errors -------------------------------------------------------------------------------------------

def test_two_dimensional_input_is_explained():
    with pytest.raises(ShapeError, match=r"\(samples, timesteps, features\).*embedding"):
        pk.sequential() | dense(4, input_shape=8) | lstm(3)


def test_ids_out_of_range_name_position_and_layer():
    layer = embedding(10, 2, name="words")
    ids = np.array([[1, 2, 3], [4, 10, 5]])
    with pytest.raises(DataError, match=r"'words'.*id 10 at \(sample 1, timestep 1\).*input_dim=10"):
        layer(ids)
    with pytest.raises(DataError, match=r"id -1 at \(sample 0, timestep 2\).*negative"):
        layer(np.array([[1, 2, -1]]))
    with pytest.raises(DataError, match="whole numbers"):
        layer(np.array([[1.5, 2.0]]))


def test_unsupported_activation_and_bad_arguments():
    with pytest.raises(ConfigError, match="not supported.*tanh"):
        lstm(3, activation="softmax")
    with pytest.raises(ConfigError, match="units"):
        gru(0)
    with pytest.raises(ConfigError, match="dropout"):
        simple_rnn(3, dropout=1.5)
    with pytest.raises(ConfigError, match="reset_states"):
        lstm(3).reset_states([np.zeros((1, 3))])


# ----- training -----------------------------------------------------------------------------------------

def test_embedding_lstm_model_learns_a_toy_task(rng):
    ids = rng.integers(1, 20, (128, 8))
    ids[:, -3:] *= rng.random((128, 3)) > 0.5  # some padding
    y = (ids[:, 0] > 10).astype("float32")
    model = pk.sequential() | embedding(20, 8, mask_zero=True, input_length=8) | lstm(8, go_backwards=True) | dense(1, "sigmoid")
    model.compile(optimizer=optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ids, y, epochs=8, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
