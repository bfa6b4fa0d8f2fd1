"""Losses and metrics written with pipekeras.ops in compile: the loss's recorded gradient equals the built-in
loss's, so a model trains the same; a metric in ops is logged."""

import numpy as np

import pipekeras as pk
from pipekeras import losses, ops


def crossentropy(y_true, y_pred):  # Keras's: the predictions scaled to sum to one first
    y_pred = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
    return -ops.sum(y_true * ops.log(y_pred), axis=-1)


def mean_error(y_true, y_pred):
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 4)).astype(np.float32)
    return x, np.eye(3, dtype=np.float32)[rng.integers(0, 3, 40)]


def test_a_loss_in_ops_has_the_built_in_gradient():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(5), size=6)
    y = np.eye(5)[rng.integers(0, 5, 6)]
    w = rng.uniform(0.5, 1.5, 6)
    np.testing.assert_allclose(losses.get(crossentropy).gradient(y, p, w),
                               losses.CategoricalCrossentropy().gradient(y, p, w), rtol=1e-10)


def test_a_model_trains_the_same_with_the_loss_in_ops_and_logs_a_metric_in_ops():
    x, y = _data()
    weights = []
    for loss in ("categorical_crossentropy", crossentropy):
        pk.set_seed(0)
        model = pk.sequential() | pk.dense(8, "tanh", input_shape=4) | pk.dense(3, "softmax")
        model.compile(optimizer="sgd", loss=loss, metrics=[mean_error])
        history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    assert set(history.history) == {"loss", "mean_error"}
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
