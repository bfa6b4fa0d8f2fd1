"""Batches from a data source for fit, evaluate and predict: a generator or other iterator, any iterable of
batches (a torch DataLoader), or a `Sequence` / `PyDataset` read by index.

`SourceEpochs` offers what `ArrayEpochs` offers (`steps`, `samples`, `batch_size`, `sample_weight`, `batches`,
`take`); each of its `Steps` stands for one batch, already checked and converted, read ahead in the background
(a thread for iterators; `workers` threads or forked processes for a `Sequence`) while the step before it
computes. A batch is `x`, `(x, y)` or `(x, y, sample_weight)` (a list counts as a tuple, as in Keras).
"""

import collections
import collections.abc
import concurrent.futures
import contextlib
import multiprocessing
import queue
import threading
import warnings

import numpy as np

from ..errors import ConfigError, DataError
from ..utils.sequence import Sequence
from .data import prepare_inputs
from .sparse_inputs import is_sparse_matrix
from .epochs import Steps
from .targets import prepare_data

_PARTS = ("x", "y", "sample_weight")
_END = object()  # the reader thread's last item


class ReadOptions:
    """A data source with how to read it: `workers` and `use_multiprocessing` (a `Sequence` only) and
    `max_queue_size` (batches read ahead). R keras 2's `fit_generator` passes its arguments this way.
    """

    def __init__(self, source, workers=None, use_multiprocessing=None, max_queue_size=None):
        self.source = source
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size


def _is_indexed(x):
    """A `Sequence`, or an object with its methods (Keras's own `Sequence`, `PyDataset`)."""
    return isinstance(x, Sequence) or (hasattr(x, "__getitem__") and hasattr(x, "__len__")
                                       and hasattr(x, "on_epoch_end"))


def is_source(x):
    """True for data that comes batch by batch: a `Sequence`, an iterator or generator, or another iterable that
    is not an array, a SciPy sparse matrix, list, tuple, dict, string or table (those are the data itself)."""
    if isinstance(x, ReadOptions) or _is_indexed(x):
        return True
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)) or hasattr(x, "__array__") \
            or hasattr(x, "to_numpy") or is_sparse_matrix(x):
        return False
    return hasattr(x, "__iter__") or hasattr(x, "__next__")


def unpack(batch, step):
    """Returns (x, y, sample_weight) of one batch, None for the parts it lacks.

    Raises:
        DataError: for a tuple of another length.
    """
    if isinstance(batch, list):
        batch = tuple(batch)
    if not isinstance(batch, tuple):
        return batch, None, None
    if not 1 <= len(batch) <= 3:
        raise DataError(f"batch {step + 1} of the data source is a tuple of {len(batch)} elements; a batch is x, "
                        "(x, y) or (x, y, sample_weight).")
    return batch + (None,) * (3 - len(batch))


def _leaf(value):
    if isinstance(value, dict):
        return {key: _leaf(v) for key, v in sorted(value.items())}
    if isinstance(value, (list, tuple)) and value and not np.isscalar(value[0]) and np.ndim(value[0]) > 0 \
            and not isinstance(value[0], (list, tuple)):
        return [_leaf(v) for v in value]
    return tuple(np.shape(value)[1:])


def signature(batch):
    """The structure of a batch with the shape of one sample of each array (the batch size may vary)."""
    return tuple(None if part is None else _leaf(part) for part in batch)


def _shown(leaf):
    if isinstance(leaf, dict):
        return "{" + ", ".join(f"{k!r}: {_shown(v)}" for k, v in leaf.items()) + "}"
    if isinstance(leaf, list):
        return "[" + ", ".join(_shown(v) for v in leaf) + "]"
    return "samples of shape " + str(leaf)


def difference(first, now):
    """Says how the batch signature `now` differs from the first one's, or returns None."""
    for name, a, b in zip(_PARTS, first, now):
        if a == b:
            continue
        if a is None or b is None:
            return f"it has {'a' if b is not None else 'no'} {name} where the first batch had " \
                   f"{'none' if a is None else 'one'}"
        return f"its {name} has {_shown(b)} where the first batch's had {_shown(a)}"
    return None


class _Item:
    """One batch as read: its step, signature, and prepared arrays or the error preparing them raised."""

    def __init__(self, step, batch, prepare, error=None):
        self.step = step
        self.error = error
        self.signature = None
        if error is not None:
            return
        try:
            parts = unpack(batch, step)
            self.signature = signature(parts)
            self.prepared = prepare(parts, step)
        except Exception as error:  # raised in order, by the consumer
            self.error = error


