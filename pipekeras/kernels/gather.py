"""Gathering rows: one training batch out of the shuffled samples.

The copy runs on one thread, on purpose. Split over Numba's threads, IMDB's 20 MB batches (512 rows of 40 KB)
were copied in half the time on two cores (~1.9 -> ~1.0 ms), but the step got slower: after a parallel region
Numba's OpenMP threads keep spinning on the cores, and the step's next products, run by BLAS's own threads,
wait for them (2 threads, per epoch of 5 steps: dense forward and backward 18.5 -> 23.8 ms).
"""

from .compile import jit


@jit
def gather_rows(source, index, out):
    """Writes source[index] into `out`.

    Args:
        source: 2D C-contiguous array (samples, values per sample).
        index: 1D int64 array of rows, each in [0, len(source)).
        out: 2D C-contiguous array (len(index), values per sample) of source's dtype.
    """
    # Element by element: a row assignment (out[i] = source[j]) first copies the row to a temporary, in case
    # the two overlap, and took twice as long.
    values = source.shape[1]
    for i in range(index.size):
        row = index[i]
        for k in range(values):
            out[i, k] = source[row, k]
