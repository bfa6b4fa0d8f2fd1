"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite."""

import math

from .base import Callback


class TerminateOnNaN(Callback):
    """Stops training when a batch's loss is NaN or infinite.

    Checks the loss after every training batch (the batch's own loss when fit reports it, else the running
    loss), prints which batch failed and sets `model.stop_training`, so fit ends after that batch.

    Example:
        >>> model.fit(x, y, epochs=10, callbacks=[TerminateOnNaN()])
    """

    def __init__(self):
        super().__init__()
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        loss = logs.get("batch_loss", logs.get("loss"))
        if loss is None:
            return
        try:
            loss = float(loss)
        except (TypeError, ValueError):
            return
        if not math.isfinite(loss):
            print(f"Epoch {self._epoch + 1}, batch {batch + 1}: invalid loss {loss}, terminating training.")
            self.model.stop_training = True