def _read_iterator(iterator, steps, prepare, max_queue_size):
    """Yields the `_Item`s of up to `steps` batches of `iterator`, read by a background thread; a worker error
    comes as an `_Item` whose `error` is the exception the iterator raised."""
    items = queue.Queue(maxsize=max(1, max_queue_size))
    stop = threading.Event()

    def put(item):
        while not stop.is_set():
            try:
                items.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def work():
        try:
            for step in range(steps):
                if stop.is_set():
                    return
                try:
                    batch = next(iterator)
                except StopIteration:
                    break
                except BaseException as error:  # the generator's own error, re-raised in the main thread
                    error.add_note(f"(raised by the data source while reading batch {step + 1}, in pipekeras's "
                                   "reader thread)")
                    put(_Item(step, None, None, error))
                    return
                put(_Item(step, batch, prepare))
        finally:
            put(_END)

    thread = threading.Thread(target=work, name="pipekeras-data-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


_WORKER_SEQUENCE = None  # the Sequence a forked worker process reads


def _set_worker_sequence(sequence):
    global _WORKER_SEQUENCE
    _WORKER_SEQUENCE = sequence


def _worker_batch(index):
    return _WORKER_SEQUENCE[index]


def _read_sequence(sequence, steps, prepare, workers, use_multiprocessing, max_queue_size):
    """Yields the `_Item`s of the batches 0 .. steps-1 of `sequence`, in order, read by `workers` threads (or
    forked processes) up to `max_queue_size` batches ahead."""
    workers = max(1, int(workers))
    if use_multiprocessing:
        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                              else "spawn")
        executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context,
                                                          initializer=_set_worker_sequence, initargs=(sequence,))
        submit = lambda step: executor.submit(_worker_batch, step)  # noqa: E731
    else:
        executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="pipekeras-data")
        submit = lambda step: executor.submit(lambda: _Item(step, sequence[step], prepare))  # noqa: E731
    pending = collections.deque()
    upcoming = iter(range(steps))
    try:
        for step in upcoming:
            pending.append((step, submit(step)))
            if len(pending) >= max(workers, max_queue_size):
                break
        while pending:
            step, future = pending.popleft()
            following = next(upcoming, None)
            if following is not None:
                pending.append((following, submit(following)))
            try:
                result = future.result()
            except Exception as error:
                where = "a worker process" if use_multiprocessing else "a worker thread"
                error.add_note(f"(raised by {type(sequence).__name__}.__getitem__({step}) in {where})")
                raise
            yield _Item(step, result, prepare) if use_multiprocessing else result
            result = future = None  # hold no batch already trained on while the next ones are read
    finally:
        for _, future in pending:
            future.cancel()
        executor.shutdown(wait=True)


def _check_steps(steps, name, verb):
    if steps is None:
        return None
    if isinstance(steps, (bool, np.bool_)) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ConfigError(f"{verb}: {name} must be a positive integer or None, received {steps!r}.")
    return int(steps)


class SourceEpochs:
    """The batches of a data source for every epoch of fit (or one pass of evaluate or predict).

    A `Sequence` gives batches 0 .. len-1 each epoch (then its `on_epoch_end`); an iterator (a generator)
    goes on where the epoch before stopped; another iterable starts again each epoch.

    Args:
        source: the data source, or a `ReadOptions` holding it.
        prepare: `prepare(parts, step)` turns (x, y, sample_weight) into the arrays a step takes.
        steps: batches per epoch; None for all (`len(source)`).
        verb: "fit", "evaluate" or "predict", for messages; `steps_name`: the argument giving `steps`.
        model: the model whose `stop_training` ends fit when an iterator runs out.

    Raises:
        ConfigError: for `steps` that are not a positive integer, or missing where the source has no length.
    """

    samples = None  # unknown: the source says its batches, not its samples
    batch_size = None  # each batch's own
    sample_weight = None  # the batches carry their own

    def __init__(self, source, prepare, steps, verb, steps_name, model=None):
        options = source if isinstance(source, ReadOptions) else ReadOptions(source)
        self.source = options.source
        self.prepare = prepare
        self.verb = verb
        self.model = model
        self.indexed = _is_indexed(self.source)
        self.max_queue_size = _option(options.max_queue_size, self.source, "max_queue_size", 10)
        self.workers = _option(options.workers, self.source, "workers", 1)
        self.use_multiprocessing = _option(options.use_multiprocessing, self.source, "use_multiprocessing", False)
        self.steps = _check_steps(steps, steps_name, verb)
        if self.steps is None:
            if not hasattr(self.source, "__len__"):
                raise ConfigError(
                    f"{verb}: the data source ({type(self.source).__name__}) yields batches without saying how "
                    f"many; give {steps_name}= (the number of batches {'per epoch' if verb == 'fit' else 'to use'}).")
            self.steps = len(self.source)
            if self.steps < 1:
                raise DataError(f"{verb}: the data source ({type(self.source).__name__}) has no batches.")
        # an iterator goes on across epochs; another iterable is iterated afresh each epoch (not here: iter() of a
        # torch DataLoader with workers starts its worker processes)
        self.iterator = None if self.indexed or not isinstance(self.source, collections.abc.Iterator) else self.source
        self.first = None  # the first batch's signature
        self._held = None  # the prepared batch of the current step, until `take`
        self.warned = False

    def batches(self, shuffle, run):
        """Yields one `Steps` per batch of the next epoch, its `index` the prepared batch (`shuffle` and `run`
        do not apply: the source decides the order, and batches come one at a time)."""
        if self.indexed:
            items = _read_sequence(self.source, min(self.steps, len(self.source)), self.prepare, self.workers,
                                   self.use_multiprocessing, self.max_queue_size)
        else:
            iterator = iter(self.source) if self.iterator is None else self.iterator
            items = _read_iterator(iterator, self.steps, self.prepare, self.max_queue_size)
        count = 0
        with contextlib.closing(items):
            for item in items:
                self._held = self._checked(item)
                step, item = item.step, None
                yield Steps(step, step, step)
                count += 1
        if self.indexed and hasattr(self.source, "on_epoch_end"):
            self.source.on_epoch_end()
        if count < self.steps:
            self._ran_out(count)

    def _checked(self, item):
        if item.signature is not None:
            if self.first is None:
                self.first = item.signature
            else:
                different = difference(self.first, item.signature)
                if different is not None:
                    raise DataError(f"{self.verb}: batch {item.step + 1} of the data source differs from the first "
                                    f"batch: {different}. Every batch needs the same structure and sample shapes.")
        if item.error is not None:
            raise item.error
        return item.prepared

    def _ran_out(self, count):
        one_shot = self.iterator is not None
        if not self.warned:
            self.warned = True
            more = f" Make sure it can yield {self.steps} batches per epoch (e.g. loop with while True)." \
                if one_shot else ""
            warnings.warn(f"{self.verb}: the data source ran out of batches after {count} of {self.steps} steps; "
                          f"{'the epoch ends there' if self.verb == 'fit' else 'the results cover those'}"
                          f"{' and training stops' if one_shot and self.verb == 'fit' else ''}.{more}",
                          RuntimeWarning, stacklevel=3)
        if one_shot and self.model is not None and self.verb == "fit":
            self.model.stop_training = True

    def take(self, step):
        """Returns the prepared batch of the step just yielded by `batches` (x arrays, y arrays, sample weights
        or None; for predict the x arrays), and lets it go: once the step is done, nothing here holds it."""
        batch, self._held = self._held, None
        return batch


