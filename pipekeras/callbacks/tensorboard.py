"""TensorBoard: event files of the loss, metrics and weights, through tensorboardX (the optional extra
`pipekeras[tensorboard]`), laid out as Keras writes them: `<log_dir>/train` and `<log_dir>/validation`,
scalars tagged `epoch_<metric>`."""

import os

from ..errors import ConfigError
from ..utils.plotting import MissingDependencyError
from .base import Callback


def _summary_writer():
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise MissingDependencyError(
            "TensorBoard needs tensorboardX to write event files: pip install 'pipekeras[tensorboard]' "
            "(or pip install tensorboardX). TensorBoard itself (pip install tensorboard) shows them.") from None
    return SummaryWriter


class TensorBoard(Callback):
    """Writes TensorBoard event files as `fit` runs: R's `callback_tensorboard(log_dir)`.

    Each epoch's loss and metrics go to `<log_dir>/train` and the `val_` ones to `<log_dir>/validation`,
    tagged `epoch_loss`, `epoch_accuracy`, ... as Keras does, so TensorBoard shows training and validation
    curves together; with `histogram_freq` the weights' histograms too. The learning rate is written as
    `epoch_learning_rate`.

    Args:
        log_dir: the folder of the event files (created when missing).
        histogram_freq: write weight histograms every this many epochs (0: never).

    Raises:
        ConfigError: `histogram_freq` is not a non-negative integer.
        MissingDependencyError: tensorboardX is not installed (when training starts).

    Example:
        >>> model | fit(x, y, epochs=10, callbacks=[TensorBoard("logs/run_1")])
        >>> # then: tensorboard --logdir logs   (or pipekeras.r.tensorboard("logs"))
    """

    def __init__(self, log_dir="logs", histogram_freq=0):
        super().__init__()
        if isinstance(histogram_freq, bool) or not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ConfigError(f"TensorBoard: histogram_freq must be a non-negative integer, received "
                              f"{histogram_freq!r}.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.writers = {}

    def _writer(self, kind):
        if kind not in self.writers:
            self.writers[kind] = _summary_writer()(os.path.join(self.log_dir, kind))
        return self.writers[kind]

    def on_train_begin(self, logs=None):
        _summary_writer()  # fail before the first epoch, not after it

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            kind, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            self._writer(kind).add_scalar(f"epoch_{name}", float(value), epoch)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            self._writer("train").add_scalar("epoch_learning_rate", float(optimizer.learning_rate), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            for variable in self.model.weights:
                self._writer("train").add_histogram(variable.name, variable.numpy(), epoch)
        for writer in self.writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self.writers.values():
            writer.close()
        self.writers = {}
