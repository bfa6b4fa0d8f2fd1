"""Shape ops, indexing and gathering: each forward beside its vector-Jacobian product.

Most of these only move entries, so their VJPs move the gradient back (reshape it, slice it, or add it into
zeros at the gathered positions, which sums the gradients of entries read several times).
"""

import builtins

import numpy as np

from .. import backend
from ..autodiff.tape import apply, value_of
from ..errors import ConfigError, ShapeError


def _reshape_vjp(g, y, x, **params):
    return (np.reshape(g, np.shape(x)),)


def reshape(x, newshape):
    """Gives the entries a new shape (one axis may be -1).

    Args:
        x: an array.
        newshape: the new shape.

    Returns:
        The reshaped array.

    Raises:
        ShapeError: the new shape holds a different number of entries.

    Example:
        >>> reshape(np.arange(6), (2, 3))
    """
    newshape = (newshape,) if isinstance(newshape, (int, np.integer)) else tuple(newshape)
    return apply("reshape", _reshape, _reshape_vjp, (x,), newshape=newshape)


def _reshape(x, newshape):
    try:
        return np.reshape(x, newshape)
    except ValueError:
        shape = np.shape(x)
        raise ShapeError(
            f"reshape: cannot reshape an array of shape {shape} ({int(np.prod(shape))} entries) into shape "
            f"{newshape}: the number of entries must stay the same (one axis may be -1)."
        ) from None


def expand_dims(x, axis):
    """Inserts an axis of size 1 at `axis`.

    Args:
        x: an array.
        axis: the position (or positions) of the new axis.

    Returns:
        The array with one more axis.

    Example:
        >>> expand_dims(np.ones(3), 0).shape   # (1, 3)
    """
    return apply("expand_dims", np.expand_dims, _reshape_vjp, (x,), axis=_axis(axis))


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def squeeze(x, axis=None):
    """Removes axes of size 1 (all of them by default).

    Args:
        x: an array.
        axis: the axis (or axes) to remove, each of size 1.

    Returns:
        The squeezed array.

    Raises:
        ShapeError: an axis to remove is not of size 1.

    Example:
        >>> squeeze(np.ones((1, 3, 1))).shape   # (3,)
    """
    return apply("squeeze", _squeeze, _reshape_vjp, (x,), axis=_axis(axis))


def _squeeze(x, axis):
    try:
        return np.squeeze(x, axis=axis)
    except ValueError:
        raise ShapeError(f"squeeze: axis {axis} of an array of shape {np.shape(x)} is not of size 1.") from None


def concatenate(xs, axis=0):
    """Joins arrays along an existing axis.

    Args:
        xs: a list of arrays, equal in shape except along `axis`.
        axis: the axis to join along.

    Returns:
        The joined array.

    Raises:
        ShapeError: the shapes differ off `axis`, or the ranks differ.

    Example:
        >>> concatenate([np.ones((2, 3)), np.zeros((1, 3))]).shape   # (3, 3)
    """
    return apply("concatenate", _concatenate, _concatenate_vjp, tuple(xs), axis=axis)


def _concatenate(*xs, axis):
    try:
        return np.concatenate(xs, axis=axis)
    except ValueError:
        shapes = ", ".join(str(np.shape(x)) for x in xs)
        raise ShapeError(
            f"concatenate: arrays of shapes {shapes} cannot be joined along axis {axis}: they must have the same "
            "rank and the same size on every other axis."
        ) from None


def _concatenate_vjp(g, y, *xs, axis):
    ends = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
    return np.split(g, ends, axis=axis)


def stack(x, axis=0):
    """Joins arrays of one shape along a new axis.

    Args:
        x: a list of arrays of the same shape.
        axis: the position of the new axis.

    Returns:
        The stacked array.

    Raises:
        ShapeError: the shapes differ.

    Example:
        >>> stack([np.ones(3), np.zeros(3)]).shape   # (2, 3)
    """
    return apply("stack", _stack, _stack_vjp, tuple(x), axis=axis)


