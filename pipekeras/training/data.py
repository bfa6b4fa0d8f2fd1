"""Turning user data (arrays, lists, DataFrames, dicts) into the arrays a model runs on, with clear errors."""

import numpy as np

from ..errors import DataError, ShapeError
from ..compute.checks import all_finite
from ..compute.gather import take
from ..engine.layer import shape_str
from .sparse_inputs import is_sparse_matrix, sparse_inputs


def to_array(value, what, strings=False):
    """Converts array-likes (lists, pandas objects) to a numeric NumPy array (strings too with `strings`: for a
    model input that takes them, such as one feeding `text_vectorization`).

    Raises:
        DataError: for object, string or empty data.
    """
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise DataError(f"{what} cannot be turned into an array ({error}); give a NumPy array.") from None
    if array.dtype.kind == "b":
        array = array.astype(np.uint8)
    if strings and array.dtype.kind in "USO":
        pass
    elif array.dtype.kind not in "iuf":
        raise DataError(
            f"{what} has dtype {array.dtype}; a model needs numbers. Convert it first (e.g. "
            f"np.asarray(x, dtype='float32')); strings need a tokenizer or an encoding."
        )
    if array.ndim == 0 or array.shape[0] == 0:
        raise DataError(f"{what} is empty (shape {array.shape}); give at least one sample.")
    if array.size == 0:
        axis = array.shape.index(0)
        raise DataError(
            f"{what} is empty (shape {array.shape}): axis {axis} has length 0, so each sample holds no values. "
            "Give sequences of at least one step and at least one feature."
        )
    return array


def first_non_finite(array):
    """Returns the index of the first NaN or Inf in `array`, or None."""
    if array.dtype.kind != "f":
        return None
    contiguous = array.flags.c_contiguous and array.dtype.isnative and array.dtype.itemsize in (4, 8)
    if all_finite(array) if contiguous else np.isfinite(array).all():  # a sum could overflow on huge values
        return None
    bad = np.argwhere(~np.isfinite(array))
    return tuple(int(i) for i in bad[0]) if len(bad) else None


def check_finite(array, what):
    """Raises a DataError naming where the first NaN or Inf is."""
    where = first_non_finite(array)
    if where is not None:
        raise DataError(
            f"{what} contains {array[where]} at index {where} (sample {where[0]}). Remove or impute "
            "non-finite values before training."
        )


def as_float(array, dtype, what):
    """Returns `array` as C-contiguous `dtype`.

    Raises:
        DataError: naming the first NaN or Inf, or the first value beyond the range of `dtype` (1e300 for
            float32), which the cast would turn into Inf.
    """
    check_finite(array, what)
    with np.errstate(over="ignore"):
        cast = np.ascontiguousarray(array, dtype=dtype)
    narrowed = array.dtype.kind == "f" and array.dtype.itemsize > cast.dtype.itemsize
    where = first_non_finite(cast) if narrowed else None  # only a narrowing cast can overflow
    if where is not None:
        raise DataError(
            f"{what} holds {array[where]} at index {where} (sample {where[0]}), beyond the range of {cast.dtype} "
            f"(largest {np.finfo(cast.dtype).max:.3g}). Rescale the data first (e.g. standardize each feature)."
        )
    return cast


def take_rows(arrays, index):
    """Returns the rows `index` (a slice or an index array) of each array: one training batch."""
    if isinstance(index, slice):
        return [a[index] for a in arrays]
    index = np.asarray(index)
    return [take(a, index) if isinstance(a, np.ndarray) and a.dtype.kind in "biuf" else a[index] for a in arrays]


def _split_inputs(model, x, what):
    count = len(model.inputs)
    if isinstance(x, dict):
        names = [t.node.layer.name for t in model.inputs]
        missing = [n for n in names if n not in x]
        if missing:
            raise DataError(f"{what}: no data for input(s) {missing}; the model's inputs are {names}.")
        return [x[n] for n in names]
    if count == 1:
        if isinstance(x, (list, tuple)) and len(x) == 1 and np.ndim(x[0]) >= 1 and not np.isscalar(x[0]):
            first = np.asarray(x[0])
            if first.ndim == len(model.inputs[0].shape):
                return [first]
        return [x]
    if not isinstance(x, (list, tuple)) or len(x) != count:
        received = f"a list of {len(x)}" if isinstance(x, (list, tuple)) else f"one {type(x).__name__}"
        raise DataError(f"{what}: the model has {count} inputs, so give a list of {count} arrays; received {received}.")
    return list(x)


def prepare_inputs(model, x, what="x"):
    """Returns a list of C-contiguous arrays matching the model's inputs.

    Raises:
        DataError: for non-numeric, empty or non-finite data, or a wrong number of inputs.
        ShapeError: when a shape does not fit the model's input shape.

    A SciPy sparse matrix, or lists of ids of different lengths, come back as `SparseRows` for a model whose
    input goes into Dense layers (see sparse_inputs.py).
    """
    if not model.built:
        model.ensure_built(tuple(x.shape) if is_sparse_matrix(x) else tuple(to_array(x, what, strings=True).shape))
    if type(x) is not np.ndarray or x.dtype == object:
        sparse = sparse_inputs(model, x, what)
        if sparse is not None:
            return sparse
    arrays = []
    for i, (tensor, value) in enumerate(zip(model.inputs, _split_inputs(model, x, what))):
        name = what if len(model.inputs) == 1 else f"{what}[{i}] (input {tensor.node.layer.name!r})"
        array = to_array(value, name, strings=np.dtype(tensor.dtype).kind in "USO")
        expected = tensor.shape
        if array.ndim != len(expected) or any(e is not None and e != a for e, a in zip(expected[1:], array.shape[1:])):
            hint = ""
            if array.ndim == len(expected) - 1 and array.shape[1:] == tuple(expected[2:]):
                hint = " It looks like one sample lacks its batch axis: use x[None] or x.reshape(1, ...)."
            elif array.ndim > 2 and len(expected) == 2:
                hint = f" Flatten the samples first: x.reshape(len(x), {int(np.prod(array.shape[1:]))})."
            raise ShapeError(
                f"Model {model.name!r}: {name} has shape {shape_str(array.shape)}, but the model expects "
                f"{shape_str(expected)} (None is the batch axis).{hint}"
            )
        dtype = np.dtype(tensor.dtype)
        if dtype.kind == "f":
            array = as_float(array, dtype, name)
        else:
            array = np.ascontiguousarray(array)
        arrays.append(array)
    lengths = {a.shape[0] for a in arrays}
    if len(lengths) > 1:
        raise DataError(f"{what}: the inputs have different numbers of samples: {[a.shape[0] for a in arrays]}.")
    return arrays
