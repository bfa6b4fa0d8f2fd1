"""Keras 3-style training: a subclassed Model with call and train_step(data)/test_step(data) using a GradientTape
and optimizer.apply_gradients(zip(grads, variables)); fit logs what train_step returns."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops
from pipekeras.callbacks import Callback


class Regressor(pk.Model):
    def __init__(self):
        super().__init__()
        self.hidden = pk.Dense(8, "tanh")
        self.out = pk.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        with pk.GradientTape() as tape:
            loss = ops.mean(ops.mean_squared_error(y, self(x, training=True)))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"loss": loss, "twice": 2 * loss}

    def test_step(self, data):
        x, y = data
        return {"loss": ops.mean(ops.mean_squared_error(y, self(x)))}


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    return x, (x @ np.array([[1.0], [-2.0], [0.5]])).astype(np.float32)


def test_a_subclassed_model_trains_with_its_train_step_and_fit_logs_its_dict():
    pk.set_seed(0)
    model = Regressor()
    model.compile(optimizer=pk.optimizers.Adam(learning_rate=0.05))
    x, y = _data()
    batches = []

    class Seen(Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(dict(logs))

    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0, callbacks=[Seen()], validation_data=(x, y))
    assert len(model.layers) == 2 and model.count_params() == 3 * 8 + 8 + 8 + 1
    assert set(history.history) == {"loss", "twice", "val_loss"} and len(batches) == 15 * 4
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    np.testing.assert_allclose(history.history["twice"], 2 * np.array(history.history["loss"]), rtol=1e-6)
    assert model.evaluate(x, y, verbose=0)["loss"] == pytest.approx(history.history["val_loss"][-1], rel=1e-5)
    assert model.predict(x).shape == (64, 1) and model.optimizer.iterations == 60


def test_apply_gradients_takes_pairs_as_keras_and_variables_as_before():
    x, y = _data()
    results = []
    for form in ("pairs", "variables"):
        pk.set_seed(1)
        model = pk.sequential() | pk.dense(4, "relu", input_shape=3) | pk.dense(1)
        optimizer = pk.optimizers.get("adam")
        with pk.GradientTape() as tape:
            loss = ops.mean(ops.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_weights)
        if form == "pairs":
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
        else:
            for variable, grad in zip(model.trainable_weights, grads):
                variable.grad = grad
            optimizer.apply_gradients(model.trainable_weights)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_a_train_step_returning_something_else_than_a_dict_is_named():
    class Bad(Regressor):
        def train_step(self, data):
            return 1.0

    model = Bad()
    model.compile(optimizer="sgd")
    with pytest.raises(pk.errors.ArgumentTypeError, match="Bad.train_step must return a dict"):
        model.fit(*_data(), verbose=0)
