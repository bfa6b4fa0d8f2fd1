"""Activation loops over arrays, dispatching on the codes of compute/activation_table.py.

`bias_activation` is the one fused bias-add-and-activation pass of the dense layers, the convolutions and
the dense stack. Plain relu (no options) has its own loops: without the code switch they vectorize. From
Python, plain relu and in-place linear run kernels of their own (`_bias_relu`, `_bias_relu_in_place`,
`_relu_backward_rows`), so that a model of relu layers never compiles the loops that inline the activation
table, the costliest code to compile (seconds per signature when the cache is empty, more for the parallel
copies); the dense stack, which picks each layer's activation inside compiled code, runs the table loops.
"""

import math

import numpy as np
from numba import prange

from ..runtime.threads import parallel_loop
from .activation_table import LINEAR, RELU, derivative_scalar, forward_scalar, is_plain_relu


def _forward_flat(x, out, code, a, b, c):
    for i in prange(x.size):
        out[i] = forward_scalar(x[i], code, a, b, c)


def _backward_flat(x, y, dy, dx, code, a, b, c):
    for i in prange(x.size):
        dx[i] = dy[i] * derivative_scalar(x[i], y[i], code, a, b, c)


def _bias_activation(z, bias, y, code, a, b, c):
    """z += bias and y = activation(z) row by row (y may be z). Plain relu has its own loop: without the code
    switch it vectorizes (a choice inside the row loop kept the serial copy from vectorizing, 5x slower on a
    convolution's rows). The loop that inlines the activation table is the most expensive code to compile
    (seconds per signature, several times that for the parallel copy), so it is written once."""
    rows, cols = z.shape
    if is_plain_relu(code, a, b, c):
        for i in prange(rows):
            zi, yi = z[i], y[i]
            for j in range(cols):
                v = zi[j] + bias[j]
                zi[j] = v
                yi[j] = v if not v <= 0 else 0.0
    else:
        for i in prange(rows):
            zi, yi = z[i], y[i]
            for j in range(cols):
                v = zi[j] + bias[j]
                zi[j] = v
                yi[j] = forward_scalar(v, code, a, b, c)


def _bias_relu_in_place(z, bias, relu):
    """z = relu(z + bias), or z += bias: the convolutions' and linear layers' in-place pass (one array read and
    written), without the activation table, so their parallel copy compiles in a fraction of the time."""
    rows, cols = z.shape
    if relu:
        for i in prange(rows):
            zi = z[i]
            for j in range(cols):
                v = zi[j] + bias[j]
                zi[j] = v if not v <= 0 else 0.0  # NaN stays NaN and -inf gives 0, as in the activation layer
    else:
        for i in prange(rows):
            zi = z[i]
            for j in range(cols):
                zi[j] += bias[j]


def _bias_relu(z, bias, y):
    """z += bias and y = relu(z): plain relu's forward without the activation table (what the layer-by-layer path
    runs for relu layers), so a model of relu layers never compiles the table's loop."""
    rows, cols = z.shape
    for i in prange(rows):
        zi, yi = z[i], y[i]
        for j in range(cols):
            v = zi[j] + bias[j]
            zi[j] = v
            yi[j] = v if not v <= 0 else 0.0


def _relu_backward_rows(y, dy, dz):
    """dz = dy where y > 0, else 0: plain relu's backward without the activation table."""
    rows, cols = y.shape
    for i in prange(rows):
        for j in range(cols):
            dz[i, j] = dy[i, j] if y[i, j] > 0 else 0


def _backward_rows(z, y, dy, dz, code, a, b, c):
    rows, cols = z.shape
    if is_plain_relu(code, a, b, c):  # chosen once, outside the row loop, so the loops vectorize
        for i in prange(rows):
            for j in range(cols):
                dz[i, j] = dy[i, j] if y[i, j] > 0 else 0
    else:
        for i in prange(rows):
            for j in range(cols):
                dz[i, j] = dy[i, j] * derivative_scalar(z[i, j], y[i, j], code, a, b, c)


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


