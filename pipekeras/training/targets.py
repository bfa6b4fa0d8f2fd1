"""Targets and per-sample weights (sample and class weights) as the losses take them, with clear errors."""

import numpy as np

from ..errors import DataError
from ..losses import validate_targets
from .data import as_float, prepare_inputs, to_array


def prepare_targets(model, losses, y, n_samples):
    """Returns one target array per output of `model`, checked against its loss and output shape.

    Args:
        model: the model (its outputs and dtype).
        losses: one `Loss` per output.
        y: an array, or a list or dict by output name for several outputs.
        n_samples: the number of input samples.

    Raises:
        DataError, ShapeError: for targets that do not fit the outputs or the losses.
    """
    outputs = model.outputs
    if len(outputs) == 1:
        targets = [y]
    elif isinstance(y, dict):
        targets = [y[t.node.layer.name] for t in outputs]
    else:
        if not isinstance(y, (list, tuple)) or len(y) != len(outputs):
            raise DataError(f"y: the model has {len(outputs)} outputs; give a list of that many arrays.")
        targets = list(y)
    prepared = []
    for i, (tensor, loss, target) in enumerate(zip(outputs, losses, targets)):
        what = "y" if len(outputs) == 1 else f"y[{i}]"
        array = to_array(target, what)
        if array.shape[0] != n_samples:
            raise DataError(
                f"x and {what} have different numbers of samples: {n_samples} and {array.shape[0]}. "
                "Each sample needs one target."
            )
        array = as_float(array, model.dtype, what) if array.dtype.kind == "f" else array
        validate_targets(loss, array, tensor.shape)
        if array.ndim == len(tensor.shape) - 1 and tensor.shape[-1] == 1 and "sparse" not in loss.name:
            array = array.reshape(array.shape + (1,))
        prepared.append(array)
    return prepared


def check_class_weight(class_weight):
    """Raises a DataError unless `class_weight` maps class indices (ints >= 0) to finite weights >= 0."""
    if not isinstance(class_weight, dict):
        raise DataError(f"class_weight must be a dict class index -> weight, received {type(class_weight).__name__}.")
    for key, weight in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)) or key < 0:
            raise DataError(f"class_weight keys must be class indices (ints >= 0), received {key!r}.")
        if (isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (int, float, np.number))
                or not np.isfinite(weight) or weight < 0):
            raise DataError(f"class_weight[{key}] must be a finite number >= 0, received {weight!r}.")


def _class_labels(y, output_rank):
    """Returns the class index of each sample of the first output's targets `y`, for `class_weight`.

    Raises:
        DataError: for targets that are not one class per sample, or labels that are not integers >= 0.
    """
    if y.ndim > 2 or output_rank > 2:
        raise DataError(
            f"class_weight applies to one class per sample: targets of shape (n,), (n, 1) or one-hot "
            f"(n, classes), received targets of shape {y.shape} for an output of rank {output_rank}. For "
            "sequence (or other multi-axis) outputs, pass sample_weight, one weight per sample, instead."
        )
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=-1)
    labels = y.reshape(-1)
    if labels.dtype.kind == "b":
        return labels.astype(np.int64)
    bad = (labels < 0) | (labels != np.floor(labels)) if labels.dtype.kind == "f" else labels < 0
    bad = np.flatnonzero(bad)
    if bad.size:
        raise DataError(
            f"class_weight needs class labels: integers >= 0 (or one-hot rows), received y[{bad[0]}] = "
            f"{labels[bad[0]].item()!r}."
        )
    return labels


def _class_weight_of(labels, class_weight, dtype):
    """Returns the weight of each label: class_weight's value for its class, 1 for classes it does not list
    (looked up through the dict's sorted keys, so memory does not grow with the largest label)."""
    keys = np.array(sorted(class_weight), dtype=np.float64)
    values = np.array([class_weight[int(k)] for k in keys], dtype=dtype)
    if keys.size == 0:
        return np.ones(labels.shape[0], dtype=dtype)
    position = np.minimum(np.searchsorted(keys, labels), keys.size - 1)
    return np.where(keys[position] == labels, values[position], np.ones((), dtype=dtype)).astype(dtype)


def sample_weights(y_arrays, sample_weight, class_weight, n_samples, dtype, output_rank=2):
    """Returns the weight of each sample (sample weights times the weights of their classes in the first
    output), or None when neither is given.

    Args:
        output_rank: the rank of the first output (batch axis included); `class_weight` needs 2 or less.

    Raises:
        DataError: for weights that are not finite numbers or not one per sample, and for `class_weight`
            with targets that are not one class label per sample.
    """
    if sample_weight is None and class_weight is None:
        return None
    weights = np.ones(n_samples, dtype=dtype)
    if sample_weight is not None:
        sample_weight = to_array(sample_weight, "sample_weight")
        sample_weight = as_float(sample_weight, dtype, "sample_weight").reshape(-1)
        if sample_weight.shape[0] != n_samples:
            raise DataError(f"sample_weight has {sample_weight.shape[0]} entries for {n_samples} samples.")
        weights *= sample_weight
    if class_weight is not None:
        check_class_weight(class_weight)
        labels = _class_labels(y_arrays[0], output_rank)
        weights *= _class_weight_of(labels, class_weight, dtype)
    return weights


def prepare_data(model, losses, x, y, sample_weight=None, class_weight=None, what="x"):
    """Returns (input arrays, target arrays, per-sample weights or None) for `model`, checked.

    Raises:
        DataError, ShapeError: for data that does not fit the model or its losses.
    """
    x_arrays = prepare_inputs(model, x, what)
    n = len(x_arrays[0])
    y_arrays = prepare_targets(model, losses, y, n)
    output_rank = len(model.outputs[0].shape)
    return x_arrays, y_arrays, sample_weights(y_arrays, sample_weight, class_weight, n, model.dtype, output_rank)


def prepare_validation(model, losses, validation):
    """Returns (x, y, weights) of fit's `validation_data`: (x_val, y_val) or (x_val, y_val, sample_weight_val).

    Raises:
        DataError, ShapeError: for anything else or data that does not fit the model.
    """
    if not isinstance(validation, (list, tuple)) or len(validation) not in (2, 3):
        raise DataError("fit: validation_data must be (x_val, y_val) or (x_val, y_val, sample_weight_val).")
    weights = validation[2] if len(validation) == 3 else None
    return prepare_data(model, losses, validation[0], validation[1], weights, what="validation x")
