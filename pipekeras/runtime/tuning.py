"""Every size threshold that chooses between execution paths, in one table.

Each threshold has a name, a unit, a default, an environment variable that replaces the default at import
(`PIPEKERAS_<NAME>`, except for `compiled` ones, which Numba freezes into cached machine code) and a
one-line reason. Units are kept to a few: elements (array entries a loop touches), flops (2 per multiply-add
of a product), bytes, rows, steps (training steps), ratio (of two times) and switch (1 on, 0 off). Code reads a value per call with `get(name)` (a dict lookup), so tests can
change one for a block with `override(...)` and a later policy can change them while running.
"""

import contextlib
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Threshold:
    """One row of the table: see the module docstring."""

    name: str
    unit: str
    default: float
    why: str
    compiled: bool = False

    @property
    def variable(self):
        """The environment variable that sets it, or None for a compiled-in constant."""
        return None if self.compiled else "PIPEKERAS_" + self.name


TABLE = (
    Threshold("PARALLEL_MIN_WORK", "elements", 1 << 22,
              "a prange loop runs in parallel from this size: below it, waking threads costs more than it saves"),
    Threshold("POOL_MIN_WORK", "elements", 1 << 17,
              "the same inside training_step(), where no BLAS thread competes for the cores"),
    Threshold("BLAS_THREADED_MIN_FLOPS", "flops", 1e7,
              "smaller products run on one BLAS thread; inside training_step() larger ones split over Numba's "
              "threads"),
    Threshold("BLAS_OWN_SINGLE_MAX_FLOPS", "flops", 2 * 65536 * 4,
              "OpenBLAS runs products of at most this size on one thread by itself, so the runtime leaves its "
              "thread count alone for them"),
    Threshold("SPLIT_MIN_WORK", "elements", 1 << 19,
              "a row-split loop (recurrent: steps x batch x gates x units) splits over threads from this size "
              "(~1 ms on one thread; waking a helper thread takes ~150 us)"),
    Threshold("SPLIT_MIN_FLOPS", "flops", 3e7,
              "a product outside the Numba pool splits over the row threads from this size"),
    Threshold("SPLIT_MIN_ROWS", "rows", 8, "every chunk of a row split has at least this many rows"),
    Threshold("DENSE_STACK_MAX_FLOPS", "flops", 2 * (1 << 21),
              "DenseStack runs a model when 2 x batch x weights is at most this; above, products dominate and "
              "the layer-by-layer path with threaded BLAS is as fast"),
    Threshold("DENSE_STACK_RUN_FLOPS", "flops", 2 * (1 << 25),
              "one DenseStack run of fit steps does about this much work (2 x steps x batch x weights, 10-20 "
              "ms), so Ctrl-C and the progress bar answer quickly"),
    Threshold("DENSE_STACK_LOOP_MAX_FLOPS", "flops", 2 * (1 << 14),
              "DenseStack products of at most this size run as compiled loops: BLAS's fixed cost per call is "
              "more than the arithmetic", compiled=True),
    Threshold("INFER_CHUNK_BYTES", "bytes", 8 << 20,
              "inference splits a batch into forward passes of about this many bytes of layer outputs, which "
              "stay in cache and are reused"),
    Threshold("MIN_INFER_CHUNK", "rows", 32, "inference never passes fewer samples than this at a time"),
    Threshold("INFER_BLOCK_BYTES", "bytes", 256 << 10,
              "inference convolutions run in blocks of output rows whose im2col columns and outputs take about "
              "this many bytes, in a core's cache"),
    Threshold("MIN_INFER_BLOCK", "rows", 32, "every such block has at least this many output rows"),
    Threshold("RECURRENT_INFERENCE_BLOCK_BYTES", "bytes", 1 << 20,
              "recurrent inference runs the time loop in blocks of steps whose input projections take about "
              "this many bytes, which stay in cache"),
    # The thread count of training steps under load (runtime/step_threads.py).
    Threshold("ADAPT_THREADS", "switch", 1,
              "1: training steps time themselves and run on one thread while that is faster (other processes "
              "on the cores), split as on the configured count, so their numbers are the same; 0 keeps every "
              "step on the configured count"),
    Threshold("ADAPT_WARMUP_STEPS", "steps", 8, "a model's first probe of one thread against all comes after "
              "this many steps (the first ones compile)"),
    Threshold("ADAPT_PROBE_STEPS", "steps", 3,
              "a probe times this many steps on each count (after one unmeasured step each) and keeps the "
              "count of the shorter median"),
    Threshold("ADAPT_PROBE_END", "ratio", 1.1,
              "a probe step on the other count this many times the current count's recent median ends the "
              "probe: on a quiet machine a probe of one thread then costs two steps, not eight"),
    Threshold("ADAPT_WINDOW_STEPS", "steps", 8,
              "on all threads, the median step of each window of this many steps is compared with the probe's"),
    Threshold("ADAPT_SLOWDOWN", "ratio", 1.3,
              "a window median this many times the last probe's step time means the cores got busier: probe "
              "again"),
    Threshold("ADAPT_MIN_PERIOD", "steps", 32,
              "the fewest steps between probes; doubled each time a probe keeps the count, reset on a change"),
    Threshold("ADAPT_MAX_PERIOD", "steps", 1024,
              "the most steps between probes (on one thread: how late free cores are noticed; each probe "
              "runs a few steps on the slower count)"),
)

_BY_NAME = {threshold.name: threshold for threshold in TABLE}


def _initial(threshold):
    text = os.environ.get(threshold.variable) if threshold.variable else None
    value = threshold.default if text is None else float(text)
    return int(value) if float(value).is_integer() else value


_values = {threshold.name: _initial(threshold) for threshold in TABLE}


def get(name):
    """Returns the current value of threshold `name` (an int where it is whole)."""
    return _values[name]


@contextlib.contextmanager
def override(**values):
    """Sets thresholds for the block (for tests), restoring the previous values after.

    Args:
        **values: threshold names and their values for the block.

    Raises:
        KeyError: for a name not in the table.
    """
    unknown = [name for name in values if name not in _BY_NAME]
    if unknown:
        raise KeyError(f"unknown thresholds {unknown}; the table has {sorted(_BY_NAME)}")
    saved = {name: _values[name] for name in values}
    _values.update(values)
    try:
        yield
    finally:
        _values.update(saved)