forward_flat = parallel_loop(_forward_flat)
backward_flat = parallel_loop(_backward_flat)
bias_activation_rows = parallel_loop(_bias_activation)
bias_relu_in_place_rows = parallel_loop(_bias_relu_in_place)
bias_relu_rows = parallel_loop(_bias_relu)
relu_backward_rows = parallel_loop(_relu_backward_rows)
backward_rows_loop = parallel_loop(_backward_rows)
softmax_rows = parallel_loop(_softmax_rows)
softmax_backward_rows = parallel_loop(_softmax_backward_rows)
# Serial loops for other kernels to call (compute/dense_stack.py).
bias_activation_serial = bias_activation_rows.serial
backward_rows_serial = backward_rows_loop.serial
softmax_rows_serial = softmax_rows.serial
softmax_backward_rows_serial = softmax_backward_rows.serial


def _is_plain_relu(code, a, b, c):
    """`activation_table.is_plain_relu` in Python (calling the compiled one from Python would compile it)."""
    return code == RELU and a == 0.0 and b == math.inf and c == 0.0


def _flat(array):
    return np.ascontiguousarray(array).reshape(-1)


def forward(x, code, a=0.0, b=np.inf, c=0.0):
    """Returns activation(x) for the elementwise activation `code`, any shape."""
    x = np.ascontiguousarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    out = np.empty_like(x)
    forward_flat(x.size, x.reshape(-1), out.reshape(-1), code, a, b, c)
    return out


def backward(x, y, dy, code, a=0.0, b=np.inf, c=0.0):
    """Returns dy * activation'(x), any shape."""
    x = np.ascontiguousarray(x)
    dx = np.empty(x.shape, dtype=np.result_type(x.dtype, np.asarray(dy).dtype))
    backward_flat(x.size, x.reshape(-1), _flat(y), _flat(dy), dx.reshape(-1), code, a, b, c)
    return dx


def bias_activation(z, bias, code=LINEAR, a=0.0, b=np.inf, c=0.0, out=None):
    """Adds `bias` (or nothing, for None) to the rows of a 2D `z` in place and returns activation(z).

    Args:
        z: 2D C-contiguous array, the pre-activation without bias; holds it with bias on return (unless `out`
            is `z`).
        bias: 1D array of z's row width, or None.
        code, a, b, c: the activation's code and options (compute/activation_table.py).
        out: where to write the activation (may be `z` itself); a new array by default.

    Returns:
        The activation, `out` when given.
    """
    y = np.empty_like(z) if out is None else out
    bias = np.zeros(z.shape[1], z.dtype) if bias is None else bias.astype(z.dtype, copy=False)
    plain_relu = _is_plain_relu(code, a, b, c)
    if y is z and (code == LINEAR or plain_relu):
        bias_relu_in_place_rows(z.size, z, bias, plain_relu)
    elif plain_relu:
        bias_relu_rows(z.size, z, bias, y)
    else:
        bias_activation_rows(z.size, z, bias, y, code, a, b, c)
    return y


def backward_rows(z, y, dy, code, a=0.0, b=np.inf, c=0.0):
    """Returns dy * activation'(z) for 2D arrays (plain relu: dy where y > 0)."""
    dz = np.empty_like(z)
    dy = np.ascontiguousarray(dy, dtype=z.dtype)
    if _is_plain_relu(code, a, b, c):
        relu_backward_rows(z.size, y, dy, dz)
    else:
        backward_rows_loop(z.size, z, y, dy, dz, code, a, b, c)
    return dz


def softmax(x):
    """Row-wise softmax over the last axis (max-shifted, so stable at any logit)."""
    x = np.ascontiguousarray(x)
    rows = x.reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)
    out = np.empty_like(rows)
    softmax_rows(rows.size, rows, out)
    return out.reshape(x.shape)


def softmax_backward(y, dy):
    """Gradient of the input of a last-axis softmax, given its output y and output gradient dy."""
    y = np.ascontiguousarray(y)
    rows = y.reshape(-1, y.shape[-1])
    dx = np.empty_like(rows)
    softmax_backward_rows(rows.size, rows, np.ascontiguousarray(dy, dtype=y.dtype).reshape(rows.shape), dx)
    return dx.reshape(y.shape)
