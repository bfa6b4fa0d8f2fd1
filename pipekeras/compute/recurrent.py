"""Recurrent kernels: SimpleRNN, LSTM and GRU forward and backward through time.

Layout is time-major throughout: `xproj` is (T, B, G) and holds `x_t @ kernel + bias` for every step,
computed by the caller as ONE product over all T*B rows. The loops below run the recurrence over time in
compiled code (one `np.dot` per step for the recurrent product, gates fused elementwise), and keep what
backward-through-time needs. The backward kernels fill the pre-activation gate gradients of all steps, so
the caller gets `dkernel = x^T @ dgates`, `drecurrent = h_prev^T @ dgates` and `dx` as single products
outside the loop.

Every loop runs on the rows lo:hi of the batch (samples are independent) and releases the GIL, so
`run_loop` can run a large batch as chunks on several threads with no waiting between them
(`runtime.threads.split_rows`). The layers' products over all steps (`product`) and bias gradients
(`bias_gradient`) split over the same threads, so that one pool serves the whole layer.

Masks: `mask` is (T, B) uint8; a step with mask 0 keeps the previous state (h, c) unchanged, and its
gradient passes straight through to the previous step. Recurrent dropout: `rmask` (B, u) multiplies the
previous state before the recurrent product (the same mask at every step, as Keras does).

Activations: the codes of compute/activation_table.py. tanh, sigmoid, relu (without options) and
hard_sigmoid have their own block-wise loops here (one branch per block, then a tight loop) and compute their
derivative from the activation's output; every other code runs the table's scalar functions, and its
derivative reads the pre-activation, which the forward kernels then keep in `pre` (shaped as the gates; see
`pre_activations`). With `fast=True` (float32)
tanh and sigmoid use a rational approximation with no library calls, so the loop vectorizes:
tanh(x) ~ x P(x^2) / Q(x^2), the 12th convergent of Lambert's continued fraction
tanh x = x / (1 + x^2 / (3 + x^2 / (5 + ...))), on x clamped to [-9, 9]; its largest error is 3.3e-7 (a few
float32 ulps). sigmoid(x) = (1 + tanh(x / 2)) / 2. float64 uses
the exact library functions (gradient checks and references compare at 1e-12).
"""

import math

import numpy as np
from numba import types
from numba.extending import overload

from ..runtime import tuning
from ..runtime.blas import matmul
from ..runtime.jit import jit
from ..runtime.threads import chunk_count, row_pool, serial, split_chunks, split_sum
from .activation_table import HARD_SIGMOID, LINEAR, RELU, SIGMOID, TANH, derivative_scalar, forward_scalar

# States and gradients below this are set to zero. Vanishing gradients otherwise reach float32's subnormal
# range after a few hundred steps, and subnormal arithmetic makes both these loops and BLAS 10-100x slower.
# The threshold is above sqrt(float32's smallest normal, 1.2e-38), so the product of two kept values (in the
# weight-gradient GEMMs, h^T @ dgates and x^T @ dgates) is still normal; it is far below anything that
# matters for training, in float32 or float64.
FLUSH = 1e-18

_CLAMP = np.float32(9.0)
_HALF = np.float32(0.5)
_SIXTH = np.float32(1.0 / 6.0)
_P0, _P1, _P2, _P3, _P4, _P5, _P6 = (np.float32(c) for c in (
    1.0, 0.14666666666666667, 0.0052173913043478265, 6.625258799171843e-05, 3.2286836253274086e-07,
    5.179706350792634e-10, 1.264885555749117e-13))
_Q0, _Q1, _Q2, _Q3, _Q4, _Q5, _Q6 = (np.float32(c) for c in (
    1.0, 0.48, 0.03188405797101449, 0.0006625258799171842, 5.230467473030402e-06, 1.5193805295658393e-08,
    1.1510458557316966e-11))


@jit
def _ftz(v):
    return v if abs(v) >= FLUSH else 0.0 * v


