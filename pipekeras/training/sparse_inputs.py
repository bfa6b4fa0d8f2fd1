"""Sparse inputs: a SciPy sparse matrix or lists of ids given to fit, evaluate or predict, as `SparseRows`.

A model whose one 2D input goes only into Dense layers takes its rows sparse (see engine/sparse_rows.py):
- a SciPy sparse matrix (any format; `multi_hot(x, width, sparse=True)` gives a CSR matrix);
- a list (or object array) of id sequences of different lengths, as `imdb.load_data` gives reviews: each row
  is the multi-hot row of its ids (repeated ids count once, as in `multi_hot`).
Anything else (rectangular arrays, lists of equal-length rows of the input's width) is dense data as before.
"""

import numpy as np

from ..errors import DataError, ShapeError
from ..compute.sparse_dense import csr_of_ids
from ..engine.sparse_rows import SparseRows


def is_sparse_matrix(x):
    """Whether `x` is a SciPy sparse matrix or array (without importing SciPy)."""
    return type(x).__module__.startswith("scipy.sparse") and hasattr(x, "tocsr")


def _is_index_lists(x, width):
    if isinstance(x, np.ndarray):
        return x.dtype == object and x.ndim == 1 and len(x) > 0 and all(_is_sequence(s) for s in x)
    if not isinstance(x, (list, tuple)) or not x or not all(_is_sequence(s) for s in x):
        return False
    return any(len(s) != width for s in x)


def _is_sequence(s):
    return isinstance(s, (list, tuple, range)) or (isinstance(s, np.ndarray) and s.ndim == 1)


def sparse_inputs(model, x, what):
    """Returns [SparseRows] for sparse `x` (see the module docstring), or None for dense data.

    Raises:
        DataError: for a model that cannot take sparse rows, ids out of range or not integers, non-finite
            values, or a width that differs from the model's input.
    """
    sparse = is_sparse_matrix(x) or isinstance(x, SparseRows)
    if not sparse:
        if len(model.inputs) != 1 or len(model.inputs[0].shape) != 2 or np.dtype(model.inputs[0].dtype).kind != "f":
            return None  # ragged lists for an integer input (an Embedding's) keep their own error
        width = model.inputs[0].shape[1]
        if not _is_index_lists(x, width):
            return None
    kind = "lists of ids" if not sparse else f"a sparse {type(x).__name__}"
    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 2:
        raise DataError(f"{what}: {kind} is accepted by a model with one 2D input that goes into Dense layers; "
                        f"model {model.name!r} has inputs of shapes {[t.shape for t in model.inputs]}. Give dense "
                        "arrays (x.toarray() for a SciPy matrix).")
    tensor = model.inputs[0]
    consumers = [node.layer for node in model.iter_nodes() if any(t is tensor for t in node.input_tensors)]
    others = [layer for layer in consumers if not getattr(layer, "takes_sparse_rows", False)]
    if others or not consumers:
        named = ", ".join(f"{type(layer).__name__} {layer.name!r}" for layer in others) or "no layer"
        raise DataError(f"{what}: {kind} is accepted only by a model whose input goes straight into Dense layers "
                        f"(the sparse rows are summed kernel rows); model {model.name!r} feeds its input to "
                        f"{named}. Give dense arrays instead (multi_hot(x, width) or x.toarray()), or start the "
                        "model with a dense layer.")
    width, dtype = tensor.shape[1], np.dtype(tensor.dtype)
    first = consumers[0]
    if sparse:
        rows = x if isinstance(x, SparseRows) else _from_matrix(x, dtype, what)
        if rows.width != width:
            raise ShapeError(f"Model {model.name!r}: {what} has {rows.width} columns, but the model's input "
                             f"(into {type(first).__name__} {first.name!r}) has width {width}.")
        bad = np.flatnonzero((rows.indices < 0) | (rows.indices >= width))
        if bad.size:
            i = int(bad[0])
            row = int(np.searchsorted(rows.indptr, i, side="right")) - 1
            raise DataError(f"{what}: id {int(rows.indices[i])} (row {row}) is out of range for "
                            f"{type(first).__name__} {first.name!r}, whose input width is {width}: ids must be in "
                            f"[0, {width}).")
    else:
        rows = _from_lists(x, width, dtype, what, first)
    if len(rows) == 0:
        raise DataError(f"{what} is empty (0 rows); give at least one sample.")
    return [rows]


def _from_matrix(matrix, dtype, what):
    if matrix.ndim != 2:
        raise DataError(f"{what}: a sparse input must be 2D (samples, width), received shape {matrix.shape}.")
    csr = matrix.tocsr()
    data = np.asarray(csr.data)
    if data.dtype.kind not in "biuf":
        raise DataError(f"{what}: the sparse matrix holds {data.dtype} values; a model needs numbers.")
    data = data.astype(dtype)
    if not np.isfinite(data).all():
        bad = int(np.argmin(np.isfinite(data)))
        row = int(np.searchsorted(csr.indptr, bad, side="right")) - 1
        raise DataError(f"{what} contains {data[bad]} at row {row}, column {int(csr.indices[bad])}. Remove or "
                        "impute non-finite values before training.")
    values = None if data.size and (data == 1).all() else np.ascontiguousarray(data)
    return SparseRows(np.ascontiguousarray(csr.indptr, np.int64), np.ascontiguousarray(csr.indices, np.int32),
                      values, csr.shape[1], dtype)


def _from_lists(seqs, width, dtype, what, layer):
    lengths = np.fromiter((len(s) for s in seqs), np.int64, count=len(seqs))
    parts = [np.asarray(s).reshape(-1) for s in seqs if len(s)]
    flat = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    if flat.dtype.kind not in "iu":
        raise DataError(f"{what}: taken as lists of ids (rows of different lengths, or not of the input's width "
                        f"{width}), but it holds {flat.dtype} values. Give integer ids in [0, {width}), or dense "
                        f"rows of {width} values each.")
    flat = flat.astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    bad = np.flatnonzero((flat < 0) | (flat >= width))
    if bad.size:
        i = int(bad[0])
        row = int(np.searchsorted(starts, i, side="right")) - 1
        raise DataError(f"{what}: id {int(flat[i])} (sample {row}, position {i - int(starts[row])}) is out of range "
                        f"for {type(layer).__name__} {layer.name!r}, whose input width is {width}: ids must be in "
                        f"[0, {width}). Load the data with num_words={width} or widen the layer's input.")
    indptr, indices = csr_of_ids(np.repeat(np.arange(len(seqs), dtype=np.int64), lengths), flat, len(seqs), width)
    return SparseRows(indptr, indices, None, width, dtype)  # repeated ids once, as multi_hot
