"""How a model runs its steps and inference: the runner protocol, and the one place a runner is chosen.

A model has one runner at a time, chosen by `choose_runner` and kept while `runner_version` of the model is
unchanged (see `Trainer._current_runner`): rebuilt when the model's graph, its weights or their trainability,
the compiled losses or the optimizer change. Inference, which uses none of trainability, losses and
optimizer, checks only the graph and the weights' arrays (`infers_as_built`), without walking the layers.
"""

from typing import Protocol

from ..distribution import distribution
from .layer_runner import LayerRunner
from .stack_runner import DenseStackRunner


class Runner(Protocol):
    """What fit, evaluate, predict and train_step ask of a runner."""

    def train_step(self, x_arrays, y_arrays, sample_weight, batch_size):
        """One optimizer step on one batch of at most `batch_size` samples; returns (the loss before the
        update, with the regularization penalties; the output arrays; the output masks, None where an
        output has none)."""

    def steps_per_run(self, x_arrays, y_arrays, batch_size):
        """How many consecutive steps on these arrays one `train_run` call may take (1: fit calls train_step)."""

    def train_run(self, x_arrays, y_arrays, rows, batch_size):
        """Trains on the samples `rows` (an int array, in step order), `batch_size` at a time, in one call;
        returns the output arrays of the samples, each computed before its step's update."""

    def infer(self, x_arrays, with_masks=False):
        """Returns the output arrays for one batch in inference mode; with `with_masks`, (the output arrays,
        the output masks (None where an output has none))."""

    def predict_direct(self, x, max_batch):
        """The outputs for user data `x` (at most `max_batch` samples; any number for None) when the runner
        takes it without the checks and conversions of the data and still `holds_weights`, else None."""

    def holds_weights(self):
        """Whether the runner still computes with the weights' own arrays (not copies made before a weight's
        array was replaced)."""


def choose_runner(model, config, optimizer, weights):
    """Returns the runner for `model`: the dense-stack runner when its layers form a dense stack, else the
    layer-by-layer runner.

    Under data parallelism (`pipekeras.distribution.set_distribution`), that runner takes this rank's shard of
    each batch behind an allreduce of the gradients.

    Args:
        model: the model.
        config: its `CompileConfig`, or None when it is not compiled.
        optimizer: its optimizer, or None.
        weights: its (variable, layer trainable) pairs.
    """
    strategy = distribution()
    if strategy is not None:
        return strategy.runner(model, config, optimizer, weights, _one_process_runner)
    return _one_process_runner(model, config, optimizer, weights)


def _one_process_runner(model, config, optimizer, weights):
    layers = LayerRunner(model, config, optimizer, weights)
    return DenseStackRunner.build(model, config, optimizer, layers) or layers


def runner_version(model, config, optimizer, weights):
    """What a runner depends on, as a tuple of objects compared by identity (see `same_version`): the model's
    list of outputs (a new one when layers are added or removed), the distribution, the optimizer, the
    compiled losses, and each weight, its array and whether it trains."""
    return (model.outputs, distribution(), optimizer, config, *(v for v, _ in weights), *(v.value for v, _ in weights),
            *(bool(trainable and v.trainable) for v, trainable in weights))


def infers_as_built(version, runner, model):
    """Whether `runner`, built at `version`, still infers for `model`: the graph is the same and the runner's
    arrays are the weights' and the distribution is the same (inference does not depend on the rest)."""
    return version[0] is model.outputs and version[1] is distribution() and runner.holds_weights()


def same_version(a, b):
    """Whether two `runner_version`s hold the same objects."""
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))
