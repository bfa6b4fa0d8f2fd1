"""timeseries_dataset_from_array: Keras's windows and targets, and a fit over a long series whose memory stays
near one batch (the windows are never materialised)."""

import tracemalloc

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, flatten, sequential
from pipekeras.errors import ConfigError
from pipekeras.utils import timeseries_dataset_from_array


def test_windows_and_targets_as_keras_documents():
    data = np.arange(100)
    dataset = timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2, sequence_stride=3,
                                            batch_size=4)
    first = dataset[0]
    np.testing.assert_array_equal(first[0], np.arange(0, 20, 2))
    np.testing.assert_array_equal(first[1], np.arange(3, 23, 2))
    assert len(dataset.starts) == len(range(0, 100 - 18, 3)) and len(dataset) == -(-len(dataset.starts) // 4)
    windows, targets = timeseries_dataset_from_array(data, data * 10, 3, batch_size=None, start_index=5,
                                                     end_index=9)[0]
    np.testing.assert_array_equal(windows, [[5, 6, 7], [6, 7, 8]])
    np.testing.assert_array_equal(targets, [50, 60])


def test_shuffle_keeps_every_window_and_the_seed_repeats():
    data = np.arange(50)
    a = timeseries_dataset_from_array(data, data, 5, shuffle=True, seed=1, batch_size=7)
    b = timeseries_dataset_from_array(data, data, 5, shuffle=True, seed=1, batch_size=7)
    np.testing.assert_array_equal(a.starts, b.starts)
    assert sorted(a.starts) == list(range(46))
    windows, targets = a[0]
    np.testing.assert_array_equal(windows[:, 0], targets)


def test_bad_arguments():
    with pytest.raises(ConfigError, match="sequence_length must be an integer >= 1"):
        timeseries_dataset_from_array(np.arange(10), None, 0)
    with pytest.raises(ConfigError, match="hold no window"):
        timeseries_dataset_from_array(np.arange(10), None, 6, sampling_rate=2)


def test_fit_over_a_long_series_keeps_memory_near_one_batch():
    rows, features, lookback, step, batch = 1_000_000, 14, 240, 6, 128
    series = np.random.default_rng(0).standard_normal((rows, features)).astype("float32")
    length = lookback // step
    dataset = timeseries_dataset_from_array(series, series[lookback:, 1], length, sampling_rate=step,
                                            batch_size=batch, shuffle=True, seed=0)
    dataset.max_queue_size = 1  # read one batch ahead
    materialised = len(dataset.starts) * length * features * 4
    batch_bytes = batch * length * features * 4 + batch * 4
    assert materialised > 2e9  # all windows as one array would take gigabytes
    pk.set_seed(0)
    model = sequential() | flatten(input_shape=(length, features)) | dense(32, "relu") | dense(1)
    model | compile(optimizer="rmsprop", loss="mae")
    model.fit(dataset, steps_per_epoch=5, epochs=1, verbose=0)  # warm: compiled kernels, optimizer slots

    windows, targets = dataset[0]
    model.fit(windows, targets, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    tracemalloc.start()
    model.fit(windows, targets, batch_size=batch, epochs=3, verbose=0, shuffle=False)
    step_bytes = tracemalloc.get_traced_memory()[1]  # fit's own memory for the model, the batch in memory
    tracemalloc.stop()
    del windows, targets

    tracemalloc.start()
    model.fit(dataset, steps_per_epoch=60, epochs=1, verbose=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    reader = 64 * 1024  # the reader's own Python objects (thread, futures, items): measured about 31 KB
    assert peak < 2 * batch_bytes + step_bytes + reader, (peak, batch_bytes, step_bytes)
