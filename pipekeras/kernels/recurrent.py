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

Activation codes (see ACTIVATION_CODES): 0 tanh, 1 sigmoid, 2 relu, 3 linear. Derivatives are computed
from the activation's output, which is exact for these four.
"""

import math

import numpy as np
from numba import njit

ACTIVATION_CODES = {"tanh": 0, "sigmoid": 1, "relu": 2, "linear": 3}

# Values below this are set to zero. Vanishing gradients otherwise reach float32's subnormal range after a
# few hundred steps, and subnormal arithmetic makes both these loops and BLAS 5-10x slower. 1e-30 is far
# below anything that matters for training and above float32's smallest normal (1.2e-38).
FLUSH = 1e-30


@njit(cache=True)
def _ftz(v):
    return v if abs(v) >= FLUSH else 0.0 * v


@njit(cache=True)
def _act(code, x):
    if code == 0:
        return math.tanh(x)
    if code == 1:
        return _ftz(1.0 / (1.0 + math.exp(-x)))  # exp overflow gives 1 / inf = 0, no NaN
    if code == 2:
        return x if x > 0.0 else 0.0
    return x


@njit(cache=True)
def _dact(code, y):
    """Derivative of the activation, expressed through its output y."""
    if code == 0:
        return 1.0 - y * y
    if code == 1:
        return y * (1.0 - y)
    if code == 2:
        return 1.0 if y > 0.0 else 0.0
    return 1.0


@njit(cache=True)
def _recurrent_input(hp, rmask, use_rmask, buffer):
    """Returns hp, or hp * rmask written into buffer."""
    if not use_rmask:
        return hp
    B, u = hp.shape
    for b in range(B):
        for j in range(u):
            buffer[b, j] = hp[b, j] * rmask[b, j]
    return buffer


# ----- SimpleRNN ---------------------------------------------------------------------------------------

@njit(cache=True)
def simple_rnn_forward(xproj, U, h0, rmask, use_rmask, mask, use_mask, act, h_seq):
    """h_t = act(xproj_t + (h_{t-1} * rmask) @ U). Fills h_seq (T+1, B, u) with h_seq[0] = h0."""
    T, B, u = xproj.shape
    h_seq[0] = h0
    buffer = np.empty((B, u), dtype=h_seq.dtype)
    for t in range(T):
        hp = h_seq[t]
        rec = np.dot(_recurrent_input(hp, rmask, use_rmask, buffer), U)
        a = xproj[t]
        h = h_seq[t + 1]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(u):
                    h[b, j] = hp[b, j]
                continue
            for j in range(u):
                h[b, j] = _ftz(_act(act, a[b, j] + rec[b, j]))


@njit(cache=True)
def simple_rnn_backward(h_seq, U_T, rmask, use_rmask, mask, use_mask, act, dy_seq, has_seq, dh_last):
    """Returns (da (T, B, u) pre-activation gradients, dh0)."""
    T = h_seq.shape[0] - 1
    B, u = dh_last.shape
    da = np.zeros((T, B, u), dtype=h_seq.dtype)
    dh = dh_last.copy()
    for t in range(T - 1, -1, -1):
        if has_seq:
            dh += dy_seq[t]
        h = h_seq[t + 1]
        d = da[t]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                d[b, j] = _ftz(dh[b, j] * _dact(act, h[b, j]))
        back = np.dot(d, U_T)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                dh[b, j] = _ftz(back[b, j] * rmask[b, j] if use_rmask else back[b, j])
    return da, dh


# ----- LSTM --------------------------------------------------------------------------------------------

@njit(cache=True)
def lstm_forward(gates, U, h0, c0, rmask, use_rmask, mask, use_mask, act, ract, h_seq, c_seq):
    """One LSTM pass over time, gates in Keras order i, f, c, o.

    gates: (T, B, 4u), on entry x_t @ kernel + bias; on exit the activated gates (i, f, c~, o).
    h_seq, c_seq: (T+1, B, u) outputs, index 0 holding h0 and c0.
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
        cp = c_seq[t]
        c = c_seq[t + 1]
        h = h_seq[t + 1]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(u):
                    h[b, j] = hp[b, j]
                    c[b, j] = cp[b, j]
                continue
            for j in range(u):
                i = _act(ract, g[b, j] + rec[b, j])
                f = _act(ract, g[b, u + j] + rec[b, u + j])
                cc = _act(act, g[b, 2 * u + j] + rec[b, 2 * u + j])
                o = _act(ract, g[b, 3 * u + j] + rec[b, 3 * u + j])
                cn = f * cp[b, j] + i * cc
                g[b, j] = i
                g[b, u + j] = f
                g[b, 2 * u + j] = cc
                g[b, 3 * u + j] = o
                c[b, j] = _ftz(cn)
                h[b, j] = _ftz(o * _act(act, cn))


