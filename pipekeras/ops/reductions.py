"""Reductions (sum, mean, max, ..., cumsum): each forward beside its vector-Jacobian product."""

import builtins

import numpy as np

from ..autodiff.tape import apply
from . import math as elementwise


def _axes(axis, ndim):
    """The reduced axes as a sorted tuple of non-negative ints."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def _expand(g, x, axis, keepdims):
    """The gradient of a reduced value, with the reduced axes put back (size 1) so it broadcasts to `x`."""
    g = np.asarray(g)
    if keepdims:
        return g
    return np.expand_dims(g, _axes(axis, np.ndim(x))) if np.ndim(x) else g


def sum(x, axis=None, keepdims=False):
    """Sum of the entries along `axis` (all by default).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None (every axis).
        keepdims: keep the reduced axes with size 1.

    Returns:
        The sums.

    Example:
        >>> sum(np.ones((2, 3)), axis=1)
    """
    return apply("sum", np.sum, _sum_vjp, (x,), axis=_tuple(axis), keepdims=keepdims)


def _tuple(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _sum_vjp(g, y, x, axis, keepdims):
    return (np.broadcast_to(_expand(g, x, axis, keepdims), np.shape(x)),)


def mean(x, axis=None, keepdims=False):
    """Mean of the entries along `axis` (all by default).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.

    Returns:
        The means.

    Example:
        >>> mean(np.arange(4.0))
    """
    return apply("mean", _mean, _mean_vjp, (x,), axis=_tuple(axis), keepdims=keepdims)


def _mean(x, axis, keepdims):
    x = np.asarray(x)
    return np.mean(x, axis=axis, keepdims=keepdims, dtype=x.dtype if x.dtype.kind == "f" else None)


def _count(x, axis):
    shape = np.shape(x)
    return int(np.prod([shape[a] for a in _axes(axis, len(shape))]))


def _mean_vjp(g, y, x, axis, keepdims):
    return (np.broadcast_to(_expand(g, x, axis, keepdims) / builtins.max(_count(x, axis), 1), np.shape(x)),)


def max(x, axis=None, keepdims=False, initial=None):
    """Largest entry along `axis`; the gradient is shared equally among tied maxima.

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.
        initial: a lower bound of the result (and the value of an empty reduction).

    Returns:
        The maxima.

    Example:
        >>> max(np.arange(4.0))
    """
    return apply("max", _extreme, _extreme_vjp, (x,), function=np.max, axis=_tuple(axis), keepdims=keepdims,
                 initial=initial)


def min(x, axis=None, keepdims=False, initial=None):
    """Smallest entry along `axis`; the gradient is shared equally among tied minima.

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.
        initial: an upper bound of the result.

    Returns:
        The minima.

    Example:
        >>> min(np.arange(4.0))
    """
    return apply("min", _extreme, _extreme_vjp, (x,), function=np.min, axis=_tuple(axis), keepdims=keepdims,
                 initial=initial)


def _extreme(x, function, axis, keepdims, initial):
    if initial is None:
        return function(x, axis=axis, keepdims=keepdims)
    return function(x, axis=axis, keepdims=keepdims, initial=initial)


def _extreme_vjp(g, y, x, function, axis, keepdims, initial):
    hit = x == _expand(y, x, axis, keepdims)
    ties = np.sum(hit, axis=axis, keepdims=True)
    return (_expand(g, x, axis, keepdims) * hit / np.maximum(ties, 1),)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product of the entries along `axis` (its gradient is exact where entries are zero).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.
        dtype: the result's dtype (default: x's).

    Returns:
        The products.

    Example:
        >>> prod(np.arange(1.0, 4.0))
    """
    return apply("prod", np.prod, _prod_vjp, (x,), axis=_tuple(axis), keepdims=keepdims, dtype=dtype)


def _prod_vjp(g, y, x, axis, keepdims, dtype):
    x = np.asarray(x)
    axes = _axes(axis, x.ndim)
    kept = [a for a in range(x.ndim) if a not in axes]
    moved = np.transpose(x, kept + list(axes))
    rows = moved.reshape(moved.shape[:len(kept)] + (-1,))
    ones = np.ones(rows.shape[:-1] + (1,), x.dtype)
    before = np.cumprod(np.concatenate([ones, rows[..., :-1]], axis=-1), axis=-1)
    after = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (before * after).reshape(moved.shape)
    others = np.transpose(others, np.argsort(kept + list(axes)))
    return (_expand(g, x, axis, keepdims) * others,)


def var(x, axis=None, keepdims=False):
    """Variance (mean squared deviation from the mean) along `axis`.

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.

    Returns:
        The variances.

    Example:
        >>> var(np.arange(4.0))
    """
    return apply("var", np.var, _var_vjp, (x,), axis=_tuple(axis), keepdims=keepdims)


def _var_vjp(g, y, x, axis, keepdims):
    centered = x - np.mean(x, axis=axis, keepdims=True)
    return (_expand(g, x, axis, keepdims) * 2 * centered / builtins.max(_count(x, axis), 1),)


def std(x, axis=None, keepdims=False):
    """Standard deviation along `axis` (the square root of `var`).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.

    Returns:
        The standard deviations.

    Example:
        >>> std(np.arange(4.0))
    """
    return elementwise.sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along `axis`, computed without overflow.

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.

    Returns:
        The log-sum-exps.

    Example:
        >>> logsumexp(np.zeros(4))   # log(4)
    """
    return apply("logsumexp", _logsumexp, _logsumexp_vjp, (x,), axis=_tuple(axis), keepdims=keepdims)


def _logsumexp(x, axis, keepdims):
    x = np.asarray(x)
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    out = np.log(np.sum(np.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=_axes(axis, x.ndim))


def _logsumexp_vjp(g, y, x, axis, keepdims):
    return (_expand(g, x, axis, keepdims) * np.exp(x - _expand(y, x, axis, keepdims)),)


def _index_reduction(name, function):
    def reduce(x, axis=None, keepdims=False):
        return apply(name, function, None, (x,), axis=_tuple(axis), keepdims=keepdims)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


argmax = _index_reduction("argmax", np.argmax)
argmax.__doc__ = """Index of the largest entry along `axis` (integer, no gradient).

    Args:
        x: an array.
        axis: an int, or None (the index into the flattened array).
        keepdims: keep the reduced axis with size 1.

    Returns:
        An integer array.

    Example:
        >>> argmax(np.array([[1, 3], [2, 0]]), axis=1)
    """
argmin = _index_reduction("argmin", np.argmin)
argmin.__doc__ = argmax.__doc__.replace("largest", "smallest").replace("argmax", "argmin")
any = _index_reduction("any", np.any)
any.__doc__ = """Whether any entry along `axis` is true (boolean, no gradient).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.
        keepdims: keep the reduced axes with size 1.

    Returns:
        A boolean array.

    Example:
        >>> any(np.array([0, 1]))
    """
all = _index_reduction("all", np.all)
all.__doc__ = any.__doc__.replace("any entry", "every entry").replace(">>> any", ">>> all")


def cumsum(x, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened array when None).

    Args:
        x: an array.
        axis: an int or None.
        dtype: the result's dtype (default: x's).

    Returns:
        The running sums.

    Example:
        >>> cumsum(np.arange(4.0))
    """
    return apply("cumsum", np.cumsum, _cumsum_vjp, (x,), axis=axis, dtype=dtype)


def _cumsum_vjp(g, y, x, axis, dtype):
    if axis is None:
        return (np.cumsum(g[::-1])[::-1].reshape(np.shape(x)),)
    return (np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis),)
