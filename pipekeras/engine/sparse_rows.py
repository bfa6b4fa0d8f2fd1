"""SparseRows: a batch of 2D inputs kept as the columns each row holds (CSR), for a first Dense layer.

fit, evaluate and predict turn a SciPy sparse matrix, or lists of ids (IMDB reviews as `imdb.load_data` gives
them), into SparseRows; batches are its rows (`rows[a:b]`, `rows[index]`); Dense sums the kernel rows of the
ids instead of multiplying 10,000-wide multi-hot rows (compute/sparse_dense.py).
"""

import numpy as np

from ..compute.sparse_dense import gather_sparse_rows


class SparseRows:
    """Rows of a (samples, width) input as CSR arrays: `indptr` (int64), `indices` (int32, each in [0, width))
    and `values` (one per index, or None when every entry is 1).

    Built by the training data checks, which check the ids; the constructor trusts its arguments.

    Attributes:
        shape: (samples, width); ndim: 2; dtype: the dtype of the dense rows (that of `values`).
    """

    ndim = 2

    def __init__(self, indptr, indices, values, width, dtype):
        self.indptr, self.indices, self.values = indptr, indices, values
        self.width, self.dtype = int(width), np.dtype(dtype)

    @property
    def shape(self):
        return (len(self.indptr) - 1, self.width)

    def __len__(self):
        return len(self.indptr) - 1

    def __repr__(self):
        return f"SparseRows(shape={self.shape}, entries={self.indices.size}, dtype={self.dtype})"

    def value_array(self):
        """The values for the kernels: an empty array of the dtype when every entry is 1."""
        return np.empty(0, self.dtype) if self.values is None else self.values

    def __getitem__(self, index):
        """Rows `index`: a slice with step 1 (views) or a 1D integer array (copied)."""
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                index = np.arange(start, stop, step)
            else:
                stop = max(start, stop)
                lo, hi = self.indptr[start], self.indptr[stop]
                values = None if self.values is None else self.values[lo:hi]
                return SparseRows(self.indptr[start:stop + 1] - lo, self.indices[lo:hi], values, self.width,
                                  self.dtype)
        index = np.asarray(index, np.int64).reshape(-1)
        index = np.where(index < 0, index + len(self), index)
        if index.size and (index.min() < 0 or index.max() >= len(self)):
            raise IndexError(f"row index out of range for {len(self)} rows")
        lengths = self.indptr[index + 1] - self.indptr[index]
        indptr = np.zeros(index.size + 1, np.int64)
        np.cumsum(lengths, out=indptr[1:])
        indices = np.empty(int(indptr[-1]), np.int32)
        values = None if self.values is None else np.empty(indices.size, self.dtype)
        gather_sparse_rows(self.indptr, self.indices, self.value_array(), index, indptr, indices,
                           np.empty(0, self.dtype) if values is None else values)
        return SparseRows(indptr, indices, values, self.width, self.dtype)

    def toarray(self):
        """The rows as a dense (samples, width) array (duplicate ids add up, as in SciPy)."""
        out = np.zeros(self.shape, self.dtype)
        rows = np.repeat(np.arange(len(self)), np.diff(self.indptr))
        np.add.at(out, (rows, self.indices), 1 if self.values is None else self.values)
        return out
