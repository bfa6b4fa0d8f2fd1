"""ProgbarLogger: fit's progress bar (verbose=1) or one line per epoch (verbose=2)."""

import time

from ..utils.notebook_progress import progress_bar
from ..utils.progress import format_duration, format_logs
from .base import Callback


class ProgbarLogger(Callback):
    """Prints training progress.

    Args:
        verbose: 1 for a live bar per epoch (a widget in a Jupyter notebook with ipywidgets), 2 for one
            line per epoch.
    """

    batch_hooks_take_runs = True  # the bar jumps by a run's batches

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')}")
        self.started = time.perf_counter()
        if self.verbose == 1:
            self.bar = progress_bar(self.params.get("steps", 0))

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.update(batch + 1, _shown(logs))

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.update(self.bar.total, _shown(logs), final=True)
            self.bar = None
        else:
            elapsed = time.perf_counter() - self.started
            print(f"{self.params.get('steps')}/{self.params.get('steps')} - {format_duration(elapsed)} - "
                  f"{format_logs(_shown(logs))}")


def _shown(logs):
    return {k: v for k, v in (logs or {}).items() if k != "batch_loss"}
