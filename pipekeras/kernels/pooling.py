"""Pooling kernels (channels_last), rank-generic, forward and backward side by side.

x is (batch, *spatial, ch) with 1 to 3 spatial axes; every rank runs the same 3-D loops (lower ranks are
lifted by size-1 leading axes, see `convolution.lift`). Windows start at r * stride - pad_before; positions
outside the input are ignored (max over the valid ones; the average divides by the number of valid
positions, as Keras does with "same" padding). Max pooling keeps, for each output, the flat index
`((z * h + y) * w + x) * ch + k` of its maximum within the sample, so that backward is a scatter without
divisions. Loops run in parallel over the batch. The functions taking `scratch` draw their outputs and
gradients from the `BufferPool` of that owner (usually the calling layer), or allocate when it is None.
"""

import numpy as np
from numba import prange

from .buffers import empty, scratch_pool
from .compile import jit
from .convolution import lift, lift_array, twin


@jit(inline="always")
def _window(position, stride, pad, size, extent):
    """The input range [lo, hi) of the window at output `position`, clipped to the input's `extent`."""
    start = position * stride - pad
    return max(start, 0), min(start + size, extent)


@twin
def _max_forward(x, y, idx, pool, strides, pads):
    batch, depth, height, width, ch = x.shape
    _, od, oh, ow, _ = y.shape
    for n in prange(batch):
        for p in range(od):
            z0, z1 = _window(p, strides[0], pads[0], pool[0], depth)
            for r in range(oh):
                y0, y1 = _window(r, strides[1], pads[1], pool[1], height)
                for c in range(ow):
                    x0, x1 = _window(c, strides[2], pads[2], pool[2], width)
                    for k in range(ch):
                        y[n, p, r, c, k] = x[n, z0, y0, x0, k]
                        idx[n, p, r, c, k] = ((z0 * height + y0) * width + x0) * ch + k
                    for a in range(z0, z1):
                        for i in range(y0, y1):
                            for j in range(x0, x1):
                                for k in range(ch):
                                    v = x[n, a, i, j, k]
                                    if v > y[n, p, r, c, k]:
                                        y[n, p, r, c, k] = v
                                        idx[n, p, r, c, k] = ((a * height + i) * width + j) * ch + k


@twin
def _max_backward(dy, idx, dx):
    """dy, idx: (batch, outputs) flat; dx: (batch, inputs) flat."""
    batch, outputs = dy.shape
    for n in prange(batch):
        dx[n] = 0
        for p in range(outputs):
            dx[n, idx[n, p]] += dy[n, p]


@twin
def _avg_forward(x, y, pool, strides, pads):
    batch, depth, height, width, ch = x.shape
    _, od, oh, ow, _ = y.shape
    for n in prange(batch):
        for p in range(od):
            z0, z1 = _window(p, strides[0], pads[0], pool[0], depth)
            for r in range(oh):
                y0, y1 = _window(r, strides[1], pads[1], pool[1], height)
                for c in range(ow):
                    x0, x1 = _window(c, strides[2], pads[2], pool[2], width)
                    for k in range(ch):
                        y[n, p, r, c, k] = 0
                    for a in range(z0, z1):
                        for i in range(y0, y1):
                            for j in range(x0, x1):
                                for k in range(ch):
                                    y[n, p, r, c, k] += x[n, a, i, j, k]
                    scale = 1.0 / ((z1 - z0) * (y1 - y0) * (x1 - x0))
                    for k in range(ch):
                        y[n, p, r, c, k] *= scale


@twin
def _avg_backward(dy, dx, pool, strides, pads):
    batch, depth, height, width, ch = dx.shape
    _, od, oh, ow, _ = dy.shape
    for n in prange(batch):
        dx[n] = 0
        for p in range(od):
            z0, z1 = _window(p, strides[0], pads[0], pool[0], depth)
            for r in range(oh):
                y0, y1 = _window(r, strides[1], pads[1], pool[1], height)
                for c in range(ow):
                    x0, x1 = _window(c, strides[2], pads[2], pool[2], width)
                    scale = 1.0 / ((z1 - z0) * (y1 - y0) * (x1 - x0))
                    for a in range(z0, z1):
                        for i in range(y0, y1):
                            for j in range(x0, x1):
                                for k in range(ch):
                                    dx[n, a, i, j, k] += dy[n, p, r, c, k] * scale


def max_pool_forward(x, pool, strides, pads, out, scratch=None):
    """Returns (y, argmax indices) for max pooling of x (batch, *spatial, ch), C-contiguous.

    Args:
        pool, strides, pads: one int per spatial axis (pads: the positions before the data).
        out: the output's spatial sizes.
        scratch: the owner (e.g. the layer) whose scratch memory holds y and the indices, or None.
    """
    rank = x.ndim - 2
    shape = (x.shape[0],) + tuple(out) + (x.shape[-1],)
    buffers = scratch_pool(scratch)
    y = empty(buffers, "y", shape, x.dtype)
    idx = empty(buffers, "idx", shape, np.int32)
    _max_forward(x.size, lift_array(x, rank), lift_array(y, rank), lift_array(idx, rank), lift(pool, 1),
                 lift(strides, 1), lift(pads, 0))
    return y, idx


def max_pool_backward(dy, idx, x_shape, scratch=None):
    """Returns dx: each output gradient added at the position of its window's maximum."""
    batch = x_shape[0]
    dx = empty(scratch_pool(scratch), "dx", (batch, int(np.prod(x_shape[1:]))), dy.dtype)
    _max_backward(dx.size, np.ascontiguousarray(dy).reshape(batch, -1), idx.reshape(batch, -1), dx)
    return dx.reshape(x_shape)


def avg_pool_forward(x, pool, strides, pads, out, scratch=None):
    """Returns the mean over each window's valid positions (arguments as `max_pool_forward`)."""
    rank = x.ndim - 2
    y = empty(scratch_pool(scratch), "y", (x.shape[0],) + tuple(out) + (x.shape[-1],), x.dtype)
    _avg_forward(x.size, lift_array(x, rank), lift_array(y, rank), lift(pool, 1), lift(strides, 1), lift(pads, 0))
    return y


def avg_pool_backward(dy, x_shape, pool, strides, pads, scratch=None):
    """Returns dx of `avg_pool_forward`."""
    rank = len(x_shape) - 2
    dx = empty(scratch_pool(scratch), "dx", tuple(x_shape), dy.dtype)
    _avg_backward(dx.size, lift_array(np.ascontiguousarray(dy), rank), lift_array(dx, rank), lift(pool, 1),
                  lift(strides, 1), lift(pads, 0))
    return dx
