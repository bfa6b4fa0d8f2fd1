"""A stack of dense layers in compiled calls: forward, backward to the flat weight gradient, a training step.

For small networks and batches (Boston housing at batch 1: 5,000 weights, one sample) the math takes a few
microseconds and walking the layers in Python costs ~20 us per layer; these kernels run every layer of the
stack in one call each way, with the activation loops of compute/activations.py.

The weights live in one flat array `params`; `layout[l] = (kernel offset, fan_in, units, bias offset or -1,
activation code)` and `options[l]` the activation's (a, b, c), codes and options as in
compute/activation_table.py (code SOFTMAX is a row-wise softmax). Activations live in one flat workspace: `acts` holds
the input and then each layer's output, `pres` each layer's pre-activation, every block (batch, width)
row-major, one after the other.

`train_batch` runs a whole training step but the optimizer update: it gathers the batch's rows, runs forward,
computes the loss gradient itself for the losses MSE, MAE, SIGMOID_CROSSENTROPY and SOFTMAX_CROSSENTROPY
(d(loss)/d(output), or for a cross-entropy fused with its output activation d(loss)/d(pre-activation), as
losses.py defines them) and runs backward.
"""

import numpy as np

from ..runtime import tuning
from ..runtime.gemm import gemm
from ..runtime.jit import jit
from .activation_table import SOFTMAX
from .activations import (backward_rows_serial, bias_activation_serial, softmax_backward_rows_serial,
                          softmax_rows_serial)
from .dense import column_sums

# Loss gradients train_batch computes (see _loss_gradient), by the names losses give them
# (Loss.closed_form_gradient).
MSE, MAE, SIGMOID_CROSSENTROPY, SOFTMAX_CROSSENTROPY = range(4)
LOSS_GRADIENTS = {"squared_error": MSE, "absolute_error": MAE, "sigmoid_crossentropy": SIGMOID_CROSSENTROPY,
                  "softmax_crossentropy": SOFTMAX_CROSSENTROPY}


# Products of at most this many multiply-adds run as the loops below (runtime table:
# DENSE_STACK_LOOP_MAX_FLOPS, read once: Numba compiles it in as a constant).
SMALL_PRODUCT = tuning.get("DENSE_STACK_LOOP_MAX_FLOPS") // 2


@jit
def _times(a, w, out):
    """out = a @ w."""
    rows, inner = a.shape
    units = w.shape[1]
    if rows * inner * units > SMALL_PRODUCT:
        if rows == 1:  # one sample: BLAS's matrix-vector product, ~1/4 faster than gemm on one row
            _copy(np.dot(a[0], w), out[0])
        else:
            gemm(a, w, out)
        return
    row = np.empty(units, out.dtype)  # a local accumulator vectorizes; accumulating into `out` did not
    for i in range(rows):
        for j in range(units):
            row[j] = 0
        for k in range(inner):
            v = a[i, k]
            for j in range(units):
                row[j] += v * w[k, j]
        for j in range(units):
            out[i, j] = row[j]


@jit
def _transposed_times(a, d, out):
    """out = a.T @ d (the kernel gradient from the layer input a and the pre-activation gradient d)."""
    rows, inner = a.shape
    units = d.shape[1]
    if rows * inner * units > SMALL_PRODUCT:
        gemm(a.T, d, out)
        return
    for k in range(inner):
        v = a[0, k]
        for j in range(units):
            out[k, j] = v * d[0, j]
    for r in range(1, rows):
        for k in range(inner):
            v = a[r, k]
            for j in range(units):
                out[k, j] += v * d[r, j]


@jit(fastmath={"reassoc", "contract"})  # the sums may be reordered (vectorized), as BLAS does
def _times_transposed(d, w):
    """Returns d @ w.T (the gradient of the layer input)."""
    rows, units = d.shape
    out = np.empty((rows, w.shape[0]), d.dtype)
    if rows * units * w.shape[0] > SMALL_PRODUCT:
        gemm(d, w.T, out)
        return out
    for r in range(rows):
        for k in range(w.shape[0]):
            total = d.dtype.type(0)
            for j in range(units):
                total += d[r, j] * w[k, j]
            out[r, k] = total
    return out


@jit(inline="always")
def _copy(source, target):
    """target[:] = source (1D, one size) as a loop: a slice assignment from an array compiles Numba's shape-error
    message formatting, ~5 s of the Boston model's cold compile."""
    for i in range(source.size):
        target[i] = source[i]


# Inlined: as compiled functions of their own they compiled again for every literal offset a caller passes.
@jit(inline="always")
def _block(buffer, offset, rows, cols):
    return buffer[offset:offset + rows * cols].reshape((rows, cols))


@jit(inline="always")
def _bias(params, offset, units):
    return params[offset:offset + units] if offset >= 0 else np.zeros(units, params.dtype)


@jit
def output_block(acts, layout, batch):
    """The last layer's output block (batch, units) in `acts`."""
    start = batch * layout[0, 1]
    for layer in range(layout.shape[0] - 1):
        start += batch * layout[layer, 2]
    return _block(acts, start, batch, layout[-1, 2])


