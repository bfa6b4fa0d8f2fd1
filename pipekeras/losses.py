"""Loss functions, with Keras' names, formulas and reduction.

A loss computes one value per position (per sample for 2D outputs, per sample and timestep for sequence
outputs) and reduces them as Keras' "sum_over_batch_size" does: the weighted sum divided by the number of
positions. `gradient` is the derivative of that reduced value with respect to the predictions.

Softmax + categorical cross-entropy and sigmoid + binary cross-entropy are fused: `fused_gradient` returns
the gradient with respect to the output layer's pre-activation, `(p - y) / n`, exact and stable.
"""

import numpy as np

from . import backend
from .activations import get as get_activation
from .autodiff import GradientTape
from .errors import ArgumentTypeError, DataError, ShapeError
from .registry import Registry
from .serializable import get_registered_object


class Loss:
    """Base class of losses.

    Subclasses implement `values(y_true, y_pred)` (one loss per position, shape `y_pred.shape[:-1]`) and
    `derivative(y_true, y_pred)` (the derivative of each position's loss, shape `y_pred.shape`).

    Args:
        name: the name shown in logs (the snake_case loss name by default).
    """

    name = "loss"

    def __init__(self, name=None):
        if name is not None:
            self.name = name

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def derivative(self, y_true, y_pred):
        raise NotImplementedError

    def call(self, y_true, y_pred):
        """Returns the per-position losses."""
        return self.values(y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        """Returns the loss of a batch: the (weighted) mean over positions, as a float."""
        values = self.values(y_true, y_pred)
        if sample_weight is not None:
            values = values * _per_position(sample_weight, values.ndim)
        return float(values.sum(dtype=np.float64) / max(values.size, 1))

    def gradient(self, y_true, y_pred, sample_weight=None):
        """Returns d(loss)/d(y_pred), same shape as y_pred."""
        grad = self.derivative(y_true, y_pred)
        positions = max(grad.size // grad.shape[-1], 1) if grad.ndim else 1
        scale = 1.0 / positions
        if sample_weight is not None:
            grad = grad * (_per_position(sample_weight, grad.ndim - 1)[..., None] * scale)
        else:
            grad *= scale
        return grad.astype(y_pred.dtype, copy=False)

    def fused_gradient(self, activation_name, y_true, y_pred, sample_weight=None):
        """Returns d(loss)/d(pre-activation) when the output activation fuses with this loss, else None."""
        return None

    def closed_form_gradient(self, activation_name):
        """Names this loss's gradient when compiled training loops may compute it themselves, else None.

        The names are "squared_error", "absolute_error" and, for a cross-entropy without logits or label
        smoothing fused with its output activation (`activation_name`), "sigmoid_crossentropy" and
        "softmax_crossentropy"; compute/dense_stack.py computes them as `gradient` and `fused_gradient` do.
        A subclass, which may change the formula, returns None unless it says otherwise.
        """
        return None

    def get_config(self):
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_REGISTRY = Registry("loss", Loss)


def _per_position(sample_weight, ndim):
    """Reshapes per-sample weights (batch,) to broadcast over an array of rank `ndim`."""
    w = np.asarray(sample_weight)
    while w.ndim > ndim and w.shape[-1] == 1:  # (batch, 1) weights for (batch,) losses
        w = w[..., 0]
    return w.reshape(w.shape + (1,) * (ndim - w.ndim))


def _clip(p):
    eps = backend.epsilon()
    return np.clip(p, eps, 1 - eps)


class _Elementwise(Loss):
    """Mean over the last axis of an elementwise loss `f(y, p)` with derivative `df(y, p)`."""

    def values(self, y_true, y_pred):
        return self.elementwise(y_true, y_pred).mean(axis=-1)

    def derivative(self, y_true, y_pred):
        return self.elementwise_derivative(y_true, y_pred) / y_pred.shape[-1]


@_REGISTRY.register("mean_squared_error", "mse")
class MeanSquaredError(_Elementwise):
    """mean((y_true - y_pred)**2) over the last axis."""

    name = "mean_squared_error"

    def elementwise(self, y, p):
        return np.square(p - y)

    def elementwise_derivative(self, y, p):
        return 2 * (p - y)

    def closed_form_gradient(self, activation_name):
        return "squared_error" if type(self) is MeanSquaredError else None


@_REGISTRY.register("mean_absolute_error", "mae")
class MeanAbsoluteError(_Elementwise):
    """mean(|y_true - y_pred|) over the last axis."""

    name = "mean_absolute_error"

    def elementwise(self, y, p):
        return np.abs(p - y)

    def elementwise_derivative(self, y, p):
        return np.sign(p - y)

    def closed_form_gradient(self, activation_name):
        return "absolute_error" if type(self) is MeanAbsoluteError else None


@_REGISTRY.register("mean_absolute_percentage_error", "mape")
class MeanAbsolutePercentageError(_Elementwise):
    """100 * mean(|(y_true - y_pred) / y_true|) over the last axis (|y_true| floored at epsilon)."""

    name = "mean_absolute_percentage_error"

    def elementwise(self, y, p):
        return 100 * np.abs((y - p) / np.maximum(np.abs(y), backend.epsilon()))

    def elementwise_derivative(self, y, p):
        return 100 * np.sign(p - y) / np.maximum(np.abs(y), backend.epsilon())


@_REGISTRY.register("mean_squared_logarithmic_error", "msle")
class MeanSquaredLogarithmicError(_Elementwise):
    """mean((log(1 + y_true) - log(1 + y_pred))**2), both floored at epsilon."""

    name = "mean_squared_logarithmic_error"

    def elementwise(self, y, p):
        eps = backend.epsilon()
        return np.square(np.log1p(np.maximum(p, eps)) - np.log1p(np.maximum(y, eps)))

    def elementwise_derivative(self, y, p):
        eps = backend.epsilon()
        diff = np.log1p(np.maximum(p, eps)) - np.log1p(np.maximum(y, eps))
        return 2 * diff / (1 + np.maximum(p, eps)) * (p > eps)


@_REGISTRY.register("huber", "huber_loss")
class Huber(_Elementwise):
    """0.5 * e**2 where |e| <= delta, delta * (|e| - 0.5 * delta) elsewhere (e = y_pred - y_true)."""

    name = "huber_loss"

    def __init__(self, delta=1.0, name=None):
        super().__init__(name)
        self.delta = float(delta)

    def elementwise(self, y, p):
        e = np.abs(p - y)
        return np.where(e <= self.delta, 0.5 * e * e, self.delta * (e - 0.5 * self.delta))

    def elementwise_derivative(self, y, p):
        return np.clip(p - y, -self.delta, self.delta)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


@_REGISTRY.register("log_cosh", "logcosh")
class LogCosh(_Elementwise):
    """mean(log(cosh(y_pred - y_true))), computed without overflow."""

    name = "log_cosh"

    def elementwise(self, y, p):
        e = p - y
        return e + np.logaddexp(0, -2 * e) - np.log(2.0)

    def elementwise_derivative(self, y, p):
        return np.tanh(p - y)


@_REGISTRY.register("poisson")
class Poisson(_Elementwise):
    """mean(y_pred - y_true * log(y_pred + epsilon))."""

    name = "poisson"

    def elementwise(self, y, p):
        return p - y * np.log(p + backend.epsilon())

    def elementwise_derivative(self, y, p):
        return 1 - y / (p + backend.epsilon())


@_REGISTRY.register("hinge")
class Hinge(_Elementwise):
    """mean(max(1 - y_true * y_pred, 0)); labels 0/1 are mapped to -1/1 as Keras does."""

    name = "hinge"

    @staticmethod
    def _signed(y):
        return np.where(y == 0, -1.0, y) if np.all((y == 0) | (y == 1)) else y

    def elementwise(self, y, p):
        return np.maximum(1 - self._signed(y) * p, 0)

    def elementwise_derivative(self, y, p):
        s = self._signed(y)
        return -s * (1 - s * p > 0)


@_REGISTRY.register("squared_hinge")
class SquaredHinge(Hinge):
    """mean(max(1 - y_true * y_pred, 0)**2)."""

    name = "squared_hinge"

    def elementwise(self, y, p):
        return np.square(super().elementwise(y, p))

    def elementwise_derivative(self, y, p):
        s = self._signed(y)
        return -2 * s * np.maximum(1 - s * p, 0)


@_REGISTRY.register("categorical_hinge")
class CategoricalHinge(Loss):
    """max(0, 1 + max((1 - y_true) * y_pred) - sum(y_true * y_pred))."""

    name = "categorical_hinge"

    def values(self, y, p):
        pos = (y * p).sum(axis=-1)
        neg = ((1 - y) * p).max(axis=-1)
        return np.maximum(0, 1 + neg - pos)

    def derivative(self, y, p):
        active = (self.values(y, p) > 0)[..., None]
        neg_arg = ((1 - y) * p)
        onehot_max = neg_arg == neg_arg.max(axis=-1, keepdims=True)
        onehot_max &= np.cumsum(onehot_max, axis=-1) == 1
        return active * (onehot_max * (1 - y) - y)


@_REGISTRY.register("kl_divergence", "kld", "kullback_leibler_divergence")
class KLDivergence(Loss):
    """sum(y_true * log(y_true / y_pred)), both clipped to [epsilon, 1]."""

    name = "kl_divergence"

    @staticmethod
    def _clip_unit(x):
        # Keras clips both to [epsilon, 1] here (not 1 - epsilon), so one-hot targets stay exactly 1.
        return np.clip(x, backend.epsilon(), 1)

    def values(self, y, p):
        y, p = self._clip_unit(y), self._clip_unit(p)
        return (y * np.log(y / p)).sum(axis=-1)

    def derivative(self, y, p):
        eps = backend.epsilon()
        return -self._clip_unit(y) / self._clip_unit(p) * ((p > eps) & (p <= 1))


@_REGISTRY.register("cosine_similarity")
class CosineSimilarity(Loss):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred)) along `axis` (-1)."""

    name = "cosine_similarity"

    def values(self, y, p):
        yn = y / np.maximum(np.linalg.norm(y, axis=-1, keepdims=True), 1e-12)
        pn = p / np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), 1e-12)
        return -(yn * pn).sum(axis=-1)

    def derivative(self, y, p):
        yn = y / np.maximum(np.linalg.norm(y, axis=-1, keepdims=True), 1e-12)
        norm = np.maximum(np.linalg.norm(p, axis=-1, keepdims=True), 1e-12)
        pn = p / norm
        return -(yn - pn * (yn * pn).sum(axis=-1, keepdims=True)) / norm


class _CrossEntropy(Loss):
    """Shared arguments of the cross-entropies."""

    fusable_activation = None

    def __init__(self, from_logits=False, label_smoothing=0.0, name=None):
        super().__init__(name)
        self.from_logits = bool(from_logits)
        self.label_smoothing = float(label_smoothing)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def fused_gradient(self, activation_name, y_true, y_pred, sample_weight=None):
        if self.from_logits or activation_name != self.fusable_activation:
            return None
        grad = self.logit_derivative(y_true, y_pred)
        positions = max(grad.size // grad.shape[-1], 1)
        if sample_weight is not None:
            grad = grad * _per_position(sample_weight, grad.ndim - 1)[..., None]
        return (grad / positions).astype(y_pred.dtype, copy=False)

    def derivative(self, y_true, y_pred):
        if self.from_logits:
            return self.logit_derivative(y_true, self.activation(y_pred))
        return self.probability_derivative(y_true, y_pred)

    def closed_form_gradient(self, activation_name):
        plain = type(self) in (CategoricalCrossentropy, BinaryCrossentropy) and not self.from_logits and \
            not self.label_smoothing and activation_name == self.fusable_activation
        return f"{self.fusable_activation}_crossentropy" if plain else None


@_REGISTRY.register("categorical_crossentropy")
class CategoricalCrossentropy(_CrossEntropy):
    """-sum(y_true * log(y_pred)) over the classes; y_true one-hot (or a distribution).

    Args:
        from_logits: y_pred are logits (a softmax is applied inside, stably).
        label_smoothing: in [0, 1]; targets become y * (1 - s) + s / classes.
    """

    name = "categorical_crossentropy"
    fusable_activation = "softmax"
    activation = staticmethod(get_activation("softmax"))

    def _targets(self, y, classes):
        return y * (1 - self.label_smoothing) + self.label_smoothing / classes if self.label_smoothing else y

    def values(self, y, p):
        y = self._targets(y, p.shape[-1])
        if self.from_logits:
            return -(y * get_activation("log_softmax")(p)).sum(axis=-1)
        p = p / p.sum(axis=-1, keepdims=True)
        return -(y * np.log(_clip(p))).sum(axis=-1)

    def logit_derivative(self, y, p):
        y = self._targets(y, p.shape[-1])
        return p * y.sum(axis=-1, keepdims=True) - y

    def probability_derivative(self, y, p):
        y = self._targets(y, p.shape[-1])
        total = p.sum(axis=-1, keepdims=True)
        q = p / total
        eps = backend.epsilon()
        dq = -y / _clip(q) * ((q > eps) & (q < 1 - eps))
        return (dq - (dq * q).sum(axis=-1, keepdims=True)) / total


def _one_hot(labels, classes, dtype):
    out = np.zeros(labels.shape + (classes,), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


@_REGISTRY.register("sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer class labels (shape (batch,) or (batch, 1))."""

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, ignore_class=None, name=None):
        super().__init__(from_logits=from_logits, name=name)
        self.ignore_class = ignore_class

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits, "ignore_class": self.ignore_class}

    def _dense(self, y, p):
        labels = np.asarray(y).reshape(p.shape[:-1]).astype(np.int64)
        keep = None
        if self.ignore_class is not None:
            keep = labels != self.ignore_class
            labels = np.where(keep, labels, 0)
        onehot = _one_hot(labels, p.shape[-1], p.dtype)
        return (onehot if keep is None else onehot * keep[..., None]), keep

    def values(self, y, p):
        onehot, _ = self._dense(y, p)
        return super().values(onehot, p)

    def logit_derivative(self, y, p):
        onehot, keep = self._dense(y, p)
        grad = p - onehot
        return grad if keep is None else grad * keep[..., None]

    def probability_derivative(self, y, p):
        return super().probability_derivative(self._dense(y, p)[0], p)

    def derivative(self, y, p):
        if self.from_logits:
            return self.logit_derivative(y, self.activation(p))
        return self.probability_derivative(y, p)


