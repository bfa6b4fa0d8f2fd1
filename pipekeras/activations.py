"""Activation functions, each with its derivative.

An activation is an `ActivationFunction`: `f(x)` computes the output and `f.backward(x, y, dy)` turns the
gradient of the output into the gradient of the input (`x` is the input, `y = f(x)`). Layers take them by
name (`dense(64, "relu")`), as objects, or as `custom_activation(forward, backward)`.
"""

import math

import numpy as np

from .errors import ArgumentTypeError, unknown_name_error

_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


class ActivationFunction:
    """An elementwise (or, for softmax, row-wise) function and its derivative.

    Args:
        name: the name it is serialized under.
        forward: `forward(x) -> y`.
        backward: `backward(x, y, dy) -> dx`.
    """

    def __init__(self, name, forward, backward):
        self.name = name
        self._forward = forward
        self._backward = backward

    def __call__(self, x):
        return self._forward(np.asarray(x))

    def backward(self, x, y, dy):
        """Returns the gradient with respect to `x` given the gradient `dy` of `y = self(x)`."""
        return self._backward(x, y, dy)

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"<activation {self.name}>"


def _relu(x):
    return np.maximum(x, 0)


def _sigmoid(x):
    # exp of a non-positive number only: no overflow at extreme logits.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softplus(x):
    return np.logaddexp(0, x).astype(x.dtype, copy=False)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)


def _selu(x):
    return (_SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0)))).astype(x.dtype, copy=False)


def _normal_cdf(x):
    from .kernels.elementwise import erf

    return 0.5 * (1 + erf(x / math.sqrt(2.0)))


def _gelu(x):
    # Keras' default (approximate=False): x * Phi(x), Phi the standard normal CDF.
    return x * _normal_cdf(x)


def _gelu_backward(x, y, dy):
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return dy * (_normal_cdf(x) + x * pdf)


def _hard_sigmoid(x):
    # Keras 3: relu6(x + 3) / 6.
    return np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False)


def _silu(x):
    return x * _sigmoid(x)


def _silu_backward(x, y, dy):
    s = _sigmoid(x)
    return dy * (s * (1 + x * (1 - s)))


def _mish(x):
    return x * np.tanh(_softplus(x))


def _mish_backward(x, y, dy):
    t = np.tanh(_softplus(x))
    return dy * (t + x * (1 - t * t) * _sigmoid(x))


def _softmax_backward(x, y, dy):
    return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


def _log_softmax_backward(x, y, dy):
    return dy - np.exp(y) * dy.sum(axis=-1, keepdims=True)


_BUILTIN = {
    "linear": (lambda x: x, lambda x, y, dy: dy),
    "relu": (_relu, lambda x, y, dy: dy * (x > 0)),
    "relu6": (lambda x: np.clip(x, 0, 6), lambda x, y, dy: dy * ((x > 0) & (x < 6))),
    "leaky_relu": (lambda x: np.where(x > 0, x, 0.2 * x).astype(x.dtype, copy=False),
                   lambda x, y, dy: dy * np.where(x > 0, 1.0, 0.2).astype(x.dtype)),
    "sigmoid": (_sigmoid, lambda x, y, dy: dy * y * (1 - y)),
    "hard_sigmoid": (_hard_sigmoid, lambda x, y, dy: dy * ((x > -3) & (x < 3)) / 6),
    "tanh": (np.tanh, lambda x, y, dy: dy * (1 - y * y)),
    "softmax": (_softmax, _softmax_backward),
    "log_softmax": (_log_softmax, _log_softmax_backward),
    "softplus": (_softplus, lambda x, y, dy: dy * _sigmoid(x)),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x, y, dy: dy / (1 + np.abs(x)) ** 2),
    "elu": (_elu, lambda x, y, dy: dy * np.where(x > 0, 1, y + 1)),
    "selu": (_selu, lambda x, y, dy: dy * np.where(x > 0, _SELU_SCALE, y + _SELU_SCALE * _SELU_ALPHA)),
    "exponential": (np.exp, lambda x, y, dy: dy * y),
    "silu": (_silu, _silu_backward),
    "gelu": (_gelu, _gelu_backward),
    "mish": (_mish, _mish_backward),
}
_ALIASES = {"swish": "silu", None: "linear"}
_FUNCTIONS = {name: ActivationFunction(name, f, b) for name, (f, b) in _BUILTIN.items()}


def names():
    """Returns the names `get` accepts."""
    return sorted(_FUNCTIONS) + sorted(k for k in _ALIASES if k)


def custom_activation(forward, backward, name=None):
    """Wraps a user function as an activation.

    Args:
        forward: `forward(x) -> y`, elementwise on NumPy arrays.
        backward: `backward(x, y, dy) -> dx`.
        name: optional name (defaults to `forward.__name__`).

    Returns:
        An `ActivationFunction`.
    """
    if not callable(forward) or not callable(backward):
        raise ArgumentTypeError("custom_activation: forward and backward must both be callables.")
    return ActivationFunction(name or getattr(forward, "__name__", "custom"), forward, backward)


def get(identifier):
    """Returns the activation for a name, None (linear), or an `ActivationFunction`.

    Raises:
        ConfigError: for an unknown name, with the closest valid name.
        ArgumentTypeError: for a plain function (it has no derivative; use `custom_activation`).
    """
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, dict):
        identifier = identifier.get("name", identifier.get("config", {}).get("name"))
    if identifier is None or isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        if key in _FUNCTIONS:
            return _FUNCTIONS[key]
        raise unknown_name_error("activation", identifier, names())
    if callable(identifier):
        raise ArgumentTypeError(
            f"activation: {getattr(identifier, '__name__', identifier)!r} is a plain function, which has no "
            "derivative to train with. Use an activation name such as 'relu', or "
            "pk.activations.custom_activation(forward, backward)."
        )
    raise ArgumentTypeError(f"activation: expected a name such as 'relu' or None, received {identifier!r}.")


def serialize(activation):
    """Returns the name an activation is saved under."""
    return activation.name


def deserialize(name):
    """Inverse of `serialize`."""
    return get(name)
