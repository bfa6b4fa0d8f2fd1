"""Recurrent kernels: SimpleRNN, LSTM and GRU forward and backward through time.

Layout is time-major throughout: `xproj` is (T, B, G) and holds `x_t @ kernel + bias` for every step,
computed by the caller as ONE BLAS product over all T*B rows. The loops below run the recurrence over
time in compiled code (one `np.dot` per step for the recurrent product, gates fused elementwise), and keep
what backward-through-time needs. The backward kernels return the pre-activation gate gradients for all
steps, so the caller gets `dkernel = x^T @ dgates`, `drecurrent = h_prev^T @ dgates` and `dx` as single
BLAS products outside the loop.

Masks: `mask` is (T, B) uint8; a step with mask 0 keeps the previous state (h, c) unchanged, and its
gradient passes straight through to the previous step. Recurrent dropout: `rmask` (B, u) multiplies the
previous state before the recurrent product (the same mask at every step, as Keras does).

Activation codes (see ACTIVATION_CODES): 0 tanh, 1 sigmoid, 2 relu, 3 linear, 4 hard_sigmoid (Keras 3:
clip(x / 6 + 1/2, 0, 1)). Derivatives are computed from the activation's output, which is exact for these. Activations are applied block-wise (one
branch per block, then a tight loop). With `fast=True` (float32) tanh and sigmoid use a rational
approximation with no library calls, so the loop vectorizes: tanh(x) ~ x P(x^2) / Q(x^2), the 12th
convergent of Lambert's continued fraction tanh x = x / (1 + x^2 / (3 + x^2 / (5 + ...))), on x clamped to
[-9, 9]; its largest error is 3.3e-7 (a few float32 ulps). sigmoid(x) = (1 + tanh(x / 2)) / 2. float64 uses
the exact library functions (gradient checks and references compare at 1e-12).
"""

import math

import numpy as np

from .compile import jit

ACTIVATION_CODES = {"tanh": 0, "sigmoid": 1, "relu": 2, "linear": 3, "hard_sigmoid": 4}

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
    x = x if x < _CLAMP else _CLAMP
    x = x if x > -_CLAMP else -_CLAMP
    s = x * x
    p = (((((_P6 * s + _P5) * s + _P4) * s + _P3) * s + _P2) * s + _P1) * s + _P0
    q = (((((_Q6 * s + _Q5) * s + _Q4) * s + _Q3) * s + _Q2) * s + _Q1) * s + _Q0
    return x * p / q


@jit
def _activate(code, fast, A, lo, hi):
    """A[:, lo:hi] = activation(A[:, lo:hi]) in place, A 2D (loops over 1D views so they vectorize)."""
    for b in range(A.shape[0]):
        a = A[b, lo:hi]
        n = a.shape[0]
        if code == 0:
            if fast:
                for j in range(n):
                    a[j] = _tanh32(a[j])
            else:
                for j in range(n):
                    a[j] = math.tanh(a[j])
        elif code == 1:
            if fast:
                for j in range(n):
                    a[j] = _HALF + _HALF * _tanh32(_HALF * a[j])
            else:
                for j in range(n):
                    a[j] = _ftz(1.0 / (1.0 + math.exp(-a[j])))  # overflow gives 1 / inf = 0
        elif code == 2:
            for j in range(n):
                v = a[j]
                a[j] = v if v > 0 else 0.0 * v
        elif code == 4:
            for j in range(n):
                v = a[j] * _SIXTH + _HALF
                v = v if v > 0 else 0.0 * v
                a[j] = v if v < 1 else 1.0 + 0.0 * v


@jit
def _scale_by_derivative(code, Y, D, lo, hi):
    """D[:, lo:hi] *= activation'(x) where Y = activation(x), in place (flushing tiny results)."""
    for b in range(D.shape[0]):
        d = D[b, lo:hi]
        y = Y[b, lo:hi]
        n = d.shape[0]
        if code == 0:
            for j in range(n):
                d[j] = _ftz(d[j] * (1 - y[j] * y[j]))
        elif code == 1:
            for j in range(n):
                d[j] = _ftz(d[j] * (y[j] * (1 - y[j])))
        elif code == 2:
            for j in range(n):
                d[j] = d[j] if y[j] > 0 else 0.0 * d[j]
        elif code == 4:
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
    """A[:, lo:lo+n] = R[:, r_lo:r_lo+n]."""
    for b in range(A.shape[0]):
        a = A[b, lo:lo + n]
        r = R[b, r_lo:r_lo + n]
        for j in range(n):
            a[j] = r[j]


