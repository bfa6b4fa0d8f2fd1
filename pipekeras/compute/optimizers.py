"""Optimizer updates: one fused, in-place pass over a weight, its gradient and its slots.

Scalar arguments arrive in the weight's dtype and loops contain no float literals, so float32 weights are
updated in float32 arithmetic (a float64 literal would promote the loop to float64 and halve its vector
width). Each update is written once as a plain loop and compiled twice (`runtime.threads.parallel_loop`):
serially for small weights and in parallel for large ones. All arrays are flat views of contiguous weights.
"""

import math

import numpy as np
from numba import prange

from ..runtime.jit import jit
from ..runtime.threads import parallel_loop

# Slot values below this in magnitude are stored as zero. A slot that only decays (the weight's gradient stays
# zero, e.g. behind a dead relu) otherwise sinks into float32's subnormal range within a few hundred steps, and
# arithmetic on subnormals is ~100x slower: the Boston MLP's epochs went from 6 to 16 ms. Next to epsilon
# (1e-7) such values change no update.
_TINY = np.float32(1e-30)


@jit(inline="always")
def _flush(v):
    return v if abs(v) >= _TINY else v - v  # v - v: zero, and NaN stays NaN


def _sgd(w, g, lr):
    for i in prange(w.size):
        w[i] -= lr * g[i]


def _sgd_momentum(w, g, velocity, lr, momentum, nesterov):
    for i in prange(w.size):
        v = _flush(momentum * velocity[i] - lr * g[i])
        velocity[i] = v
        w[i] += momentum * v - lr * g[i] if nesterov else v


def _rmsprop(w, g, velocity, lr, rho, one_minus_rho, epsilon):
    for i in prange(w.size):
        gi = g[i]
        v = _flush(rho * velocity[i] + one_minus_rho * gi * gi)
        velocity[i] = v
        w[i] -= lr * gi / math.sqrt(v + epsilon)


def _rmsprop_full(w, g, velocity, average_grad, momentum_buf, lr, rho, one_minus_rho, momentum, epsilon, centered):
    for i in prange(w.size):
        v = _flush(rho * velocity[i] + one_minus_rho * g[i] * g[i])
        velocity[i] = v
        denominator = v + epsilon
        if centered:
            a = _flush(rho * average_grad[i] + one_minus_rho * g[i])
            average_grad[i] = a
            denominator -= a * a
        increment = lr * g[i] / math.sqrt(denominator)
        if momentum > 0.0:
            m = _flush(momentum * momentum_buf[i] + increment)
            momentum_buf[i] = m
            w[i] -= m
        else:
            w[i] -= increment


def _adam(w, g, m, v, v_max, alpha, one_minus_beta_1, one_minus_beta_2, epsilon, amsgrad):
    for i in prange(w.size):
        mi = _flush(m[i] + (g[i] - m[i]) * one_minus_beta_1)
        vi = _flush(v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            if vi > v_max[i]:
                v_max[i] = vi
            vi = v_max[i]
        w[i] -= alpha * mi / (math.sqrt(vi) + epsilon)


def _adagrad(w, g, accumulator, lr, epsilon):
    for i in prange(w.size):
        a = accumulator[i] + g[i] * g[i]
        accumulator[i] = a
        w[i] -= lr * g[i] / math.sqrt(a + epsilon)


def _adadelta(w, g, accumulated_grad, accumulated_delta, lr, rho, one_minus_rho, epsilon):
    for i in prange(w.size):
        ag = _flush(rho * accumulated_grad[i] + one_minus_rho * g[i] * g[i])
        accumulated_grad[i] = ag
        delta = -math.sqrt(accumulated_delta[i] + epsilon) / math.sqrt(ag + epsilon) * g[i]
        accumulated_delta[i] = _flush(rho * accumulated_delta[i] + one_minus_rho * delta * delta)
        w[i] += lr * delta


def _adamax(w, g, m, u, step_size, one_minus_beta_1, beta_2, epsilon):
    for i in prange(w.size):
        mi = _flush(m[i] + (g[i] - m[i]) * one_minus_beta_1)
        m[i] = mi
        ui = _flush(max(beta_2 * u[i], abs(g[i])))
        u[i] = ui
        w[i] -= step_size * mi / (ui + epsilon)


def _nadam(w, g, m, v, lr, one_minus_beta_1, one_minus_beta_2, epsilon, m_scale, g_scale, v_scale):
    for i in prange(w.size):
        mi = _flush(m[i] + (g[i] - m[i]) * one_minus_beta_1)
        vi = _flush(v[i] + (g[i] * g[i] - v[i]) * one_minus_beta_2)
        m[i] = mi
        v[i] = vi
        m_hat = m_scale * mi + g_scale * g[i]
        w[i] -= lr * m_hat / (math.sqrt(vi * v_scale) + epsilon)


def _compiled(loop):
    both = parallel_loop(loop)

    def run(w, *args):
        # Scalars in the weight's dtype, so float32 weights are updated in float32 arithmetic (which
        # vectorizes) rather than promoted to float64.
        scalar = w.dtype.type
        both(w.size, w, *[scalar(a) if isinstance(a, float) else a for a in args])

    run.__name__ = loop.__name__.lstrip("_")
    run.__doc__ = f"In-place {run.__name__} update of a flat weight."
    return run


sgd = _compiled(_sgd)
sgd_momentum = _compiled(_sgd_momentum)
rmsprop = _compiled(_rmsprop)
rmsprop_full = _compiled(_rmsprop_full)
adam = _compiled(_adam)
adagrad = _compiled(_adagrad)
adadelta = _compiled(_adadelta)
adamax = _compiled(_adamax)
nadam = _compiled(_nadam)