@jit
def _tanh32(x):
    x = x if not x >= _CLAMP else _CLAMP  # written so that NaN passes (and stays NaN)
    x = x if not x <= -_CLAMP else -_CLAMP
    s = x * x
    p = (((((_P6 * s + _P5) * s + _P4) * s + _P3) * s + _P2) * s + _P1) * s + _P0
    q = (((((_Q6 * s + _Q5) * s + _Q4) * s + _Q3) * s + _Q2) * s + _Q1) * s + _Q0
    return x * p / q


@jit
def needs_pre_activation(code):
    """Whether the derivative of activation `code` reads its input, which the forward kernels then keep."""
    return code != TANH and code != SIGMOID and code != RELU and code != HARD_SIGMOID and code != LINEAR


def pre_activations(shape, dtype, *codes):
    """The `pre` array of the forward kernels for activations `codes`: shaped as the gates when one of them
    needs its input for the derivative, else None (the kernels are then compiled without the table's path)."""
    return np.empty(shape, dtype) if any(needs_pre_activation(code) for code in codes) else None


def _pre_rows(pre, t, lo, hi):
    """pre[t, lo:hi], or None when the pre-activations are not kept (pre is None)."""
    raise TypeError("_pre_rows: compiled code only (its versions are chosen by argument types)")


@overload(_pre_rows, inline="always")
def _pre_rows_typed(pre, t, lo, hi):
    if isinstance(pre, types.NoneType):
        return lambda pre, t, lo, hi: None
    return lambda pre, t, lo, hi: _rows(pre, t, lo, hi)


def _when_kept(pre, value):
    """`value` (an activation's input, kept elsewhere) when the pre-activations are kept, else None."""
    raise TypeError("_when_kept: compiled code only (its versions are chosen by argument types)")


@overload(_when_kept, inline="always")
def _when_kept_typed(pre, value):
    if isinstance(pre, types.NoneType):
        return lambda pre, value: None
    return lambda pre, value: value


@jit
def _activate_by_table(code, A, lo, hi, P):
    """A[:, lo:hi] = activation(A[:, lo:hi]) in place through the activation table, keeping the input in
    P[:, lo:hi]."""
    for b in range(A.shape[0]):
        a = A[b, lo:hi]
        p = P[b, lo:hi]
        for j in range(a.shape[0]):
            v = a[j]
            p[j] = v
            a[j] = forward_scalar(v, code, 0.0, math.inf, 0.0)


@jit
def _scale_by_table_derivative(code, X, Y, D, lo, hi):
    """D[:, lo:hi] *= activation'(X) where Y = activation(X), in place, through the activation table."""
    for b in range(D.shape[0]):
        d = D[b, lo:hi]
        x = X[b, lo:hi]
        y = Y[b, lo:hi]
        for j in range(d.shape[0]):
            d[j] = _ftz(d[j] * derivative_scalar(x[j], y[j], code, 0.0, math.inf, 0.0))


def _activate(code, fast, A, lo, hi, P):
    """A[:, lo:hi] = activation(A[:, lo:hi]) in place, A 2D. P None: every activation of the loop has its own
    fast loop, and the loop is compiled without the table's path (a measurable share of a one-sample step:
    benchmarks/NOTES.md). Else, for a code that `needs_pre_activation`, P[:, lo:hi] = A[:, lo:hi] first."""
    raise TypeError("_activate: compiled code only (its versions are chosen by argument types)")


@overload(_activate, inline="always")
def _activate_typed(code, fast, A, lo, hi, P):
    if isinstance(P, types.NoneType):
        return lambda code, fast, A, lo, hi, P: _activate_fast(code, fast, A, lo, hi)

    def activate(code, fast, A, lo, hi, P):
        if needs_pre_activation(code):
            _activate_by_table(code, A, lo, hi, P)
        else:
            _activate_fast(code, fast, A, lo, hi)
    return activate


