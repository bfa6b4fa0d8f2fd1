"""ConvLSTM2D: shapes, float64 gradients through the tape, initial states, masks, config and weight round
trips, errors (Keras's numbers: test_recurrent_keras_parity.py)."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.serialization import deserialize_layer, serialize_layer
from pipekeras.errors import ConfigError, ShapeError
from pipekeras.gradient_check import check_gradients
from pipekeras.layers.recurrent import ConvLSTM2D

X = np.random.default_rng(0).standard_normal((2, 3, 5, 5, 2))


@pytest.mark.parametrize("options, shape", [
    ({"padding": "same", "return_sequences": True}, (2, 3, 5, 5, 2)),
    ({"kernel_size": (2, 3), "strides": (1, 2)}, (2, 4, 2, 2)),
    ({"dilation_rate": 2, "go_backwards": True}, (2, 1, 1, 2)),
])
def test_shapes_and_gradients(options, shape):
    layer = ConvLSTM2D(2, **{"kernel_size": 3, **options})
    assert layer(X).shape == shape
    assert layer.compute_output_shape((None,) + X.shape[1:]) == (None,) + shape[1:]
    result = check_gradients(layer, X, max_entries=6)
    assert result, result


def test_initial_states_and_their_gradients():
    layer = ConvLSTM2D(2, 3, padding="same", return_state=True)
    states = [np.random.default_rng(1).standard_normal((2, 5, 5, 2)) for _ in range(2)]
    out, h, c = layer(X, initial_state=states)
    np.testing.assert_allclose(out, h)
    assert c.shape == (2, 5, 5, 2)
    result = check_gradients(layer, [X] + states, max_entries=6)
    assert result, result
    with pytest.raises(ShapeError, match=r"initial_state expected 2 tensor\(s\).*\(None, 5, 5, 2\).*\(None, 4, 4, 2\)"):
        layer(pk.Input((3, 5, 5, 2)), initial_state=[pk.Input((4, 4, 2)), pk.Input((4, 4, 2))])


def test_masked_steps_keep_the_states():
    layer = ConvLSTM2D(2, 3, padding="same", return_sequences=True)
    mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    out = layer(X, mask=mask)
    np.testing.assert_allclose(out[0, 2], out[0, 1])


def test_config_and_weights_round_trip_and_trains():
    layer = ConvLSTM2D(2, (3, 3), padding="same", unit_forget_bias=False, name="c")
    out = layer(X)
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 2, 8), (3, 3, 2, 8), (8,)]
    again = deserialize_layer(serialize_layer(layer))
    again(X)
    again.set_weights(layer.get_weights())
    assert again.get_config() == layer.get_config()
    np.testing.assert_allclose(again(X), out)
    model = pk.sequential() | pk.conv_lstm_2d(2, 3, input_shape=(3, 5, 5, 2)) | pk.flatten() | pk.dense(1)
    model.compile("adam", "mse")
    model.fit(X.astype("float32"), np.ones((2, 1), "float32"), epochs=1, verbose=0)


def test_channels_first_is_refused_with_a_hint():
    with pytest.raises(ConfigError, match="channels_last"):
        ConvLSTM2D(2, 3, data_format="channels_first")
