"""The built-in losses as functions of ops, so their gradients come from the recording.

Each returns one loss per position (the mean or sum over the last axis), with the same values as
`pipekeras.losses` (Keras's `keras.losses.<name>(y_true, y_pred)` functions); `ops.mean` of it is the loss a
model reports. The targets `y_true` are constants.
"""

import numpy as np

from .. import backend
from ..autodiff.tape import value_of
from . import math as m
from . import reductions as r
from .linalg import norm
from .nn import log_softmax
from .reshaping import one_hot


def _clip(p):
    eps = backend.epsilon()
    return m.clip(p, eps, 1 - eps)


def mean_squared_error(y_true, y_pred):
    """`mean((y_pred - y_true)**2)` over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> mean_squared_error(np.zeros((2, 3)), np.ones((2, 3)))   # [1., 1.]
    """
    return r.mean(m.square(m.subtract(y_pred, y_true)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """`mean(|y_pred - y_true|)` over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> mean_absolute_error(np.zeros((2, 3)), np.ones((2, 3)))
    """
    return r.mean(m.abs(m.subtract(y_pred, y_true)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """`100 * mean(|(y_true - y_pred) / y_true|)` over the last axis, |y_true| floored at epsilon.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> mean_absolute_percentage_error(np.ones((1, 2)), np.full((1, 2), 1.5))   # [50.]
    """
    scale = np.maximum(np.abs(value_of(y_true)), backend.epsilon())
    return m.multiply(100, r.mean(m.abs(m.divide(m.subtract(y_true, y_pred), scale)), axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    """`mean((log(1 + y_pred) - log(1 + y_true))**2)` over the last axis, both floored at epsilon.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> mean_squared_logarithmic_error(np.ones((1, 2)), np.ones((1, 2)))   # [0.]
    """
    eps = backend.epsilon()
    target = np.log1p(np.maximum(value_of(y_true), eps))
    return r.mean(m.square(m.subtract(m.log1p(m.maximum(y_pred, eps)), target)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """`0.5 * e**2` where `|e| <= delta`, else `delta * (|e| - 0.5 * delta)`, averaged over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions.
        delta: where the loss turns from quadratic to linear.

    Returns:
        One loss per position.

    Example:
        >>> huber(np.zeros((1, 2)), np.array([[0.5, 3.0]]))
    """
    error = m.abs(m.subtract(y_pred, y_true))
    quadratic = m.multiply(0.5, m.square(error))
    linear = m.multiply(delta, m.subtract(error, 0.5 * delta))
    return r.mean(m.where(value_of(error) <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """`mean(log(cosh(y_pred - y_true)))` over the last axis, without overflow.

    Args:
        y_true: targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> log_cosh(np.zeros((1, 2)), np.zeros((1, 2)))   # [0.]
    """
    error = m.subtract(y_pred, y_true)
    return r.mean(m.subtract(m.add(error, m.softplus(m.multiply(-2.0, error))), np.log(2.0)), axis=-1)


def poisson(y_true, y_pred):
    """`mean(y_pred - y_true * log(y_pred + epsilon))` over the last axis.

    Args:
        y_true: targets.
        y_pred: predictions (rates).

    Returns:
        One loss per position.

    Example:
        >>> poisson(np.ones((1, 2)), np.ones((1, 2)))
    """
    return r.mean(m.subtract(y_pred, m.multiply(y_true, m.log(m.add(y_pred, backend.epsilon())))), axis=-1)


def _signed(y_true):
    """Labels 0/1 become -1/1, as Keras's hinge losses do; other targets stay."""
    y = np.asarray(value_of(y_true))
    return np.where(y == 0, -1.0, y) if np.all((y == 0) | (y == 1)) else y


def hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0))` over the last axis (0/1 labels count as -1/1).

    Args:
        y_true: targets, -1/1 or 0/1.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> hinge(np.ones((1, 2)), np.array([[0.5, 2.0]]))   # [0.25]
    """
    return r.mean(m.maximum(m.subtract(1, m.multiply(_signed(y_true), y_pred)), 0), axis=-1)


def squared_hinge(y_true, y_pred):
    """`mean(max(1 - y_true * y_pred, 0)**2)` over the last axis.

    Args:
        y_true: targets, -1/1 or 0/1.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> squared_hinge(np.ones((1, 2)), np.array([[0.5, 2.0]]))
    """
    return r.mean(m.square(m.maximum(m.subtract(1, m.multiply(_signed(y_true), y_pred)), 0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """`max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))` per position.

    Args:
        y_true: one-hot targets.
        y_pred: predictions.

    Returns:
        One loss per position.

    Example:
        >>> categorical_hinge(np.eye(2), np.eye(2))   # [0., 0.]
    """
    y = np.asarray(value_of(y_true))
    positive = r.sum(m.multiply(y, y_pred), axis=-1)
    negative = r.max(m.multiply(1 - y, y_pred), axis=-1)
    return m.maximum(m.subtract(m.add(negative, 1), positive), 0)


def kl_divergence(y_true, y_pred):
    """`sum(y_true * log(y_true / y_pred))` over the last axis, both clipped to [epsilon, 1].

    Args:
        y_true: target distributions.
        y_pred: predicted distributions.

    Returns:
        One loss per position.

    Example:
        >>> kl_divergence(np.full((1, 2), 0.5), np.full((1, 2), 0.5))   # [0.]
    """
    y = np.clip(value_of(y_true), backend.epsilon(), 1)
    return r.sum(m.multiply(y, m.subtract(np.log(y), m.log(m.clip(y_pred, backend.epsilon(), 1)))), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """`-sum(l2_normalize(y_true) * l2_normalize(y_pred))` along `axis`.

    Args:
        y_true: targets.
        y_pred: predictions.
        axis: the axis the vectors lie along.

    Returns:
        One loss per position.

    Example:
        >>> cosine_similarity(np.ones((1, 2)), np.ones((1, 2)))   # [-1.]
    """
    y = np.asarray(value_of(y_true))
    y = y / np.maximum(np.linalg.norm(y, axis=axis, keepdims=True), 1e-12)
    p = m.divide(y_pred, m.maximum(norm(y_pred, axis=axis, keepdims=True), 1e-12))
    return m.negative(r.sum(m.multiply(y, p), axis=axis))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """`-sum(y_true * log(y_pred))` over the classes (the last axis).

    Args:
        y_true: one-hot targets (or distributions).
        y_pred: probabilities (normalized to sum 1 first), or logits with `from_logits=True`.
        from_logits: y_pred are logits; a log-softmax is applied inside.
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / classes`.

    Returns:
        One loss per position.

    Example:
        >>> categorical_crossentropy(np.eye(2), np.full((2, 2), 0.5))   # [log 2, log 2]
    """
    y = np.asarray(value_of(y_true))
    classes = np.shape(value_of(y_pred))[-1]
    if label_smoothing:
        y = y * (1 - label_smoothing) + label_smoothing / classes
    if from_logits:
        return m.negative(r.sum(m.multiply(y, log_softmax(y_pred)), axis=-1))
    p = m.divide(y_pred, r.sum(y_pred, axis=-1, keepdims=True))
    return m.negative(r.sum(m.multiply(y, m.log(_clip(p))), axis=-1))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None):
    """Categorical cross-entropy with integer class labels.

    Args:
        y_true: class labels, shape `y_pred.shape[:-1]` (or with a trailing 1).
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: y_pred are logits.
        ignore_class: a label whose positions count as zero loss.

    Returns:
        One loss per position.

    Example:
        >>> sparse_categorical_crossentropy(np.array([0, 1]), np.full((2, 2), 0.5))
    """
    shape = np.shape(value_of(y_pred))
    labels = np.asarray(value_of(y_true)).reshape(shape[:-1]).astype(np.int64)
    targets = one_hot(labels if ignore_class is None else np.where(labels == ignore_class, 0, labels), shape[-1],
                      dtype=np.result_type(value_of(y_pred)))
    if ignore_class is not None:
        targets = targets * (labels != ignore_class)[..., None]
    return categorical_crossentropy(value_of(targets), y_pred, from_logits=from_logits)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """`-mean(y * log(p) + (1 - y) * log(1 - p))` over the last axis.

    Args:
        y_true: targets in [0, 1].
        y_pred: probabilities, or logits with `from_logits=True`.
        from_logits: y_pred are logits (computed stably, without a sigmoid).
        label_smoothing: in [0, 1]; targets become `y * (1 - s) + s / 2`.

    Returns:
        One loss per position.

    Example:
        >>> binary_crossentropy(np.ones((1, 2)), np.full((1, 2), 0.5))   # [log 2]
    """
    y = np.asarray(value_of(y_true))
    if label_smoothing:
        y = y * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        softplus_of_minus_abs = m.log1p(m.exp(m.negative(m.abs(y_pred))))
        return r.mean(m.add(m.subtract(m.maximum(y_pred, 0), m.multiply(y_pred, y)), softplus_of_minus_abs), axis=-1)
    p = _clip(y_pred)
    log_likelihood = m.add(m.multiply(y, m.log(p)), m.multiply(1 - y, m.log(m.subtract(1, p))))
    return m.negative(r.mean(log_likelihood, axis=-1))
