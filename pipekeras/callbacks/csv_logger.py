"""CSVLogger: write every epoch's loss and metrics to a CSV file."""

import csv
import math
import numbers
import os

import numpy as np

from ..errors import ArgumentTypeError, ConfigError
from .base import Callback


class CSVLogger(Callback):
    """Writes the loss, metrics and validation metrics of every epoch as a row of a CSV file.

    The header is "epoch" followed by the log keys in sorted order, taken from the first epoch. The epoch
    column is 0-based, as in Keras. The file is flushed after every row, so it can be read while training
    runs, and closed when training ends.

    Args:
        filename: path of the CSV file.
        separator: the column separator, one character.
        append: add rows to an existing file (the header is written only if the file is empty or new)
            instead of overwriting it.

    Raises:
        ConfigError: when `separator` is not a single character.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.csv")])
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        try:
            self.filename = os.fspath(filename)
        except TypeError:
            raise ArgumentTypeError(f"CSVLogger: filename must be a str or path, got {filename!r}.") from None
        if not isinstance(separator, str) or len(separator) != 1:
            raise ConfigError(f"CSVLogger: separator must be a single character, got {separator!r}.")
        self.sep = separator
        self.append = bool(append)
        self.keys = None
        self.writer = None
        self.csv_file = None
        self._write_header = True

    def on_train_begin(self, logs=None):
        if self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
            self._write_header = False
            with open(self.filename, newline="", encoding="utf-8") as existing:
                first = existing.readline().rstrip("\r\n")
            header = first.split(self.sep) if first else []
            self.keys = header[1:] if header[:1] == ["epoch"] else None
        else:
            self._write_header = True
            self.keys = None
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.csv_file, delimiter=self.sep, lineterminator="\n")

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: v for k, v in (logs or {}).items() if k != "batch_loss"}
        if self.csv_file is None:  # used outside fit
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
        if self._write_header:
            self.writer.writerow(["epoch"] + list(self.keys))
            self._write_header = False
        self.writer.writerow([epoch] + [_cell(logs[k]) if k in logs else "NaN" for k in self.keys])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _cell(value):
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return "[" + ", ".join(_cell(v) for v in value.ravel()) + "]"
    if isinstance(value, (numbers.Real, np.generic, np.ndarray)):
        number = float(value)
        return "NaN" if math.isnan(number) else repr(number)
    return str(value)
