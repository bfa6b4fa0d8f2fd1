"""A windowed forecast in the style of the book's Jena temperature chapter (6.3), fed by
`timeseries_dataset_from_array`: the model sees 10-day windows sampled hourly and predicts the value a day
after each window. The windows are cut batch by batch when fit reads them, never materialised: over the
1,000,000-row series below all windows as one array would take about 2.2 GB.

The series is synthetic (daily and weekly cycles and noise, 14 features: the Jena file is not among
the project's datasets). Set PIPEKERAS_QUICK=1 for a short run.
"""

import os
import sys

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, flatten, sequential
from pipekeras.utils import timeseries_dataset_from_array


def series(rows, features=14, seed=0):
    """Ten-minute readings: a daily and a weekly cycle plus noise, then standardized."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows)[:, None]
    phase = rng.uniform(0, 2 * np.pi, size=features)
    data = np.sin(2 * np.pi * t / 144 + phase) + 2 * np.sin(2 * np.pi * t / 1008 + 2 * phase) + \
        rng.normal(0, 0.3, size=(rows, features))
    data = data.astype("float32")
    return (data - data.mean(0)) / data.std(0)


def main(quick=False):
    """Trains the dense baseline on windows; returns (the History, the naive forecast's validation MAE)."""
    rows = 60_000 if quick else 1_000_000
    data = series(rows)
    lookback, step, delay, batch_size = 1440, 6, 144, 128
    train_end, val_end = int(rows * 0.7), int(rows * 0.85)
    length = lookback // step
    targets = data[lookback + delay - 1:, 1]  # the value `delay` rows after each window's last row

    def windows(start, end, shuffle):
        return timeseries_dataset_from_array(data, targets, sequence_length=length, sampling_rate=step,
                                             batch_size=batch_size, shuffle=shuffle, seed=0, start_index=start,
                                             end_index=end)

    train, val = windows(0, train_end, True), windows(train_end, val_end, False)
    naive = np.mean([np.abs(w[:, -1, 1] - y).mean() for w, y in (val[i] for i in range(min(len(val), 50)))])

    pk.set_seed(0)
    model = sequential() | flatten(input_shape=(length, data.shape[1])) | dense(32, "relu") | dense(1)
    model | compile(optimizer="rmsprop", loss="mae")
    history = model.fit(train, steps_per_epoch=50 if quick else 500, epochs=2 if quick else 20,
                        validation_data=val, validation_steps=20 if quick else 200, verbose=2)
    print(f"Validation MAE {history.history['val_loss'][-1]:.3f}; the naive forecast (last value) {naive:.3f}.")
    return history, naive


if __name__ == "__main__":
    main(quick=os.environ.get("PIPEKERAS_QUICK") == "1" or "--quick" in sys.argv)
