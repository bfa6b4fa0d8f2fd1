"""Attention kernels: the fused masked softmax over the last axis of attention scores, forward and backward.

Scores are laid out as (groups, queries, keys), C-contiguous: `groups` is batch x heads for multi-head
attention (batch for single-head attention). A boolean mask of shape (mask_groups, queries, keys) is shared by
`groups // mask_groups` consecutive groups (the heads of one sample); an empty mask means none. `causal`
masks key j for query i when j > i (Keras's lower-triangular causal mask). Masked scores are set to -1e9
(`MASK_REPLACE`, Keras's Softmax layer, used by MultiHeadAttention) or lowered by 1e9 (`MASK_SUBTRACT`,
Keras's Attention layers), so a row whose keys are all masked gets the softmax Keras gives it rather than NaN.

Each row is a single pass for its maximum, one for the exponentials and their sum, one to scale; backward is
dS = P * (dP - sum(dP * P)) per row, with masked entries of a replaced row given no gradient.
"""

import numpy as np
from numba import prange

from ..runtime import tuning
from ..runtime.blas_threads import one_blas_thread
from ..runtime.jit import jit
from ..runtime.threads import parallel_loop

MASK_REPLACE = 0
MASK_SUBTRACT = 1
LARGE = 1e9


# exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 in two parts), exp(r) a degree-7 polynomial
# (Cephes' expf, ~1 ulp); below UNDERFLOW, 0. Loops of it vectorize, where libm's expf is called per element.
LOG2E = np.float32(1.44269504088896341)
LN2_HIGH, LN2_LOW = np.float32(0.693359375), np.float32(-2.12194440e-4)
EXP_POLY = tuple(np.float32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                                          1.6666665459e-1, 5.0000001201e-1))
UNDERFLOW = np.float32(-87.0)
ZERO_POWER = -127  # marks an exponential that underflows to 0


@jit(inline="always")
def _exp_shifted(dest, bits, powers, top):
    """dest = exp(dest - top) for a float32 row (bits: the same row seen as int32; powers: int32 scratch).
    The first loop leaves exp(r) in dest and n in powers; the second adds n to the exponent bits."""
    one = np.float32(1)
    c0, c1, c2, c3, c4, c5 = EXP_POLY
    for j in range(dest.size):
        x = dest[j] - top
        n = np.floor(x * LOG2E + np.float32(0.5))
        r = x - n * LN2_HIGH - n * LN2_LOW
        dest[j] = (((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5) * r * r + r + one
        powers[j] = ZERO_POWER if x < UNDERFLOW else np.int32(n)  # NaN: any n, the NaN bits stay NaN
    for j in range(dest.size):
        bits[j] = 0 if powers[j] == ZERO_POWER else bits[j] + (powers[j] << 23)


@parallel_loop
def _softmax_rows(scores, mask, causal, mode, out):
    groups, queries, keys = scores.shape
    shared = groups // mask.shape[0] if mask.shape[0] > 0 else 1
    has_mask = mask.shape[0] > 0
    single = out.itemsize == 4
    for g in prange(groups):
        mg = g // shared
        powers = np.empty(keys if single else 0, np.int32)
        for i in range(queries):
            row = scores[g, i]
            dest = out[g, i]
            top = -np.inf
            for j in range(keys):
                v = row[j]
                if (has_mask and not mask[mg, i, j]) or (causal and j > i):
                    v = v - LARGE if mode == 1 else -LARGE
                dest[j] = v
                if v > top:
                    top = v
            if single:
                _exp_shifted(dest, dest.view(np.int32), powers, dest.dtype.type(top))
            else:
                for j in range(keys):
                    dest[j] = np.exp(dest[j] - top)
            total0 = total1 = total2 = total3 = 0.0  # four sums: one chain of additions would wait on each
            j = 0
            while j + 4 <= keys:
                total0 += dest[j]
                total1 += dest[j + 1]
                total2 += dest[j + 2]
                total3 += dest[j + 3]
                j += 4
            while j < keys:
                total0 += dest[j]
                j += 1
            inv = 1.0 / ((total0 + total1) + (total2 + total3))
            for j in range(keys):
                dest[j] = dest[j] * inv


@parallel_loop
def _softmax_rows_backward(probs, grad, mask, causal, mode, out):
    groups, queries, keys = probs.shape
    shared = groups // mask.shape[0] if mask.shape[0] > 0 else 1
    has_mask = mask.shape[0] > 0
    for g in prange(groups):
        mg = g // shared
        for i in range(queries):
            p = probs[g, i]
            d = grad[g, i]
            dest = out[g, i]
            dot = 0.0
            for j in range(keys):
                dot += p[j] * d[j]
            for j in range(keys):
                value = p[j] * (d[j] - dot)
                if mode == 0 and ((has_mask and not mask[mg, i, j]) or (causal and j > i)):
                    value = 0.0
                dest[j] = value


def _mask_array(mask, scores):
    if mask is None:
        return np.zeros((0, 1, 1), dtype=np.bool_)
    return np.ascontiguousarray(mask, dtype=np.bool_)


def masked_softmax(scores, mask=None, causal=False, mode=MASK_REPLACE):
    """Softmax over the last axis of (groups, queries, keys) scores, masked positions excluded.

    Args:
        scores: C-contiguous float array (groups, queries, keys).
        mask: None or a boolean array (mask_groups, queries, keys), mask_groups dividing groups; True keeps.
        causal: also mask keys after the query's position.
        mode: MASK_REPLACE (masked scores become -1e9) or MASK_SUBTRACT (masked scores are lowered by 1e9).

    Returns:
        The probabilities, an array of the scores' shape and dtype.
    """
    scores = np.ascontiguousarray(scores)
    out = np.empty_like(scores)
    _softmax_rows(scores.size, scores, _mask_array(mask, scores), bool(causal), int(mode), out)
    return out


def masked_softmax_backward(probs, grad, mask=None, causal=False, mode=MASK_REPLACE):
    """The gradient of the scores from the gradient of `masked_softmax`'s probabilities `probs`.

    Args:
        probs: what `masked_softmax` returned.
        grad: the gradient of the probabilities, same shape.
        mask, causal, mode: as given to `masked_softmax`.

    Returns:
        The gradient of the scores.
    """
    probs = np.ascontiguousarray(probs)
    grad = np.ascontiguousarray(grad, dtype=probs.dtype)
    out = np.empty_like(probs)
    _softmax_rows_backward(probs.size, probs, grad, _mask_array(mask, probs), bool(causal), int(mode), out)
    return out


def batched_product(a, b, transpose_a=False, transpose_b=False):
    """a @ b over a stack of matrices (leading axes alike): one BLAS product per matrix, through NumPy.

    Products of one matrix below `tuning`'s BLAS_THREADED_MIN_FLOPS (attention's usually are) run on one BLAS
    thread: waking BLAS's threads for each matrix of the stack costs more than they save, and outside a
    training step (predict, evaluate) they would wait for Numba's spinning threads after every product.

    Args:
        a, b: arrays (..., m, k) and (..., k, n), or their transposes as flagged.
        transpose_a, transpose_b: use the transpose of the last two axes.

    Returns:
        The stack of products, C-contiguous.
    """
    a = np.swapaxes(a, -1, -2) if transpose_a else a
    b = np.swapaxes(b, -1, -2) if transpose_b else b
    if 2.0 * a.shape[-2] * a.shape[-1] * b.shape[-1] >= tuning.get("BLAS_THREADED_MIN_FLOPS"):
        return np.ascontiguousarray(np.matmul(a, b))
    with one_blas_thread():
        return np.ascontiguousarray(np.matmul(a, b))
