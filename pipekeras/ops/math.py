"""Elementwise math, comparisons, `where` and `clip`: each op's forward beside its vector-Jacobian product.

A VJP `_name_vjp(g, y, *inputs)` returns one gradient per input, at the broadcast shape if that is simpler:
the recording sums it back to each input's shape.
"""

import numpy as np

from .. import activations
from ..autodiff.tape import apply

_SQRT_2_OVER_PI = 0.7978845608028654
_TWO_OVER_SQRT_PI = 1.1283791670955126


def add(x1, x2):
    """Adds two arrays elementwise, with broadcasting.

    Args:
        x1: first array.
        x2: second array.

    Returns:
        `x1 + x2`.

    Raises:
        ShapeError: the shapes do not broadcast.

    Example:
        >>> add(np.ones((2, 3)), np.arange(3))
    """
    return apply("add", np.add, _add_vjp, (x1, x2))


def _add_vjp(g, y, x1, x2):
    return g, g


def subtract(x1, x2):
    """Subtracts `x2` from `x1` elementwise, with broadcasting.

    Args:
        x1: first array.
        x2: second array.

    Returns:
        `x1 - x2`.

    Example:
        >>> subtract(np.ones(3), 1.0)
    """
    return apply("subtract", np.subtract, _subtract_vjp, (x1, x2))


def _subtract_vjp(g, y, x1, x2):
    return g, lambda: -g


def multiply(x1, x2):
    """Multiplies elementwise, with broadcasting.

    Args:
        x1: first array.
        x2: second array.

    Returns:
        `x1 * x2`.

    Example:
        >>> multiply(np.ones(3), 2.0)
    """
    return apply("multiply", np.multiply, _multiply_vjp, (x1, x2))


def _multiply_vjp(g, y, x1, x2):
    return (lambda: g * x2), (lambda: g * x1)


def divide(x1, x2):
    """Divides elementwise (true division), with broadcasting.

    Args:
        x1: numerator.
        x2: denominator.

    Returns:
        `x1 / x2`.

    Example:
        >>> divide(np.ones(3), 2.0)
    """
    return apply("divide", np.true_divide, _divide_vjp, (x1, x2))


def _divide_vjp(g, y, x1, x2):
    return (lambda: g / x2), (lambda: -g * y / x2)


def power(x1, x2):
    """Raises `x1` to the power `x2` elementwise.

    Args:
        x1: the bases.
        x2: the exponents.

    Returns:
        `x1 ** x2`.

    Example:
        >>> power(np.arange(3.0), 2)
    """
    return apply("power", np.power, _power_vjp, (x1, x2))


def _power_vjp(g, y, x1, x2):
    def base():
        x2a = np.asarray(x2)
        return g * np.where(x2a == 0, 0, x2a * np.power(x1, x2a - 1))

    def exponent():
        positive = np.asarray(x1) > 0
        return g * np.where(positive, y * np.log(np.where(positive, x1, 1)), 0)

    return base, exponent


def negative(x):
    """Negates elementwise.

    Args:
        x: an array.

    Returns:
        `-x`.

    Example:
        >>> negative(np.ones(2))
    """
    return apply("negative", np.negative, _negative_vjp, (x,))


def _negative_vjp(g, y, x):
    return (-g,)


def abs(x):
    """Absolute value elementwise.

    Args:
        x: an array.

    Returns:
        `|x|`.

    Example:
        >>> abs(np.array([-1.0, 2.0]))
    """
    return apply("abs", np.abs, _abs_vjp, (x,))


absolute = abs


def _abs_vjp(g, y, x):
    return (g * np.sign(x),)


def sign(x):
    """The sign of each entry (-1, 0 or 1); its gradient is zero.

    Args:
        x: an array.

    Returns:
        `sign(x)`.

    Example:
        >>> sign(np.array([-2.0, 0.0, 3.0]))
    """
    return apply("sign", np.sign, _zero_vjp, (x,))


def _zero_vjp(g, y, x):
    return (np.zeros_like(g),)


def exp(x):
    """e to the power of each entry.

    Args:
        x: an array.

    Returns:
        `exp(x)`.

    Example:
        >>> exp(np.zeros(2))
    """
    return apply("exp", np.exp, _exp_vjp, (x,))


def _exp_vjp(g, y, x):
    return (g * y,)


