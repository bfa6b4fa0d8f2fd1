"""The activation code table: every elementwise activation the kernels run, by code.

Each activation is a block below: two scalar functions side by side, `forward(v, a, b, c)` and
`derivative(v, y, a, b, c)` (d activation / d v at v, given y = activation(v)), then `_add(name, forward,
derivative, options)` with its Keras options and their defaults. Helpers they share are compiled functions
above the table (`_sigmoid`, `_softplus`). `a, b, c` are the options' values in the order the entry lists
them (`None` meaning +inf); missing ones are 0, +inf, 0. An entry's code is its position in `TABLE`.

The dense, convolution, recurrent and fused dense-stack kernels all dispatch through `forward_scalar` and
`derivative_scalar`, which are generated from the table, so a new activation is one block here (and its
public name in pipekeras/activations.py). The kernels that inline the table recompile after an edit of it:
their disk cache is stamped with every compiled source file (runtime/jit.py).

Softmax is not elementwise: it has the row-wise code `SOFTMAX`, which only the dense stack dispatches on.
"""

import math
from typing import NamedTuple

import numba

from ..runtime.jit import jit

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
_INV_SQRT2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


@jit(inline="always")
def _sigmoid(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


@jit(inline="always")
def _softplus(v):
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))


class Entry(NamedTuple):
    """One activation: its name, its scalar forward and derivative (compiled to be inlined), and its Keras
    options with their defaults, in the order of a, b, c."""

    name: str
    forward: object
    derivative: object
    options: dict


TABLE = []


def _add(name, forward, derivative, options=None):
    """Appends an activation to the table (its code is its position)."""
    inline = jit(inline="always")
    TABLE.append(Entry(name, inline(forward), inline(derivative), options or {}))


def _linear(v, a, b, c):
    return v


def _linear_derivative(v, y, a, b, c):
    return 1.0


_add("linear", _linear, _linear_derivative)


def _relu(v, a, b, c):  # a: negative_slope, b: max_value, c: threshold
    if v >= b:
        return b
    if v > c:
        return v
    if a == 0.0 and v <= c:  # 0, also at -inf (0 * -inf would be NaN); NaN falls through and stays NaN
        return 0.0
    return a * (v - c)


def _relu_derivative(v, y, a, b, c):  # at the threshold the slope below it: relu'(0) = 0 as Keras and PyTorch
    if v >= b and b < math.inf:  # without max_value, relu'(+inf) = 1
        return 0.0
    if v > c:
        return 1.0
    return a


_add("relu", _relu, _relu_derivative, {"negative_slope": 0.0, "max_value": None, "threshold": 0.0})


def _sigmoid_forward(v, a, b, c):
    return _sigmoid(v)


def _sigmoid_derivative(v, y, a, b, c):
    return y * (1.0 - y)


_add("sigmoid", _sigmoid_forward, _sigmoid_derivative)


def _tanh(v, a, b, c):
    return math.tanh(v)


def _tanh_derivative(v, y, a, b, c):
    return 1.0 - y * y


_add("tanh", _tanh, _tanh_derivative)


def _elu(v, a, b, c):  # a: alpha
    return v if v > 0 else a * math.expm1(v)


def _elu_derivative(v, y, a, b, c):
    return 1.0 if v > 0 else y + a


_add("elu", _elu, _elu_derivative, {"alpha": 1.0})


def _selu(v, a, b, c):
    return SELU_SCALE * (v if v > 0 else SELU_ALPHA * math.expm1(v))


def _selu_derivative(v, y, a, b, c):  # from v, not y: y + scale * alpha keeps y's float32 rounding (2e-8 at -inf)
    return SELU_SCALE if v > 0 else SELU_SCALE * SELU_ALPHA * math.exp(v)


_add("selu", _selu, _selu_derivative)


def _softplus_forward(v, a, b, c):
    return _softplus(v)


def _softplus_derivative(v, y, a, b, c):
    return _sigmoid(v)


_add("softplus", _softplus_forward, _softplus_derivative)


def _softsign(v, a, b, c):
    return v / (1.0 + abs(v))


def _softsign_derivative(v, y, a, b, c):
    d = 1.0 + abs(v)
    return 1.0 / (d * d)


_add("softsign", _softsign, _softsign_derivative)


def _hard_sigmoid(v, a, b, c):
    return min(max(v / 6.0 + 0.5, 0.0), 1.0)


def _hard_sigmoid_derivative(v, y, a, b, c):
    return 1.0 / 6.0 if -3.0 < v < 3.0 else 0.0


_add("hard_sigmoid", _hard_sigmoid, _hard_sigmoid_derivative)


def _exponential(v, a, b, c):
    return math.exp(v)


def _exponential_derivative(v, y, a, b, c):
    return y


_add("exponential", _exponential, _exponential_derivative)


def _leaky_relu(v, a, b, c):  # a: negative_slope
    return v if v > 0 else a * v


def _leaky_relu_derivative(v, y, a, b, c):
    return 1.0 if v > 0 else a


_add("leaky_relu", _leaky_relu, _leaky_relu_derivative, {"negative_slope": 0.2})


def _silu(v, a, b, c):
    return v * _sigmoid(v)


def _silu_derivative(v, y, a, b, c):
    s = _sigmoid(v)
    return s * (1.0 + v * (1.0 - s))


_add("silu", _silu, _silu_derivative)


def _gelu(v, a, b, c):
    return 0.5 * v * (1.0 + math.erf(v * _INV_SQRT2))


