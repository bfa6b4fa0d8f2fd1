"""Linear algebra: matmul, dot, tensordot, einsum, transpose, norm, each beside its vector-Jacobian product.

The products' VJPs return functions, so a gradient nobody needs (that of a constant input) is never computed.
"""

import string

import numpy as np

from ..autodiff.tape import apply, value_of
from ..errors import ConfigError, ShapeError
from . import math as elementwise
from . import reductions, reshaping


def matmul(x1, x2):
    """Matrix product; leading (batch) axes broadcast, 1-D operands count as a row / column vector.

    Args:
        x1: an array of rank >= 1, `(..., n, k)`.
        x2: an array of rank >= 1, `(..., k, m)`.

    Returns:
        `x1 @ x2`, `(..., n, m)`.

    Raises:
        ShapeError: the inner axes differ, or the batch axes do not broadcast.

    Example:
        >>> matmul(np.ones((5, 2, 3)), np.ones((3, 4))).shape   # (5, 2, 4)
    """
    return apply("matmul", _matmul, _matmul_vjp, (x1, x2))


def _matmul(x1, x2):
    try:
        return np.matmul(x1, x2)
    except ValueError:
        a, b = np.shape(x1), np.shape(x2)
        if not a or not b:
            raise ShapeError(f"matmul: operands must have at least 1 axis, received shapes {a} and {b}. "
                             "Use multiply for scalars.") from None
        inner_a, inner_b = a[-1], b[-2] if len(b) > 1 else b[0]
        if inner_a != inner_b:
            raise ShapeError(
                f"matmul: x1 of shape {a} and x2 of shape {b} do not fit: the last axis of x1 ({inner_a}) must equal "
                f"the {'second-to-last' if len(b) > 1 else 'only'} axis of x2 ({inner_b})."
            ) from None
        raise ShapeError(
            f"matmul: the batch axes of x1 {a[:-2]} and x2 {b[:-2]} do not broadcast (shapes {a} and {b}). "
            "Broadcasting rule: aligned on the last axis, each pair equal or one of them 1."
        ) from None


def _matmul_vjp(g, y, x1, x2):
    a, b = np.asarray(x1), np.asarray(x2)
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.reshape(g, np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1]))

    def first():
        d = np.matmul(g2, np.swapaxes(b2, -1, -2))
        return _sum_to(d, a2.shape).reshape(a.shape)

    def second():
        d = np.matmul(np.swapaxes(a2, -1, -2), g2)
        return _sum_to(d, b2.shape).reshape(b.shape)

    return first, second


def _sum_to(d, shape):
    """Sums the batch axes broadcasting added to a matrix operand."""
    extra = d.ndim - len(shape)
    if extra > 0:
        d = d.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, s in enumerate(shape[:-2]) if s == 1 and d.shape[i] != 1)
    return d.sum(axis=stretched, keepdims=True) if stretched else d


def tensordot(x1, x2, axes=2):
    """Sums the products of `x1` and `x2` over the given axes.

    Args:
        x1: an array.
        x2: an array.
        axes: an int N (the last N axes of x1 with the first N of x2), or a pair of axis lists.

    Returns:
        The contraction: x1's free axes, then x2's.

    Raises:
        ShapeError: contracted axes have different sizes.

    Example:
        >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), axes=1).shape   # (2, 4)
    """
    a_axes, b_axes = _contracted(np.ndim(value_of(x1)), axes)
    return apply("tensordot", _tensordot, _tensordot_vjp, (x1, x2), axes=(a_axes, b_axes))


def _contracted(ndim_a, axes):
    if isinstance(axes, (int, np.integer)):
        return tuple(range(ndim_a - int(axes), ndim_a)), tuple(range(int(axes)))
    a_axes, b_axes = axes
    a_axes = (a_axes,) if isinstance(a_axes, (int, np.integer)) else tuple(a_axes)
    b_axes = (b_axes,) if isinstance(b_axes, (int, np.integer)) else tuple(b_axes)
    return a_axes, b_axes


def _tensordot(x1, x2, axes):
    a, b = np.shape(x1), np.shape(x2)
    a_axes, b_axes = axes
    if len(a_axes) != len(b_axes) or any(a[i] != b[j] for i, j in zip(a_axes, b_axes)):
        raise ShapeError(
            f"tensordot: cannot contract axes {list(a_axes)} of x1 (shape {a}) with axes {list(b_axes)} of x2 "
            f"(shape {b}): each pair of contracted axes must have the same size."
        )
    return np.tensordot(x1, x2, axes=axes)


def _tensordot_vjp(g, y, x1, x2, axes):
    a, b = np.asarray(x1), np.asarray(x2)
    a_axes = [i % a.ndim for i in axes[0]]
    b_axes = [j % b.ndim for j in axes[1]]
    a_free = [i for i in range(a.ndim) if i not in a_axes]
    b_free = [j for j in range(b.ndim) if j not in b_axes]

    def first():
        d = np.tensordot(g, b, axes=(list(range(len(a_free), g.ndim)), b_free))
        order = a_free + [a_axes[b_axes.index(j)] for j in sorted(b_axes)]
        return np.transpose(d, np.argsort(order))

    def second():
        d = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
        order = [b_axes[a_axes.index(i)] for i in sorted(a_axes)] + b_free
        return np.transpose(d, np.argsort(order))

    return first, second


