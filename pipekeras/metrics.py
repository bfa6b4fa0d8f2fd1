"""Metrics: stateful objects that accumulate over batches, as Keras' do.

    >>> model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

Every metric has `update_state(y_true, y_pred, sample_weight=None)`, `result()` and `reset_state()`.
`"accuracy"` resolves, as in Keras, to binary, sparse categorical or categorical accuracy from the loss and
the output shape; the name in the history stays the one the user wrote.
"""

import numpy as np

from . import losses as losses_module
from .errors import ArgumentTypeError, ConfigError
from .registry import Registry


class Metric:
    """Base class of metrics.

    Args:
        name: the key in logs and history.
    """

    name = "metric"

    def __init__(self, name=None):
        if name is not None:
            self.name = name
        self.reset_state()

    def reset_state(self):
        """Clears the accumulated state."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns the metric on one batch alone (state is reset first)."""
        self.reset_state()
        self.update_state(np.asarray(y_true), np.asarray(y_pred), sample_weight)
        return self.result()

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


_REGISTRY = Registry("metric", Metric)


class MeanMetricWrapper(Metric):
    """The weighted mean over all positions of `fn(y_true, y_pred)` (one value per sample/position).

    Args:
        fn: function returning per-position values.
        name: the metric's name.
    """

    def __init__(self, fn, name=None):
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = np.asarray(self.fn(y_true, y_pred), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
            return
        w = np.asarray(sample_weight, dtype=np.float64)
        w = np.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)), values.shape)
        self.total += float((values * w).sum())
        self.count += float(w.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


def _labels(y_true, y_pred):
    """Integer labels of shape y_pred.shape[:-1] from sparse targets."""
    return np.asarray(y_true).reshape(y_pred.shape[:-1]).astype(np.int64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per-position fraction of outputs on the right side of `threshold`."""
    return ((y_pred > threshold) == (y_true > 0.5)).mean(axis=-1)


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals argmax(y_true)."""
    return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label."""
    return (np.argmax(y_pred, axis=-1) == _labels(y_true, y_pred)).astype(np.float64)


def _in_top_k(labels, y_pred, k):
    target = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    return ((y_pred > target).sum(axis=-1) < k).astype(np.float64)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the true class is among the k highest predictions."""
    return _in_top_k(np.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """top_k_categorical_accuracy with integer labels."""
    return _in_top_k(_labels(y_true, y_pred), y_pred, k)


def _wrapper(class_name, fn, default_name, *names, doc):
    def __init__(self, name=None, **kwargs):
        self.kwargs = kwargs
        MeanMetricWrapper.__init__(self, (lambda y, p: fn(y, p, **kwargs)) if kwargs else fn, name or default_name)

    def get_config(self):
        return {"name": self.name, **self.kwargs}

    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})
    return _REGISTRY.register(*names)(cls)


def _loss_values(loss_class):
    return lambda y, p: loss_class().values(y, p)


BinaryAccuracy = _wrapper("BinaryAccuracy", binary_accuracy, "binary_accuracy", "binary_accuracy",
                          doc="Fraction of binary predictions (> threshold) equal to the labels.")
CategoricalAccuracy = _wrapper("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy",
                               "categorical_accuracy", doc="Fraction of argmax predictions matching one-hot labels.")
SparseCategoricalAccuracy = _wrapper("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                     "sparse_categorical_accuracy", "sparse_categorical_accuracy",
                                     doc="Fraction of argmax predictions matching integer labels.")
TopKCategoricalAccuracy = _wrapper("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                   "top_k_categorical_accuracy", "top_k_categorical_accuracy",
                                   doc="Fraction of samples whose true class is in the top k (k=5).")
SparseTopKCategoricalAccuracy = _wrapper("SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
                                         "sparse_top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                                         doc="Top-k accuracy with integer labels.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", _loss_values(losses_module.MeanAbsoluteError),
                             "mean_absolute_error", "mean_absolute_error", "mae", doc="Mean of |y_true - y_pred|.")
MeanSquaredError = _wrapper("MeanSquaredError", _loss_values(losses_module.MeanSquaredError),
                            "mean_squared_error", "mean_squared_error", "mse", doc="Mean of (y_true - y_pred)**2.")
MeanAbsolutePercentageError = _wrapper("MeanAbsolutePercentageError",
                                       _loss_values(losses_module.MeanAbsolutePercentageError),
                                       "mean_absolute_percentage_error", "mean_absolute_percentage_error", "mape",
                                       doc="100 * mean of |(y_true - y_pred) / y_true|.")
MeanSquaredLogarithmicError = _wrapper("MeanSquaredLogarithmicError",
                                       _loss_values(losses_module.MeanSquaredLogarithmicError),
                                       "mean_squared_logarithmic_error", "mean_squared_logarithmic_error", "msle",
                                       doc="Mean of (log(1 + y_true) - log(1 + y_pred))**2.")


@_REGISTRY.register("root_mean_squared_error", "rmse")
class RootMeanSquaredError(MeanMetricWrapper):
    """Square root of the mean squared error over everything seen."""

    def __init__(self, name="root_mean_squared_error"):
        super().__init__(_loss_values(losses_module.MeanSquaredError), name)

    def get_config(self):
        return {"name": self.name}

    def result(self):
        return float(np.sqrt(super().result()))


class _ConfusionCounts(Metric):
    """Counts of true/false positives/negatives of binary predictions at one threshold."""

    def __init__(self, thresholds=None, name=None):
        self.thresholds = 0.5 if thresholds is None else float(thresholds)
        super().__init__(name)

    def reset_state(self):
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = np.asarray(y_pred) > self.thresholds
        actual = np.asarray(y_true).reshape(predicted.shape) > 0.5
        w = np.ones(predicted.shape) if sample_weight is None else np.broadcast_to(
            np.asarray(sample_weight, dtype=np.float64).reshape((-1,) + (1,) * (predicted.ndim - 1)), predicted.shape)
        self.tp += float((w * (predicted & actual)).sum())
        self.fp += float((w * (predicted & ~actual)).sum())
        self.fn += float((w * (~predicted & actual)).sum())

    def get_config(self):
        return {"name": self.name, "thresholds": self.thresholds}


@_REGISTRY.register("precision")
class Precision(_ConfusionCounts):
    """True positives / predicted positives, predictions thresholded at `thresholds` (0.5)."""

    name = "precision"

    def result(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0


@_REGISTRY.register("recall")
class Recall(_ConfusionCounts):
    """True positives / actual positives, predictions thresholded at `thresholds` (0.5)."""

    name = "recall"

    def result(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


@_REGISTRY.register("auc")
class AUC(Metric):
    """Area under the ROC (or precision-recall) curve, from counts at `num_thresholds` thresholds.

    Args:
        num_thresholds: thresholds evenly spaced in [0, 1] (200, as Keras).
        curve: "ROC" or "PR".
        name: the metric's name.
    """

    name = "auc"

    def __init__(self, num_thresholds=200, curve="ROC", name=None):
        if curve not in ("ROC", "PR"):
            raise ConfigError(f"AUC: curve must be 'ROC' or 'PR', received {curve!r}.")
        if num_thresholds < 2:
            raise ConfigError(f"AUC: num_thresholds must be at least 2, received {num_thresholds!r}.")
        self.num_thresholds, self.curve = int(num_thresholds), curve
        eps = 1e-7
        inner = np.linspace(0, 1, self.num_thresholds)[1:-1]
        self._thresholds = np.concatenate([[-eps], inner, [1 + eps]])
        super().__init__(name)

    def reset_state(self):
        self.tp = np.zeros(self.num_thresholds)
        self.fp = np.zeros(self.num_thresholds)
        self.positives = self.negatives = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = np.asarray(y_pred, dtype=np.float64).reshape(-1)
        actual = np.asarray(y_true).reshape(-1) > 0.5
        w = np.ones_like(p) if sample_weight is None else np.repeat(
            np.asarray(sample_weight, dtype=np.float64).reshape(-1), p.size // len(np.asarray(sample_weight).reshape(-1)))
        above = p[None, :] > self._thresholds[:, None]
        self.tp += (above & actual).astype(np.float64) @ w
        self.fp += (above & ~actual).astype(np.float64) @ w
        self.positives += float(w[actual].sum())
        self.negatives += float(w[~actual].sum())

    def result(self):
        if self.curve == "ROC":
            if not self.positives or not self.negatives:
                return 0.0
            tpr, fpr = self.tp / self.positives, self.fp / self.negatives
            return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))
        return self._interpolated_pr_auc()

    def _interpolated_pr_auc(self):
        """Keras's PR area: between two thresholds TP and P = TP + FP vary linearly, so precision = TP / P is
        integrated in closed form, slope * (dTP + intercept * log(P_A / P_B)) / positives (Davis & Goadrich)."""
        tp, predicted = self.tp, self.tp + self.fp
        dtp, dp = tp[:-1] - tp[1:], predicted[:-1] - predicted[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = np.where(both, _divide_no_nan(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
        return float(np.sum(_divide_no_nan(slope * (dtp + intercept * np.log(ratio)), self.positives)))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve}


def _divide_no_nan(a, b):
    """a / b, 0 where b is 0."""
    b = np.broadcast_to(np.asarray(b, dtype=np.float64), np.shape(a))
    return np.divide(a, b, out=np.zeros(np.shape(a)), where=b != 0)


def _resolve_accuracy(loss, output_shape):
    if isinstance(loss, losses_module.BinaryCrossentropy) or (output_shape is not None and output_shape[-1] == 1):
        return binary_accuracy
    if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        return sparse_categorical_accuracy
    return categorical_accuracy


def get(identifier, loss=None, output_shape=None, custom_objects=None):
    """Returns a metric object for a name, a config dict, a `Metric` or a function.

    Args:
        identifier: `"accuracy"`/`"acc"` (resolved from `loss` and `output_shape` as Keras does), another
            metric name (`"mae"`, `"precision"`, `"auc"`), a `Metric`, or `f(y_true, y_pred)` returning
            per-sample values.
        loss: the compiled loss, for resolving "accuracy".
        output_shape: the model output's shape, for resolving "accuracy".

    Raises:
        ConfigError: for an unknown name.
    """
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        return MeanMetricWrapper(_resolve_accuracy(loss, output_shape), identifier)
    if isinstance(identifier, str):
        metric = _REGISTRY.get(identifier, custom_objects)
        metric.name = identifier if identifier in _REGISTRY.names() else metric.name
        return metric
    if isinstance(identifier, losses_module.Loss):
        return MeanMetricWrapper(identifier.values, identifier.name)
    if callable(identifier) and not isinstance(identifier, (Metric, type)):
        return MeanMetricWrapper(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, (Metric, dict)):
        return _REGISTRY.get(identifier, custom_objects)
    raise ArgumentTypeError(f"metrics: expected a name such as 'accuracy' or a Metric, received {identifier!r}.")


def serialize(metric):
    return _REGISTRY.serialize(metric)


def names():
    return ["accuracy", "acc"] + _REGISTRY.names()
