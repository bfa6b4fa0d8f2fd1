"""The losses written in ops match pipekeras.losses: values, and gradients against the hand-written ones."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipekeras import losses, ops

RNG = np.random.default_rng(0)


def _probabilities(shape, rng):
    p = rng.uniform(0.05, 1.0, size=shape)
    return p / p.sum(-1, keepdims=True)


def _one_hot(shape, rng):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]


CASES = {
    # name: (ops function, Loss object, targets, predictions)
    "mse": (ops.mean_squared_error, losses.MeanSquaredError(), "normal", "normal"),
    "mae": (ops.mean_absolute_error, losses.MeanAbsoluteError(), "normal", "normal"),
    "mape": (ops.mean_absolute_percentage_error, losses.MeanAbsolutePercentageError(), "normal", "normal"),
    "msle": (ops.mean_squared_logarithmic_error, losses.MeanSquaredLogarithmicError(), "positive", "positive"),
    "huber": (lambda y, p: ops.huber(y, p, delta=0.7), losses.Huber(delta=0.7), "normal", "normal"),
    "log_cosh": (ops.log_cosh, losses.LogCosh(), "normal", "normal"),
    "poisson": (ops.poisson, losses.Poisson(), "positive", "positive"),
    "hinge": (ops.hinge, losses.Hinge(), "binary", "normal"),
    "hinge_signed": (ops.hinge, losses.Hinge(), "signed", "normal"),
    "squared_hinge": (ops.squared_hinge, losses.SquaredHinge(), "binary", "normal"),
    "categorical_hinge": (ops.categorical_hinge, losses.CategoricalHinge(), "one_hot", "positive"),
    "kl_divergence": (ops.kl_divergence, losses.KLDivergence(), "probabilities", "probabilities"),
    "cosine_similarity": (ops.cosine_similarity, losses.CosineSimilarity(), "normal", "normal"),
    "categorical_crossentropy": (ops.categorical_crossentropy, losses.CategoricalCrossentropy(), "one_hot", "positive"),
    "categorical_crossentropy_smoothed": (
        lambda y, p: ops.categorical_crossentropy(y, p, label_smoothing=0.1),
        losses.CategoricalCrossentropy(label_smoothing=0.1), "one_hot", "probabilities"),
    "categorical_crossentropy_logits": (
        lambda y, p: ops.categorical_crossentropy(y, p, from_logits=True),
        losses.CategoricalCrossentropy(from_logits=True), "probabilities", "normal"),
    "sparse_categorical_crossentropy": (ops.sparse_categorical_crossentropy, losses.SparseCategoricalCrossentropy(),
                                        "labels", "probabilities"),
    "sparse_categorical_crossentropy_logits": (
        lambda y, p: ops.sparse_categorical_crossentropy(y, p, from_logits=True),
        losses.SparseCategoricalCrossentropy(from_logits=True), "labels", "normal"),
    "sparse_categorical_crossentropy_ignore": (
        lambda y, p: ops.sparse_categorical_crossentropy(y, p, ignore_class=1),
        losses.SparseCategoricalCrossentropy(ignore_class=1), "labels", "probabilities"),
    "binary_crossentropy": (ops.binary_crossentropy, losses.BinaryCrossentropy(), "unit", "unit"),
    "binary_crossentropy_smoothed": (lambda y, p: ops.binary_crossentropy(y, p, label_smoothing=0.2),
                                     losses.BinaryCrossentropy(label_smoothing=0.2), "binary", "unit"),
    "binary_crossentropy_logits": (lambda y, p: ops.binary_crossentropy(y, p, from_logits=True),
                                   losses.BinaryCrossentropy(from_logits=True), "binary", "normal"),
}


def _data(kind, shape, rng):
    if kind == "normal":
        return rng.normal(size=shape)
    if kind == "positive":
        return rng.uniform(0.1, 2.0, size=shape)
    if kind == "unit":
        return rng.uniform(0.05, 0.95, size=shape)
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype(float)
    if kind == "signed":
        return rng.choice([-1.0, 1.0], size=shape)
    if kind == "one_hot":
        return _one_hot(shape, rng)
    if kind == "probabilities":
        return _probabilities(shape, rng)
    return rng.integers(0, shape[-1], size=shape[:-1])


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=12, deadline=None, derandomize=True)
@given(batch=st.integers(1, 5), classes=st.integers(2, 5), steps=st.sampled_from([None, 3]),
       seed=st.integers(0, 2**31 - 1))
def test_loss_in_ops_matches_the_built_in_loss(name, batch, classes, steps, seed):
    fn, loss, target_kind, prediction_kind = CASES[name]
    rng = np.random.default_rng(seed)
    shape = (batch, classes) if steps is None else (batch, steps, classes)
    y, p = _data(target_kind, shape, rng), _data(prediction_kind, shape, rng)
    np.testing.assert_allclose(fn(y, p), loss.call(y, p), rtol=1e-9, atol=1e-9)
    value, grad = ops.value_and_grad(lambda q: ops.mean(fn(y, q)))(p)
    assert abs(value - loss(y, p)) <= 1e-6 * max(1.0, abs(value))
    np.testing.assert_allclose(grad, loss.gradient(y, p), rtol=1e-6, atol=1e-6)


def test_losses_keep_float32():
    y, p = _one_hot((4, 3), RNG).astype(np.float32), _probabilities((4, 3), RNG).astype(np.float32)
    assert ops.categorical_crossentropy(y, p).dtype == np.float32
    assert ops.mean_squared_error(y, p).dtype == np.float32
    assert ops.grad(lambda q: ops.mean(ops.binary_crossentropy(y, q)))(p).dtype == np.float32
