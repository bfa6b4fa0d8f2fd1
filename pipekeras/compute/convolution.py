"""Convolution kernels (channels_last), rank-generic: im2col + one BLAS product forward, col2im backward.

Shapes: x (batch, *spatial, channels) with 1, 2 or 3 spatial axes, kernel (*window, channels, filters) as
Keras stores it, output (batch, *out, filters). Every rank runs the same 2-D loops (`im2col_2d`,
`col2im_2d`): a 1-D input is a 2-D one of height 1, and a 3-D input runs them once per depth tap, on the
input planes that tap reads (see `im2col`). So 1-D and 2-D convolutions keep the speed of a dedicated 2-D
loop nest (a single 3-D nest run on lifted inputs was slower: benchmarks/NOTES.md).

Geometry: `conv_geometry` gives the output length and the padding before the data for one axis, with
Keras' rules ("valid": no padding; "same": pad_total = max((ceil(n/s) - 1) * s + (k - 1) * d + 1 - n, 0),
pad_before = pad_total // 2; "causal" (1D): pad (k - 1) * d before).

Scratch memory: the functions taking `scratch` draw their large arrays (columns, outputs, gradients) from
the `BufferPool` of that owner (usually the calling layer), so a training step reuses them once idle.

The Numba loops compile on first call (`cache=True`), never at import, and run in parallel over the batch
(each sample writes only its own rows and volume, so no two threads write the same memory).

Direct-loop 2-D versions (`conv2d_direct_forward`/`conv2d_direct_backward`) are kept as an independent
reference for tests.
"""

import math

import numpy as np
from numba import prange

from ..runtime.blas import matmul
from ..runtime.buffers import empty, pool_of
from ..runtime.jit import jit
from ..runtime.threads import parallel_loop
from .activation_table import LINEAR, RELU
from .activations import bias_activation
from .dense import column_sums


