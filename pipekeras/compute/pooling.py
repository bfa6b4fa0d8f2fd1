"""Pooling kernels (channels_last), forward and backward side by side, for 1 to 3 spatial axes.

The loops work on x (batch, h, w, ch); a 1D pooling is a 2D one of height 1, and a 3D one pools every
depth plane with the 2D loops, then combines the planes of each depth window with NumPy (the maximum, or
the mean over the valid planes). Windows start at r * stride - pad_before; positions outside the input
are ignored (max over the valid ones; the average divides by the number of valid positions, as Keras does
with "same" padding). Max pooling keeps, for each output, the flat index `((z * h + y) * w + x) * ch + k`
of its maximum within the sample, so that backward is a scatter without divisions. Loops run in parallel
over the batch. The functions taking `scratch` draw their outputs and gradients from the `BufferPool` of
that owner (usually the calling layer), or allocate when it is None.
"""

import math

import numpy as np
from numba import prange

from ..runtime.buffers import empty, pool_of
from ..runtime.jit import jit
from ..runtime.threads import parallel_loop
from .convolution import source_planes


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


def _as_2d(shape, pool, strides, pads, out):
    """Shape and window of a rank-1 or rank-2 problem as a rank-2 one (rank 1: height 1)."""
    if len(shape) == 4:
        return tuple(shape), tuple(pool), tuple(strides), tuple(pads), tuple(out)
    return ((shape[0], 1, shape[1], shape[2]), (1,) + tuple(pool), (1,) + tuple(strides), (0,) + tuple(pads),
            (1,) + tuple(out))


def _planes_2d(x, pool, strides, pads, out):
    """x (batch, depth, h, w, ch) as depth-many 2D problems: (batch * depth, h, w, ch) and the 2D window."""
    return x.reshape((-1,) + x.shape[2:]), pool[1:], strides[1:], pads[1:], out[1:]


def max_pool_forward(x, pool, strides, pads, out, scratch=None):
    """Returns (y, argmax indices) for max pooling of x (batch, *spatial, ch), C-contiguous.

    Args:
        pool, strides, pads: one int per spatial axis (pads: the positions before the data).
        out: the output's spatial sizes.
        scratch: the owner (e.g. the layer) whose scratch memory holds y and the indices, or None.
    """
    buffers = pool_of(scratch)
    shape = (x.shape[0],) + tuple(out) + (x.shape[-1],)
    y = empty(buffers, "y", shape, x.dtype)
    idx = empty(buffers, "idx", shape, np.int32)
    if x.ndim < 5:
        x_shape, pool, strides, pads, out = _as_2d(x.shape, pool, strides, pads, out)
        _max_forward(x.size, x.reshape(x_shape), y.reshape(x_shape[:1] + out + x_shape[-1:]), idx.reshape(
            x_shape[:1] + out + x_shape[-1:]), *pool, *strides, *pads)
        return y, idx
    batch, depth = x.shape[:2]
    planes, pool2, strides2, pads2, out2 = _planes_2d(x, pool, strides, pads, out)
    y2 = np.empty((planes.shape[0],) + out2 + (x.shape[-1],), x.dtype)
    idx2 = np.empty(y2.shape, np.int32)
    _max_forward(planes.size, planes, y2, idx2, *pool2, *strides2, *pads2)
    y2 = y2.reshape((batch, depth) + y2.shape[1:])
    lowest = np.full_like(y2[:, :1], -np.inf)  # plane -1: the padding, never the maximum
    sources = source_planes(depth, pool[0], strides[0], 1, pads[0], out[0])  # (taps, out_depth)
    candidates = np.concatenate([y2, lowest], axis=1)[:, sources]  # (batch, taps, out_depth, ...)
    tap = candidates.argmax(axis=1)  # the first maximum, as the loops' scan order would pick
    plane = np.take_along_axis(np.broadcast_to(sources[None, :, :, None, None, None], candidates.shape),
                               tap[:, None], axis=1)[:, 0]
    np.max(candidates, axis=1, out=y)
    plane_size = math.prod(x.shape[2:])
    idx2 = idx2.reshape((batch, depth) + idx2.shape[1:])
    idx[...] = plane * plane_size + np.take_along_axis(idx2, plane, axis=1)
    return y, idx


def max_pool_backward(dy, idx, x_shape, scratch=None):
    """Returns dx: each output gradient added at the position of its window's maximum."""
    batch = x_shape[0]
    dx = empty(pool_of(scratch), "dx", (batch, int(np.prod(x_shape[1:]))), dy.dtype)
    _max_backward(dx.size, np.ascontiguousarray(dy).reshape(batch, -1), idx.reshape(batch, -1), dx)
    return dx.reshape(x_shape)


def avg_pool_forward(x, pool, strides, pads, out, scratch=None):
    """Returns the mean over each window's valid positions (arguments as `max_pool_forward`)."""
    y = empty(pool_of(scratch), "y", (x.shape[0],) + tuple(out) + (x.shape[-1],), x.dtype)
    if x.ndim < 5:
        x_shape, pool, strides, pads, out = _as_2d(x.shape, pool, strides, pads, out)
        _avg_forward(x.size, x.reshape(x_shape), y.reshape(x_shape[:1] + out + x_shape[-1:]), *pool, *strides,
                     *pads)
        return y
    batch, depth = x.shape[:2]
    planes, pool2, strides2, pads2, out2 = _planes_2d(x, pool, strides, pads, out)
    y2 = np.empty((planes.shape[0],) + out2 + (x.shape[-1],), x.dtype)
    _avg_forward(planes.size, planes, y2, *pool2, *strides2, *pads2)
    y2 = y2.reshape((batch, depth) + y2.shape[1:])
    sources = source_planes(depth, pool[0], strides[0], 1, pads[0], out[0])
    padded = np.concatenate([y2, np.zeros_like(y2[:, :1])], axis=1)  # plane -1: the padding, adds nothing
    counts = (sources >= 0).sum(axis=0).astype(x.dtype)  # valid planes per output plane
    np.divide(padded[:, sources].sum(axis=1), counts[None, :, None, None, None], out=y)
    return y


def avg_pool_backward(dy, x_shape, pool, strides, pads, scratch=None):
    """Returns dx of `avg_pool_forward`."""
    dx = empty(pool_of(scratch), "dx", tuple(x_shape), dy.dtype)
    dy = np.ascontiguousarray(dy)
    if len(x_shape) < 5:
        shape, pool, strides, pads, out = _as_2d(x_shape, pool, strides, pads, dy.shape[1:-1])
        _avg_backward(dx.size, dy.reshape(shape[:1] + out + shape[-1:]), dx.reshape(shape), *pool, *strides, *pads)
        return dx
    batch, depth = x_shape[:2]
    sources = source_planes(depth, pool[0], strides[0], 1, pads[0], dy.shape[1])
    counts = (sources >= 0).sum(axis=0).astype(dy.dtype)
    share = dy / counts[None, :, None, None, None]  # each valid plane's part of an output's gradient
    dy2 = np.zeros((batch, depth + 1) + dy.shape[2:], dy.dtype)  # plane -1 collects the padding's part
    for planes in sources:
        dy2[:, planes] += share  # distinct planes per tap
    dy2 = np.ascontiguousarray(dy2[:, :depth]).reshape((batch * depth,) + dy.shape[2:])
    _avg_backward(dx.size, dy2, dx.reshape((batch * depth,) + tuple(x_shape[2:])), *pool[1:], *strides[1:],
                  *pads[1:])
    return dx
