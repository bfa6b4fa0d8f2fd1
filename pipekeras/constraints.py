"""Weight constraints, applied to a weight after each optimizer step.

    >>> dense(16, kernel_constraint=constraints.max_norm(3))
"""

import numpy as np

from .errors import ConfigError
from .registry import Registry


class Constraint:
    """Base class: `__call__(w)` returns the constrained weight."""

    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_REGISTRY = Registry("constraint", Constraint)


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


@_REGISTRY.register("max_norm")
class MaxNorm(Constraint):
    """Scales each weight vector (along `axis`) down to a norm of at most `max_value`.

    Args:
        max_value: largest allowed norm (2 by default).
        axis: the axis the norm runs over (0: each unit's incoming weights of a dense kernel).
    """

    def __init__(self, max_value=2.0, axis=0):
        if max_value <= 0:
            raise ConfigError(f"MaxNorm: max_value must be positive, received {max_value!r}.")
        self.max_value, self.axis = float(max_value), axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (1e-7 + norms))).astype(w.dtype)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@_REGISTRY.register("non_neg")
class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        return np.maximum(w, 0).astype(w.dtype)


@_REGISTRY.register("unit_norm")
class UnitNorm(Constraint):
    """Scales each weight vector (along `axis`) to norm 1."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return (w / (1e-7 + _norms(w, self.axis))).astype(w.dtype)

    def get_config(self):
        return {"axis": self.axis}


@_REGISTRY.register("min_max_norm")
class MinMaxNorm(Constraint):
    """Keeps each weight vector's norm in [min_value, max_value], moving it by `rate` of the way there."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        if not 0 <= min_value <= max_value:
            raise ConfigError(f"MinMaxNorm: need 0 <= min_value <= max_value, received {min_value}, {max_value}.")
        self.min_value, self.max_value, self.rate, self.axis = float(min_value), float(max_value), float(rate), axis

    def __call__(self, w):
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (1e-7 + norms))).astype(w.dtype)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


def max_norm(max_value=2.0, axis=0):
    return MaxNorm(max_value, axis)


def non_neg():
    return NonNeg()


def unit_norm(axis=0):
    return UnitNorm(axis)


def min_max_norm(min_value=0.0, max_value=1.0, rate=1.0, axis=0):
    return MinMaxNorm(min_value, max_value, rate, axis)


def get(identifier, custom_objects=None):
    """Returns a constraint for a name, a config dict or a constraint; None stays None.

    Raises:
        ConfigError: for an unknown name.
    """
    return _REGISTRY.get(identifier, custom_objects)


def serialize(constraint):
    return _REGISTRY.serialize(constraint)


def deserialize(config, custom_objects=None):
    return get(config, custom_objects)
