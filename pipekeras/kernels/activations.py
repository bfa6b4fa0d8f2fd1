"""Activation kernels: every elementwise activation in one compiled loop, selected by a kind code.

One loop for all kinds (a predictable branch per element) keeps compilation to a handful of functions.
`a`, `b`, `c` are the activation's options (relu: negative_slope, max_value, threshold; elu: alpha;
leaky_relu: negative_slope). The dense kernels fuse the bias add and the bias gradient into the same pass.
"""

import math

import numpy as np
from numba import prange

from ..runtime.jit import jit
from ..runtime.threads import parallel_loop

LINEAR, RELU, SIGMOID, TANH, ELU, SELU, SOFTPLUS, SOFTSIGN, HARD_SIGMOID, EXPONENTIAL, LEAKY_RELU, SILU, \
    GELU, RELU6, MISH = range(15)

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


@jit(inline="always")
def forward_scalar(v, kind, a, b, c):
    if kind == RELU:
        if v >= b:
            return b
        if v >= c:
            return v
        return a * (v - c)
    if kind == SIGMOID:
        return _sigmoid(v)
    if kind == TANH:
        return math.tanh(v)
    if kind == ELU:
        return v if v > 0 else a * math.expm1(v)
    if kind == SELU:
        return SELU_SCALE * (v if v > 0 else SELU_ALPHA * math.expm1(v))
    if kind == SOFTPLUS:
        return _softplus(v)
    if kind == SOFTSIGN:
        return v / (1.0 + abs(v))
    if kind == HARD_SIGMOID:
        return min(max(v / 6.0 + 0.5, 0.0), 1.0)
    if kind == EXPONENTIAL:
        return math.exp(v)
    if kind == LEAKY_RELU:
        return v if v > 0 else a * v
    if kind == SILU:
        return v * _sigmoid(v)
    if kind == GELU:
        return 0.5 * v * (1.0 + math.erf(v * _INV_SQRT2))
    if kind == RELU6:
        return min(max(v, 0.0), 6.0)
    if kind == MISH:
        return v * math.tanh(_softplus(v))
    return v


@jit(inline="always")
def derivative_scalar(v, y, kind, a, b, c):
    """d activation / d v at v, given y = activation(v)."""
    if kind == RELU:
        if v >= b:
            return 0.0
        if v >= c:
            return 1.0
        return a
    if kind == SIGMOID:
        return y * (1.0 - y)
    if kind == TANH:
        return 1.0 - y * y
    if kind == ELU:
        return 1.0 if v > 0 else y + a
    if kind == SELU:
        return SELU_SCALE if v > 0 else y + SELU_SCALE * SELU_ALPHA
    if kind == SOFTPLUS:
        return _sigmoid(v)
    if kind == SOFTSIGN:
        d = 1.0 + abs(v)
        return 1.0 / (d * d)
    if kind == HARD_SIGMOID:
        return 1.0 / 6.0 if -3.0 < v < 3.0 else 0.0
    if kind == EXPONENTIAL:
        return y
    if kind == LEAKY_RELU:
        return 1.0 if v > 0 else a
    if kind == SILU:
        s = _sigmoid(v)
        return s * (1.0 + v * (1.0 - s))
    if kind == GELU:
        return 0.5 * (1.0 + math.erf(v * _INV_SQRT2)) + v * _INV_SQRT_2PI * math.exp(-0.5 * v * v)
    if kind == RELU6:
        return 1.0 if 0.0 < v < 6.0 else 0.0
    if kind == MISH:
        t = math.tanh(_softplus(v))
        return t + v * (1.0 - t * t) * _sigmoid(v)
    return 1.0


def _forward_flat(x, out, kind, a, b, c):
    for i in prange(x.size):
        out[i] = forward_scalar(x[i], kind, a, b, c)


def _backward_flat(x, y, dy, dx, kind, a, b, c):
    for i in prange(x.size):
        dx[i] = dy[i] * derivative_scalar(x[i], y[i], kind, a, b, c)


def _bias_forward(z, bias, y, kind, a, b, c):
    rows, cols = z.shape
    for i in prange(rows):
        for j in range(cols):
            v = z[i, j] + bias[j]
            z[i, j] = v
            y[i, j] = forward_scalar(v, kind, a, b, c)


def _backward_rows(z, y, dy, dz, kind, a, b, c):
    rows, cols = z.shape
    for i in prange(rows):
        for j in range(cols):
            dz[i, j] = dy[i, j] * derivative_scalar(z[i, j], y[i, j], kind, a, b, c)


