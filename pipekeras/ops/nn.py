"""Neural-network functions: softmax, log_softmax, the built-in activations by name, moments, layer
normalization. The activations run pipekeras's activation kernels forward and their derivatives backward."""

import numpy as np

from .. import activations, backend
from ..autodiff.tape import apply
from . import math as elementwise
from . import reductions
from .math import _activation


def softmax(x, axis=-1):
    """`exp(x) / sum(exp(x))` along `axis`, stable at any logit.

    Args:
        x: an array of logits.
        axis: the axis the probabilities sum to 1 along.

    Returns:
        The probabilities.

    Example:
        >>> softmax(np.zeros((1, 4)))   # 0.25 each
    """
    return apply("softmax", _axis_forward, _softmax_vjp, (x,), function=activations.softmax.with_options(axis=axis))


def log_softmax(x, axis=-1):
    """`x - logsumexp(x)` along `axis`.

    Args:
        x: an array of logits.
        axis: the class axis.

    Returns:
        The log-probabilities.

    Example:
        >>> log_softmax(np.zeros((1, 2)))   # log(0.5) each
    """
    return apply("log_softmax", _axis_forward, _softmax_vjp, (x,),
                 function=activations.log_softmax.with_options(axis=axis))


def _axis_forward(x, function):
    x = np.asarray(x)
    return function.forward(x if x.dtype.kind == "f" else x.astype(np.float64))


def _softmax_vjp(g, y, x, function):
    return (function.backward(x, y, np.asarray(g, dtype=y.dtype)),)


def relu6(x):
    """`min(max(x, 0), 6)` elementwise.

    Args:
        x: an array.

    Returns:
        `relu6(x)`.

    Example:
        >>> relu6(np.array([-1.0, 8.0]))
    """
    return _activation("relu6", x)


def leaky_relu(x, negative_slope=0.2):
    """`x` where positive, `negative_slope * x` elsewhere.

    Args:
        x: an array.
        negative_slope: the slope below zero.

    Returns:
        `leaky_relu(x)`.

    Example:
        >>> leaky_relu(np.array([-1.0, 2.0]))
    """
    return _activation("leaky_relu", x, negative_slope=negative_slope)


def elu(x, alpha=1.0):
    """`x` where positive, `alpha * (exp(x) - 1)` elsewhere.

    Args:
        x: an array.
        alpha: the scale below zero.

    Returns:
        `elu(x)`.

    Example:
        >>> elu(np.array([-1.0, 2.0]))
    """
    return _activation("elu", x, alpha=alpha)


def _named(name, summary):
    def activation(x):
        return _activation(name, x)

    activation.__name__ = activation.__qualname__ = name
    activation.__doc__ = f"""{summary}

    Args:
        x: an array.

    Returns:
        `{name}(x)`.

    Example:
        >>> {name}(np.array([-1.0, 2.0]))
    """
    return activation


selu = _named("selu", "Scaled exponential linear unit elementwise.")
softsign = _named("softsign", "`x / (1 + |x|)` elementwise.")
hard_sigmoid = _named("hard_sigmoid", "`clip(x / 6 + 0.5, 0, 1)` elementwise.")
silu = _named("silu", "`x * sigmoid(x)` elementwise (also called swish).")
swish = silu
mish = _named("mish", "`x * tanh(softplus(x))` elementwise.")
exponential = _named("exponential", "`exp(x)` elementwise, as an activation.")
linear = _named("linear", "The identity, as an activation.")


def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance along `axes`.

    Args:
        x: an array.
        axes: the axes to reduce.
        keepdims: keep the reduced axes with size 1.
        synchronized: accepted for Keras compatibility (one device here).

    Returns:
        `(mean, variance)`.

    Example:
        >>> mean, variance = moments(np.arange(4.0), axes=[0])
    """
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    return reductions.mean(x, axis=axes, keepdims=keepdims), reductions.var(x, axis=axes, keepdims=keepdims)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None):
    """Normalizes `x` to mean 0 and variance 1 along `axis`, then scales by `gamma` and shifts by `beta`.

    Args:
        x: an array.
        gamma: the scale (broadcast along `axis`), or None.
        beta: the shift, or None.
        axis: the axis (or axes) to normalize over.
        epsilon: added to the variance (`backend.epsilon()` when None, as Keras's ops).

    Returns:
        The normalized array.

    Example:
        >>> layer_normalization(np.random.rand(2, 8)).std(axis=-1)   # ~1
    """
    axis = tuple(axis) if isinstance(axis, list) else axis
    mean, variance = moments(x, axis, keepdims=True)
    out = elementwise.multiply(elementwise.subtract(x, mean),
                               elementwise.rsqrt(elementwise.add(variance, backend.epsilon() if epsilon is None else epsilon)))
    if gamma is not None:
        out = elementwise.multiply(out, gamma)
    if beta is not None:
        out = elementwise.add(out, beta)
    return out
