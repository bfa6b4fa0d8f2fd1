"""Compiled BLAS products: one on any block of a matrix, and one split over Numba's threads.

`gemm(a, b, out)` computes out = a @ b for 2D float32 or float64 views whose rows or columns are contiguous
(blocks of C- or F-ordered arrays, transposes included), through the gemm that Numba's own `np.dot` calls
(SciPy's BLAS, by Numba's `numba_xxgemm`), so that kernels using it stay cached on disk. `np.dot` in compiled
code takes only contiguous arrays; a block of columns is not one.

`split_product(...)` splits the product over Numba's threads along the longer side of the
output: rows of a (each chunk reads all of b) or columns of b (each chunk reads all of a), so that each chunk
reads the smaller operand in full and its share of the larger one. BLAS must be on one thread meanwhile
(`threads.training_step`); `blas.matmul` decides when to use it. `split_product_serial(...)` makes the same
gemm calls in turn (for a step that runs on one thread: same numbers, no parallel launch).
"""

import numpy as np
from numba import prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .jit import jit
from .threads import parallel_loop

_xxgemm = types.ExternalFunction("numba_xxgemm", types.intc(
    types.char, types.char, types.char, types.intp, types.intp, types.intp, types.voidptr, types.voidptr,
    types.intp, types.voidptr, types.intp, types.voidptr, types.voidptr, types.intp))


@intrinsic
def _address(typingctx, array):
    """The address of an array's first element, as a void pointer."""
    def codegen(context, builder, signature, args):
        data = context.make_array(array)(context, builder, args[0]).data
        return builder.bitcast(data, cgutils.voidptr_t)

    return types.voidptr(array), codegen


@jit(inline="always")
def _operand(m):
    """(transpose flag, leading dimension) of `m` seen as the transpose of a column-major matrix, as gemm sees
    row-major data: rows contiguous -> not transposed, leading dimension its row stride; columns contiguous ->
    transposed, leading dimension its column stride (both in elements)."""
    size = m.itemsize
    if m.strides[1] == size or m.shape[1] == 1:
        return ord("n"), max(m.strides[0] // size, m.shape[1], 1)
    return ord("t"), max(m.strides[1] // size, m.shape[0], 1)


@jit
def gemm(a, b, out):
    """out = a @ b: a (m, k), b (k, n), out (m, n) with contiguous rows; a and b with contiguous rows or columns.

    In column-major terms out^T = b^T a^T, which is how it is passed to BLAS.
    """
    rows, inner = a.shape
    cols = b.shape[1]
    if rows == 0 or cols == 0:
        return
    if inner == 0:
        out[:] = 0
        return
    scalars = np.empty(2, out.dtype)
    scalars[0] = 1
    scalars[1] = 0
    trans_b, ld_b = _operand(b)
    trans_a, ld_a = _operand(a)
    kind = ord("s") if out.itemsize == 4 else ord("d")
    _xxgemm(kind, trans_b, trans_a, cols, rows, inner, _address(scalars[0:1]), _address(b), ld_b, _address(a), ld_a,
            _address(scalars[1:2]), _address(out), max(out.strides[0] // out.itemsize, cols, 1))


def _split_product(a_stored, a_transposed, b_stored, b_transposed, out, chunks):
    """out = a @ b in `chunks` blocks of the output's longer side, one per Numba thread (see the module doc).

    a is a_stored, or its transpose when a_transposed (likewise b): the callers pass C-contiguous arrays and
    flags, so that one compiled version serves every layout (each compiled signature costs ~2 s cold).
    """
    a = a_stored.T if a_transposed else a_stored
    b = b_stored.T if b_transposed else b_stored
    rows, cols = out.shape
    for c in prange(chunks):
        if rows >= cols:
            lo, hi = rows * c // chunks, rows * (c + 1) // chunks
            gemm(a[lo:hi], b, out[lo:hi])
        else:
            lo, hi = cols * c // chunks, cols * (c + 1) // chunks
            gemm(a, b[:, lo:hi], out[:, lo:hi])


_copies = parallel_loop(_split_product)
split_product, split_product_serial = _copies.parallel, _copies.serial