@jit
def _keep_masked_rows(mask, t, use_mask, new, old):
    """new[b] = old[b] for every sample b masked at step t."""
    if not use_mask:
        return
    for b in range(new.shape[0]):
        if mask[t, b] == 0:
            n = new[b]
            o = old[b]
            for j in range(n.shape[0]):
                n[j] = o[j]


@jit
def _add_dy(dh, dy_seq, t, has_seq):
    if has_seq:
        _add_block(dh, 0, dy_seq[t], 0, dh.shape[1])


@jit
def _next_dh(dh, back, rmask, use_rmask, mask, t, use_mask, carry_gate, has_carry):
    """dh[b] = back[b] * rmask[b] (+ dh[b] * carry_gate[b, :u]) for unmasked samples; masked ones keep dh."""
    for b in range(dh.shape[0]):
        if use_mask and mask[t, b] == 0:
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


# ----- SimpleRNN ---------------------------------------------------------------------------------------

@jit
def simple_rnn_forward(xproj, U, h0, rmask, use_rmask, mask, use_mask, act, fast, h_seq):
    """h_t = act(xproj_t + (h_{t-1} * rmask) @ U). Fills h_seq (T+1, B, u) with h_seq[0] = h0."""
    T, B, u = xproj.shape
    h_seq[0] = h0
    buffer = np.empty((B, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = h_seq[t]
        h = h_seq[t + 1]
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        _copy_block(h, 0, xproj[t], 0, u)
        _add_block(h, 0, rec, 0, u)
        _activate(act, fast, h, 0, u)
        _keep_masked_rows(mask, t, use_mask, h, hp)


@jit
def simple_rnn_backward(h_seq, U_T, rmask, use_rmask, mask, use_mask, act, dy_seq, has_seq, dh_last):
    """Returns (da (T, B, u) pre-activation gradients, dh0)."""
    T = h_seq.shape[0] - 1
    B, u = dh_last.shape
    da = np.empty((T, B, u), dtype=h_seq.dtype)
    dh = dh_last.copy()
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, has_seq)
        d = da[t]
        _copy_block(d, 0, dh, 0, u)
        if use_mask:
            for b in range(B):
                if mask[t, b] == 0:
                    d[b, :] = 0
        _scale_by_derivative(act, h_seq[t + 1], d, 0, u)
        back = np.dot(d, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, use_mask, dh, False)
    return da, dh


# ----- LSTM --------------------------------------------------------------------------------------------

@jit
def lstm_forward(gates, U, h0, c0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq, c_seq, tc_seq):
    """One LSTM pass over time, gates in Keras order i, f, c, o.

    gates: (T, B, 4u), on entry x_t @ kernel + bias; on exit the activated gates (i, f, c~, o).
    h_seq, c_seq: (T+1, B, u) outputs, index 0 holding h0 and c0. tc_seq: (T, B, u) output, act(c_t).
    """
    T, B, G = gates.shape
    u = G // 4
    h_seq[0] = h0
    c_seq[0] = c0
    buffer = np.empty((B, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = h_seq[t]
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        g = gates[t]
        _add_block(g, 0, rec, 0, G)
        _activate(ract, fast, g, 0, 2 * u)
        _activate(act, fast, g, 2 * u, 3 * u)
        _activate(ract, fast, g, 3 * u, 4 * u)
        cp = c_seq[t]
        c = c_seq[t + 1]
        tc = tc_seq[t]
        h = h_seq[t + 1]
        for b in range(B):
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
        _keep_masked_rows(mask, t, use_mask, c, cp)
        _copy_block(tc, 0, c, 0, u)
        _activate(act, fast, tc, 0, u)
        for b in range(B):
            go = g[b, 3 * u:4 * u]
            tcb = tc[b]
            hb = h[b]
            for j in range(hb.shape[0]):
                hb[j] = _ftz(go[j] * tcb[j])
        _keep_masked_rows(mask, t, use_mask, h, hp)


@jit
def lstm_backward(gates, c_seq, tc_seq, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq, has_seq,
                  dh_last, dc_last):
    """Backward through time for lstm_forward.

    dy_seq: (T, B, u) gradients of h_t from the output sequence (used when has_seq).
    dh_last, dc_last: (B, u) gradients of the final h (last output and/or state) and final c.
    Returns (dgates (T, B, 4u) pre-activation gradients, dh0, dc0).
    """
    T, B, G = gates.shape
    u = G // 4
    dgates = np.empty((T, B, G), dtype=gates.dtype)  # every row is written
    dh = dh_last.copy()
    dc = dc_last.copy()
    dtc = np.empty((B, u), dtype=gates.dtype)
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, has_seq)
        g = gates[t]
        d = dgates[t]
        cp = c_seq[t]
        tc = tc_seq[t]
        for b in range(B):
            go = g[b, 3 * u:4 * u]
            dhb = dh[b]
            dtb = dtc[b]
            for j in range(dtb.shape[0]):
                dtb[j] = dhb[j] * go[j]
        _scale_by_derivative(act, tc, dtc, 0, u)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
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
        _scale_by_derivative(ract, g, d, 0, 2 * u)
        _scale_by_derivative(act, g, d, 2 * u, 3 * u)
        _scale_by_derivative(ract, g, d, 3 * u, 4 * u)
        back = np.dot(d, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, use_mask, dh, False)
    return dgates, dh, dc


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
def _gru_dz_dhh(g, hp, dh, d, mask, t, use_mask, u):
    """d[:, :u] = dh * (hp - h~), d[:, 2u:] = dh * (1 - z), for unmasked samples (output gradients)."""
    for b in range(dh.shape[0]):
        if use_mask and mask[t, b] == 0:
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


@jit
def gru_forward(gates, U, rbias, h0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq, rec_h):
    """GRU with reset_after=True (Keras default), gates z, r, h.

    gates: (T, B, 3u), on entry x_t @ kernel + input_bias; on exit the activated z, r and candidate h~.
    rbias: (3u,) recurrent bias. rec_h: (T, B, u) output, (h_{t-1} @ U_h + rbias_h) kept for backward.
    h_t = z * h_{t-1} + (1 - z) * h~,  h~ = act(x_h + r * rec_h).
    """
    T, B, G = gates.shape
    u = G // 3
    h_seq[0] = h0
    buffer = np.empty((B, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = h_seq[t]
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        for b in range(B):
            rb = rec[b]
            for j in range(rb.shape[0]):
                rb[j] += rbias[j]
        g = gates[t]
        _add_block(g, 0, rec, 0, 2 * u)
        _activate(ract, fast, g, 0, 2 * u)
        rh = rec_h[t]
        _copy_block(rh, 0, rec, 2 * u, u)
        for b in range(B):
            r = g[b, u:2 * u]
            xh = g[b, 2 * u:3 * u]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                xh[j] += r[j] * rhb[j]
        _activate(act, fast, g, 2 * u, 3 * u)
        h = h_seq[t + 1]
        _gru_update(g, hp, h, u)
        _keep_masked_rows(mask, t, use_mask, h, hp)


@jit
def gru_backward(gates, h_seq, rec_h, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq, has_seq,
                 dh_last):
    """Backward through time for gru_forward.

    Returns (dgx (T, B, 3u) gradients of the input projection, dgr (T, B, 3u) gradients of the
    recurrent projection (h_{t-1} @ U + rbias), dh0).
    """
    T, B, G = gates.shape
    u = G // 3
    dgx = np.empty((T, B, G), dtype=gates.dtype)  # every row is written
    dgr = np.empty((T, B, G), dtype=gates.dtype)
    dh = dh_last.copy()
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, has_seq)
        g = gates[t]
        rh = rec_h[t]
        dx = dgx[t]
        dr = dgr[t]
        _gru_dz_dhh(g, h_seq[t], dh, dx, mask, t, use_mask, u)
        _scale_by_derivative(ract, g, dx, 0, u)
        _scale_by_derivative(act, g, dx, 2 * u, 3 * u)
        for b in range(B):
            dah = dx[b, 2 * u:3 * u]
            dr_ = dx[b, u:2 * u]
            r = g[b, u:2 * u]
            drh = dr[b, 2 * u:3 * u]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                dr_[j] = _ftz(dah[j] * rhb[j])
                drh[j] = _ftz(dah[j] * r[j])
        _scale_by_derivative(ract, g, dx, u, 2 * u)
        _copy_block(dr, 0, dx, 0, 2 * u)
        back = np.dot(dr, U_T)
        _next_dh(dh, back, rmask, use_rmask, mask, t, use_mask, g, True)
    return dgx, dgr, dh


@jit
def gru_forward_reset_before(gates, U_zr, U_h, h0, rmask, use_rmask, mask, use_mask, act, ract, fast, h_seq,
                             rh_seq):
    """GRU with reset_after=False: h~ = act(x_h + (r * h_{t-1}) @ U_h). Bias is all on the input side.

    rh_seq: (T, B, u) output, r * (h_{t-1} * rmask) kept for backward.
    """
    T, B, G = gates.shape
    u = G // 3
    h_seq[0] = h0
    buffer = np.empty((B, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = h_seq[t]
        hin = _recurrent_input(hp, rmask, use_rmask, buffer)
        rec = np.dot(hin, U_zr)
        g = gates[t]
        _add_block(g, 0, rec, 0, 2 * u)
        _activate(ract, fast, g, 0, 2 * u)
        rh = rh_seq[t]
        for b in range(B):
            r = g[b, u:2 * u]
            hb = hin[b]
            rhb = rh[b]
            for j in range(rhb.shape[0]):
                rhb[j] = _ftz(r[j] * hb[j])
        rech = np.dot(rh, U_h)
        _add_block(g, 2 * u, rech, 0, u)
        _activate(act, fast, g, 2 * u, 3 * u)
        h = h_seq[t + 1]
        _gru_update(g, hp, h, u)
        _keep_masked_rows(mask, t, use_mask, h, hp)


@jit
def gru_backward_reset_before(gates, h_seq, UzrT, UhT, rmask, use_rmask, mask, use_mask, act, ract, dy_seq,
                              has_seq, dh_last):
    """Backward for gru_forward_reset_before. Returns (dgx (T, B, 3u), dh0).

    dgx holds (daz, dar, dah): the kernel and bias gradients come from it; the recurrent kernel gradient
    is h_in^T @ dgx[..., :2u] (columns z, r) and rh^T @ dgx[..., 2u:] (column block h).
    """
    T, B, G = gates.shape
    u = G // 3
    dgx = np.empty((T, B, G), dtype=gates.dtype)  # every row is written
    dh = dh_last.copy()
    dah_t = np.zeros((B, u), dtype=gates.dtype)
    dzr_t = np.zeros((B, 2 * u), dtype=gates.dtype)
    buffer = np.empty((B, u), dtype=gates.dtype)
    for t in range(T - 1, -1, -1):
        _add_dy(dh, dy_seq, t, has_seq)
        g = gates[t]
        hp = h_seq[t]
        d = dgx[t]
        _gru_dz_dhh(g, hp, dh, d, mask, t, use_mask, u)
        _scale_by_derivative(ract, g, d, 0, u)
        _scale_by_derivative(act, g, d, 2 * u, 3 * u)
        _copy_block(dah_t, 0, d, 2 * u, u)
        drh = np.dot(dah_t, UhT)
        hin = _recurrent_input(hp, rmask, use_rmask, buffer)
        for b in range(B):
            dr_ = d[b, u:2 * u]
            drhb = drh[b]
            hb = hin[b]
            for j in range(dr_.shape[0]):
                dr_[j] = _ftz(drhb[j] * hb[j])
        _scale_by_derivative(ract, g, d, u, 2 * u)
        _copy_block(dzr_t, 0, d, 0, 2 * u)
        back = np.dot(dzr_t, UzrT)
        for b in range(B):
            kb = back[b]
            drhb = drh[b]
            r = g[b, u:2 * u]
            for j in range(kb.shape[0]):
                kb[j] += drhb[j] * r[j]
        _next_dh(dh, back, rmask, use_rmask, mask, t, use_mask, g, True)
    return dgx, dh
