"""Central differences in float64: the shared checker of the ops gradient tests (tests/ops/test_ops_*.py)."""

import numpy as np

from pipekeras import ops


def numeric_gradient(fn, xs, weights, index, h=1e-6):
    """d sum(fn(*xs) * weights) / d xs[index], by central differences on the unrecorded NumPy path."""
    xs = [np.array(x, dtype=np.float64) for x in xs]
    x = xs[index]
    grad = np.zeros_like(x)
    flat, out = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = np.sum(np.asarray(fn(*xs)) * weights)
        flat[i] = old - h
        down = np.sum(np.asarray(fn(*xs)) * weights)
        flat[i] = old
        out[i] = (up - down) / (2 * h)
    return grad


def check_gradient(fn, *xs, seed=0, rtol=1e-5, atol=1e-6):
    """Asserts the recorded gradient of `sum(fn(*xs) * w)` (random w) matches central differences."""
    xs = [np.asarray(x, dtype=np.float64) for x in xs]
    value = np.asarray(fn(*xs))
    weights = np.random.default_rng(seed).normal(size=value.shape)
    analytic = ops.grad(lambda *a: ops.sum(ops.multiply(fn(*a), weights)), argnums=tuple(range(len(xs))))(*xs)
    for i, x in enumerate(xs):
        assert analytic[i].shape == x.shape, (analytic[i].shape, x.shape)
        expected = numeric_gradient(fn, xs, weights, i)
        np.testing.assert_allclose(analytic[i], expected, rtol=rtol, atol=atol, err_msg=f"input {i}")


def test_the_checker_catches_a_wrong_gradient():
    @ops.custom_gradient
    def wrong_square(x):
        return x * x, lambda g: g * x  # should be 2 * x * g

    try:
        check_gradient(wrong_square, np.array([1.0, 2.0]))
    except AssertionError:
        return
    raise AssertionError("the checker accepted a wrong gradient")
