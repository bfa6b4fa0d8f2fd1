"""The batches of fit: the seam between where the training data comes from and the loop that trains on it.

`ArrayEpochs` serves in-memory arrays; a source of another kind (a generator, a dataset) plugs in by offering
the same attributes and `batches`, `take` and `rows`.
"""

from typing import NamedTuple

import numpy as np

from .. import backend
from ..errors import ConfigError, DataError
from .data import take_rows


def check_batch_size(batch_size, verb):
    """Returns `batch_size` as an int (32 for None).

    Raises:
        ConfigError: unless it is a positive integer.
    """
    if batch_size is None:
        return 32
    if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, (bool, np.bool_)) or batch_size < 1:
        raise ConfigError(
            f"{verb}: batch_size must be a positive integer, received {batch_size!r}. Accepted: an int >= 1 "
            "(not a bool) or None for 32."
        )
    return int(batch_size)


def hold_out(x_arrays, y_arrays, weights, validation_split):
    """Splits the last `validation_split` of the samples off for validation.

    Returns:
        ((x, y, weights) to train on, (x, y, weights) to validate on).

    Raises:
        DataError: when either part would be empty.
    """
    n = len(x_arrays[0])
    split = int(n * (1.0 - validation_split))
    if split == 0 or split == n:
        raise DataError(
            f"fit: validation_split={validation_split} of {n} samples leaves "
            f"{'no training' if split == 0 else 'no validation'} samples."
        )
    train = ([a[:split] for a in x_arrays], [a[:split] for a in y_arrays], None if weights is None else weights[:split])
    held = ([a[split:] for a in x_arrays], [a[split:] for a in y_arrays], None if weights is None else weights[split:])
    return train, held


class Steps(NamedTuple):
    """One call of the runner in fit: the steps `first` to `last` (one batch each) on the samples `index`."""

    first: int
    last: int
    index: object  # a slice or an int array of sample indices, in step order


class ArrayEpochs:
    """The batches of in-memory arrays, `batch_size` samples each, for every epoch of fit.

    Args:
        x_arrays, y_arrays: the inputs and targets, one array per model input and output.
        sample_weight: one weight per sample, or None.
        batch_size: samples per step (an epoch's last step takes what is left).
        steps_per_epoch: None, or a cap on the steps per epoch.

    Attributes:
        samples: the number of samples.
        steps: the steps per epoch.

    Raises:
        ConfigError: for a `steps_per_epoch` that is not a positive integer.
    """

    def __init__(self, x_arrays, y_arrays, sample_weight, batch_size, steps_per_epoch=None):
        self.x_arrays, self.y_arrays, self.sample_weight = x_arrays, y_arrays, sample_weight
        self.batch_size = batch_size
        self.samples = len(x_arrays[0])
        self.steps = -(-self.samples // batch_size)
        if steps_per_epoch is not None:
            if isinstance(steps_per_epoch, (bool, np.bool_)) or not isinstance(steps_per_epoch, (int, np.integer)) \
                    or steps_per_epoch < 1:
                raise ConfigError(f"fit: steps_per_epoch must be a positive integer or None, received "
                                  f"{steps_per_epoch!r}.")
            self.steps = min(self.steps, int(steps_per_epoch))

    def batches(self, shuffle, run):
        """Yields the `Steps` of one epoch, `run` steps at a time (the samples shuffled first if `shuffle`)."""
        order = backend.rng().permutation(self.samples) if shuffle else None
        for first in range(0, self.steps, run):
            last = min(self.steps, first + run) - 1
            index = slice(first * self.batch_size, min(self.samples, (last + 1) * self.batch_size))
            yield Steps(first, last, index if order is None else order[index])

    def take(self, index):
        """Returns (x, y, sample weights or None) of the samples `index`: one batch."""
        weights = None if self.sample_weight is None else self.sample_weight[index]
        return take_rows(self.x_arrays, index), take_rows(self.y_arrays, index), weights

    @staticmethod
    def rows(index):
        """Returns the samples `index` as an int array (runs of steps gather the rows themselves)."""
        return np.arange(index.start, index.stop) if isinstance(index, slice) else index