@njit(cache=True)
def lstm_backward(gates, c_seq, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq, has_seq,
                  dh_last, dc_last):
    """Backward through time for lstm_forward.

    dy_seq: (T, B, u) gradients of h_t from the output sequence (used when has_seq).
    dh_last, dc_last: (B, u) gradients of the final h (last output and/or state) and final c.
    Returns (dgates (T, B, 4u) pre-activation gradients, dh0, dc0).
    """
    T, B, G = gates.shape
    u = G // 4
    dgates = np.zeros((T, B, G), dtype=gates.dtype)
    dh = dh_last.copy()
    dc = dc_last.copy()
    for t in range(T - 1, -1, -1):
        if has_seq:
            dh += dy_seq[t]
        g = gates[t]
        d = dgates[t]
        cp = c_seq[t]
        c = c_seq[t + 1]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                i = g[b, j]
                f = g[b, u + j]
                cc = g[b, 2 * u + j]
                o = g[b, 3 * u + j]
                tc = _act(act, c[b, j])
                dhj = dh[b, j]
                dcj = dc[b, j] + dhj * o * _dact(act, tc)
                d[b, j] = _ftz(dcj * cc * _dact(ract, i))
                d[b, u + j] = _ftz(dcj * cp[b, j] * _dact(ract, f))
                d[b, 2 * u + j] = _ftz(dcj * i * _dact(act, cc))
                d[b, 3 * u + j] = _ftz(dhj * tc * _dact(ract, o))
                dc[b, j] = _ftz(dcj * f)
        back = np.dot(d, U_T)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                dh[b, j] = _ftz(back[b, j] * rmask[b, j] if use_rmask else back[b, j])
    return dgates, dh, dc


# ----- GRU ---------------------------------------------------------------------------------------------

@njit(cache=True)
def gru_forward(gates, U, rbias, h0, rmask, use_rmask, mask, use_mask, act, ract, h_seq, rec_h):
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
        g = gates[t]
        h = h_seq[t + 1]
        rh = rec_h[t]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(u):
                    h[b, j] = hp[b, j]
                continue
            for j in range(u):
                z = _act(ract, g[b, j] + rec[b, j] + rbias[j])
                r = _act(ract, g[b, u + j] + rec[b, u + j] + rbias[u + j])
                rr = rec[b, 2 * u + j] + rbias[2 * u + j]
                hh = _act(act, g[b, 2 * u + j] + r * rr)
                g[b, j] = z
                g[b, u + j] = r
                g[b, 2 * u + j] = hh
                rh[b, j] = rr
                h[b, j] = _ftz(z * hp[b, j] + (1.0 - z) * hh)


@njit(cache=True)
def gru_backward(gates, h_seq, rec_h, U_T, rmask, use_rmask, mask, use_mask, act, ract, dy_seq, has_seq,
                 dh_last):
    """Backward through time for gru_forward.

    Returns (dgx (T, B, 3u) gradients of the input projection, dgr (T, B, 3u) gradients of the
    recurrent projection (h_{t-1} @ U + rbias), dh0).
    """
    T, B, G = gates.shape
    u = G // 3
    dgx = np.zeros((T, B, G), dtype=gates.dtype)
    dgr = np.zeros((T, B, G), dtype=gates.dtype)
    dh = dh_last.copy()
    for t in range(T - 1, -1, -1):
        if has_seq:
            dh += dy_seq[t]
        g = gates[t]
        hp = h_seq[t]
        rh = rec_h[t]
        dx = dgx[t]
        dr_ = dgr[t]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                z = g[b, j]
                r = g[b, u + j]
                hh = g[b, 2 * u + j]
                dhj = dh[b, j]
                daz = dhj * (hp[b, j] - hh) * _dact(ract, z)
                dah = dhj * (1.0 - z) * _dact(act, hh)
                dar = dah * rh[b, j] * _dact(ract, r)
                dx[b, j] = _ftz(daz)
                dx[b, u + j] = _ftz(dar)
                dx[b, 2 * u + j] = _ftz(dah)
                dr_[b, j] = _ftz(daz)
                dr_[b, u + j] = _ftz(dar)
                dr_[b, 2 * u + j] = _ftz(dah * r)
        back = np.dot(dr_, U_T)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                carry = dh[b, j] * g[b, j]
                dh[b, j] = _ftz((back[b, j] * rmask[b, j] if use_rmask else back[b, j]) + carry)
    return dgx, dgr, dh


