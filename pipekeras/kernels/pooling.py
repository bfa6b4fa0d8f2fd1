"""Pooling kernels (channels_last), forward and backward side by side.

x is (batch, h, w, ch); a 1D pooling is a 2D one of height 1. Windows start at r * stride - pad_before;
positions outside the image are ignored (max over the valid ones; the average divides by the number of
valid positions, as Keras does with "same" padding). Max pooling keeps, for each output, the flat index
`(y * w + x) * ch + k` of its maximum within the sample, so that backward is a scatter without divisions.
Loops run in parallel over the batch.
"""

import numpy as np
from numba import prange

from ..runtime.buffers import empty
from ..runtime.jit import jit
from ..runtime.threads import parallel_loop


@jit(inline="always")
def _window(position, stride, pad, size, extent):
    """The input range [lo, hi) of the window at output `position`, clipped to the input's `extent`."""
    start = position * stride - pad
    return max(start, 0), min(start + size, extent)


@parallel_loop
def _max_forward(x, y, idx, kh, kw, sh, sw, ph, pw):
    batch, height, width, ch = x.shape
    _, oh, ow, _ = y.shape
    for n in prange(batch):
        for r in range(oh):
            y0, y1 = _window(r, sh, ph, kh, height)
            for c in range(ow):
                x0, x1 = _window(c, sw, pw, kw, width)
                for k in range(ch):
                    y[n, r, c, k] = x[n, y0, x0, k]
                    idx[n, r, c, k] = (y0 * width + x0) * ch + k
                for i in range(y0, y1):
                    for j in range(x0, x1):
                        for k in range(ch):
                            v = x[n, i, j, k]
                            if v > y[n, r, c, k]:
                                y[n, r, c, k] = v
                                idx[n, r, c, k] = (i * width + j) * ch + k


@parallel_loop
def _max_backward(dy, idx, dx):
    """dy, idx: (batch, outputs) flat; dx: (batch, inputs) flat."""
    batch, outputs = dy.shape
    for n in prange(batch):
        dx[n] = 0
        for p in range(outputs):
            dx[n, idx[n, p]] += dy[n, p]


@parallel_loop
def _avg_forward(x, y, kh, kw, sh, sw, ph, pw):
    batch, height, width, ch = x.shape
    _, oh, ow, _ = y.shape
    for n in prange(batch):
        for r in range(oh):
            y0, y1 = _window(r, sh, ph, kh, height)
            for c in range(ow):
                x0, x1 = _window(c, sw, pw, kw, width)
                for k in range(ch):
                    y[n, r, c, k] = 0
                for i in range(y0, y1):
                    for j in range(x0, x1):
                        for k in range(ch):
                            y[n, r, c, k] += x[n, i, j, k]
                scale = 1.0 / ((y1 - y0) * (x1 - x0))
                for k in range(ch):
                    y[n, r, c, k] *= scale


@parallel_loop
def _avg_backward(dy, dx, kh, kw, sh, sw, ph, pw):
    batch, height, width, ch = dx.shape
    _, oh, ow, _ = dy.shape
    for n in prange(batch):
        dx[n] = 0
        for r in range(oh):
            y0, y1 = _window(r, sh, ph, kh, height)
            for c in range(ow):
                x0, x1 = _window(c, sw, pw, kw, width)
                scale = 1.0 / ((y1 - y0) * (x1 - x0))
                for i in range(y0, y1):
                    for j in range(x0, x1):
                        for k in range(ch):
                            dx[n, i, j, k] += dy[n, r, c, k] * scale


def max_pool2d_forward(x, pool, strides, pads, out_hw, buffers=None):
    """Returns (y, argmax indices) for max pooling of x (batch, h, w, ch) C-contiguous.

    `buffers`: an optional `BufferPool` for y and the indices (as for the other functions here).
    """
    shape = (x.shape[0], out_hw[0], out_hw[1], x.shape[3])
    y = empty(buffers, "y", shape, x.dtype)
    idx = empty(buffers, "idx", shape, np.int32)
    _max_forward(x.size, x, y, idx, pool[0], pool[1], strides[0], strides[1], pads[0], pads[1])
    return y, idx


def max_pool2d_backward(dy, idx, x_shape, buffers=None):
    """Returns dx: each output gradient added at the position of its window's maximum."""
    batch = x_shape[0]
    dx = empty(buffers, "dx", (batch, int(np.prod(x_shape[1:]))), dy.dtype)
    _max_backward(dx.size, np.ascontiguousarray(dy).reshape(batch, -1), idx.reshape(batch, -1), dx)
    return dx.reshape(x_shape)


def avg_pool2d_forward(x, pool, strides, pads, out_hw, buffers=None):
    """Returns the mean over each window's valid positions."""
    y = empty(buffers, "y", (x.shape[0], out_hw[0], out_hw[1], x.shape[3]), x.dtype)
    _avg_forward(x.size, x, y, pool[0], pool[1], strides[0], strides[1], pads[0], pads[1])
    return y


def avg_pool2d_backward(dy, x_shape, pool, strides, pads, buffers=None):
    """Returns dx of `avg_pool2d_forward`."""
    dx = empty(buffers, "dx", x_shape, dy.dtype)
    _avg_backward(dx.size, np.ascontiguousarray(dy), dx, pool[0], pool[1], strides[0], strides[1], pads[0], pads[1])
    return dx