def log(x):
    """Natural logarithm elementwise.

    Args:
        x: an array.

    Returns:
        `log(x)`.

    Example:
        >>> log(np.ones(2))
    """
    return apply("log", np.log, _log_vjp, (x,))


def _log_vjp(g, y, x):
    return (g / x,)


def log1p(x):
    """`log(1 + x)`, accurate for small x.

    Args:
        x: an array.

    Returns:
        `log(1 + x)`.

    Example:
        >>> log1p(np.zeros(2))
    """
    return apply("log1p", np.log1p, _log1p_vjp, (x,))


def _log1p_vjp(g, y, x):
    return (g / (1 + x),)


def expm1(x):
    """`exp(x) - 1`, accurate for small x.

    Args:
        x: an array.

    Returns:
        `exp(x) - 1`.

    Example:
        >>> expm1(np.zeros(2))
    """
    return apply("expm1", np.expm1, _expm1_vjp, (x,))


def _expm1_vjp(g, y, x):
    return (g * (y + 1),)


def sqrt(x):
    """Square root elementwise.

    Args:
        x: an array.

    Returns:
        `sqrt(x)`.

    Example:
        >>> sqrt(np.array([4.0]))
    """
    return apply("sqrt", np.sqrt, _sqrt_vjp, (x,))


def _sqrt_vjp(g, y, x):
    return (g * 0.5 / y,)


def rsqrt(x):
    """`1 / sqrt(x)` elementwise.

    Args:
        x: an array.

    Returns:
        `1 / sqrt(x)`.

    Example:
        >>> rsqrt(np.array([4.0]))
    """
    return apply("rsqrt", _rsqrt, _rsqrt_vjp, (x,))


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _rsqrt_vjp(g, y, x):
    return (g * -0.5 * y * y * y,)


def square(x):
    """`x * x` elementwise.

    Args:
        x: an array.

    Returns:
        `x ** 2`.

    Example:
        >>> square(np.arange(3.0))
    """
    return apply("square", np.square, _square_vjp, (x,))


def _square_vjp(g, y, x):
    return (2 * g * x,)


def sin(x):
    """Sine elementwise.

    Args:
        x: an array (radians).

    Returns:
        `sin(x)`.

    Example:
        >>> sin(np.zeros(2))
    """
    return apply("sin", np.sin, _sin_vjp, (x,))


def _sin_vjp(g, y, x):
    return (g * np.cos(x),)


def cos(x):
    """Cosine elementwise.

    Args:
        x: an array (radians).

    Returns:
        `cos(x)`.

    Example:
        >>> cos(np.zeros(2))
    """
    return apply("cos", np.cos, _cos_vjp, (x,))


def _cos_vjp(g, y, x):
    return (-g * np.sin(x),)


def tanh(x):
    """Hyperbolic tangent elementwise.

    Args:
        x: an array.

    Returns:
        `tanh(x)`.

    Example:
        >>> tanh(np.zeros(2))
    """
    return apply("tanh", np.tanh, _tanh_vjp, (x,))


def _tanh_vjp(g, y, x):
    return (g * (1 - y * y),)


def erf(x):
    """The error function elementwise.

    Args:
        x: an array.

    Returns:
        `erf(x)`.

    Example:
        >>> erf(np.zeros(2))
    """
    return apply("erf", _erf, _erf_vjp, (x,))


def _erf(x):
    import scipy.special  # ~0.4 s to import: only when erf is first used, not at `import pipekeras`

    return scipy.special.erf(x)


def _erf_vjp(g, y, x):
    return (g * _TWO_OVER_SQRT_PI * np.exp(-np.square(x)),)


def _activation(name, x, **options):
    """Applies pipekeras's activation `name` (its kernel and derivative) as an op."""
    function = activations.get(name)
    if options:
        function = function.with_options(**options)
    return apply(name, _activation_forward, _activation_vjp, (x,), function=function)


def _activation_forward(x, function):
    x = np.asarray(x)
    return function.forward(x if x.dtype.kind == "f" else x.astype(np.float64))


def _activation_vjp(g, y, x, function):
    x = np.asarray(x, dtype=y.dtype)
    return (function.backward(x, y, np.ascontiguousarray(g, dtype=y.dtype)),)


def sigmoid(x):
    """Logistic sigmoid `1 / (1 + exp(-x))` elementwise.

    Args:
        x: an array.

    Returns:
        `sigmoid(x)`.

    Example:
        >>> sigmoid(np.zeros(2))
    """
    return _activation("sigmoid", x)