def _gelu_derivative(v, y, a, b, c):
    return 0.5 * (1.0 + math.erf(v * _INV_SQRT2)) + v * _INV_SQRT_2PI * math.exp(-0.5 * v * v)


_add("gelu", _gelu, _gelu_derivative)


def _relu6(v, a, b, c):
    return min(max(v, 0.0), 6.0)


def _relu6_derivative(v, y, a, b, c):
    return 1.0 if 0.0 < v < 6.0 else 0.0


_add("relu6", _relu6, _relu6_derivative)


def _mish(v, a, b, c):
    return v * math.tanh(_softplus(v))


def _mish_derivative(v, y, a, b, c):
    t = math.tanh(_softplus(v))
    return t + v * (1.0 - t * t) * _sigmoid(v)


_add("mish", _mish, _mish_derivative)


def _hard_silu(v, a, b, c):
    return v * min(max(v + 3.0, 0.0), 6.0) / 6.0


def _hard_silu_derivative(v, y, a, b, c):  # relu6'(v + 3) is 1 only strictly inside (-3, 3), as in Keras
    if v <= -3.0:
        return 0.0
    if v >= 3.0:
        return 1.0
    return (2.0 * v + 3.0) / 6.0


_add("hard_silu", _hard_silu, _hard_silu_derivative)



def _celu(v, a, b, c):  # a: alpha
    return v if v > 0 else a * math.expm1(v / a)


def _celu_derivative(v, y, a, b, c):
    return 1.0 if v > 0 else math.exp(v / a)


_add("celu", _celu, _celu_derivative, {"alpha": 1.0})


def _log_sigmoid(v, a, b, c):
    return -_softplus(-v)


def _log_sigmoid_derivative(v, y, a, b, c):
    return _sigmoid(-v)


_add("log_sigmoid", _log_sigmoid, _log_sigmoid_derivative)


def _hard_tanh(v, a, b, c):
    return min(max(v, -1.0), 1.0)


def _hard_tanh_derivative(v, y, a, b, c):  # 1 on [-1, 1], ends included, as Keras
    return 1.0 if -1.0 <= v <= 1.0 else 0.0


_add("hard_tanh", _hard_tanh, _hard_tanh_derivative)


def _squareplus(v, a, b, c):  # a: b
    return 0.5 * (v + math.sqrt(v * v + a))


def _squareplus_derivative(v, y, a, b, c):
    root = math.sqrt(v * v + a)
    return 0.5 * (1.0 + v / root) if root > 0 else 0.5


_add("squareplus", _squareplus, _squareplus_derivative, {"b": 4.0})


def _sparse_plus(v, a, b, c):
    if v <= -1.0:
        return 0.0
    if v >= 1.0:
        return v
    return 0.25 * (v + 1.0) * (v + 1.0)


def _sparse_plus_derivative(v, y, a, b, c):
    if v <= -1.0:
        return 0.0
    if v >= 1.0:
        return 1.0
    return 0.5 * (v + 1.0)


_add("sparse_plus", _sparse_plus, _sparse_plus_derivative)


def _tanh_shrink(v, a, b, c):
    return v - math.tanh(v)


def _tanh_shrink_derivative(v, y, a, b, c):
    t = math.tanh(v)
    return t * t


_add("tanh_shrink", _tanh_shrink, _tanh_shrink_derivative)


def _threshold(v, a, b, c):  # a: threshold, b: default_value
    return v if v > a else b


def _threshold_derivative(v, y, a, b, c):
    return 1.0 if v > a else 0.0


_add("threshold", _threshold, _threshold_derivative, {"threshold": 0.0, "default_value": 0.0})

CODES = {entry.name: code for code, entry in enumerate(TABLE)}
LINEAR, RELU, SIGMOID, TANH, HARD_SIGMOID = (CODES[n] for n in ("linear", "relu", "sigmoid", "tanh", "hard_sigmoid"))
SOFTMAX = -1


def params(name, options):
    """Returns the kernels' (a, b, c) for an activation's Keras options (a dict of the entry's options)."""
    values = [math.inf if options[key] is None else float(options[key]) for key in TABLE[CODES[name]].options]
    return tuple(values + [0.0, math.inf, 0.0][len(values):])


@jit(inline="always")
def is_plain_relu(code, a, b, c):
    """Whether (code, a, b, c) is relu without options, which the kernels run as a vectorizing max(v, 0)."""
    return code == RELU and a == 0.0 and b == math.inf and c == 0.0


def _dispatch(name, arguments, role):
    """Compiles `name(v, [y,] code, a, b, c)`: the table's `role` function of the entry with that code, as one
    chain of branches (inlined into every kernel loop; the code is the same for a whole loop, so the branch
    is predicted). An unknown code acts as linear."""
    call = arguments.replace(", code", "")
    lines = [f"def {name}({arguments}):"]
    for code in range(len(TABLE)):
        lines += [f"    if code == {code}:", f"        return {role}_{code}({call})"]
    lines.append(f"    return {role}_{LINEAR}({call})")
    namespace = {f"{role}_{code}": getattr(entry, role) for code, entry in enumerate(TABLE)}
    exec("\n".join(lines), namespace)
    # Generated code has no source file for Numba's on-disk cache; it is only ever inlined into cached kernels.
    return numba.njit(inline="always", error_model="numpy")(namespace[name])


forward_scalar = _dispatch("forward_scalar", "v, code, a, b, c", "forward")
derivative_scalar = _dispatch("derivative_scalar", "v, y, code, a, b, c", "derivative")