@jit
def _activate_fast(code, fast, A, lo, hi):
    """A[:, lo:hi] = activation(A[:, lo:hi]) in place for the codes with their own loops (loops over 1D views
    so they vectorize)."""
    for b in range(A.shape[0]):
        a = A[b, lo:hi]
        n = a.shape[0]
        if code == TANH:
            if fast:
                for j in range(n):
                    a[j] = _tanh32(a[j])
            else:
                for j in range(n):
                    a[j] = math.tanh(a[j])
        elif code == SIGMOID:
            if fast:
                for j in range(n):
                    a[j] = _HALF + _HALF * _tanh32(_HALF * a[j])
            else:
                for j in range(n):
                    a[j] = _ftz(1.0 / (1.0 + math.exp(-a[j])))  # overflow gives 1 / inf = 0
        elif code == RELU:
            for j in range(n):
                v = a[j]
                a[j] = v if not v <= 0 else 0.0  # NaN stays NaN, -inf gives 0
        elif code == HARD_SIGMOID:
            for j in range(n):
                v = a[j] * _SIXTH + _HALF
                v = v if not v <= 0 else 0.0
                a[j] = v if not v >= 1 else 1.0


def _scale_by_derivative(code, X, Y, D, lo, hi):
    """D[:, lo:hi] *= activation'(x) where Y = activation(X), in place (flushing tiny results). X None: the
    code has its own fast loop, which reads only Y (compiled as `_activate`)."""
    raise TypeError("_scale_by_derivative: compiled code only (its versions are chosen by argument types)")


@overload(_scale_by_derivative, inline="always")
def _scale_by_derivative_typed(code, X, Y, D, lo, hi):
    if isinstance(X, types.NoneType):
        return lambda code, X, Y, D, lo, hi: _scale_by_fast_derivative(code, Y, D, lo, hi)

    def scale(code, X, Y, D, lo, hi):
        if needs_pre_activation(code):
            _scale_by_table_derivative(code, X, Y, D, lo, hi)
        else:
            _scale_by_fast_derivative(code, Y, D, lo, hi)
    return scale


@jit
def _scale_by_fast_derivative(code, Y, D, lo, hi):
    """D[:, lo:hi] *= activation'(x) where Y = activation(x), for the codes with their own loops."""
    for b in range(D.shape[0]):
        d = D[b, lo:hi]
        y = Y[b, lo:hi]
        n = d.shape[0]
        if code == TANH:
            for j in range(n):
                d[j] = _ftz(d[j] * (1 - y[j] * y[j]))
        elif code == SIGMOID:
            for j in range(n):
                d[j] = _ftz(d[j] * (y[j] * (1 - y[j])))
        elif code == RELU:
            for j in range(n):
                d[j] = d[j] if y[j] > 0 else 0.0 * d[j]
        elif code == HARD_SIGMOID:
            for j in range(n):
                d[j] = d[j] * _SIXTH if 0 < y[j] < 1 else 0.0 * d[j]


@jit
def _recurrent_input(hp, rmask, use_rmask, buffer):
    """Returns hp, or hp * rmask written into buffer."""
    if not use_rmask:
        return hp
    for b in range(hp.shape[0]):
        h = hp[b]
        m = rmask[b]
        o = buffer[b]
        for j in range(h.shape[0]):
            o[j] = h[j] * m[j]
    return buffer


@jit
def _add_block(A, lo, R, r_lo, n):
    """A[:, lo:lo+n] += R[:, r_lo:r_lo+n]."""
    for b in range(A.shape[0]):
        a = A[b, lo:lo + n]
        r = R[b, r_lo:r_lo + n]
        for j in range(n):
            a[j] += r[j]


@jit
def _copy_block(A, lo, R, r_lo, n):
    """A[:, lo:lo+n] = R[:, r_lo:r_lo+n] (as loops: a slice assignment from an array compiles Numba's shape-error
    message formatting, seconds of cold compile)."""
    for b in range(A.shape[0]):
        a = A[b, lo:lo + n]
        r = R[b, r_lo:r_lo + n]
        for j in range(n):
            a[j] = r[j]