@njit(cache=True)
def gru_forward_reset_before(gates, U_zr, U_h, h0, rmask, use_rmask, mask, use_mask, act, ract, h_seq, rh_seq):
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
        h = h_seq[t + 1]
        rh = rh_seq[t]
        for b in range(B):
            for j in range(u):
                z = _act(ract, g[b, j] + rec[b, j])
                r = _act(ract, g[b, u + j] + rec[b, u + j])
                g[b, j] = z
                g[b, u + j] = r
                rh[b, j] = r * hin[b, j]
        rech = np.dot(rh, U_h)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(u):
                    h[b, j] = hp[b, j]
                continue
            for j in range(u):
                z = g[b, j]
                hh = _act(act, g[b, 2 * u + j] + rech[b, j])
                g[b, 2 * u + j] = hh
                h[b, j] = _ftz(z * hp[b, j] + (1.0 - z) * hh)


@njit(cache=True)
def gru_backward_reset_before(gates, h_seq, UzrT, UhT, rmask, use_rmask, mask, use_mask, act, ract, dy_seq,
                              has_seq, dh_last):
    """Backward for gru_forward_reset_before. Returns (dgx (T, B, 3u), dh0).

    dgx holds (daz, dar, dah): the kernel and bias gradients come from it; the recurrent kernel gradient
    is h_in^T @ dgx[..., :2u] (columns z, r) and rh^T @ dgx[..., 2u:] (column block h).
    """
    T, B, G = gates.shape
    u = G // 3
    dgx = np.zeros((T, B, G), dtype=gates.dtype)
    dh = dh_last.copy()
    dah_t = np.zeros((B, u), dtype=gates.dtype)
    dzr_t = np.zeros((B, 2 * u), dtype=gates.dtype)
    for t in range(T - 1, -1, -1):
        if has_seq:
            dh += dy_seq[t]
        g = gates[t]
        hp = h_seq[t]
        d = dgx[t]
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(u):
                    dah_t[b, j] = 0.0
                continue
            for j in range(u):
                z = g[b, j]
                hh = g[b, 2 * u + j]
                dhj = dh[b, j]
                daz = dhj * (hp[b, j] - hh) * _dact(ract, z)
                dah = dhj * (1.0 - z) * _dact(act, hh)
                d[b, j] = _ftz(daz)
                d[b, 2 * u + j] = _ftz(dah)
                dah_t[b, j] = _ftz(dah)
        drh = np.dot(dah_t, UhT)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                for j in range(2 * u):
                    dzr_t[b, j] = 0.0
                continue
            for j in range(u):
                r = g[b, u + j]
                hin = hp[b, j] * rmask[b, j] if use_rmask else hp[b, j]
                dar = drh[b, j] * hin * _dact(ract, r)
                d[b, u + j] = _ftz(dar)
                dzr_t[b, j] = _ftz(d[b, j])
                dzr_t[b, u + j] = _ftz(dar)
        back = np.dot(dzr_t, UzrT)
        for b in range(B):
            if use_mask and mask[t, b] == 0:
                continue
            for j in range(u):
                r = g[b, u + j]
                dhin = back[b, j] + drh[b, j] * r
                carry = dh[b, j] * g[b, j]
                dh[b, j] = _ftz((dhin * rmask[b, j] if use_rmask else dhin) + carry)
    return dgx, dh
