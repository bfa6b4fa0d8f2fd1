"""R keras 2's fit_generator, evaluate_generator and predict_generator, with R's generator-function idiom
(a function returning one batch per call), as book chapter 6.3 writes them."""

import numpy as np
import pytest

from pipekeras.r import (compile, evaluate_generator, fit_generator, keras_model_sequential, layer_dense,
                         layer_flatten, predict_generator)


def _generator(data, lookback, delay, min_index, max_index, shuffle=False, batch_size=16, step=2):
    """The book's generator: windows of a series and the value `delay` steps after each, one batch per call."""
    rng = np.random.default_rng(1)
    state = {"i": min_index + lookback}

    def next_batch():
        if shuffle:
            rows = rng.integers(min_index + lookback, max_index, size=batch_size)
        else:
            if state["i"] + batch_size >= max_index:
                state["i"] = min_index + lookback
            rows = np.arange(state["i"], min(state["i"] + batch_size, max_index))
            state["i"] += len(rows)
        samples = np.stack([data[r - lookback:r:step] for r in rows]).astype("float32")
        targets = data[rows + delay, 1].astype("float32")
        return [samples, targets]  # R's list(samples, targets)

    return next_batch


def _series(n=600):
    t = np.arange(n)
    return np.stack([np.sin(t / 10), np.cos(t / 10)], axis=1)


def test_fit_generator_with_r_generator_functions():
    data = _series()
    train_gen = _generator(data, 20, 2, 0, 400, shuffle=True)
    val_gen = _generator(data, 20, 2, 401, 590)
    model = keras_model_sequential() | layer_flatten(input_shape=(10, 2)) | layer_dense(units=16, activation="relu") \
        | layer_dense(units=1)
    model | compile(optimizer="rmsprop", loss="mae")
    history = model | fit_generator(train_gen, steps_per_epoch=20, epochs=3, validation_data=val_gen,
                                    validation_steps=5, verbose=0)
    assert set(history.history) == {"loss", "val_loss"} and len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    test_gen = _generator(data, 20, 2, 401, 590)
    result = evaluate_generator(model, test_gen, steps=5)
    assert result["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-6)
    predictions = model | predict_generator(_generator(data, 20, 2, 401, 590), steps=5)
    assert predictions.shape == (80, 1)
