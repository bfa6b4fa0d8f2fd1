"""compile / fit / evaluate / predict: Keras semantics, determinism, bad input, interrupts."""

import os
import signal

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, predict, sequential
from pipekeras.errors import ConfigError, DataError, NotBuiltError
from pipekeras.runtime import tuning


def _classifier(features=6, classes=3):
    model = sequential() | dense(8, "relu", input_shape=features) | dense(classes, "softmax")
    return model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])


def _data(rng, n=64, features=6, classes=3):
    x = rng.standard_normal((n, features)).astype("float32")
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1)
    return x, np.eye(classes, dtype="float32")[labels]


def test_fit_returns_history_with_keras_keys(rng):
    model = _classifier()
    x, y = _data(rng)
    history = model | fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == [0, 1, 2] and len(history.history["loss"]) == 3
    assert history.params["epochs"] == 3 and history.params["steps"] == 3
    assert "epoch" in repr(history) and "val_loss" in repr(history)


def test_training_lowers_the_loss(rng):
    model = _classifier()
    model.compile(optimizer=pk.optimizers.RMSprop(learning_rate=0.01), loss="categorical_crossentropy")
    x, y = _data(rng, n=256)
    history = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]


def test_validation_split_is_taken_from_the_end_before_shuffling(rng):
    model = _classifier()
    x, y = _data(rng, n=40)
    history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, verbose=0)
    held_out = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(held_out["loss"], rel=1e-6)
    assert history.params["samples"] == 30


def test_validation_data_tuple(rng):
    model = _classifier()
    x, y = _data(rng)
    history = model.fit(x, y, epochs=1, validation_data=(x[:10], y[:10]), verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(x[:10], y[:10], verbose=0)["loss"])


def test_same_seed_same_history_to_the_last_digit(rng):
    x, y = _data(rng)
    runs = []
    for _ in range(2):
        pk.clear_session()
        pk.set_seed(7)
        model = _classifier()
        runs.append(model.fit(x, y, epochs=2, batch_size=8, validation_split=0.2, verbose=0).history)
    assert runs[0] == runs[1]


