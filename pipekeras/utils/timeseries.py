"""timeseries_dataset_from_array: batches of windows over a series, cut when read (never all at once)."""

import numpy as np

from ..errors import ConfigError
from .sequence import Sequence


class TimeseriesDataset(Sequence):
    """Batches of windows `data[start + i * sampling_rate]`, i < sequence_length, and the targets
    `targets[start]`, gathered batch by batch when read, so memory holds the series and one batch.

    Attributes:
        starts: the first row of every window, in batch order (shuffled once, as Keras does).
    """

    def __init__(self, data, targets, sequence_length, sampling_rate, starts, batch_size):
        super().__init__()
        self.data, self.targets = data, targets
        self.offsets = np.arange(sequence_length) * sampling_rate
        self.starts = starts
        self.batch_size = batch_size or len(starts)

    def __len__(self):
        return -(-len(self.starts) // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        starts = self.starts[index * self.batch_size:(index + 1) * self.batch_size]
        windows = np.empty((len(starts), len(self.offsets)) + self.data.shape[1:], dtype=self.data.dtype)
        span, rate = self.offsets[-1] + 1, self.offsets[1] - self.offsets[0] if len(self.offsets) > 1 else 1
        for row, start in enumerate(starts):  # a copy per window: no index array the size of the batch
            windows[row] = self.data[start:start + span:rate]
        return windows if self.targets is None else (windows, self.targets[starts])


def _count(value, name, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"timeseries_dataset_from_array: {name} must be an integer >= {minimum}, received "
                          f"{value!r}.")
    return int(value)


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None):
    """Windows over a series as batches of (windows, targets), as Keras's function of the same name.

    Window j starts at row `start_index + j * sequence_stride` and holds `sequence_length` rows taken
    `sampling_rate` apart; its target is `targets[start]` (for a forecast `delay` rows after a window's end,
    pass `targets=series[delay + (sequence_length - 1) * sampling_rate:]`). The windows are gathered only when
    a batch is read, so a long series never becomes one array of all its windows.

    Args:
        data: the series, rows along the first axis (an array; kept, not copied).
        targets: one target per row, or None (batches of windows only).
        sequence_length: rows per window; sequence_stride: rows between window starts; sampling_rate: rows
            between the rows of a window.
        batch_size: windows per batch (None: one batch of all).
        shuffle, seed: shuffle the windows (once).
        start_index, end_index: use only the rows `start_index` to `end_index - 1`.

    Returns:
        A `TimeseriesDataset` (a `Sequence`: fit, evaluate and predict take it).

    Raises:
        ConfigError: for invalid counts or indices, or targets shorter than the windows need.
    """
    data = np.asarray(data)
    sequence_length = _count(sequence_length, "sequence_length")
    sequence_stride = _count(sequence_stride, "sequence_stride")
    sampling_rate = _count(sampling_rate, "sampling_rate")
    if batch_size is not None:
        batch_size = _count(batch_size, "batch_size")
    start = 0 if start_index is None else _count(start_index, "start_index", 0)
    end = len(data) if end_index is None else min(_count(end_index, "end_index", 1), len(data))
    windows = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        windows = min(windows, len(targets) - start)
    if windows <= 0:
        raise ConfigError(f"timeseries_dataset_from_array: rows {start} to {end} hold no window of "
                          f"{sequence_length} rows {sampling_rate} apart.")
    starts = start + np.arange(0, windows, sequence_stride)
    if shuffle:
        np.random.default_rng(seed).shuffle(starts)
    return TimeseriesDataset(data, targets, sequence_length, sampling_rate, starts, batch_size)
