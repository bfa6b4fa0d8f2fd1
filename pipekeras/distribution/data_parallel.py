"""Data parallelism over MPI, Keras 3's way: `set_distribution(DataParallel())`, then the same script runs alone
or under `mpiexec -n N python train.py`.

What is synchronised when (docs/distributed.md has the whole picture):

- when a model's runner is built (before its first step or prediction): the ranks check they hold the same
  model (weight names, shapes and dtypes), then every weight takes rank 0's values (one broadcast);
- as fit starts and as each epoch begins: the random generator takes rank 0's state, so every rank shuffles
  the samples the same way and so forms the same global batches;
- every step: one allreduce of the flat gradient (with the moving statistics of batch normalization), then
  one of the step's loss and outputs, so the loss and the metrics are the global batch's on every rank;
- evaluate, predict and validation: each rank infers its shard of each batch, the outputs are gathered;
- as each epoch ends: a digest of every rank's weights is compared (they must still be bit-identical);
- on ranks other than 0: no progress bar, and callbacks that write (ModelCheckpoint, CSVLogger, TensorBoard,
  LivePlot, or any callback with `rank_zero_only = True`) are left out; `save_model` writes on rank 0 only.
"""

import hashlib
import sys
from dataclasses import dataclass

import numpy as np

from .. import backend
from ..callbacks import Callback, CSVLogger, LivePlot, ModelCheckpoint, TensorBoard
from ..errors import ConfigError
from .communicator import Communicator
from .runner import DataParallelRunner, ReducingOptimizer

_WRITERS = (ModelCheckpoint, CSVLogger, TensorBoard, LivePlot)
_active = None


@dataclass
class Timings:
    """Seconds spent by this rank since the strategy was made (or `reset`): `step` in training steps, of which
    `allreduce` in the gradient allreduce (waiting for the other ranks included); `steps` taken, `values`
    summed by the allreduces."""

    steps: int = 0
    step: float = 0.0
    allreduce: float = 0.0
    values: int = 0

    def reset(self):
        self.steps, self.step, self.allreduce, self.values = 0, 0.0, 0.0, 0


class DataParallel:
    """Data-parallel training over the ranks of an MPI job (needs `pip install 'pipekeras[mpi]'`).

    Each rank holds the whole model and takes its shard of every global batch (`batch_size` is the global
    batch, split into consecutive runs of rows); the gradients are averaged in one allreduce per step, so the
    weights stay identical on every rank and a step equals one process's step on the global batch (to
    float32 rounding).

    Args:
        timeout: seconds any rank waits for the others in a collective before the job is stopped with an error
            naming the ranks that are gone or stopped.

    Attributes:
        rank, size: this rank and the number of ranks (0 and 1 when the script runs alone).
        timings: a `Timings` of this rank's steps.

    Raises:
        ConfigError: when mpi4py is not installed (install the `mpi` extra), or for a bad timeout.

    Example:
        >>> pk.distribution.set_distribution(pk.distribution.DataParallel())
        >>> model | fit(x, y, batch_size=128, epochs=5)   # mpiexec -n 2 python train.py
    """

    def __init__(self, timeout=45.0):
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ConfigError(f"DataParallel: timeout must be a positive number of seconds, received {timeout!r}.")
        self.comm = Communicator(timeout)
        self.rank, self.size = self.comm.rank, self.comm.size
        self.timings = Timings()

    def runner(self, model, config, optimizer, weights, build):
        """Returns the runner of `model` on this rank (see training/runner.py `choose_runner`): `build(model,
        config, optimizer, weights)` makes the one-process runner; here it runs behind a `ReducingOptimizer`
        after the ranks agreed on the model and took rank 0's weights.

        Raises:
            ConfigError: when the ranks' models differ.
        """
        if self.size == 1:
            return build(model, config, optimizer, weights)
        variables = [v for v, _ in weights]
        self._check_same_model(model, variables)
        reducer = None
        if optimizer is not None:
            statistics = [v for v, layer_trainable in weights if layer_trainable and not v.trainable
                          and np.issubdtype(v.dtype, np.floating)]
            reducer = ReducingOptimizer(optimizer, self.comm, statistics, self.timings)
        inner = build(model, config, reducer, weights)
        self._broadcast_weights(variables)  # after the build: a dense stack moved the weights into its arrays
        return DataParallelRunner(inner, reducer, self.comm, self.timings)

    def _check_same_model(self, model, variables):
        mine = [(v.name, tuple(v.shape), str(v.dtype)) for v in variables]
        models = self.comm.gather_objects(mine, "the check that every rank builds the same model")
        for rank, theirs in enumerate(models):
            if theirs != models[0]:
                raise ConfigError(
                    f"DataParallel: rank {rank}'s model differs from rank 0's (model {model.name!r}): "
                    f"{_describe(theirs)} on rank {rank}, {_describe(models[0])} on rank 0; "
                    f"{_first_difference(models[0], theirs)}. Every rank must build the same model (the same "
                    "script and arguments on every rank).")

    def _broadcast_weights(self, variables):
        if not variables:
            return
        dtype = np.result_type(*(v.dtype for v in variables))
        buffer = np.concatenate([np.asarray(v.value, dtype).reshape(-1) for v in variables])
        self.comm.broadcast(buffer, "the broadcast of rank 0's weights")
        offset = 0
        for variable in variables:
            variable.value[...] = buffer[offset:offset + variable.value.size].reshape(variable.shape)
            offset += variable.value.size

    def fit_settings(self, verbose, callbacks, view_metrics):
        """fit's verbosity, callbacks and `view_metrics` on this rank: off rank 0 silent, without the callbacks
        that write and without the live plot; the callback that keeps the ranks' random generators together
        first."""
        if self.rank != 0:
            verbose, view_metrics = 0, False
            callbacks = [c for c in callbacks if not (isinstance(c, _WRITERS) or getattr(c, "rank_zero_only", False))]
        return verbose, [SharedRandomState(self.comm)] + list(callbacks), view_metrics

    def refuse_custom_steps(self, model):
        """Raises, with more than one rank, for a model whose own `train_step(data)` applies its gradients
        (they would not be reduced, and the ranks would drift apart).

        Raises:
            ConfigError: with more than one rank.
        """
        if self.size > 1:
            raise ConfigError(
                f"fit: model {model.name!r} ({type(model).__name__}) trains with its own train_step(data), whose "
                "optimizer.apply_gradients is not reduced across ranks, so under DataParallel its ranks would "
                "train apart. Train it in one process (set_distribution(None)), or use fit's own steps (compile "
                "with a loss and no train_step override).")

    def writes(self):
        """Whether this rank writes files (rank 0)."""
        return self.rank == 0