def dot(x1, x2):
    """NumPy's dot: a scalar product, a matrix product, or a sum over x1's last and x2's second-to-last axis.

    Args:
        x1: an array.
        x2: an array.

    Returns:
        The product.

    Raises:
        ShapeError: the summed axes differ.

    Example:
        >>> dot(np.ones(3), np.ones(3))   # 3.0
    """
    a, b = np.ndim(value_of(x1)), np.ndim(value_of(x2))
    if a == 0 or b == 0:
        return elementwise.multiply(x1, x2)
    return tensordot(x1, x2, axes=((a - 1,), (b - 2 if b > 1 else 0,)))


def einsum(subscripts, *operands):
    """Einstein summation (NumPy's notation, explicit `->` output or implicit).

    Args:
        subscripts: e.g. `"bij,bjk->bik"`; `...` is allowed.
        *operands: the arrays.

    Returns:
        The result.

    Raises:
        ShapeError: the operands do not fit the subscripts.

    Example:
        >>> einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4))).shape   # (2, 4)
    """
    spelled = _spell_out(subscripts, [np.ndim(value_of(x)) for x in operands])
    return apply("einsum", _einsum, _einsum_vjp, operands, subscripts=spelled)


def _spell_out(subscripts, ndims):
    """Subscripts with `...` replaced by letters and the output written out."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    used = set(subscripts) - set(".,->")
    spare = [c for c in string.ascii_letters if c not in used]
    width = max([n - len(t.replace("...", "")) for t, n in zip(terms, ndims) if "..." in t] or [0])
    ellipsis = "".join(spare[:width])
    spelled = []
    for term, ndim in zip(terms, ndims):
        if "..." in term:
            term = term.replace("...", ellipsis[width - (ndim - len(term.replace("...", ""))):])
        spelled.append(term)
    if arrow:
        output = output.replace("...", ellipsis)
    else:
        letters = "".join(spelled)
        output = ellipsis + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis))
    return ",".join(spelled) + "->" + output


def _einsum(*operands, subscripts):
    try:
        return np.einsum(subscripts, *operands)
    except ValueError as error:
        shapes = ", ".join(str(np.shape(x)) for x in operands)
        raise ShapeError(f"einsum {subscripts!r}: operands of shapes {shapes} do not fit: {error}") from None


def _einsum_vjp(g, y, *operands, subscripts):
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")

    def gradient(i):
        term = terms[i]
        if len(set(term)) != len(term):
            raise ConfigError(f"einsum {subscripts!r}: no gradient for an operand with a repeated index ({term!r}).")
        others = [t for j, t in enumerate(terms) if j != i]
        available = set(output).union(*others)
        present = "".join(c for c in term if c in available)
        d = np.einsum(",".join([output] + others) + "->" + present, g, *[x for j, x in enumerate(operands) if j != i])
        shape = np.shape(operands[i])
        missing = [k for k, c in enumerate(term) if c not in available]
        return np.broadcast_to(np.expand_dims(d, missing), shape) if missing else d

    return [lambda i=i: gradient(i) for i in range(len(operands))]


def transpose(x, axes=None):
    """Permutes the axes (reverses them by default).

    Args:
        x: an array.
        axes: the new order of the axes, or None.

    Returns:
        The transposed array.

    Example:
        >>> transpose(np.ones((2, 3))).shape   # (3, 2)
    """
    return apply("transpose", np.transpose, _transpose_vjp, (x,), axes=None if axes is None else tuple(axes))


def _transpose_vjp(g, y, x, axes):
    return (np.transpose(g, None if axes is None else np.argsort([a % np.ndim(x) for a in axes])),)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (NumPy's `ord` meanings).

    Args:
        x: an array.
        ord: None/2 (Euclidean; Frobenius for matrices), 1, inf, -inf, a number p, or "fro"; the matrix
            norms 2, -2 and "nuc" and the count `ord=0` are computed but have no gradient (zero).
        axis: None (the whole array, flattened), an int (vector norms) or a pair (matrix norms).
        keepdims: keep the reduced axes with size 1.

    Returns:
        The norms.

    Example:
        >>> norm(np.array([3.0, 4.0]))   # 5.0
    """
    ndim = np.ndim(value_of(x))
    if axis is None and ord is not None and ndim == 2:
        axis = (0, 1)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if ord in (None, "fro") or (ord == 2 and not matrix):
        return elementwise.sqrt(reductions.sum(elementwise.square(x), axis=axis, keepdims=keepdims))
    if matrix:
        if ord in (1, -1, np.inf, -np.inf):
            rows, cols = (a % ndim for a in axis)
            summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
            sums = reductions.sum(elementwise.abs(x), axis=summed, keepdims=True)
            pick = reductions.max if ord > 0 else reductions.min
            out = pick(sums, axis=across, keepdims=True)
            return out if keepdims else reshaping.squeeze(out, axis=(rows, cols))
        return apply("norm", np.linalg.norm, None, (x,), ord=ord, axis=tuple(axis), keepdims=keepdims)
    if ord == np.inf:
        return reductions.max(elementwise.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return reductions.min(elementwise.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return apply("norm", np.linalg.norm, None, (x,), ord=0, axis=axis, keepdims=keepdims)
    p = float(ord)
    total = reductions.sum(elementwise.power(elementwise.abs(x), p), axis=axis, keepdims=keepdims)
    return elementwise.power(total, 1.0 / p)
