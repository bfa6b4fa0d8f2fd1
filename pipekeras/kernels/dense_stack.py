"""A stack of dense layers as two compiled calls: forward, and backward to the flat weight gradient.

For small networks and batches (Boston housing at batch 1: 5,000 weights, one sample) the math takes a few
microseconds and walking the layers in Python costs ~20 us per layer; these kernels run every layer of the
stack in one call each way.

The weights live in one flat array `params`; `layout[l] = (kernel offset, fan_in, units, bias offset or -1,
activation kind)` and `options[l]` the activation's (a, b, c) as in kernels/activations.py (kind SOFTMAX is a
row-wise softmax). Activations live in one flat workspace: `acts` holds the input and then each layer's
output, `pres` each layer's pre-activation, every block (batch, width) row-major, one after the other.
"""

import numpy as np

from .activations import derivative_scalar, forward_scalar, softmax_backward_rows_serial, softmax_rows_serial
from .compile import jit

SOFTMAX = -1


@jit
def _block(buffer, offset, rows, cols):
    return buffer[offset:offset + rows * cols].reshape((rows, cols))


@jit
def forward(params, layout, options, acts, pres, batch):
    """Fills `pres` and `acts[layer outputs]` from the input already in `acts[:batch * fan_in]`."""
    a_offset, z_offset = 0, 0
    for layer in range(layout.shape[0]):
        k_off, fan_in, units, b_off, kind = layout[layer]
        inputs = _block(acts, a_offset, batch, fan_in)
        z = _block(pres, z_offset, batch, units)
        y = _block(acts, a_offset + batch * fan_in, batch, units)
        np.dot(inputs, _block(params, k_off, fan_in, units), z)
        opt_a, opt_b, opt_c = options[layer]
        for i in range(batch):
            for j in range(units):
                v = z[i, j] + params[b_off + j] if b_off >= 0 else z[i, j]
                z[i, j] = v
                y[i, j] = v if kind == SOFTMAX else forward_scalar(v, kind, opt_a, opt_b, opt_c)
        if kind == SOFTMAX:
            softmax_rows_serial(z, y)
        a_offset += batch * fan_in
        z_offset += batch * units


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
            dz[:] = upstream
        elif kind == SOFTMAX:
            softmax_backward_rows_serial(y, upstream, dz)
        else:
            opt_a, opt_b, opt_c = options[layer]
            for i in range(batch):
                for j in range(units):
                    dz[i, j] = upstream[i, j] * derivative_scalar(z[i, j], y[i, j], kind, opt_a, opt_b, opt_c)
        inputs = _block(acts, a_ends[layer] - batch * fan_in, batch, fan_in)
        np.dot(inputs.T, dz, _block(grads, k_off, fan_in, units))
        if b_off >= 0:
            for j in range(units):
                grads[b_off + j] = 0
            for i in range(batch):
                for j in range(units):
                    grads[b_off + j] += dz[i, j]
        if layer > 0:
            upstream = np.dot(dz, _block(params, k_off, fan_in, units).T)