@jit(inline="always")
def _rows(a, t, lo, hi):
    """a[t, lo:hi]; a[t] when that is all rows, which spares a single-thread loop the slice arithmetic
    (~15 µs of a 500-step, one-sample LSTM pass)."""
    return a[t] if hi - lo == a.shape[1] else a[t, lo:hi]


@jit
def _masked(mask, t, lo, b, use_mask):
    """Whether row lo + b is masked at step t."""
    return use_mask and mask[t, lo + b] == 0


@jit
def _keep_masked_rows(mask, t, lo, use_mask, new, old):
    """new[b] = old[b] for every row lo + b masked at step t."""
    if not use_mask:
        return
    for b in range(new.shape[0]):
        if _masked(mask, t, lo, b, use_mask):
            n = new[b]
            o = old[b]
            for j in range(n.shape[0]):
                n[j] = o[j]


@jit
def _add_dy(dh, dy_seq, t, lo, hi, has_seq):
    if has_seq:
        _add_block(dh, 0, _rows(dy_seq, t, lo, hi), 0, dh.shape[1])


@jit
def _next_dh(dh, back, rmask, use_rmask, mask, t, lo, use_mask, carry_gate, has_carry):
    """dh[b] = back[b] * rmask[b] (+ dh[b] * carry_gate[b, :u]) for unmasked rows; masked ones keep dh."""
    for b in range(dh.shape[0]):
        if _masked(mask, t, lo, b, use_mask):
            continue
        d = dh[b]
        k = back[b]
        m = rmask[b] if use_rmask else k
        z = carry_gate[b]
        for j in range(d.shape[0]):
            v = k[j] * m[j] if use_rmask else k[j]
            if has_carry:
                v += d[j] * z[j]
            d[j] = _ftz(v)


# ----- running the loops and products over threads -----------------------------------------------------

def run_over_rows(run, shape):
    """Calls run(lo, hi) over all rows of the batch, split over threads by rows when large; each chunk runs
    with its products unsplit, on one BLAS thread (the loops' per-step products are too small to share; unsplit,
    only when BLAS would thread them: `runtime.threads.split_chunks`).

    Args:
        run: function of (lo, hi) running time loops on those rows of the batch (releasing the GIL).
        shape: (steps, batch, width) of the loops' gates.
    """
    steps, batch, width = shape
    chunks = chunk_count(batch, steps * batch * width)
    # A step's recurrent product has at most batch x width x width multiply-adds; unsplit, the loops take one
    # BLAS thread only when BLAS would run such products on several (a split's chunks always run on one).
    if chunks == 1 and 2.0 * batch * width * width > tuning.get("BLAS_OWN_SINGLE_MAX_FLOPS"):
        with serial():
            run(0, batch)
    else:
        split_chunks(run, batch, chunks)


def run_loop(kernel, shape, *args):
    """Runs a time loop, kernel(lo, hi, *args), over all rows of the batch (see `run_over_rows`)."""
    run_over_rows(lambda lo, hi: kernel(lo, hi, *args), shape)


def product(a, b, bias=None):
    """Returns a @ b (+ bias on every row) for the products over all steps (input projection, weight and
    input gradients), split over the same threads as the loops when large (`runtime.blas.matmul`)."""
    with row_pool():
        return matmul(a, b, bias=bias)