@_REGISTRY.register("binary_crossentropy")
class BinaryCrossentropy(_CrossEntropy):
    """-mean(y * log(p) + (1 - y) * log(1 - p)) over the last axis; y in [0, 1].

    Args:
        from_logits: y_pred are logits (computed stably without a sigmoid).
        label_smoothing: in [0, 1]; targets become y * (1 - s) + s / 2.
    """

    name = "binary_crossentropy"
    fusable_activation = "sigmoid"
    activation = staticmethod(get_activation("sigmoid"))

    def _targets(self, y):
        return y * (1 - self.label_smoothing) + 0.5 * self.label_smoothing if self.label_smoothing else y

    def values(self, y, p):
        y = self._targets(y)
        if self.from_logits:
            return (np.maximum(p, 0) - p * y + np.log1p(np.exp(-np.abs(p)))).mean(axis=-1)
        p = _clip(p)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=-1)

    def logit_derivative(self, y, p):
        return (p - self._targets(y)) / p.shape[-1]

    def probability_derivative(self, y, p):
        y = self._targets(y)
        eps = backend.epsilon()
        q = _clip(p)
        inside = (p > eps) & (p < 1 - eps)
        return (q - y) / (q * (1 - q)) * inside / p.shape[-1]


class LossFunctionWrapper(Loss):
    """A user function `f(y_true, y_pred) -> per-sample losses` as a loss.

    Written with `pipekeras.ops` (`ops.mean(ops.square(y_pred - y_true), axis=-1)`), its exact gradient comes
    from a `GradientTape` recording of the function.
    """

    def __init__(self, fn, name=None):
        super().__init__(name or getattr(fn, "__name__", "custom_loss"))
        self.fn = fn

    def values(self, y_true, y_pred):
        values = np.asarray(self.fn(y_true, y_pred), dtype=np.float64)
        return self._checked(values, y_pred).reshape(y_pred.shape[:-1])

    def _checked(self, values, y_pred):
        if np.shape(values) not in (y_pred.shape[:-1], y_pred.shape[:1]):
            raise ShapeError(
                f"loss {self.name!r}: the function must return one loss per sample, shape {y_pred.shape[:-1]}, "
                f"but returned shape {np.shape(values)}."
            )
        return values

    def derivative(self, y_true, y_pred):
        with GradientTape(watch_accessed_variables=False) as tape:
            watched = tape.watch(y_pred)
            try:
                values = self.fn(y_true, watched)
            except ArgumentTypeError as error:
                raise ArgumentTypeError(f"loss {self.name!r}: {error}") from None
        self._checked(values, y_pred)
        try:
            return tape.gradient(values, watched, unconnected_gradients="zero")
        except ArgumentTypeError:
            raise ArgumentTypeError(
                f"loss {self.name!r}: the function's result does not depend on y_pred through pipekeras.ops, so "
                "it has no gradient. Write it with pipekeras.ops (ops.mean, ops.square, ops.log, ...)."
            ) from None


