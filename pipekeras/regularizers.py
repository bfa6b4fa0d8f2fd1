"""Weight regularizers: penalties added to the loss, with their gradients.

    >>> dense(16, "relu", kernel_regularizer=regularizers.l2(0.001))

A regularizer is called on a weight and returns the penalty (a float); `gradient(weight)` returns its
derivative, which the training step adds to the weight's gradient.
"""

import numpy as np

from .errors import ConfigError
from .registry import Registry


class Regularizer:
    """Base class: `__call__(x)` is the penalty, `gradient(x)` its derivative."""

    def __call__(self, x):
        raise NotImplementedError

    def gradient(self, x):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_REGISTRY = Registry("regularizer", Regularizer)


def _factor(name, value):
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ConfigError(f"{name}: the factor must be a non-negative number, received {value!r}.")
    return value


@_REGISTRY.register("l1_l2")
class L1L2(Regularizer):
    """Penalty `l1 * sum(|x|) + l2 * sum(x**2)`.

    Args:
        l1: L1 factor (0 by default).
        l2: L2 factor (0 by default).
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor("l1", l1)
        self.l2 = _factor("l2", l2)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(x).sum())
        if self.l2:
            penalty += self.l2 * float(np.square(x).sum(dtype=np.float64))
        return penalty

    def gradient(self, x):
        grad = np.zeros_like(x)
        if self.l1:
            grad += self.l1 * np.sign(x)
        if self.l2:
            grad += (2 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@_REGISTRY.register("l1")
class L1(L1L2):
    """Penalty `l1 * sum(|x|)` (l1 = 0.01 by default, as Keras)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


@_REGISTRY.register("l2")
class L2(L1L2):
    """Penalty `l2 * sum(x**2)` (l2 = 0.01 by default, as Keras)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


@_REGISTRY.register("orthogonal_regularizer")
class OrthogonalRegularizer(Regularizer):
    """Penalty `factor * mean(|off-diagonal of the normalized Gram matrix|)` over rows (mode "rows")
    or columns (mode "columns") of a 2D weight, encouraging orthogonal vectors."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _factor("factor", factor)
        if mode not in ("rows", "columns"):
            raise ConfigError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', received {mode!r}.")
        self.mode = mode

    def _vectors(self, x):
        return x if self.mode == "rows" else x.T

    def __call__(self, x):
        v = self._vectors(x)
        unit = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        gram = unit @ unit.T
        n = gram.shape[0]
        return self.factor * float(np.abs(gram - np.eye(n)).sum()) / (n * n - n) if n > 1 else 0.0

    def gradient(self, x):
        v = self._vectors(x)
        norms = np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        unit = v / norms
        gram = unit @ unit.T
        n = gram.shape[0]
        if n < 2:
            return np.zeros_like(x)
        sign = np.sign(gram - np.eye(n)) * (self.factor / (n * n - n))
        d_unit = 2 * sign @ unit
        d_v = (d_unit - unit * (d_unit * unit).sum(axis=1, keepdims=True)) / norms
        return (d_v if self.mode == "rows" else d_v.T).astype(x.dtype)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def l1(l1=0.01):
    """L1 regularizer (R: `regularizer_l1`)."""
    return L1(l1)


def l2(l2=0.01):
    """L2 regularizer (R: `regularizer_l2`)."""
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01):
    """L1 plus L2 regularizer (Keras' `l1_l2` defaults both to 0.01)."""
    return L1L2(l1, l2)


def get(identifier, custom_objects=None):
    """Returns a regularizer for a name, a config dict or a regularizer; None stays None.

    Raises:
        ConfigError: for an unknown name.
    """
    return _REGISTRY.get(identifier, custom_objects)


def serialize(regularizer):
    return _REGISTRY.serialize(regularizer)


def deserialize(config, custom_objects=None):
    return get(config, custom_objects)