@jit
def forward(params, layout, options, acts, pres, batch):
    """Fills `pres` and `acts[layer outputs]` from the input already in `acts[:batch * fan_in]`."""
    a_offset, z_offset = 0, 0
    for layer in range(layout.shape[0]):
        k_off, fan_in, units, b_off, kind = layout[layer]
        z = _block(pres, z_offset, batch, units)
        y = _block(acts, a_offset + batch * fan_in, batch, units)
        _times(_block(acts, a_offset, batch, fan_in), _block(params, k_off, fan_in, units), z)
        bias = _bias(params, b_off, units)
        # SOFTMAX is no elementwise code, so the loop adds the bias and copies z (an unknown code acts as
        # linear). The code is no compile-time constant, as in the dense layers' calls: a literal code would
        # compile the table's loop again for its own signature (~2-4 s cold each).
        bias_activation_serial(z, bias, y, kind, options[layer, 0], options[layer, 1], options[layer, 2])
        if kind == SOFTMAX:
            softmax_rows_serial(z, y)
        a_offset += batch * fan_in
        z_offset += batch * units


@jit
def predict(params, layout, options, x, widths_sum):
    """Returns the outputs for the rows of x (batch, fan_in), or None when x holds a NaN or Inf (the caller
    reports it). `widths_sum` is the input width plus every layer's units."""
    batch, fan_in = x.shape
    flat = x.reshape(-1)
    for i in range(flat.size):
        if not np.isfinite(flat[i]):
            return None
    acts = np.empty(batch * widths_sum, x.dtype)
    pres = np.empty(batch * (widths_sum - fan_in), x.dtype)
    _copy(flat, acts[:batch * fan_in])
    forward(params, layout, options, acts, pres, batch)
    return output_block(acts, layout, batch)


@jit
def backward(params, layout, options, acts, pres, batch, grad_out, grad_is_pre_activation, grads):
    """Writes d(loss)/d(params) into `grads` from the gradient of the last layer's output (or, when
    `grad_is_pre_activation`, of its pre-activation, as fused losses give it)."""
    layers = layout.shape[0]
    a_ends = np.empty(layers + 1, np.int64)
    z_ends = np.empty(layers + 1, np.int64)
    a_ends[0], z_ends[0] = batch * layout[0, 1], 0
    for layer in range(layers):
        a_ends[layer + 1] = a_ends[layer] + batch * layout[layer, 2]
        z_ends[layer + 1] = z_ends[layer] + batch * layout[layer, 2]
    upstream = grad_out
    for layer in range(layers - 1, -1, -1):
        k_off, fan_in, units, b_off, kind = layout[layer]
        z = _block(pres, z_ends[layer], batch, units)
        y = _block(acts, a_ends[layer], batch, units)
        dz = np.empty((batch, units), upstream.dtype)
        if layer == layers - 1 and grad_is_pre_activation:
            _copy(upstream.reshape(-1), dz.reshape(-1))
        elif kind == SOFTMAX:
            softmax_backward_rows_serial(y, upstream, dz)
        else:
            backward_rows_serial(z, y, upstream, dz, kind, options[layer, 0], options[layer, 1], options[layer, 2])
        _transposed_times(_block(acts, a_ends[layer] - batch * fan_in, batch, fan_in), dz,
                          _block(grads, k_off, fan_in, units))
        if b_off >= 0:
            _copy(column_sums(dz), grads[b_off:b_off + units])
        if layer > 0:
            upstream = _times_transposed(dz, _block(params, k_off, fan_in, units))


@jit
def _loss_gradient(kind, y, rows, out, scale, grad):
    """grad[i] = scale * d(loss of sample i)/d(out[i]) for the targets y[rows[i]]; for the cross-entropies,
    with respect to the pre-activation of their sigmoid or softmax output."""
    batch, units = out.shape
    for i in range(batch):
        target = y[rows[i]]
        target_sum = target.sum() if kind == SOFTMAX_CROSSENTROPY else 1.0
        for j in range(units):
            diff = out[i, j] - target[j]
            if kind == MSE:
                g = 2.0 * diff / units
            elif kind == MAE:
                g = (1.0 if diff > 0 else (-1.0 if diff < 0 else 0.0 * diff)) / units
            elif kind == SIGMOID_CROSSENTROPY:
                g = diff / units
            else:
                g = out[i, j] * target_sum - target[j]
            grad[i, j] = scale * g


@jit
def train_batch(params, layout, options, acts, pres, x, y, rows, loss_kind, loss_scale, grad, grads, outputs,
                first):
    """One training step without the optimizer update: the samples x[rows] with targets y[rows].

    Writes the weight gradient into `grads` and the batch's outputs (before the update) into
    outputs[first:first + len(rows)]. `loss_scale` is the loss weight divided by the batch size; `grad` is a
    scratch array of at least len(rows) * output units.
    """
    batch = rows.size
    fan_in = layout[0, 1]
    for i in range(batch):
        _copy(x[rows[i]], acts[i * fan_in:(i + 1) * fan_in])
    forward(params, layout, options, acts, pres, batch)
    out = output_block(acts, layout, batch)
    _copy(out.reshape(-1), outputs[first:first + batch].reshape(-1))
    dout = _block(grad, 0, batch, out.shape[1])
    _loss_gradient(loss_kind, y, rows, out, loss_scale, dout)
    backward(params, layout, options, acts, pres, batch, dout, loss_kind >= SIGMOID_CROSSENTROPY, grads)