def _option(given, source, name, default):
    if given is not None:
        return given
    return getattr(source, name, default) if _is_indexed(source) else default


def training_source(model, x, y, sample_weight, class_weight, steps, verb, steps_name):
    """Returns the `SourceEpochs` of fit's (or evaluate's) data source `x`: batches with targets.

    Raises:
        ConfigError: for `y` or `sample_weight` given beside a data source (its batches carry them).
    """
    if y is not None or sample_weight is not None:
        given = "y" if y is not None else "sample_weight"
        raise ConfigError(f"{verb}: {given} cannot be given with a data source ({type(x).__name__}): its batches "
                          "carry the targets and weights; yield (x, y) or (x, y, sample_weight).")

    def prepare(parts, step):
        bx, by, bw = parts
        if by is None:
            raise DataError(f"{verb}: batch {step + 1} of the data source has no targets; yield (x, y) or "
                            "(x, y, sample_weight).")
        return prepare_data(model, model.loss_functions, bx, by, bw, class_weight, what=f"x (batch {step + 1})")

    return SourceEpochs(x, prepare, steps, verb, steps_name, model)


def input_source(model, x, steps):
    """Returns the `SourceEpochs` of predict's data source `x` (targets in its batches are ignored)."""
    return SourceEpochs(x, lambda parts, step: prepare_inputs(model, parts[0], f"x (batch {step + 1})"), steps,
                        "predict", "steps")


def evaluate_source(model, data):
    """Returns the loss and metrics of `model` over the batches of `data` (a `SourceEpochs`).

    Raises:
        DataError: when the source yields no batch.
    """
    config = model.compile_config
    metrics = config.fresh_metrics()
    loss_sum, seen = 0.0, 0
    for steps in data.batches(False, 1):
        x_arrays, y_arrays, weights = data.take(steps.index)
        outputs = model._infer(x_arrays)
        count = len(x_arrays[0])
        loss_sum += config.total_loss(y_arrays, outputs, weights) * count
        seen += count
        config.update_metrics(y_arrays, outputs, weights, metrics)
    if not seen:
        raise DataError(f"{data.verb}: the data source yielded no batch.")
    return config.logs(loss_sum / seen + model._regularization_penalty(), metrics)


def predict_source(model, data):
    """Returns the outputs of `model` for every batch of `data`, concatenated (one array per output).

    Raises:
        DataError: when the source yields no batch.
    """
    chunks = [model._infer(data.take(steps.index)) for steps in data.batches(False, 1)]
    if not chunks:
        raise DataError("predict: the data source yielded no batch.")
    return [np.concatenate(parts) for parts in zip(*chunks)]