def conv_geometry(length, kernel, stride, dilation, padding):
    """Returns (output length, padding before) along one axis; output length may be <= 0 (empty)."""
    span = (kernel - 1) * dilation + 1
    if padding == "valid":
        return (length - span) // stride + 1 if length >= span else 0, 0
    if padding == "same":
        out = -(-length // stride)
        total = max((out - 1) * stride + span - length, 0)
        return out, total // 2
    if padding == "causal":  # span - 1 zeros before, then "valid": ceil(length / stride) outputs
        return -(-length // stride), span - 1
    raise ValueError(f"unknown padding {padding!r}")


def transpose_geometry(length, kernel, stride, dilation, padding, output_padding=None):
    """Returns (output length, padding before of the matching forward conv) of a transposed convolution."""
    span = (kernel - 1) * dilation + 1
    if output_padding is None:
        out = length * stride + max(span - stride, 0) if padding == "valid" else length * stride
    else:
        pad = 0 if padding == "valid" else span // 2
        out = (length - 1) * stride + span - 2 * pad + output_padding
    if padding == "valid":
        return out, 0
    total = max((length - 1) * stride + span - out, 0)
    return out, total // 2


# ----- im2col / col2im --------------------------------------------------------------------------


@jit(inline="always")
def window_row(x, row, n, r, c, kh, kw, sh, sw, dh, dw, ph, pw):
    """row[(i * kw + j) * ch + k] = x[n, r * sh - ph + i * dh, c * sw - pw + j * dw, k] (zero outside the
    image): im2col's row for output position (r, c) of image n."""
    _, height, width, ch = x.shape
    zero = x.dtype.type(0)
    for i in range(kh):
        y = r * sh - ph + i * dh
        base = i * kw * ch
        if y < 0 or y >= height:
            for q in range(kw * ch):
                row[base + q] = zero
            continue
        for j in range(kw):
            xx = c * sw - pw + j * dw
            col = base + j * ch
            if xx < 0 or xx >= width:
                for k in range(ch):
                    row[col + k] = zero
            else:
                for k in range(ch):
                    row[col + k] = x[n, y, xx, k]


@parallel_loop
def im2col_2d(x, cols, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """cols[(n * oh + r) * ow + c] = the window of output position (r, c) of image n (`window_row`)."""
    for n in prange(x.shape[0]):
        for r in range(oh):
            for c in range(ow):
                window_row(x, cols[(n * oh + r) * ow + c], n, r, c, kh, kw, sh, sw, dh, dw, ph, pw)


@parallel_loop
def col2im_2d(dcols, dx, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """The adjoint of im2col: dx (zeroed here) accumulates every column entry at its image position."""
    batch, height, width, ch = dx.shape
    for n in prange(batch):
        dx[n] = 0
        for r in range(oh):
            for c in range(ow):
                row = (n * oh + r) * ow + c
                for i in range(kh):
                    y = r * sh - ph + i * dh
                    if y < 0 or y >= height:
                        continue
                    base = i * kw * ch
                    for j in range(kw):
                        xx = c * sw - pw + j * dw
                        if xx < 0 or xx >= width:
                            continue
                        col = base + j * ch
                        for k in range(ch):
                            dx[n, y, xx, k] += dcols[row, col + k]


def source_planes(depth, window, stride, dilation, pad, out):
    """(window, out) ints: the input plane each depth tap of each output reads, or -1 (zero padding)."""
    index = np.arange(out)[None, :] * stride - pad + np.arange(window)[:, None] * dilation
    return np.where((index >= 0) & (index < depth), index, -1)


def im2col(x, cols, window, strides, dilation, pads, out):
    """Fills `cols` (batch * prod(out), prod(window) * ch) with the windows of x (batch, *spatial, ch).

    Row ((n * od + p) * oh + r) * ow + c, column ((a * kh + i) * kw + j) * ch + k holds
    x[n, p * sd - pd + a * dd, r * sh - ph + i * dh, c * sw - pw + j * dw, k], zero outside the input
    (fewer axes for rank 1 and 2). Ranks 1 and 2 run `im2col_2d` once; rank 3 runs it once per depth tap,
    on the planes that tap reads, into its block of columns.
    """
    if x.ndim < 5:
        x4, window, strides, dilation, pads, out = _as_2d(x, window, strides, dilation, pads, out)
        im2col_2d(cols.size, x4, cols, *window, *strides, *dilation, *pads, *out)
        return
    batch, depth, ch = x.shape[0], x.shape[1], x.shape[-1]
    padded = np.concatenate([x, np.zeros_like(x[:, :1])], axis=1)  # plane -1: the zero padding
    sources = source_planes(depth, window[0], strides[0], dilation[0], pads[0], out[0])
    block = window[1] * window[2] * ch
    for a, planes in enumerate(sources):
        gathered = padded[:, planes].reshape((batch * out[0],) + x.shape[2:])
        im2col_2d(cols.size, gathered, cols[:, a * block:(a + 1) * block], *window[1:], *strides[1:],
                  *dilation[1:], *pads[1:], *out[1:])


def col2im(dcols, dx, window, strides, dilation, pads, out):
    """The adjoint of `im2col`: dx (overwritten) accumulates every column entry at its input position."""
    if dx.ndim < 5:
        dx4, window, strides, dilation, pads, out = _as_2d(dx, window, strides, dilation, pads, out)
        col2im_2d(dcols.size, dcols, dx4, *window, *strides, *dilation, *pads, *out)
        return
    batch, depth, ch = dx.shape[0], dx.shape[1], dx.shape[-1]
    padded = np.zeros((batch, depth + 1) + dx.shape[2:], dx.dtype)  # plane -1 collects the padding's share
    sources = source_planes(depth, window[0], strides[0], dilation[0], pads[0], out[0])
    block = window[1] * window[2] * ch
    planes_shape = (batch * out[0],) + dx.shape[2:]
    for a, planes in enumerate(sources):
        scattered = np.empty(planes_shape, dx.dtype)
        col2im_2d(dcols.size, dcols[:, a * block:(a + 1) * block], scattered, *window[1:], *strides[1:],
                  *dilation[1:], *pads[1:], *out[1:])
        padded[:, planes] += scattered.reshape((batch, out[0]) + dx.shape[2:])  # distinct planes per tap
    dx[...] = padded[:, :depth]


def _as_2d(x, window, strides, dilation, pads, out):
    """A rank-1 problem as a rank-2 one of height 1 (x viewed as (batch, 1, steps, ch)); rank 2 unchanged."""
    if x.ndim == 4:
        return x, tuple(window), tuple(strides), tuple(dilation), tuple(pads), tuple(out)
    return (x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]), (1,) + tuple(window), (1,) + tuple(strides),
            (1,) + tuple(dilation), (0,) + tuple(pads), (1,) + tuple(out))


@jit
def relu_grad_rows(y, g, dz, sums):
    """dz = g where y > 0 else 0 (the relu backward from its output), and sums = dz.sum(axis=0), in one pass."""
    rows, cols = y.shape
    zero = dz.dtype.type(0)
    for j in range(cols):
        sums[j] = zero
    for i in range(rows):
        for j in range(cols):
            v = g[i, j] if y[i, j] > 0 else zero
            dz[i, j] = v
            sums[j] += v


def relu_backward(y, g, scratch=None):
    """Returns (dz, dz summed over all axes but the last) for y = relu(z); y and g of the same shape.

    `scratch`: the owner (e.g. the layer) whose scratch memory holds dz, or None for a fresh array.
    """
    channels = y.shape[-1]
    g2 = np.ascontiguousarray(g).reshape(-1, channels)
    dz = empty(pool_of(scratch), "relu_dz", g2.shape, g2.dtype)
    sums = np.empty(channels, g2.dtype)
    relu_grad_rows(np.ascontiguousarray(y).reshape(-1, channels), g2, dz, sums)
    return dz.reshape(y.shape), sums


# ----- convolution (im2col), any rank ----------------------------------------------------------


def _is_pointwise(window, strides, pads):
    return max(window) == 1 and max(strides) == 1 and max(pads) == 0


def conv_forward(x, kernel, bias, strides, dilation, pads, out, scratch=None, keep_cols=True, relu=False):
    """Returns (z, cols): z = conv(x, kernel) + bias of shape (batch, *out, filters) (relu'd if `relu`).

    Args:
        x: (batch, *spatial, ch) with 1 to 3 spatial axes; kernel (*window, ch, filters); bias (filters,)
            or None.
        strides, dilation, pads: one int per spatial axis; pads are the zeros added before the data.
        out: the output's spatial sizes, from `conv_geometry`.
        scratch: the owner (e.g. the layer) whose scratch memory holds the im2col matrix and z, or None.
        keep_cols: return the im2col matrix (needed for the kernel gradient); else return None for it.
    """
    window, ch, filters = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    rows = x.shape[0] * math.prod(out)
    taps = math.prod(window) * ch
    dtype = np.result_type(x.dtype, kernel.dtype)
    x = np.ascontiguousarray(x, dtype=dtype)
    pool = pool_of(scratch)
    if _is_pointwise(window, strides, pads):
        cols = x.reshape(rows, ch)
    else:
        cols = empty(pool, "cols", (rows, taps), dtype)
        im2col(x, cols, window, strides, dilation, pads, out)
    z = matmul(cols, kernel.reshape(taps, filters).astype(dtype, copy=False),
               out=empty(pool, "z", (rows, filters), dtype))
    if bias is not None or relu:
        bias_activation(z, bias, RELU if relu else LINEAR, out=z)
    return z.reshape((x.shape[0],) + tuple(out) + (filters,)), (cols if keep_cols else None)


def conv_backward(cols, x_shape, kernel, dz, strides, dilation, pads, need_dx=True, need_dkernel=True,
                  has_bias=True, scratch=None):
    """Returns (dx or None, dkernel or None, dbias or None) for `conv_forward`.

    Args:
        cols: the im2col matrix from the forward pass (batch * prod(out), prod(window) * ch).
        x_shape: shape of the forward input.
        dz: gradient w.r.t. z, (batch, *out, filters).
        scratch: the owner whose scratch memory holds the column gradient and dx, or None.
    """
    window, ch, filters = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    out = dz.shape[1:-1]
    taps = math.prod(window) * ch
    dz2 = np.ascontiguousarray(dz).reshape(-1, filters)
    dkernel = dbias = dx = None
    if need_dkernel:
        dkernel = matmul(cols.T, dz2).reshape(kernel.shape)
        if has_bias:
            dbias = column_sums(dz2)
    if need_dx:
        k2 = kernel.reshape(taps, filters).astype(dz2.dtype, copy=False)
        if _is_pointwise(window, strides, pads):
            dx = matmul(dz2, k2.T).reshape(x_shape)
        else:
            pool = pool_of(scratch)
            dcols = matmul(dz2, k2.T, out=empty(pool, "dcols", (dz2.shape[0], taps), dz2.dtype))
            dx = empty(pool, "dx", tuple(x_shape), dz2.dtype)
            col2im(dcols, dx, window, strides, dilation, pads, out)
    return dx, dkernel, dbias


def conv_transpose_forward(x, kernel, strides, dilation, pads, out):
    """Returns (z, x as rows): the transposed convolution (the input gradient of `conv_forward`), no bias.

    Args:
        x: (batch, *spatial, ch); kernel (*window, filters, ch) as Keras stores it.
        strides, dilation, pads: one int per spatial axis, of the matching forward convolution.
        out: the output's spatial sizes.
    """
    window, filters, ch = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    dtype = np.result_type(x.dtype, kernel.dtype)
    x2 = np.ascontiguousarray(x).reshape(-1, ch).astype(dtype, copy=False)
    cols = matmul(x2, kernel.reshape(-1, ch).astype(dtype, copy=False).T)
    z = np.empty((x.shape[0],) + tuple(out) + (filters,), dtype)
    col2im(cols, z, window, strides, dilation, pads, x.shape[1:-1])
    return z, x2


def conv_transpose_backward(x2, x_shape, kernel, dz, strides, dilation, pads, need_dx=True, need_dkernel=True):
    """Returns (dx or None, dkernel or None) for `conv_transpose_forward` (x2: its returned rows)."""
    window, filters, ch = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    dz = np.ascontiguousarray(dz)
    dcols = np.empty((x2.shape[0], math.prod(window) * filters), dz.dtype)
    im2col(dz, dcols, window, strides, dilation, pads, x_shape[1:-1])
    dkernel = matmul(dcols.T, x2).reshape(kernel.shape) if need_dkernel else None
    dx = None
    if need_dx:
        dx = matmul(dcols, kernel.reshape(-1, ch).astype(dz.dtype, copy=False)).reshape(x_shape)
    return dx, dkernel


# ----- conv2d (direct loops, for comparison) -----------------------------------------------------


@parallel_loop
def _direct_forward(x, kernel, z, sh, sw, dh, dw, ph, pw):
    batch, height, width, ch = x.shape
    kh, kw, _, filters = kernel.shape
    _, oh, ow, _ = z.shape
    for n in prange(batch):
        z[n] = 0
        for r in range(oh):
            for c in range(ow):
                for i in range(kh):
                    y = r * sh - ph + i * dh
                    if y < 0 or y >= height:
                        continue
                    for j in range(kw):
                        xx = c * sw - pw + j * dw
                        if xx < 0 or xx >= width:
                            continue
                        for k in range(ch):
                            v = x[n, y, xx, k]
                            for f in range(filters):
                                z[n, r, c, f] += v * kernel[i, j, k, f]


@parallel_loop
def _direct_backward(x, kernel, dz, dx, dk_parts, need_dx, sh, sw, dh, dw, ph, pw):
    batch, height, width, ch = x.shape
    kh, kw, _, filters = kernel.shape
    _, oh, ow, _ = dz.shape
    parts = dk_parts.shape[0]
    for p in prange(parts):
        dk = dk_parts[p]
        dk[:] = 0
        for n in range(p, batch, parts):
            if need_dx:
                dx[n] = 0
            for r in range(oh):
                for c in range(ow):
                    for i in range(kh):
                        y = r * sh - ph + i * dh
                        if y < 0 or y >= height:
                            continue
                        for j in range(kw):
                            xx = c * sw - pw + j * dw
                            if xx < 0 or xx >= width:
                                continue
                            for k in range(ch):
                                v = x[n, y, xx, k]
                                acc = 0.0
                                for f in range(filters):
                                    g = dz[n, r, c, f]
                                    dk[i, j, k, f] += v * g
                                    acc += g * kernel[i, j, k, f]
                                if need_dx:
                                    dx[n, y, xx, k] += acc


def conv2d_direct_forward(x, kernel, bias, strides, dilation, pads, out_hw):
    """Same result as `conv_forward` of a 2-D input (without cols), computed with direct loops."""
    dtype = np.result_type(x.dtype, kernel.dtype)
    z = np.empty((x.shape[0],) + tuple(out_hw) + (kernel.shape[3],), dtype)
    _direct_forward(z.size * kernel.shape[0] * kernel.shape[1] * x.shape[3], np.ascontiguousarray(x, dtype),
                    np.ascontiguousarray(kernel, dtype), z, strides[0], strides[1], dilation[0], dilation[1],
                    pads[0], pads[1])
    if bias is not None:
        rows = z.reshape(-1, z.shape[-1])
        bias_activation(rows, bias, out=rows)
    return z


def conv2d_direct_backward(x, kernel, dz, strides, dilation, pads, need_dx=True, parts=2):
    """Returns (dx or None, dkernel, dbias) with direct loops (per-thread kernel-gradient partial sums)."""
    dtype = dz.dtype
    dx = np.empty(x.shape, dtype) if need_dx else np.empty((1, 1, 1, 1), dtype)
    parts = max(1, min(parts, x.shape[0]))
    dk_parts = np.empty((parts,) + kernel.shape, dtype)
    dz = np.ascontiguousarray(dz)
    _direct_backward(dz.size * kernel.size, np.ascontiguousarray(x, dtype), np.ascontiguousarray(kernel, dtype),
                     dz, dx, dk_parts, need_dx, strides[0], strides[1], dilation[0], dilation[1], pads[0], pads[1])
    return (dx if need_dx else None), dk_parts.sum(axis=0), column_sums(dz.reshape(-1, dz.shape[-1]))


# ----- depthwise -----------------------------------------------------------------------------------


@parallel_loop
def depthwise_forward_kernel(x, kernel, z, sh, sw, dh, dw, ph, pw):
    """z[n, r, c, k * m + q] = sum_ij x[n, r*sh - ph + i*dh, c*sw - pw + j*dw, k] * kernel[i, j, k, q]."""
    batch, height, width, ch = x.shape
    kh, kw, _, mult = kernel.shape
    _, oh, ow, _ = z.shape
    for n in prange(batch):
        z[n] = 0
        for r in range(oh):
            for c in range(ow):
                for i in range(kh):
                    y = r * sh - ph + i * dh
                    if y < 0 or y >= height:
                        continue
                    for j in range(kw):
                        xx = c * sw - pw + j * dw
                        if xx < 0 or xx >= width:
                            continue
                        for k in range(ch):
                            v = x[n, y, xx, k]
                            for q in range(mult):
                                z[n, r, c, k * mult + q] += v * kernel[i, j, k, q]


@parallel_loop
def depthwise_backward_kernel(x, kernel, dz, dx, dk_parts, need_dx, sh, sw, dh, dw, ph, pw):
    batch, height, width, ch = x.shape
    kh, kw, _, mult = kernel.shape
    _, oh, ow, _ = dz.shape
    parts = dk_parts.shape[0]
    for p in prange(parts):
        dk = dk_parts[p]
        dk[:] = 0
        for n in range(p, batch, parts):
            if need_dx:
                dx[n] = 0
            for r in range(oh):
                for c in range(ow):
                    for i in range(kh):
                        y = r * sh - ph + i * dh
                        if y < 0 or y >= height:
                            continue
                        for j in range(kw):
                            xx = c * sw - pw + j * dw
                            if xx < 0 or xx >= width:
                                continue
                            for k in range(ch):
                                v = x[n, y, xx, k]
                                acc = 0.0
                                for q in range(mult):
                                    g = dz[n, r, c, k * mult + q]
                                    dk[i, j, k, q] += v * g
                                    acc += g * kernel[i, j, k, q]
                                if need_dx:
                                    dx[n, y, xx, k] += acc


def depthwise_forward(x, kernel, strides, dilation, pads, out_hw):
    """Depthwise convolution: (batch, h, w, ch) with kernel (kh, kw, ch, mult) -> (batch, oh, ow, ch * mult)."""
    dtype = np.result_type(x.dtype, kernel.dtype)
    z = np.empty((x.shape[0],) + tuple(out_hw) + (kernel.shape[2] * kernel.shape[3],), dtype)
    depthwise_forward_kernel(z.size * kernel.shape[0] * kernel.shape[1], np.ascontiguousarray(x, dtype),
                             np.ascontiguousarray(kernel, dtype), z, strides[0], strides[1], dilation[0],
                             dilation[1], pads[0], pads[1])
    return z


def depthwise_backward(x, kernel, dz, strides, dilation, pads, need_dx=True, need_dkernel=True, parts=4):
    """Returns (dx or None, dkernel or None) of `depthwise_forward`."""
    dtype = dz.dtype
    dx = np.empty(x.shape, dtype) if need_dx else np.empty((1, 1, 1, 1), dtype)
    parts = max(1, min(parts, x.shape[0]))
    dk_parts = np.empty((parts,) + kernel.shape, dtype)
    depthwise_backward_kernel(dz.size * kernel.shape[0] * kernel.shape[1], np.ascontiguousarray(x, dtype),
                              np.ascontiguousarray(kernel, dtype), np.ascontiguousarray(dz), dx, dk_parts,
                              need_dx, strides[0], strides[1], dilation[0], dilation[1], pads[0], pads[1])
    return (dx if need_dx else None), (dk_parts.sum(axis=0) if need_dkernel else None)