class SharedRandomState(Callback):
    """Gives every rank rank 0's random generator as fit starts and as each epoch begins, so the ranks shuffle
    the samples alike (and so form the same global batches); checks as each epoch ends that the weights are
    still bit-identical on every rank (a digest of them gathered).

    Raises:
        ConfigError: at the end of an epoch, when a rank's weights differ from rank 0's.
    """

    def __init__(self, comm):
        super().__init__()
        self.comm = comm

    def on_train_begin(self, logs=None):
        self._share()

    def on_epoch_begin(self, epoch, logs=None):
        self._share()

    def on_epoch_end(self, epoch, logs=None):
        digest = hashlib.blake2b(digest_size=16)
        for weight in self.model.weights:
            digest.update(np.ascontiguousarray(weight.value).view(np.uint8))
        digests = self.comm.gather_objects(digest.hexdigest(), "the check that the ranks' weights agree")
        apart = [rank for rank, d in enumerate(digests) if d != digests[0]]
        if apart:
            raise ConfigError(
                f"DataParallel: after epoch {epoch + 1} the weights of rank(s) {apart} differ from rank 0's. Fit's "
                "steps keep them identical; something changed them on some ranks only (set_weights, load_weights "
                "or a callback run on one rank). Change weights on every rank alike.")

    def _share(self):
        generator = backend.rng()
        generator.bit_generator.state = self.comm.broadcast_object(generator.bit_generator.state,
                                                                   "the sharing of rank 0's random state")


def _describe(weights):
    return f"{len(weights)} weights ({sum(int(np.prod(shape)) for _, shape, _ in weights):,} values)"


def _first_difference(ours, theirs):
    for a, b in zip(ours, theirs):
        if a != b:
            return f"first difference: {a[0]} {a[1]} {a[2]} on rank 0, {b[0]} {b[1]} {b[2]} there"
    return "one model has more weights than the other"


def set_distribution(strategy):
    """Makes `strategy` (a `DataParallel`, or None for one process) the distribution of every model's training,
    as Keras 3's `keras.distribution.set_distribution`.

    With more than one rank, an exception left uncaught on a rank stops the whole job (MPI_Abort) after its
    traceback is printed, instead of leaving the other ranks waiting.

    Raises:
        ConfigError: for something that is not a `DataParallel` or None.
    """
    global _active
    if strategy is not None and not isinstance(strategy, DataParallel):
        raise ConfigError(f"set_distribution: expected a DataParallel or None, received {type(strategy).__name__}.")
    _active = strategy
    if strategy is not None and strategy.size > 1 and not getattr(sys.excepthook, "_stops_job", False):
        sys.excepthook = _stopping_hook(sys.excepthook)


def distribution():
    """Returns the distribution set by `set_distribution`, or None."""
    return _active


def _stopping_hook(previous):
    def hook(kind, value, traceback):
        if _active is not None and _active.size > 1:
            # the error's line first: another rank stopping on the same error may end this one mid-traceback
            print(f"DataParallel: rank {_active.rank}: {kind.__name__}: {value}", file=sys.stderr, flush=True)
        previous(kind, value, traceback)
        if _active is not None and _active.size > 1:
            _active.comm.abort(f"DataParallel: rank {_active.rank} stopped on the error above ({kind.__name__}); "
                               "stopping every rank.")
    hook._stops_job = True
    return hook