def _stack(*xs, axis):
    try:
        return np.stack(xs, axis=axis)
    except ValueError:
        shapes = ", ".join(str(np.shape(x)) for x in xs)
        raise ShapeError(f"stack: arrays of shapes {shapes} cannot be stacked: they must all have one shape.") from None


def _stack_vjp(g, y, *xs, axis):
    return [np.take(g, i, axis=axis) for i in range(len(xs))]


def split(x, indices_or_sections, axis=0):
    """Splits an array into parts along `axis`.

    Args:
        x: an array.
        indices_or_sections: the number of equal parts, or the indices where parts start.
        axis: the axis to split.

    Returns:
        A list of arrays.

    Raises:
        ShapeError: the axis does not divide into that many equal parts.

    Example:
        >>> [p.shape for p in split(np.ones((4, 2)), 2)]   # [(2, 2), (2, 2)]
    """
    return list(apply("split", _split, _split_vjp, (x,), indices_or_sections=indices_or_sections, axis=axis))


def _split(x, indices_or_sections, axis):
    try:
        return tuple(np.split(x, indices_or_sections, axis=axis))
    except ValueError:
        raise ShapeError(
            f"split: axis {axis} of an array of shape {np.shape(x)} does not divide into {indices_or_sections} "
            "equal parts."
        ) from None


def _split_vjp(g, y, x, indices_or_sections, axis):
    return (np.concatenate(g, axis=axis),)


def get_item(x, key):
    """`x[key]`: NumPy's indexing and slicing (`Traced` values support `x[...]` directly).

    Args:
        x: an array.
        key: an int, slice, `...`, `None`, an integer or boolean index array, or a tuple of them.

    Returns:
        The selected entries.

    Raises:
        ShapeError: an index is out of range.

    Example:
        >>> get_item(np.arange(6).reshape(2, 3), (slice(None), 1))
    """
    return apply("get_item", _get_item, _get_item_vjp, (x,), key=_plain_key(key))


def _plain_key(key):
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    key = value_of(key)
    return np.asarray(key) if isinstance(key, list) else key


def _get_item(x, key):
    try:
        return np.asarray(x)[key]
    except IndexError as error:
        raise ShapeError(f"get_item: {error} (array of shape {np.shape(x)}).") from None


def _get_item_vjp(g, y, x, key):
    grad = np.zeros(np.shape(x), np.asarray(g).dtype)
    np.add.at(grad, key, g)
    return (grad,)


def slice(inputs, start_indices, shape):
    """A block of `inputs` starting at `start_indices`, of size `shape`.

    Args:
        inputs: an array.
        start_indices: one start per axis.
        shape: one size per axis.

    Returns:
        The block.

    Example:
        >>> slice(np.arange(10), (2,), (3,))   # array([2, 3, 4])
    """
    key = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return get_item(inputs, key)


def take(x, indices, axis=None):
    """Gathers entries of `x` at `indices` along `axis` (of the flattened array when None).

    Args:
        x: an array.
        indices: an integer array (not differentiated).
        axis: an int or None.

    Returns:
        The gathered entries.

    Raises:
        ShapeError: an index is out of range.

    Example:
        >>> take(np.arange(5.0) * 10, [0, 3])
    """
    return apply("take", _take, _take_vjp, (x,), indices=np.asarray(value_of(indices)), axis=axis)


def _take(x, indices, axis):
    try:
        return np.take(x, indices, axis=axis)
    except IndexError as error:
        raise ShapeError(f"take: {error} (array of shape {np.shape(x)}, axis {axis}).") from None


def _take_vjp(g, y, x, indices, axis):
    shape = np.shape(x)
    if axis is None:
        grad = np.zeros(int(np.prod(shape)), np.asarray(g).dtype)
        np.add.at(grad, indices.reshape(-1), np.reshape(g, -1))
        return (grad.reshape(shape),)
    axis = axis % len(shape)
    grad = np.zeros(shape, np.asarray(g).dtype)
    np.add.at(np.moveaxis(grad, axis, 0), indices, np.moveaxis(g, list(range(axis, axis + indices.ndim)),
                                                                  list(range(indices.ndim))))
    return (grad,)


