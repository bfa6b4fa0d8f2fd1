"""Dense math: the matrix products go to BLAS, the bias gradient is a Numba loop (the bias itself is added by
compute/activations.py `bias_activation`, fused with the activation)."""

import numpy as np

from ..runtime.blas import matmul
from ..runtime.jit import jit


@jit
def column_sums(g):
    """Returns g.sum(axis=0) for a 2D g (the bias gradient), in g's dtype."""
    rows, cols = g.shape
    out = np.zeros(cols, dtype=g.dtype)
    for i in range(rows):
        for j in range(cols):
            out[j] += g[i, j]
    return out


def dense_forward(x, kernel):
    """Returns x @ kernel for a 2D x (the bias is added by the activation pass that follows)."""
    return matmul(x, kernel)


def dense_backward(x, kernel, dz, need_dx=True, need_dkernel=True, has_bias=True):
    """Returns (dx or None, dkernel or None, dbias or None) for z = x @ kernel + bias."""
    dx = matmul(dz, kernel.T) if need_dx else None
    dkernel = matmul(x.T, dz) if need_dkernel else None
    dbias = column_sums(dz) if has_bias and need_dkernel else None
    return dx, dkernel, dbias
