"""Inference kernels: convolutions in blocks of rows that stay in cache, with the bias and activation fused.

Inference keeps nothing for a backward pass, so a convolution needs no whole im2col matrix: `conv_infer`
fills the columns of one block of output rows at a time (about INFER_BLOCK_BYTES of them with their outputs,
in the core's cache), plus a column of ones, multiplies that block by the kernel with the bias as its last
row (one single-thread gemm adds the bias too) and applies the activation to the block's outputs while they
are still in cache, in one loop over them. Blocks run in parallel over Numba's threads, handed out one at a time
(so a thread slowed down by other work on its core takes fewer), with BLAS on one thread meanwhile: one
pool of threads only. Each block is the same product whichever thread runs it, so results do not depend on
the thread count.

`max_pool_infer` is max pooling without the argmax indices training keeps, its loop over channels
vectorized.
"""

import numba
import numpy as np
from numba import prange

from ..runtime import tuning
from ..runtime.blas_threads import one_blas_thread
from ..runtime.buffers import empty, pool_of
from ..runtime.gemm import gemm
from ..runtime.jit import jit
from ..runtime.threads import parallel_loop
from .activation_table import LINEAR, forward_scalar, is_plain_relu
from .convolution import window_row


@jit(inline="always")
def _columns(x, cols, lo, hi, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow):
    """cols[q - lo] = the window of output row q (im2col's row q), for q in [lo, hi)."""
    per_image = oh * ow
    n, rest = lo // per_image, lo % per_image
    r, c = rest // ow, rest % ow
    for q in range(hi - lo):
        window_row(x, cols[q], n, r, c, kh, kw, sh, sw, dh, dw, ph, pw)
        c += 1
        if c == ow:
            c = 0
            r += 1
            if r == oh:
                r = 0
                n += 1


@jit(inline="always")
def _activate(flat, code, a, b, c):
    """flat = activation(flat) in place, over a contiguous run of outputs (one long loop: vectorizes)."""
    if code == LINEAR:
        return
    if is_plain_relu(code, a, b, c):
        for i in range(flat.size):
            v = flat[i]
            flat[i] = v if not v <= 0 else 0.0  # NaN stays NaN and -inf gives 0, as in the activation layer
    else:
        for i in range(flat.size):
            flat[i] = forward_scalar(flat[i], code, a, b, c)