def get(identifier, custom_objects=None):
    """Returns a loss for a name (`"mse"`), a config dict, a `Loss`, or a function `f(y_true, y_pred)`.

    A function written with `pipekeras.ops` trains with its exact gradient; a name not built in may be a
    function registered with `register_keras_serializable` (or given in `custom_objects`).

    Raises:
        ConfigError: for an unknown name, with the closest valid name.
    """
    if identifier is None:
        return None
    if callable(identifier) and getattr(identifier, "loss_name", None):  # R's uncalled loss_mse
        return _REGISTRY.get(identifier.loss_name)
    if callable(identifier) and not isinstance(identifier, (Loss, type)):
        return LossFunctionWrapper(identifier)
    if isinstance(identifier, str) and _REGISTRY.find(identifier) is None:
        function = get_registered_object(identifier, custom_objects)
        if callable(function) and not isinstance(function, type):
            return LossFunctionWrapper(function, identifier.split(">")[-1])
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    return _REGISTRY.get(identifier, custom_objects)


def serialize(loss):
    return _REGISTRY.serialize(loss)


def deserialize(config, custom_objects=None):
    return get(config, custom_objects)


def names():
    return _REGISTRY.names()


def validate_targets(loss, y, output_shape):
    """Checks that targets `y` fit `loss` and a model output of `output_shape`.

    Raises:
        DataError: labels out of range, non-binary labels for binary cross-entropy.
        ShapeError: one-hot of the wrong width, targets of the wrong shape.
    """
    classes = output_shape[-1]
    if isinstance(loss, SparseCategoricalCrossentropy):
        _check_sparse_labels(loss, y, output_shape)
        return
    if isinstance(loss, CategoricalCrossentropy) and classes is not None:
        _check_extra_output_axis(loss, y, output_shape)
        if y.ndim == len(output_shape) - 1 or (y.ndim == len(output_shape) and y.shape[-1] == 1 and classes > 1):
            raise ShapeError(
                f"categorical_crossentropy needs one-hot targets of width {classes}, received class labels of "
                f"shape {y.shape}. Use to_categorical(y, {classes}) or loss='sparse_categorical_crossentropy'."
            )
        if y.shape[-1] != classes:
            raise ShapeError(
                f"categorical_crossentropy: the targets are one-hot of width {y.shape[-1]} but the model outputs "
                f"{classes} classes. Make the last layer dense({y.shape[-1]}, 'softmax'), or encode y with "
                f"to_categorical(y, {classes})."
            )
    if isinstance(loss, BinaryCrossentropy) and y.size and (np.nanmin(y) < 0 or np.nanmax(y) > 1):
        # Keras takes any target; whole numbers outside [0, 1] are class labels given by mistake, while
        # fractional ones are soft or noisy labels (the book's GAN adds 0.5 * runif() to its labels).
        labels = ((y < 0) | (y > 1)) & (y == np.round(y))
        if labels.any():
            bad = tuple(int(i) for i in np.argwhere(labels)[0])
            raise DataError(
                f"binary_crossentropy needs targets in [0, 1], but y{list(bad)} is {y[bad]}. "
                "Encode the labels as 0/1, or use another loss (mse for regression)."
            )
    expected = tuple(output_shape[1:])
    received = tuple(y.shape[1:])
    squeezable = received + (1,) == expected
    fits = len(expected) == len(received) and all(e is None or e == r for e, r in zip(expected, received))
    if not (fits or squeezable):
        raise ShapeError(
            f"loss {loss.name!r}: the targets have shape {y.shape} but the model outputs {tuple(output_shape)}. "
            f"Each target must have the output's shape (samples{''.join(f', {d}' for d in expected)})."
        )


