"""Data preparation helpers: one-hot labels, padding of sequences, multi-hot encoding, normalization."""

import numbers

import numpy as np

from ..errors import ConfigError, DataError
from ..compute.sparse_dense import csr_of_ids

_PADDING_MODES = ("pre", "post")


def _position(index, shape):
    """Formats a flat index as a position in `shape`: `3` for 1-D, `(2, 0)` for n-D."""
    if len(shape) <= 1:
        return str(int(index))
    return str(tuple(int(i) for i in np.unravel_index(index, shape)))


def _integer_labels(y, what):
    """`y` as an int64 array; floats must be whole numbers. Raises DataError otherwise."""
    try:
        arr = np.asarray(y)
    except ValueError as exc:  # ragged nested lists
        raise DataError(f"{what} must be a rectangular array of integer class ids: {exc}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"{what} must hold integer class ids, got an array of dtype {arr.dtype}.")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise DataError(f"{what} must hold integer class ids, got complex numbers.")
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            raise DataError(f"{what} must hold integer class ids; found {arr.ravel()[i]!r} at position "
                            f"{_position(i, arr.shape)}.")
    return arr.astype(np.int64)


def _check_num_classes(num_classes, name="num_classes"):
    if num_classes is None:
        return None
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ConfigError(f"{name} must be a positive integer or None, got {num_classes!r}.")
    return int(num_classes)


def _check_ids(flat, num_classes, what, position_of):
    """Raises DataError for the first negative id or id >= num_classes (naming value and position)."""
    negative = flat < 0
    if negative.any():
        i = int(np.flatnonzero(negative)[0])
        raise DataError(f"{what} must be non-negative class ids; found {int(flat[i])} at position "
                        f"{position_of(i)}.")
    if num_classes is not None:
        too_big = flat >= num_classes
        if too_big.any():
            i = int(np.flatnonzero(too_big)[0])
            raise DataError(f"{what} has class id {int(flat[i])} at position {position_of(i)}, but num_classes is "
                            f"{num_classes} (ids must be 0 to {num_classes - 1}). Increase num_classes or fix "
                            f"the labels.")


def to_categorical(y, num_classes=None, dtype="float32"):
    """Converts a class vector (integers) to a binary class matrix (one-hot encoding).

    A trailing axis of size 1 is dropped first, so labels of shape (n, 1) give (n, num_classes), as in
    Keras.

    Args:
        y: array-like of integer class ids from 0 to `num_classes - 1`, any shape.
        num_classes: total number of classes; None uses `max(y) + 1`.
        dtype: dtype of the result.

    Returns:
        A one-hot array of shape `y.shape + (num_classes,)` (with a trailing 1 of `y.shape` dropped).

    Raises:
        DataError: `y` is empty with `num_classes` None, holds non-integer values, a negative id or an
            id >= `num_classes` (the message gives the value and its position).
        ConfigError: `num_classes` is not a positive integer.

    Example:

    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    """
    num_classes = _check_num_classes(num_classes)
    labels = _integer_labels(y, "to_categorical's y")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    _check_ids(flat, num_classes, "to_categorical's y", lambda i: _position(i, labels.shape))
    if num_classes is None:
        if flat.size == 0:
            raise DataError("to_categorical got no labels; pass num_classes to encode an empty array.")
        num_classes = int(flat.max()) + 1
    out = np.zeros((flat.size, num_classes), dtype=dtype)
    out[np.arange(flat.size), flat] = 1
    return out.reshape(shape + (num_classes,))


def _as_sequence_list(sequences, func):
    """Checks that `sequences` is a sequence of sequences; returns it as a list."""
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise DataError(f"{func} expects a list of sequences, got {type(sequences).__name__}.")
    if isinstance(sequences, np.ndarray) and sequences.dtype != object:
        if sequences.ndim < 2:
            raise DataError(f"{func} expects a list of sequences (2-D), got a {sequences.ndim}-D array of shape "
                            f"{sequences.shape}.")
        return list(sequences)
    items = list(sequences)
    for i, s in enumerate(items):
        if isinstance(s, (str, bytes)) or not hasattr(s, "__len__"):
            raise DataError(f"{func} expects a list of sequences, but element {i} is {s!r} "
                            f"({type(s).__name__}), not a sequence.")
    return items


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads sequences to the same length.

    Turns a list of `num_samples` sequences (lists of integers) into a 2-D array of shape
    `(num_samples, maxlen)`. Sequences shorter than `maxlen` are padded with `value` (at the start
    with `padding="pre"`, the default, or at the end with `"post"`); longer ones are truncated, losing
    their start (`truncating="pre"`, the default) or their end (`"post"`). `maxlen` defaults to the
    longest sequence. Sequences of vectors give arrays of shape `(num_samples, maxlen) + vector shape`.

    Args:
        sequences: list of sequences (each a list or array).
        maxlen: length of the output; None for the longest sequence.
        dtype: dtype of the output (`object` or a string dtype allow string values).
        padding: `"pre"` or `"post"`: where to pad.
        truncating: `"pre"` or `"post"`: where to cut sequences longer than `maxlen`.
        value: the padding value.

    Returns:
        NumPy array of shape `(len(sequences), maxlen)` (plus the shape of the elements).

    Raises:
        ConfigError: `padding` or `truncating` is not "pre"/"post", `maxlen` is negative, or `value` is
            a string for a numeric dtype.
        DataError: `sequences` is not a list of sequences, or the elements have different shapes.

    Example:

    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
    """
    for name, mode in (("padding", padding), ("truncating", truncating)):
        if mode not in _PADDING_MODES:
            raise ConfigError(f'{name} must be "pre" or "post", got {mode!r}.')
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, numbers.Integral) or maxlen < 0):
        raise ConfigError(f"maxlen must be a non-negative integer or None, got {maxlen!r}.")
    dtype = np.dtype(dtype)
    if isinstance(value, str) and dtype != object and not np.issubdtype(dtype, np.str_):
        raise ConfigError(f"pad_sequences: value {value!r} is a string but dtype is {dtype}; use dtype=object or "
                          f"a string dtype, or a numeric value.")
    seqs = _as_sequence_list(sequences, "pad_sequences")
    lengths = [len(s) for s in seqs]
    sample_shape = ()
    for s in seqs:
        if len(s):
            sample_shape = np.asarray(s).shape[1:]
            break
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    maxlen = int(maxlen)
    out = np.full((len(seqs), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, s in enumerate(seqs):
        if not len(s):
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        try:
            kept = np.asarray(kept, dtype=dtype)
        except (TypeError, ValueError) as exc:
            raise DataError(f"pad_sequences: sequence {i} cannot be converted to {dtype}: {exc}") from exc
        if kept.shape[1:] != sample_shape:
            raise DataError(f"pad_sequences: the elements of sequence {i} have shape {kept.shape[1:]}, but those "
                            f"of the first non-empty sequence have shape {sample_shape}.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out


def multi_hot(sequences, num_classes=None, dtype="float32", dimension=None, sparse=False):
    """Encodes sequences of integer ids as multi-hot rows: 1 at every id a sequence holds, 0 elsewhere.

    This is the book's `vectorize_sequences`: `multi_hot(train_data, 10000)` turns IMDB reviews into
    10,000-wide 0/1 vectors. Repeated ids still give 1. With `sparse=True` it keeps only the ids (a SciPy
    CSR matrix, ~120 entries per IMDB review instead of 10,000 floats); fit, evaluate and predict take it for
    a model whose input goes into Dense layers, which then sum the kernel rows of the ids.

    Args:
        sequences: list of sequences of non-negative integer ids (lists or arrays), or a 2-D integer array.
        num_classes: width of the output; None uses the largest id + 1.
        dtype: dtype of the result.
        dimension: alias of `num_classes` (the book's name).
        sparse: return a `scipy.sparse.csr_matrix` (ids sorted within each row) instead of an array.

    Returns:
        Array (or with `sparse`, CSR matrix) of shape `(len(sequences), num_classes)`.

    Raises:
        DataError: `sequences` is not a list of sequences, an id is not an integer, is negative, or is
            >= `num_classes` (the message gives the value, the sequence and the position in it).
        ConfigError: `num_classes` is not a positive integer, or differs from `dimension`.

    Example:

    >>> multi_hot([[0, 2], [1, 1]], 4)
    array([[1., 0., 1., 0.],
           [0., 1., 0., 0.]], dtype=float32)
    """
    if dimension is not None:
        if num_classes is not None and num_classes != dimension:
            raise ConfigError(f"multi_hot got num_classes={num_classes!r} and dimension={dimension!r}; give one.")
        num_classes = dimension
    num_classes = _check_num_classes(num_classes)
    seqs = _as_sequence_list(sequences, "multi_hot")
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    if lengths.sum():
        try:
            flat = np.concatenate([np.asarray(s).reshape(-1) if len(s) else np.zeros(0, np.int64) for s in seqs])
        except ValueError as exc:
            raise DataError(f"multi_hot expects sequences of integer ids: {exc}") from exc
        flat = _integer_labels(flat, "multi_hot's sequences")
    else:
        flat = np.zeros(0, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if len(lengths) else lengths
    rows = np.repeat(np.arange(len(seqs)), lengths)

    def position_of(i):
        row = int(rows[i])
        return f"{int(i - starts[row])} of sequence {row}"

    _check_ids(flat, num_classes, "multi_hot's sequences", position_of)
    if num_classes is None:
        if flat.size == 0:
            raise DataError("multi_hot got no ids; pass num_classes to encode empty sequences.")
        num_classes = int(flat.max()) + 1
    if sparse:
        return _sparse_multi_hot(rows, flat, len(seqs), num_classes, dtype)
    out = np.zeros((len(seqs), num_classes), dtype=dtype)
    out[rows, flat] = 1
    return out


def _sparse_multi_hot(rows, ids, count, num_classes, dtype):
    """The multi-hot rows as a CSR matrix: ids sorted and once per row."""
    import scipy.sparse  # slow to import; only sparse=True needs it

    indptr, indices = csr_of_ids(rows.astype(np.int64), ids.astype(np.int64), count, num_classes)
    return scipy.sparse.csr_matrix((np.ones(indices.size, dtype), indices, indptr), shape=(count, num_classes))


def normalize(x, axis=-1, order=2):
    """Normalizes an array along an axis: divides by its `order`-norm (zero norms are left alone).

    Args:
        x: array to normalize.
        axis: axis along which to normalize.
        order: order of the norm (2 for L2, 1 for L1, ...), as `np.linalg.norm`'s `ord`.

    Returns:
        A normalized copy of `x` (floating point).

    Raises:
        DataError: `x` is not numeric.
        ConfigError: `axis` is out of range.

    Example:

    >>> normalize([[3.0, 4.0]])
    array([[0.6, 0.8]])
    """
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise DataError(f"normalize expects a numeric array, got dtype {arr.dtype}.")
    arr = np.atleast_1d(arr)
    if not -arr.ndim <= axis < arr.ndim:
        raise ConfigError(f"normalize: axis {axis} is out of range for an array of {arr.ndim} dimension(s).")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    norms = np.atleast_1d(np.linalg.norm(arr, order, axis))
    norms[norms == 0] = 1
    return arr / np.expand_dims(norms, axis)