def _conv_blocks(x, kernel2, z, block, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow, code, a, b, c):
    rows, filters = z.shape
    taps = kh * kw * x.shape[3]
    width = kernel2.shape[0]  # taps, plus a row holding the bias
    flat = z.reshape(-1)
    for q in prange((rows + block - 1) // block):
        lo = q * block
        hi = min(rows, lo + block)
        cols = np.empty((hi - lo, width), x.dtype)
        if width > taps:
            for t in range(hi - lo):
                cols[t, taps] = 1  # times the kernel's bias row: the bias added by the product
        _columns(x, cols, lo, hi, kh, kw, sh, sw, dh, dw, ph, pw, oh, ow)
        gemm(cols, kernel2, z[lo:hi])
        _activate(flat[lo * filters:hi * filters], code, a, b, c)


def _max_pool(x, y, kh, kw, sh, sw, ph, pw):
    batch, height, width, ch = x.shape
    _, oh, ow, _ = y.shape
    for n in prange(batch):
        for r in range(oh):
            start_r = r * sh - ph
            y0, y1 = max(start_r, 0), min(start_r + kh, height)
            for c in range(ow):
                start_c = c * sw - pw
                x0, x1 = max(start_c, 0), min(start_c + kw, width)
                out = y[n, r, c]
                first = x[n, y0, x0]
                for k in range(ch):
                    out[k] = first[k]
                for i in range(y0, y1):
                    for j in range(x0, x1):
                        pixel = x[n, i, j]
                        for k in range(ch):
                            v = pixel[k]
                            out[k] = v if v > out[k] else out[k]  # as training's scan: NaN only where first


conv_blocks = parallel_loop(_conv_blocks)
max_pool_loop = parallel_loop(_max_pool)


def _block_rows(rows, width, itemsize):
    """Rows per block: about INFER_BLOCK_BYTES of rows `width` wide (input and output), at least MIN_INFER_BLOCK."""
    return max(1, min(rows, max(tuning.get("MIN_INFER_BLOCK"), tuning.get("INFER_BLOCK_BYTES") // (width * itemsize))))


def _run_blocks(loop, work, *args):
    """Runs a block loop with BLAS on one thread: its parallel copy (blocks handed out one at a time) from
    PARALLEL_MIN_WORK multiply-adds on several threads, else its serial copy (see `threads.parallel_loop`)."""
    with one_blas_thread(), numba.parallel_chunksize(1):
        loop(work, *args)


def conv_infer(x, kernel, bias, strides, dilation, pads, out, activation=(LINEAR, 0.0, np.inf, 0.0), scratch=None):
    """Returns activation(conv(x, kernel) + bias) for a rank-1 or rank-2 convolution, channels_last.

    Args:
        x: (batch, *spatial, ch) C-contiguous, 1 or 2 spatial axes; kernel (*window, ch, filters); bias
            (filters,) or None.
        strides, dilation, pads: one int per spatial axis; pads are the zeros added before the data.
        out: the output's spatial sizes (`convolution.conv_geometry`).
        activation: (code, a, b, c) of an elementwise activation (compute/activation_table.py).
        scratch: the owner (e.g. the layer) whose scratch memory holds the output, or None for a new array.

    Returns:
        The output (batch, *out, filters).
    """
    window, ch, filters = kernel.shape[:-2], kernel.shape[-2], kernel.shape[-1]
    dtype = np.result_type(x.dtype, kernel.dtype)
    x = np.ascontiguousarray(x, dtype=dtype)
    shape = (x.shape[0],) + tuple(out) + (filters,)
    if x.ndim == 3:  # rank 1 as rank 2 of height 1
        x = x.reshape(x.shape[0], 1, x.shape[1], x.shape[2])
        window, strides, dilation, pads, out = (1,) + tuple(window), (1,) + tuple(strides), \
            (1,) + tuple(dilation), (0,) + tuple(pads), (1,) + tuple(out)
    rows = x.shape[0] * out[0] * out[1]
    taps = window[0] * window[1] * ch
    kernel2 = kernel.reshape(taps, filters).astype(dtype, copy=False)
    if bias is not None:  # the bias as the kernel's last row, against a column of ones
        kernel2 = np.concatenate([kernel2, np.asarray(bias, dtype).reshape(1, filters)])
    kernel2 = np.ascontiguousarray(kernel2)
    result = empty(pool_of(scratch), "infer", (rows, filters), dtype)
    block = _block_rows(rows, taps + filters, dtype.itemsize)
    _run_blocks(conv_blocks, rows * taps * filters, x, kernel2, result, block, *window, *strides, *dilation, *pads, *out,
                *activation)
    return result.reshape(shape)


def max_pool_infer(x, pool, strides, pads, out, scratch=None):
    """Returns the max pooling of x (batch, h, w, ch) or (batch, steps, ch), C-contiguous (no argmax kept).

    Args:
        pool, strides, pads: one int per spatial axis (pads: the positions before the data).
        out: the output's spatial sizes.
        scratch: the owner (e.g. the layer) whose scratch memory holds the output, or None for a new array.
    """
    shape = (x.shape[0],) + tuple(out) + (x.shape[-1],)
    y = empty(pool_of(scratch), "infer", shape, x.dtype)
    if x.ndim == 3:
        x4, y4 = x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]), y.reshape(shape[0], 1, shape[1], shape[2])
        max_pool_loop(x.size, x4, y4, 1, pool[0], 1, strides[0], 0, pads[0])
    else:
        max_pool_loop(x.size, x, y, *pool, *strides, *pads)
    return y