def _check_extra_output_axis(loss, y, output_shape):
    """Raises when the model has more axes per sample than the targets can fill: an output of shape
    (None, steps, classes) with one-hot targets (samples, classes) or labels (samples,), usually a missing
    `flatten()` or global pooling before the last dense layer."""
    sparse = isinstance(loss, SparseCategoricalCrossentropy)
    needed = len(output_shape) - (1 if sparse else 0)  # labels drop the class axis
    given = y.ndim - (1 if sparse and y.ndim == needed + 1 and y.shape[-1] == 1 else 0)
    if given >= needed or len(output_shape) <= 2:
        return
    per_sample = tuple(output_shape[1:-1]) if sparse else tuple(output_shape[1:])
    kind = "labels" if sparse else ("class labels" if y.ndim == 1 else "one-hot targets")
    raise ShapeError(
        f"{loss.name}: the model outputs {tuple(output_shape)}, one prediction per sample and position "
        f"{tuple(output_shape[1:-1])}, but the {kind} have shape {y.shape}, one per sample. Add layer_flatten() "
        f"(or a global pooling layer) before the last dense layer so that the model outputs (None, "
        f"{output_shape[-1]}), or give targets of shape (samples, {', '.join(map(str, per_sample))})."
    )


def _check_sparse_labels(loss, y, output_shape):
    classes = output_shape[-1]
    _check_extra_output_axis(loss, y, output_shape)
    if y.ndim == len(output_shape) and y.shape[-1] == classes and classes > 1:
        raise ShapeError(
            f"sparse_categorical_crossentropy needs integer class labels, received one-hot targets of shape "
            f"{y.shape}. Use loss='categorical_crossentropy', or give the labels (np.argmax(y, axis=-1))."
        )
    expected = tuple(output_shape[1:-1])
    received = tuple(y.shape[1:])
    if received[-1:] == (1,) and len(received) == len(expected) + 1:
        received = received[:-1]
    if len(received) != len(expected) or any(e is not None and e != r for e, r in zip(expected, received)):
        raise ShapeError(
            f"sparse_categorical_crossentropy: the labels have shape {y.shape} but the model outputs "
            f"{tuple(output_shape)}; it needs one integer label per prediction, an array of shape "
            f"(samples{''.join(f', {d}' for d in expected)})."
        )
    if y.dtype.kind == "f" and y.size and not np.all(np.equal(np.mod(y, 1), 0)):
        raise DataError("sparse_categorical_crossentropy needs integer class labels; y has fractional values.")
    if not y.size or classes is None:
        return
    valid = (y >= 0) & (y < classes)
    if loss.ignore_class is not None:
        valid |= y == loss.ignore_class
    if not valid.all():
        bad = tuple(int(i) for i in np.argwhere(~valid)[0])
        label = int(y[bad])
        fix = "Labels cannot be negative" if label < 0 else \
            f"Make the last layer dense({int(np.max(y)) + 1}, 'softmax') if there are that many classes"
        raise DataError(
            f"sparse_categorical_crossentropy: label {label} at index {bad} is outside [0, {classes}); the "
            f"model outputs {classes} classes. {fix}, or fix the labels."
        )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample categorical cross-entropy (functional form)."""
    return CategoricalCrossentropy(from_logits, label_smoothing).values(np.asarray(y_true), np.asarray(y_pred))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """Per-sample binary cross-entropy (functional form)."""
    return BinaryCrossentropy(from_logits, label_smoothing).values(np.asarray(y_true), np.asarray(y_pred))


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error (functional form)."""
    return MeanSquaredError().values(np.asarray(y_true), np.asarray(y_pred))