def take_along_axis(x, indices, axis=None):
    """Picks entries of `x` along `axis` at `indices` of the same rank (NumPy's take_along_axis).

    Args:
        x: an array.
        indices: an integer array of x's rank (not differentiated).
        axis: an int, or None (x flattened).

    Returns:
        The picked entries.

    Example:
        >>> take_along_axis(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1], [0]]), axis=1)
    """
    return apply("take_along_axis", np.take_along_axis, _take_along_axis_vjp, (x,),
                 indices=np.asarray(value_of(indices)), axis=axis)


def _take_along_axis_vjp(g, y, x, indices, axis):
    shape = np.shape(x)
    grad = np.zeros(shape, np.asarray(g).dtype)
    target = grad.reshape(-1) if axis is None else grad
    if axis is None:
        np.add.at(target, indices, g)
        return (grad,)
    axis = axis % len(shape)
    index = list(np.ix_(*[np.arange(n) for n in indices.shape]))
    index[axis] = indices
    np.add.at(grad, tuple(index), g)
    return (grad,)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encodes integer labels (no gradient).

    Args:
        x: integer labels.
        num_classes: the number of classes.
        axis: where the class axis goes.
        dtype: the result's dtype (default: floatx).
        sparse: must be False (sparse tensors do not exist here).

    Returns:
        An array with one more axis of size `num_classes`.

    Raises:
        ConfigError: `sparse=True`.

    Example:
        >>> one_hot(np.array([0, 2]), 3)
    """
    if sparse:
        raise ConfigError("one_hot: sparse=True is not supported; pipekeras arrays are dense.")
    return apply("one_hot", _one_hot, None, (x,), num_classes=int(num_classes), axis=axis, dtype=dtype)


def _one_hot(x, num_classes, axis, dtype):
    labels = np.asarray(x).astype(np.int64)
    out = (labels[..., None] == np.arange(num_classes)).astype(dtype or backend.floatx())
    return out if axis in (-1, out.ndim - 1) else np.moveaxis(out, -1, axis)


def tile(x, repeats):
    """Repeats the whole array `repeats` times along each axis.

    Args:
        x: an array.
        repeats: an int or one int per axis.

    Returns:
        The tiled array.

    Example:
        >>> tile(np.array([1.0, 2.0]), 2)   # array([1., 2., 1., 2.])
    """
    repeats = (int(repeats),) if isinstance(repeats, (int, np.integer)) else tuple(int(r) for r in repeats)
    return apply("tile", np.tile, _tile_vjp, (x,), reps=repeats)


def _tile_vjp(g, y, x, reps):
    shape = np.shape(x)
    rank = max(len(shape), len(reps))
    shape_full = (1,) * (rank - len(shape)) + shape
    reps_full = (1,) * (rank - len(reps)) + reps
    interleaved = [n for pair in zip(reps_full, shape_full) for n in pair]
    return (np.reshape(g, interleaved).sum(axis=tuple(range(0, 2 * rank, 2))).reshape(shape),)


def repeat(x, repeats, axis=None):
    """Repeats each entry `repeats` times along `axis` (of the flattened array when None).

    Args:
        x: an array.
        repeats: an int, or one int per entry along the axis.
        axis: an int or None.

    Returns:
        The array with repeated entries.

    Example:
        >>> repeat(np.array([1.0, 2.0]), 2)   # array([1., 1., 2., 2.])
    """
    repeats = value_of(repeats)
    return apply("repeat", np.repeat, _repeat_vjp, (x,), repeats=repeats, axis=axis)


def _repeat_vjp(g, y, x, repeats, axis):
    shape = np.shape(x)
    source = np.arange(int(np.prod(shape)) if axis is None else shape[axis])
    index = np.repeat(source, repeats)
    if axis is None:
        grad = np.zeros(source.size, np.asarray(g).dtype)
        np.add.at(grad, index, g)
        return (grad.reshape(shape),)
    grad = np.zeros(shape, np.asarray(g).dtype)
    np.add.at(np.moveaxis(grad, axis, 0), index, np.moveaxis(g, axis, 0))
    return (grad,)


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads an array.

    Args:
        x: an array.
        pad_width: `((before, after), ...)` per axis (NumPy's forms).
        mode: "constant", "edge", "reflect", "symmetric" or "wrap".
        constant_values: the padding value in "constant" mode (0 by default).

    Returns:
        The padded array.

    Raises:
        ConfigError: an unknown mode, or `constant_values` with another mode.

    Example:
        >>> pad(np.ones((2, 2)), ((1, 1), (0, 0))).shape   # (4, 2)
    """
    if mode not in _PAD_MODES:
        raise ConfigError(f"pad: unknown mode {mode!r}; valid modes: {', '.join(_PAD_MODES)}.")
    if constant_values is not None and mode != "constant":
        raise ConfigError(f"pad: constant_values only applies to mode='constant', not {mode!r}.")
    return apply("pad", _pad, _pad_vjp, (x,), pad_width=pad_width, mode=mode,
                 constant_values=0 if constant_values is None else constant_values)


