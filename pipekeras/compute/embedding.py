"""Embedding kernels: checked row gather (forward) and scatter-add of row gradients (backward)."""

import numpy as np

from ..runtime.jit import jit


@jit
def first_bad_id(ids, input_dim):
    """Returns the flat position of the first id outside [0, input_dim), or -1 when all are valid."""
    for k in range(ids.shape[0]):
        v = ids[k]
        if v < 0 or v >= input_dim:
            return k
    return -1


@jit
def gather_rows(ids, table, out):
    """out[k, :] = table[ids[k], :] for 1D ids (already checked)."""
    d = table.shape[1]
    for k in range(ids.shape[0]):
        row = ids[k]
        for j in range(d):
            out[k, j] = table[row, j]


@jit
def scatter_add_rows(ids, grad, dtable):
    """dtable[ids[k], :] += grad[k, :] for 1D ids; repeated ids accumulate."""
    d = grad.shape[1]
    for k in range(ids.shape[0]):
        row = ids[k]
        for j in range(d):
            dtable[row, j] += grad[k, j]


def embedding_forward(ids, table):
    """Returns table[ids] for 1D int64 ids, or raises IndexError(flat position) for a bad id."""
    bad = first_bad_id(ids, table.shape[0])
    if bad >= 0:
        raise IndexError(bad)
    out = np.empty((ids.shape[0], table.shape[1]), dtype=table.dtype)
    gather_rows(ids, table, out)
    return out


def embedding_backward(ids, grad, input_dim):
    """Returns the dense gradient of the table for 1D ids and grad (len(ids), output_dim)."""
    dtable = np.zeros((input_dim, grad.shape[1]), dtype=grad.dtype)
    scatter_add_rows(ids, np.ascontiguousarray(grad), dtable)
    return dtable
