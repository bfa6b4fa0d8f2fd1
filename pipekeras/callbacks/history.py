"""History: what fit returns; R's `plot(history)` draws it."""

import io

from ..utils.metric_logs import MetricLogs
from ..utils.plotting import plot_history
from .base import Callback


class History(Callback):
    """Records the loss and metrics of every epoch: what `fit` returns.

    In a notebook it shows as its plot (as text without matplotlib).

    Attributes:
        history: dict metric name -> list of per-epoch values ("loss", "accuracy", "val_loss", ...), a
            `MetricLogs`: `history.history.val_loss` and the other spelling (`"acc"`, `"mae"`) work too.
        metrics: the same dict, R's `history$metrics`.
        epoch: list of epoch indices.
        params: fit's parameters.
        interrupted: True when fit stopped on Ctrl-C.

    Example:
        >>> history = model | fit(x, y, epochs=5, validation_split=0.2)
        >>> history.history["val_loss"][-1]
    """

    def __init__(self):
        super().__init__()
        self.history = MetricLogs()
        self.epoch = []
        self.interrupted = False

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    @property
    def metrics(self):
        """The per-epoch values, as `history` (R's `history$metrics$loss` is `history.metrics.loss`)."""
        return self.history

    def plot(self, metrics=None, smooth=False, **kwargs):
        """Plots loss and metrics per epoch, training vs validation, one panel each (needs matplotlib).

        Args:
            metrics: a metric name or list of names to plot; None plots all of them.
            smooth: draw a running mean through the points when there are 10 epochs or more.
            **kwargs: `figsize`, `title`, as `pipekeras.utils.plot_history`.

        Returns:
            The matplotlib `Figure`, one `Axes` per metric.

        Raises:
            MissingDependencyError: matplotlib is not installed (an `ImportError`).
            ConfigError: the history is empty, or a metric in `metrics` is not in it.
        """
        return plot_history(self, metrics=metrics, smooth=smooth, **kwargs)

    def __repr__(self):
        if not self.epoch:
            return "<History: no epochs>"
        keys = list(self.history)
        header = "epoch " + " ".join(f"{k:>12}" for k in keys)
        rows = [f"{e + 1:>5} " + " ".join(f"{self.history[k][i]:>12.4f}" for k in keys)
                for i, e in enumerate(self.epoch)]
        params = self.params or {}
        lead = f"Trained on {params.get('samples', '?')} samples for {len(self.epoch)} epoch(s)"
        return "\n".join([lead + ":", header] + rows)

    def _repr_png_(self):
        """The plot as PNG bytes, how a History shows in a notebook; None (the text table) without matplotlib."""
        if not self.epoch:
            return None
        try:
            figure = self.plot()
        except ImportError:
            return None
        import matplotlib.pyplot as plt

        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
        plt.close(figure)
        return buffer.getvalue()