def test_evaluate_and_predict_as_pipe_steps(rng):
    model = _classifier()
    x, y = _data(rng)
    scores = model | evaluate(x, y, verbose=0)
    assert set(scores) == {"loss", "accuracy"}
    probabilities = model | predict(x, batch_size=7)
    assert probabilities.shape == (64, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(probabilities, model.predict_on_batch(x), rtol=1e-6)


def test_sample_weight_scales_the_loss(rng):
    model = _classifier()
    x, y = _data(rng)
    plain = model.evaluate(x, y, verbose=0)["loss"]
    doubled = model.evaluate(x, y, sample_weight=np.full(len(x), 2.0), verbose=0)["loss"]
    assert doubled == pytest.approx(2 * plain, rel=1e-5)


def test_class_weight_and_initial_epoch(rng):
    model = _classifier()
    x, y = _data(rng)
    history = model.fit(x, y, epochs=3, initial_epoch=2, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, verbose=0)
    assert history.epoch == [2]


def test_on_batch_methods(rng):
    model = _classifier()
    x, y = _data(rng, n=16)
    before = model.test_on_batch(x, y)
    model.train_on_batch(x, y)
    logs = model.test_on_batch(x, y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"} and isinstance(before, list)
    assert model.optimizer.iterations == 1


def test_verbose_modes(rng, capsys):
    x, y = _data(rng)
    _classifier().fit(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    _classifier().fit(x, y, epochs=2, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 2 and "loss:" in out and "[" not in out
    _classifier().fit(x, y, epochs=1, verbose=1)
    assert "2/2 [====" in capsys.readouterr().out


def test_fused_softmax_cross_entropy_gives_the_chain_rule_gradients(rng):
    x, y = _data(rng, n=8)
    grads = []
    for fused in (True, False):
        pk.set_seed(3)
        pk.clear_session()
        model = _classifier()
        if not fused:
            model.compile_config.fused_activations = [None]
        model.train_step([x], [y])
        grads.append([v.grad.copy() for v in model.trainable_weights])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_multi_output_losses_weights_and_history_names(rng):
    inputs = pk.Input(shape=4)
    hidden = inputs | dense(8, "relu")
    model = pk.Model(inputs, [hidden | dense(1, name="price"), hidden | dense(2, "softmax", name="kind")])
    model.compile(optimizer="adam", loss={"price": "mse", "kind": "categorical_crossentropy"},
                  loss_weights=[1.0, 0.5], metrics={"kind": ["accuracy"]})
    x = rng.standard_normal((32, 4)).astype("float32")
    y = [x[:, :1], np.eye(2, dtype="float32")[(x[:, 1] > 0).astype(int)]]
    history = model.fit(x, y, epochs=1, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "kind_accuracy", "val_loss", "val_kind_accuracy"}
    scores = model.evaluate(x, y, verbose=0)
    separate = [model.loss_functions[i](y[i], model.predict(x)[i]) for i in range(2)]
    assert scores["loss"] == pytest.approx(separate[0] + 0.5 * separate[1], rel=1e-5)


def test_regularization_penalty_joins_the_loss(rng):
    model = sequential() | dense(3, input_shape=2, kernel_regularizer=pk.regularizers.l2(0.1))
    model.compile(optimizer="sgd", loss="mse")
    x, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    penalty = 0.1 * float((model.layers[0].kernel.value ** 2).sum())
    plain = float(((model.predict(x) - y) ** 2).mean())
    assert model.evaluate(x, y, verbose=0)["loss"] == pytest.approx(plain + penalty, rel=1e-5)


def test_ctrl_c_stops_after_the_current_step_with_a_usable_model(rng):
    model = _classifier()
    x, y = _data(rng, n=64)

    class Interrupt(pk.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    history = model.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[Interrupt()])
    assert history.interrupted and history.epoch == []  # the unfinished epoch is not recorded
    assert model.optimizer.iterations == 2
    assert np.isfinite(model.predict(x)).all()


# ----- bad input --------------------------------------------------------------------------------

def test_fit_before_compile_says_to_compile(rng):
    model = sequential() | dense(1, input_shape=2)
    with pytest.raises(NotBuiltError, match="not compiled. Pipe compile first"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)))
    with pytest.raises(NotBuiltError, match="not compiled"):
        model.evaluate(np.zeros((2, 2)), np.zeros((2, 1)))


def test_x_and_y_of_different_lengths():
    model = _classifier()
    with pytest.raises(DataError, match="different numbers of samples: 10 and 9"):
        model.fit(np.zeros((10, 6)), np.zeros((9, 3)), verbose=0)


def test_nan_in_targets_says_where():
    model = _classifier()
    y = np.zeros((4, 3))
    y[3, 0] = np.inf
    with pytest.raises(DataError, match="y contains inf at index \\(3, 0\\)"):
        model.fit(np.zeros((4, 6)), y, verbose=0)


def test_empty_data():
    with pytest.raises(DataError, match="x is empty"):
        _classifier().fit(np.zeros((0, 6)), np.zeros((0, 3)), verbose=0)


@pytest.mark.parametrize("split", [-0.1, 1.0, 1.5, "0.2"])
def test_validation_split_outside_the_unit_interval(split):
    with pytest.raises(ConfigError, match="validation_split must be in \\[0, 1\\)"):
        _classifier().fit(np.zeros((4, 6)), np.zeros((4, 3)), validation_split=split, verbose=0)


def test_lists_and_integer_arrays_are_accepted():
    model = sequential() | dense(1, input_shape=2)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit([[1, 2], [3, 4]], [1, 2], epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_unknown_compile_argument():
    model = sequential() | dense(1, input_shape=2)
    with pytest.raises(ConfigError, match="unknown argument 'metric'. Did you mean 'metrics'"):
        model.compile(optimizer="sgd", loss="mse", metric=["mae"])


def test_bad_batch_size():
    with pytest.raises(ConfigError, match="batch_size must be a positive integer, received 0"):
        _classifier().fit(np.zeros((4, 6)), np.zeros((4, 3)), batch_size=0, verbose=0)


def test_single_output_takes_loss_and_loss_weights_as_one_item_lists():
    model = pk.sequential() | pk.dense(1, input_shape=3)
    model | pk.compile(optimizer="sgd", loss=["mse"], loss_weights=[2.0])
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32)
    plain = pk.sequential() | pk.dense(1, input_shape=3)
    plain.set_weights(model.get_weights())
    plain | pk.compile(optimizer="sgd", loss="mse")
    assert model.evaluate(x, y, verbose=0)["loss"] == pytest.approx(2 * plain.evaluate(x, y, verbose=0)["loss"])
    with pytest.raises(pk.errors.ConfigError, match="2 entries for 1 outputs"):
        model | pk.compile(loss=["mse", "mae"])


def test_inference_in_chunks_gives_the_whole_batch_result(monkeypatch):

    rng = np.random.default_rng(0)
    a, b = pk.Input(shape=(6, 6, 2)), pk.Input(shape=4)
    features = a | pk.conv_2d(3, 3, activation="relu") | pk.flatten()
    merged = pk.concatenate()([features, b])
    model = pk.Model([a, b], [merged | dense(2, "softmax"), merged | dense(1)])
    x = [rng.standard_normal((100, 6, 6, 2)).astype(np.float32), rng.standard_normal((100, 4)).astype(np.float32)]
    whole = model.predict(x, batch_size=100)
    with tuning.override(INFER_CHUNK_BYTES=1):
        assert model._current_runner().inference_chunk(100) == tuning.get("MIN_INFER_CHUNK")
        chunked = model.predict(x, batch_size=100)
    for w, c in zip(whole, chunked):
        np.testing.assert_allclose(c, w, rtol=1e-6, atol=1e-7)


def test_stateful_models_infer_on_the_whole_batch(monkeypatch):

    model = pk.sequential() | pk.lstm(2, stateful=True, batch_input_shape=(64, 3, 1))
    with tuning.override(INFER_CHUNK_BYTES=1):
        assert model._current_runner().inference_chunk(64) == 64