def bias_gradient(dgates):
    """Returns dgates.sum(axis=0) for the (steps * batch, width) gate gradients; when large, split over
    threads by blocks of rows added in a fixed order (so it differs from the unsplit sum by rounding)."""
    # A sum costs ~1/8 of what a loop's gate element does.
    chunks = chunk_count(dgates.shape[0], dgates.size // 8)
    if chunks == 1:
        return dgates.sum(axis=0)
    return split_sum(lambda lo, hi: dgates[lo:hi].sum(axis=0), dgates.shape[0], chunks)


def inference_block_steps(batch, width, itemsize):
    """Steps per block of blocked inference: the block's input projections (steps x batch x width values of
    `itemsize` bytes) take about RECURRENT_INFERENCE_BLOCK_BYTES, so its arrays stay in cache and are
    recycled by the allocator instead of being fresh pages."""
    return max(1, tuning.get("RECURRENT_INFERENCE_BLOCK_BYTES") // (batch * width * itemsize))


# ----- SimpleRNN ---------------------------------------------------------------------------------------

@jit(nogil=True)
def simple_rnn_forward(lo, hi, xproj, U, h0, rmask, use_rmask, mask, use_mask, act, fast, h_seq, pre):
    """h_t = act(xproj_t + (h_{t-1} * rmask) @ U) for rows lo:hi. Fills h_seq (T+1, B, u), h_seq[0] = h0, and
    `pre` (T, B, u) with the pre-activations when `needs_pre_activation(act)`."""
    T, _, u = xproj.shape
    rmask = rmask[lo:hi]
    _copy_block(h_seq[0, lo:hi], 0, h0[lo:hi], 0, h0.shape[1])
    buffer = np.empty((hi - lo, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = _rows(h_seq, t, lo, hi)
        h = _rows(h_seq, t + 1, lo, hi)
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        _copy_block(h, 0, _rows(xproj, t, lo, hi), 0, u)
        _add_block(h, 0, rec, 0, u)
        _activate(act, fast, h, 0, u, _pre_rows(pre, t, lo, hi))
        _keep_masked_rows(mask, t, lo, use_mask, h, hp)


@jit(nogil=True)
def simple_rnn_backward(lo, hi, h_seq, pre, U_T, rmask, use_rmask, mask, use_mask, act, dy_seq, has_seq, da, dh):
    """Backward through time for simple_rnn_forward, rows lo:hi.

    Fills da (T, B, u) with the pre-activation gradients. dh (B, u): on entry the gradient of the final h,
    on exit that of h0.
    """
    T = h_seq.shape[0] - 1
    u = dh.shape[1]
    rmask = rmask[lo:hi]
    dh = dh[lo:hi]
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, lo, hi, has_seq)
        d = _rows(da, t, lo, hi)
        _copy_block(d, 0, dh, 0, u)
        for b in range(hi - lo):
            if _masked(mask, t, lo, b, use_mask):
                d[b, :] = 0
        h = _rows(h_seq, t + 1, lo, hi)
        _scale_by_derivative(act, _pre_rows(pre, t, lo, hi), h, d, 0, u)
        back = np.dot(d, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, lo, use_mask, dh, False)


# ----- LSTM --------------------------------------------------------------------------------------------

@jit(nogil=True)
def lstm_forward(lo, hi, gates, U, h0, c0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq, c_seq,
                 tc_seq, pre):
    """One LSTM pass over time for rows lo:hi, gates in Keras order i, f, c, o.

    gates: (T, B, 4u), on entry x_t @ kernel + bias; on exit the activated gates (i, f, c~, o).
    h_seq, c_seq: (T+1, B, u) outputs, index 0 holding h0 and c0. tc_seq: (T, B, u) output, act(c_t).
    pre: (T, B, 4u) output, the gates' pre-activations (only when `needs_pre_activation(act or ract)`).
    """
    T, _, G = gates.shape
    u = G // 4
    rmask = rmask[lo:hi]
    _copy_block(h_seq[0, lo:hi], 0, h0[lo:hi], 0, h0.shape[1])
    _copy_block(c_seq[0, lo:hi], 0, c0[lo:hi], 0, c0.shape[1])
    buffer = np.empty((hi - lo, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = _rows(h_seq, t, lo, hi)
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        _add_block(g, 0, rec, 0, G)
        _activate(ract, fast, g, 0, 2 * u, p)
        _activate(act, fast, g, 2 * u, 3 * u, p)
        _activate(ract, fast, g, 3 * u, 4 * u, p)
        cp = _rows(c_seq, t, lo, hi)
        c = _rows(c_seq, t + 1, lo, hi)
        tc = _rows(tc_seq, t, lo, hi)
        h = _rows(h_seq, t + 1, lo, hi)
        for b in range(hi - lo):
            gi = g[b, 0:u]
            gf = g[b, u:2 * u]
            gc = g[b, 2 * u:3 * u]
            cpb = cp[b]
            cb = c[b]
            tcb = tc[b]
            for j in range(cb.shape[0]):
                v = _ftz(gf[j] * cpb[j] + gi[j] * gc[j])
                cb[j] = v
                tcb[j] = v
        _keep_masked_rows(mask, t, lo, use_mask, c, cp)
        _copy_block(tc, 0, c, 0, u)
        _activate(act, fast, tc, 0, u, _when_kept(pre, c))  # c already holds act's input
        for b in range(hi - lo):
            go = g[b, 3 * u:4 * u]
            tcb = tc[b]
            hb = h[b]
            for j in range(hb.shape[0]):
                hb[j] = _ftz(go[j] * tcb[j])
        _keep_masked_rows(mask, t, lo, use_mask, h, hp)


@jit(nogil=True)
def lstm_backward(lo, hi, gates, c_seq, tc_seq, pre, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq,
                  has_seq, dgates, dh, dc):
    """Backward through time for lstm_forward, rows lo:hi.

    dy_seq: (T, B, u) gradients of h_t from the output sequence (used when has_seq).
    dgates: (T, B, 4u) output, the pre-activation gate gradients.
    dh, dc: (B, u), on entry the gradients of the final h (last output and/or state) and final c; on exit
    those of h0 and c0.
    """
    T, _, G = gates.shape
    u = G // 4
    rmask = rmask[lo:hi]
    dh = dh[lo:hi]
    dc = dc[lo:hi]
    dtc = np.empty((hi - lo, u), dtype=gates.dtype)
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, lo, hi, has_seq)
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        d = _rows(dgates, t, lo, hi)
        cp = _rows(c_seq, t, lo, hi)
        tc = _rows(tc_seq, t, lo, hi)
        for b in range(hi - lo):
            go = g[b, 3 * u:4 * u]
            dhb = dh[b]
            dtb = dtc[b]
            for j in range(dtb.shape[0]):
                dtb[j] = dhb[j] * go[j]
        _scale_by_derivative(act, _when_kept(pre, _rows(c_seq, t + 1, lo, hi)), tc, dtc, 0, u)
        for b in range(hi - lo):
            if _masked(mask, t, lo, b, use_mask):
                d[b, :] = 0
                continue
            gi = g[b, 0:u]
            gf = g[b, u:2 * u]
            gc = g[b, 2 * u:3 * u]
            di = d[b, 0:u]
            df = d[b, u:2 * u]
            dcc = d[b, 2 * u:3 * u]
            do = d[b, 3 * u:4 * u]
            dcb = dc[b]
            dhb = dh[b]
            dtb = dtc[b]
            cpb = cp[b]
            tcb = tc[b]
            for j in range(dcb.shape[0]):
                dcj = dcb[j] + dtb[j]
                di[j] = _ftz(dcj * gc[j])
                df[j] = _ftz(dcj * cpb[j])
                dcc[j] = _ftz(dcj * gi[j])
                do[j] = _ftz(dhb[j] * tcb[j])
                dcb[j] = _ftz(dcj * gf[j])
        _scale_by_derivative(ract, p, g, d, 0, 2 * u)
        _scale_by_derivative(act, p, g, d, 2 * u, 3 * u)
        _scale_by_derivative(ract, p, g, d, 3 * u, 4 * u)
        back = np.dot(d, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, lo, use_mask, dh, False)


# ----- GRU ---------------------------------------------------------------------------------------------

@jit
def _gru_update(g, hp, h, u):
    """h = z * hp + (1 - z) * h~ with z = g[:, :u], h~ = g[:, 2u:]."""
    for b in range(h.shape[0]):
        z = g[b, 0:u]
        hh = g[b, 2 * u:3 * u]
        hpb = hp[b]
        hb = h[b]
        for j in range(hb.shape[0]):
            hb[j] = _ftz(z[j] * hpb[j] + (1 - z[j]) * hh[j])


@jit
def _gru_dz_dhh(g, hp, dh, d, mask, t, lo, use_mask, u):
    """d[:, :u] = dh * (hp - h~), d[:, 2u:] = dh * (1 - z), for unmasked rows (output gradients)."""
    for b in range(dh.shape[0]):
        if _masked(mask, t, lo, b, use_mask):
            d[b, :] = 0
            continue
        z = g[b, 0:u]
        hh = g[b, 2 * u:3 * u]
        dz = d[b, 0:u]
        dhh = d[b, 2 * u:3 * u]
        hpb = hp[b]
        dhb = dh[b]
        for j in range(dhb.shape[0]):
            dz[j] = _ftz(dhb[j] * (hpb[j] - hh[j]))
            dhh[j] = _ftz(dhb[j] * (1 - z[j]))


@jit(nogil=True)
def gru_forward(lo, hi, gates, U, rbias, h0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq, rec_h, pre):
    """GRU with reset_after=True (Keras default), gates z, r, h, for rows lo:hi.

    gates: (T, B, 3u), on entry x_t @ kernel + input_bias; on exit the activated z, r and candidate h~.
    rbias: (3u,) recurrent bias. rec_h: (T, B, u) output, (h_{t-1} @ U_h + rbias_h) kept for backward.
    pre: (T, B, 3u) output, the gates' pre-activations (only when `needs_pre_activation(act or ract)`).
    h_t = z * h_{t-1} + (1 - z) * h~,  h~ = act(x_h + r * rec_h).
    """
    T, _, G = gates.shape
    u = G // 3
    rmask = rmask[lo:hi]
    _copy_block(h_seq[0, lo:hi], 0, h0[lo:hi], 0, h0.shape[1])
    buffer = np.empty((hi - lo, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = _rows(h_seq, t, lo, hi)
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        for b in range(hi - lo):
            rb = rec[b]
            for j in range(rb.shape[0]):
                rb[j] += rbias[j]
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        _add_block(g, 0, rec, 0, 2 * u)
        _activate(ract, fast, g, 0, 2 * u, p)
        rh = _rows(rec_h, t, lo, hi)
        _copy_block(rh, 0, rec, 2 * u, u)
        for b in range(hi - lo):
            r = g[b, u:2 * u]
            xh = g[b, 2 * u:3 * u]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                xh[j] += r[j] * rhb[j]
        _activate(act, fast, g, 2 * u, 3 * u, p)
        h = _rows(h_seq, t + 1, lo, hi)
        _gru_update(g, hp, h, u)
        _keep_masked_rows(mask, t, lo, use_mask, h, hp)


@jit(nogil=True)
def gru_backward(lo, hi, gates, h_seq, rec_h, pre, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq,
                 has_seq, dgx, dgr, dh):
    """Backward through time for gru_forward, rows lo:hi.

    dgx, dgr: (T, B, 3u) outputs, the gradients of the input projection and of the recurrent projection
    (h_{t-1} @ U + rbias). dh (B, u): on entry the gradient of the final h, on exit that of h0.
    """
    T, _, G = gates.shape
    u = G // 3
    rmask = rmask[lo:hi]
    dh = dh[lo:hi]
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, lo, hi, has_seq)
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        rh = _rows(rec_h, t, lo, hi)
        dx = _rows(dgx, t, lo, hi)
        dr = _rows(dgr, t, lo, hi)
        _gru_dz_dhh(g, _rows(h_seq, t, lo, hi), dh, dx, mask, t, lo, use_mask, u)
        _scale_by_derivative(ract, p, g, dx, 0, u)
        _scale_by_derivative(act, p, g, dx, 2 * u, 3 * u)
        for b in range(hi - lo):
            dah = dx[b, 2 * u:3 * u]
            dr_ = dx[b, u:2 * u]
            r = g[b, u:2 * u]
            drh = dr[b, 2 * u:3 * u]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                dr_[j] = _ftz(dah[j] * rhb[j])
                drh[j] = _ftz(dah[j] * r[j])
        _scale_by_derivative(ract, p, g, dx, u, 2 * u)
        _copy_block(dr, 0, dx, 0, 2 * u)
        back = np.dot(dr, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, lo, use_mask, g, True)


@jit(nogil=True)
def gru_forward_reset_before(lo, hi, gates, U_zr, U_h, h0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq,
                             rh_seq, pre):
    """GRU with reset_after=False, rows lo:hi: h~ = act(x_h + (r * h_{t-1}) @ U_h). Bias is all on the input side.

    rh_seq: (T, B, u) output, r * (h_{t-1} * rmask) kept for backward. pre: as in `gru_forward`.
    """
    T, _, G = gates.shape
    u = G // 3
    rmask = rmask[lo:hi]
    _copy_block(h_seq[0, lo:hi], 0, h0[lo:hi], 0, h0.shape[1])
    buffer = np.empty((hi - lo, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = _rows(h_seq, t, lo, hi)
        hin = _recurrent_input(hp, rmask, use_rmask, buffer)
        rec = np.dot(hin, U_zr)
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        _add_block(g, 0, rec, 0, 2 * u)
        _activate(ract, fast, g, 0, 2 * u, p)
        rh = _rows(rh_seq, t, lo, hi)
        for b in range(hi - lo):
            r = g[b, u:2 * u]
            hb = hin[b]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                rhb[j] = _ftz(r[j] * hb[j])
        rech = np.dot(rh, U_h)
        _add_block(g, 2 * u, rech, 0, u)
        _activate(act, fast, g, 2 * u, 3 * u, p)
        h = _rows(h_seq, t + 1, lo, hi)
        _gru_update(g, hp, h, u)
        _keep_masked_rows(mask, t, lo, use_mask, h, hp)


@jit(nogil=True)
def gru_backward_reset_before(lo, hi, gates, h_seq, pre, UzrT, UhT, rmask, use_rmask, mask, use_mask, act, ract,
                              dy_seq, has_seq, dgx, dh):
    """Backward for gru_forward_reset_before, rows lo:hi.

    dgx: (T, B, 3u) output, (daz, dar, dah): the kernel and bias gradients come from it; the recurrent kernel
    gradient is h_in^T @ dgx[..., :2u] (columns z, r) and rh^T @ dgx[..., 2u:] (column block h).
    dh (B, u): on entry the gradient of the final h, on exit that of h0.
    """
    T, _, G = gates.shape
    u = G // 3
    rmask = rmask[lo:hi]
    dh = dh[lo:hi]
    dah_t = np.zeros((hi - lo, u), dtype=gates.dtype)
    dzr_t = np.zeros((hi - lo, 2 * u), dtype=gates.dtype)
    buffer = np.empty((hi - lo, u), dtype=gates.dtype)
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, lo, hi, has_seq)
        g = _rows(gates, t, lo, hi)
        p = _pre_rows(pre, t, lo, hi)
        hp = _rows(h_seq, t, lo, hi)
        d = _rows(dgx, t, lo, hi)
        _gru_dz_dhh(g, hp, dh, d, mask, t, lo, use_mask, u)
        _scale_by_derivative(ract, p, g, d, 0, u)
        _scale_by_derivative(act, p, g, d, 2 * u, 3 * u)
        _copy_block(dah_t, 0, d, 2 * u, u)
        drh = np.dot(dah_t, UhT)
        hin = _recurrent_input(hp, rmask, use_rmask, buffer)
        for b in range(hi - lo):
            dr_ = d[b, u:2 * u]
            drhb = drh[b]
            hb = hin[b]
            for j in range(dr_.shape[0]):
                dr_[j] = _ftz(drhb[j] * hb[j])
        _scale_by_derivative(ract, p, g, d, u, 2 * u)
        _copy_block(dzr_t, 0, d, 0, 2 * u)
        back = np.dot(dzr_t, UzrT)
        for b in range(hi - lo):
            kb = back[b]
            drhb = drh[b]
            r = g[b, u:2 * u]
            for j in range(kb.shape[0]):
                kb[j] += drhb[j] * r[j]
        _next_dh(dh, back, rmask, use_rmask, mask, t, lo, use_mask, g, True)