def _pad(x, pad_width, mode, constant_values):
    if mode == "constant":
        return np.pad(x, pad_width, mode="constant", constant_values=constant_values)
    return np.pad(x, pad_width, mode=mode)


def _pad_vjp(g, y, x, pad_width, mode, constant_values):
    # Pad the entries' own positions the same way: each output entry then names the input entry it copies.
    shape = np.shape(x)
    positions = np.arange(int(np.prod(shape))).reshape(shape)
    source = _pad(positions, pad_width, mode, -1).reshape(-1)
    copied = source >= 0
    grad = np.bincount(source[copied], weights=np.reshape(g, -1)[copied], minlength=positions.size)
    return (grad.reshape(shape),)


def cast(x, dtype):
    """Converts to `dtype`; the gradient flows between float types only.

    Args:
        x: an array.
        dtype: the new dtype.

    Returns:
        The converted array.

    Example:
        >>> cast(np.ones(2), "int32")
    """
    dtype = np.dtype(dtype)
    return apply("cast", _cast, _cast_vjp if dtype.kind == "f" else None, (x,), dtype=dtype)


def _cast(x, dtype):
    return np.asarray(x).astype(dtype)


def _cast_vjp(g, y, x, dtype):
    return (g,)


def flip(x, axis=None):
    """Reverses the order of entries along `axis` (every axis by default).

    Args:
        x: an array.
        axis: an int, a tuple of ints, or None.

    Returns:
        The flipped array.

    Example:
        >>> flip(np.arange(3))
    """
    return apply("flip", np.flip, _flip_vjp, (x,), axis=_axis(axis))


def _flip_vjp(g, y, x, axis):
    return (np.flip(g, axis),)


def top_k(x, k, sorted=True):
    """The `k` largest entries along the last axis, and their indices.

    Args:
        x: an array.
        k: how many.
        sorted: return them largest first (otherwise in index order).

    Returns:
        `(values, indices)`; the gradient flows through values only.

    Raises:
        ShapeError: `k` exceeds the last axis.

    Example:
        >>> top_k(np.array([1.0, 5.0, 3.0]), 2)   # (array([5., 3.]), array([1, 2]))
    """
    return apply("top_k", _top_k, _top_k_vjp, (x,), k=int(k), sorted=sorted)


def _top_k(x, k, sorted):
    x = np.asarray(x)
    if not 0 < k <= x.shape[-1]:
        raise ShapeError(f"top_k: k={k} but the last axis of the input (shape {x.shape}) has {x.shape[-1]} entries.")
    indices = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    if not sorted:
        indices = np.sort(indices, axis=-1)
    return np.take_along_axis(x, indices, axis=-1), indices


def _top_k_vjp(g, y, x, k, sorted):
    values_grad, _ = g
    grad = np.zeros(np.shape(x), np.asarray(values_grad).dtype)
    np.put_along_axis(grad, y[1], values_grad, axis=-1)
    return (grad,)