def softplus(x):
    """`log(1 + exp(x))` elementwise, without overflow.

    Args:
        x: an array.

    Returns:
        `softplus(x)`.

    Example:
        >>> softplus(np.zeros(2))
    """
    return _activation("softplus", x)


def relu(x):
    """`max(x, 0)` elementwise.

    Args:
        x: an array.

    Returns:
        `relu(x)`.

    Example:
        >>> relu(np.array([-1.0, 2.0]))
    """
    return _activation("relu", x)


def gelu(x, approximate=True):
    """Gaussian error linear unit elementwise.

    Args:
        x: an array.
        approximate: use the tanh approximation (Keras's default for `ops.gelu`); False: the exact
            `0.5 * x * (1 + erf(x / sqrt(2)))` of pipekeras's "gelu" activation.

    Returns:
        `gelu(x)`.

    Example:
        >>> gelu(np.zeros(2), approximate=False)
    """
    if not approximate:
        return _activation("gelu", x)
    return apply("gelu", _gelu_tanh, _gelu_tanh_vjp, (x,))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))


def _gelu_tanh_vjp(g, y, x):
    t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
    dt = (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
    return (g * (0.5 * (1 + t) + 0.5 * x * dt),)


def maximum(x1, x2):
    """The larger of two arrays elementwise (the gradient goes to `x1` on ties).

    Args:
        x1: first array.
        x2: second array.

    Returns:
        `max(x1, x2)`.

    Example:
        >>> maximum(np.arange(3.0), 1.0)
    """
    return apply("maximum", np.maximum, _maximum_vjp, (x1, x2))


def _maximum_vjp(g, y, x1, x2):
    first = np.asarray(x1 >= x2)
    return (lambda: g * first), (lambda: g * ~first)


def minimum(x1, x2):
    """The smaller of two arrays elementwise (the gradient goes to `x1` on ties).

    Args:
        x1: first array.
        x2: second array.

    Returns:
        `min(x1, x2)`.

    Example:
        >>> minimum(np.arange(3.0), 1.0)
    """
    return apply("minimum", np.minimum, _minimum_vjp, (x1, x2))


def _minimum_vjp(g, y, x1, x2):
    first = np.asarray(x1 <= x2)
    return (lambda: g * first), (lambda: g * ~first)


def clip(x, x_min, x_max):
    """Limits each entry to `[x_min, x_max]`; the gradient is zero where an entry was clipped.

    Args:
        x: an array.
        x_min: the lower bound (number or array, not differentiated).
        x_max: the upper bound.

    Returns:
        The clipped array.

    Example:
        >>> clip(np.arange(5.0), 1, 3)
    """
    return apply("clip", np.clip, _clip_vjp, (x, x_min, x_max))


def _clip_vjp(g, y, x, x_min, x_max):
    return g * ((x >= x_min) & (x <= x_max)), None, None


def where(condition, x1=None, x2=None):
    """Picks `x1` where `condition` holds, else `x2` (with broadcasting); with one argument, its nonzero indices.

    Args:
        condition: a boolean array (not differentiated).
        x1: values where true.
        x2: values where false.

    Returns:
        The merged array, or (with only `condition`) a tuple of index arrays.

    Example:
        >>> where(np.arange(3) > 0, np.ones(3), 0.0)
    """
    if x1 is None and x2 is None:
        return apply("where", np.nonzero, None, (condition,))
    return apply("where", np.where, _where_vjp, (condition, x1, x2))


def _where_vjp(g, y, condition, x1, x2):
    condition = np.asarray(condition, dtype=bool)
    return None, (lambda: g * condition), (lambda: g * ~condition)


def _comparison(name, function):
    def compare(x1, x2):
        return apply(name, function, None, (x1, x2))

    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"""Elementwise `{name}` of two arrays, with broadcasting (boolean, no gradient).

    Args:
        x1: first array.
        x2: second array.

    Returns:
        A boolean array.

    Example:
        >>> {name}(np.arange(3), 1)
    """
    return compare


equal = _comparison("equal", np.equal)
not_equal = _comparison("not_equal", np.not_equal)
greater = _comparison("greater", np.greater)
greater_equal = _comparison("greater_equal", np.greater_equal)
less = _comparison("less", np.less)
less_equal = _comparison("less_equal", np.less_equal)
