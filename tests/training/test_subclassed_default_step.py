"""A subclassed Model with only __init__ and call, compiled with a loss and metrics: fit/evaluate/predict and
the *_on_batch verbs through the default Keras-style steps (the call recorded on a GradientTape)."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops


class TwoLayers(pk.Model):
    def __init__(self):
        super().__init__()
        self.hidden = pk.Dense(6, "tanh")
        self.out = pk.Dense(3, "softmax")

    def call(self, x):
        return self.out(self.hidden(x))


def _data(n=48):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5)]


def _pair():
    """A subclassed model and a functional model of the same layers with the same weights."""
    pk.set_seed(0)
    sub = TwoLayers()
    x, _ = _data()
    sub(x[:2])
    inputs = pk.Input(shape=4)
    graph = pk.Model(inputs, inputs | pk.dense(6, "tanh") | pk.dense(3, "softmax"))
    graph.set_weights(sub.get_weights())
    for model in (sub, graph):
        model.compile(optimizer=pk.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy",
                      metrics=["accuracy"])
    return sub, graph


def test_the_default_step_trains_as_the_graph_engine_does():
    sub, graph = _pair()
    x, y = _data()
    w = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    runs = [m.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0, sample_weight=w, validation_split=0.25)
            for m in (sub, graph)]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(runs[0].history[key], runs[1].history[key], rtol=1e-5, err_msg=key)
    for a, b in zip(sub.get_weights(), graph.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in ((sub.evaluate(x, y, verbose=0), graph.evaluate(x, y, verbose=0)),):
        assert a["loss"] == pytest.approx(b["loss"], rel=1e-5) and a["accuracy"] == pytest.approx(b["accuracy"])
    np.testing.assert_allclose(sub.predict(x, batch_size=7), graph.predict(x), rtol=1e-5)


def test_on_batch_verbs_of_a_subclassed_model_match_the_graph_engine():
    sub, graph = _pair()
    x, y = _data(16)
    a, b = sub.train_on_batch(x, y), graph.train_on_batch(x, y)
    np.testing.assert_allclose(a, b, rtol=1e-5)
    np.testing.assert_allclose(sub.test_on_batch(x, y), graph.test_on_batch(x, y), rtol=1e-5)
    assert sub.test_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
    np.testing.assert_allclose(sub.predict_on_batch(x), graph.predict_on_batch(x), rtol=1e-5)


def test_on_batch_verbs_run_a_custom_train_step():
    class Counted(TwoLayers):
        def train_step(self, data):
            x, y = data
            with pk.GradientTape() as tape:
                loss = ops.mean(ops.categorical_crossentropy(y, self(x, training=True)))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            return {"loss": loss}

    pk.set_seed(0)
    model = Counted()
    model.compile(optimizer="sgd")
    x, y = _data(16)
    first = model.train_on_batch(x, y)
    assert model.optimizer.iterations == 1 and model.train_on_batch(x, y, return_dict=True)["loss"] < first


def test_a_subclassed_model_without_any_loss_is_named():
    model = TwoLayers()
    model.compile(optimizer="sgd")
    with pytest.raises(pk.errors.ConfigError, match="'two_layers' \\(TwoLayers\\) has no loss"):
        model.fit(*_data(), verbose=0)


def test_compile_names_an_unknown_loss_at_once():
    with pytest.raises(pk.errors.ConfigError, match="mean_squared_eror"):
        TwoLayers().compile(optimizer="sgd", loss="mean_squared_eror")


def test_fit_of_an_uncompiled_subclassed_model_says_compile():
    with pytest.raises(pk.errors.NotBuiltError, match="not compiled"):
        TwoLayers().fit(*_data(), verbose=0)


def test_targets_that_do_not_fit_the_outputs_are_named():
    model = TwoLayers()
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    with pytest.raises(pk.errors.DataError, match="1 output\\(s\\) but y holds 2"):
        model.fit(x, [y, y], verbose=0)


def test_saving_a_subclassed_model_says_to_save_its_weights(tmp_path):
    sub, _ = _pair()
    with pytest.raises(pk.errors.SavingError, match="subclassed Model .*save_weights"):
        sub.save(str(tmp_path / "model.pkeras"))
    sub.save_weights(str(tmp_path / "weights.npz"))
    again = TwoLayers()
    again(_data()[0][:1])
    again.load_weights(str(tmp_path / "weights.npz"))
    np.testing.assert_array_equal(again.predict(_data()[0]), sub.predict(_data()[0]))
