"""Normalization kernels over 2D arrays (rows, features), forward and backward side by side.

Callers lay the data out so that the normalized statistics run along one axis of a C-contiguous 2D array:

- batch normalization: statistics per column (feature) over all rows (samples and positions);
- layer normalization: statistics per row (one sample's normalized axes) over its columns.

Sums accumulate in float64 whatever the array dtype, so float32 statistics do not drift on large batches.
Nothing is compiled at import: each kernel compiles (and caches on disk) on its first call.
"""

import numpy as np

from ..runtime.jit import jit


@jit
def column_moments(x):
    """Returns (mean, variance) of each column of a 2D x, as float64 arrays; the variance is biased (/ rows)."""
    rows, cols = x.shape
    mean = np.zeros(cols, dtype=np.float64)
    var = np.zeros(cols, dtype=np.float64)
    for i in range(rows):
        for j in range(cols):
            mean[j] += x[i, j]
    for j in range(cols):
        mean[j] /= max(rows, 1)
    for i in range(rows):
        for j in range(cols):
            d = x[i, j] - mean[j]
            var[j] += d * d
    for j in range(cols):
        var[j] /= max(rows, 1)
    return mean, var


@jit
def batch_norm_forward(x, mean, inv_std, gamma, beta):
    """Returns (y, xhat) with xhat = (x - mean) * inv_std and y = xhat * gamma + beta, per column.

    mean, inv_std, gamma, beta are 1D of length cols, in x's dtype.
    """
    rows, cols = x.shape
    y = np.empty_like(x)
    xhat = np.empty_like(x)
    for i in range(rows):
        for j in range(cols):
            h = (x[i, j] - mean[j]) * inv_std[j]
            xhat[i, j] = h
            y[i, j] = h * gamma[j] + beta[j]
    return y, xhat


@jit
def batch_norm_backward(dy, xhat, gamma, inv_std, batch_stats, need_dx):
    """Returns (dx, dgamma, dbeta) of y = xhat * gamma + beta, per column.

    With batch_stats the mean and variance are functions of x (training), so
    dx = gamma * inv_std / n * (n * dy - sum(dy) - xhat * sum(dy * xhat)); without them (inference, moving
    statistics) dx = dy * gamma * inv_std. dx is an empty (0, 0) array when need_dx is False.
    """
    rows, cols = dy.shape
    dgamma = np.zeros(cols, dtype=np.float64)
    dbeta = np.zeros(cols, dtype=np.float64)
    for i in range(rows):
        for j in range(cols):
            g = dy[i, j]
            dbeta[j] += g
            dgamma[j] += g * xhat[i, j]
    if not need_dx:
        return np.empty((0, 0), dtype=dy.dtype), dgamma, dbeta
    dx = np.empty_like(dy)
    n = max(rows, 1)
    for i in range(rows):
        for j in range(cols):
            scale = gamma[j] * inv_std[j]
            if batch_stats:
                dx[i, j] = scale * (dy[i, j] - (dbeta[j] + xhat[i, j] * dgamma[j]) / n)
            else:
                dx[i, j] = scale * dy[i, j]
    return dx, dgamma, dbeta


@jit
def layer_norm_forward(x, gamma, beta, epsilon):
    """Normalizes each row of a 2D x over its columns: returns (y, xhat, inv_std per row).

    y = xhat * gamma + beta with gamma, beta of length cols (in x's dtype); the variance is biased.
    """
    rows, cols = x.shape
    y = np.empty_like(x)
    xhat = np.empty_like(x)
    inv_std = np.empty(rows, dtype=np.float64)
    for i in range(rows):
        mean = 0.0
        for j in range(cols):
            mean += x[i, j]
        mean /= max(cols, 1)
        var = 0.0
        for j in range(cols):
            d = x[i, j] - mean
            var += d * d
        var /= max(cols, 1)
        r = 1.0 / np.sqrt(var + epsilon)
        inv_std[i] = r
        for j in range(cols):
            h = (x[i, j] - mean) * r
            xhat[i, j] = h
            y[i, j] = h * gamma[j] + beta[j]
    return y, xhat, inv_std


@jit
def layer_norm_backward(dy, xhat, gamma, inv_std, need_dx):
    """Returns (dx, dgamma, dbeta) of layer_norm_forward; dx is (0, 0) when need_dx is False.

    Per row, with g = dy * gamma: dx = inv_std * (g - mean(g) - xhat * mean(g * xhat)).
    """
    rows, cols = dy.shape
    dgamma = np.zeros(cols, dtype=np.float64)
    dbeta = np.zeros(cols, dtype=np.float64)
    for i in range(rows):
        for j in range(cols):
            dbeta[j] += dy[i, j]
            dgamma[j] += dy[i, j] * xhat[i, j]
    if not need_dx:
        return np.empty((0, 0), dtype=dy.dtype), dgamma, dbeta
    dx = np.empty_like(dy)
    n = max(cols, 1)
    for i in range(rows):
        mean_g = 0.0
        mean_gx = 0.0
        for j in range(cols):
            g = dy[i, j] * gamma[j]
            mean_g += g
            mean_gx += g * xhat[i, j]
        mean_g /= n
        mean_gx /= n
        for j in range(cols):
            dx[i, j] = inv_std[i] * (dy[i, j] * gamma[j] - mean_g - xhat[i, j] * mean_gx)
    return dx, dgamma, dbeta