def _bias_relu(z, bias, y):
    # Plain relu, the most common case, without the kind switch: this loop vectorizes (7x faster).
    rows, cols = z.shape
    for i in prange(rows):
        for j in range(cols):
            v = z[i, j] + bias[j]
            z[i, j] = v
            y[i, j] = v if v > 0 else 0


def _relu_backward_rows(y, dy, dz):
    rows, cols = y.shape
    for i in prange(rows):
        for j in range(cols):
            dz[i, j] = dy[i, j] if y[i, j] > 0 else 0


def _softmax_rows(x, out):
    rows, cols = x.shape
    for i in prange(rows):
        top = x[i, 0]
        for j in range(1, cols):
            top = max(top, x[i, j])
        total = 0.0
        for j in range(cols):
            e = math.exp(x[i, j] - top)
            out[i, j] = e
            total += e
        scale = 1.0 / total
        for j in range(cols):
            out[i, j] *= scale


def _softmax_backward_rows(y, dy, dx):
    rows, cols = y.shape
    for i in prange(rows):
        dot = 0.0
        for j in range(cols):
            dot += y[i, j] * dy[i, j]
        for j in range(cols):
            dx[i, j] = y[i, j] * (dy[i, j] - dot)


_COMPILED = {loop.__name__: parallel_loop(loop) for loop in (
    _forward_flat, _backward_flat, _bias_forward, _backward_rows, _bias_relu, _relu_backward_rows, _softmax_rows,
    _softmax_backward_rows)}
# Serial loops for other kernels to call (kernels/dense_stack.py).
bias_forward_serial = _COMPILED["_bias_forward"].serial
bias_relu_serial = _COMPILED["_bias_relu"].serial
backward_rows_serial = _COMPILED["_backward_rows"].serial
relu_backward_rows_serial = _COMPILED["_relu_backward_rows"].serial
softmax_rows_serial = _COMPILED["_softmax_rows"].serial
softmax_backward_rows_serial = _COMPILED["_softmax_backward_rows"].serial


def is_plain_relu(kind, a, b, c):
    """Whether (kind, a, b, c) is relu without options, which has its own vectorizing loops."""
    return kind == RELU and a == 0.0 and b == np.inf and c == 0.0


def _run(name, size, *args):
    _COMPILED[name](size, *args)


def _flat(array):
    return np.ascontiguousarray(array).reshape(-1)


def forward(x, kind, a=0.0, b=np.inf, c=0.0):
    """Returns activation(x) for an elementwise activation `kind`."""
    x = np.ascontiguousarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    out = np.empty_like(x)
    _run("_forward_flat", x.size, x.reshape(-1), out.reshape(-1), kind, a, b, c)
    return out


def backward(x, y, dy, kind, a=0.0, b=np.inf, c=0.0):
    """Returns dy * activation'(x)."""
    x = np.ascontiguousarray(x)
    dx = np.empty(x.shape, dtype=np.result_type(x.dtype, np.asarray(dy).dtype))
    _run("_backward_flat", x.size, x.reshape(-1), _flat(y), _flat(dy), dx.reshape(-1), kind, a, b, c)
    return dx


def bias_forward(z, bias, kind, a=0.0, b=np.inf, c=0.0):
    """Adds `bias` to the rows of a 2D `z` in place and returns activation(z) (a new array)."""
    y = np.empty_like(z)
    if is_plain_relu(kind, a, b, c):
        _run("_bias_relu", z.size, z, bias, y)
    else:
        _run("_bias_forward", z.size, z, bias, y, kind, a, b, c)
    return y


def backward_rows(z, y, dy, kind, a=0.0, b=np.inf, c=0.0):
    """dy * activation'(z) for 2D arrays."""
    dz = np.empty_like(z)
    dy = np.ascontiguousarray(dy, dtype=z.dtype)
    if is_plain_relu(kind, a, b, c):
        _run("_relu_backward_rows", z.size, y, dy, dz)
    else:
        _run("_backward_rows", z.size, z, y, dy, dz, kind, a, b, c)
    return dz


def softmax(x):
    """Row-wise softmax over the last axis (max-shifted, so stable at any logit)."""
    x = np.ascontiguousarray(x)
    rows = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    out = np.empty_like(rows)
    _run("_softmax_rows", rows.size, rows, out)
    return out.reshape(x.shape)


def softmax_backward(y, dy):
    """Gradient of the input of a last-axis softmax, given its output y and output gradient dy."""
    y = np.ascontiguousarray(y)
    rows = y.reshape(-1, y.shape[-1])
    dx = np.empty_like(rows)
    _run("_softmax_backward_rows", rows.size, rows, np.ascontiguousarray(dy, dtype=y.dtype).reshape(rows.shape), dx)
    return dx.reshape(y.shape)
