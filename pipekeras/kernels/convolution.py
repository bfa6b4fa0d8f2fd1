"""Convolution kernels (channels_last): im2col + one BLAS product forward, col2im for the input gradient.

Shapes: x (batch, height, width, channels), kernel (kh, kw, channels, filters) as Keras stores it,
output (batch, out_h, out_w, filters). A 1D convolution is a 2D one of height 1.

Geometry: `conv_geometry` gives the output length and the padding before the data for one axis, with
Keras' rules ("valid": no padding; "same": pad_total = max((ceil(n/s) - 1) * s + (k - 1) * d + 1 - n, 0),
pad_before = pad_total // 2; "causal" (1D): pad (k - 1) * d before).

The Numba loops compile on first call (`cache=True`), never at import, and run in parallel over the batch
(each sample writes only its own rows and image, so no two threads write the same memory).

Direct-loop versions (`conv2d_direct_forward`/`conv2d_direct_backward`) are kept for comparison and
tests; on the MNIST convnet shapes im2col + BLAS was faster (see the layer docstring for numbers).
"""

import numpy as np
from numba import prange

from ..runtime.blas import matmul
from ..runtime.buffers import empty
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
    if padding == "causal":
        return length, span - 1
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


@parallel_loop
def im2col(x, cols, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """cols[(n * oh + r) * ow + c, (i * kw + j) * ch + k] = x[n, r * sh - ph + i * dh, c * sw - pw + j * dw, k]
    (zero outside the image)."""
    batch, height, width, ch = x.shape
    zero = x.dtype.type(0)
    for n in prange(batch):
        for r in range(oh):
            for c in range(ow):
                row = (n * oh + r) * ow + c
                for i in range(kh):
                    y = r * sh - ph + i * dh
                    base = i * kw * ch
                    if y < 0 or y >= height:
                        for q in range(kw * ch):
                            cols[row, base + q] = zero
                        continue
                    for j in range(kw):
                        xx = c * sw - pw + j * dw
                        col = base + j * ch
                        if xx < 0 or xx >= width:
                            for k in range(ch):
                                cols[row, col + k] = zero
                        else:
                            for k in range(ch):
                                cols[row, col + k] = x[n, y, xx, k]


@parallel_loop
def col2im(dcols, dx, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
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


def relu_backward(y, g, buffers=None):
    """Returns (dz, dz summed over all axes but the last) for y = relu(z); y and g of the same shape.

    `buffers`: an optional `BufferPool` for dz.
    """
    channels = y.shape[-1]
    g2 = np.ascontiguousarray(g).reshape(-1, channels)
    dz = empty(buffers, "relu_dz", g2.shape, g2.dtype)
    sums = np.empty(channels, g2.dtype)
    relu_grad_rows(np.ascontiguousarray(y).reshape(-1, channels), g2, dz, sums)
    return dz.reshape(y.shape), sums


# ----- conv2d (im2col) ---------------------------------------------------------------------------


def conv2d_forward(x, kernel, bias, strides, dilation, pads, out_hw, buffers=None, keep_cols=True, relu=False):
    """Returns (z, cols): z = conv(x, kernel) + bias of shape (batch, oh, ow, filters) (relu'd if `relu`).

    Args:
        x: (batch, h, w, ch) C-contiguous; kernel (kh, kw, ch, filters); bias (filters,) or None.
        strides, dilation, pads: (rows, cols) pairs; pads are the zero rows/cols added before the data.
        out_hw: (oh, ow) from `conv_geometry`.
        buffers: an optional `BufferPool` for the im2col matrix and z.
        keep_cols: return the im2col matrix (needed for the kernel gradient); else return None for it.
    """
    kh, kw, ch, filters = kernel.shape
    oh, ow = out_hw
    batch = x.shape[0]
    dtype = np.result_type(x.dtype, kernel.dtype)
    x = np.ascontiguousarray(x, dtype=dtype)
    if kh == 1 and kw == 1 and strides == (1, 1) and pads == (0, 0):
        cols = x.reshape(batch * oh * ow, ch)
    else:
        cols = empty(buffers, "cols", (batch * oh * ow, kh * kw * ch), dtype)
        im2col(cols.size, x, cols, kh, kw, strides[0], strides[1], dilation[0], dilation[1], pads[0], pads[1],
               oh, ow)
    z = matmul(cols, kernel.reshape(kh * kw * ch, filters).astype(dtype, copy=False),
               out=empty(buffers, "z", (batch * oh * ow, filters), dtype))
    if bias is not None or relu:
        bias_activation(z, bias, RELU if relu else LINEAR, out=z)
    return z.reshape(batch, oh, ow, filters), (cols if keep_cols else None)


def conv2d_backward(cols, x_shape, kernel, dz, strides, dilation, pads, need_dx=True, need_dkernel=True,
                    has_bias=True, buffers=None):
    """Returns (dx or None, dkernel or None, dbias or None) for `conv2d_forward`.

    Args:
        cols: the im2col matrix from the forward pass (batch * oh * ow, kh * kw * ch).
        x_shape: shape of the forward input.
        dz: gradient w.r.t. z, (batch, oh, ow, filters).
        buffers: an optional `BufferPool` for the column gradient and dx.
    """
    kh, kw, ch, filters = kernel.shape
    batch, oh, ow, _ = dz.shape
    dz2 = np.ascontiguousarray(dz).reshape(batch * oh * ow, filters)
    dkernel = dbias = dx = None
    if need_dkernel:
        dkernel = matmul(cols.T, dz2).reshape(kernel.shape)
        if has_bias:
            dbias = column_sums(dz2)
    if need_dx:
        k2 = kernel.reshape(kh * kw * ch, filters).astype(dz2.dtype, copy=False)
        if kh == 1 and kw == 1 and strides == (1, 1) and pads == (0, 0):
            dx = matmul(dz2, k2.T).reshape(x_shape)
        else:
            dcols = matmul(dz2, k2.T, out=empty(buffers, "dcols", (batch * oh * ow, kh * kw * ch), dz2.dtype))
            dx = empty(buffers, "dx", x_shape, dz2.dtype)
            col2im(dcols.size, dcols, dx, kh, kw, strides[0], strides[1], dilation[0], dilation[1], pads[0],
                   pads[1], oh, ow)
    return dx, dkernel, dbias


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
    """Same result as `conv2d_forward` (without cols), computed with direct loops."""
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
