"""LivePlot: the loss and metrics drawn as each epoch ends, as RStudio's viewer shows R keras's `fit`.

In a Jupyter notebook one figure is updated in place; elsewhere a PNG file is rewritten after each epoch
(atomically, so an image viewer never reads half a file). `fit(..., view_metrics=True)` adds one.
"""

import io
import os
import sys

from ..errors import ConfigError
from ..utils.atomic import atomic_write
from ..utils.plotting import plot_history
from .base import Callback


def _notebook_display():
    """IPython's `display` when this code runs in a Jupyter kernel, else None."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is None:
        return None
    from IPython.display import display

    return display


class LivePlot(Callback):
    """Plots loss and metrics per epoch, training vs validation, while `fit` runs (needs matplotlib).

    Args:
        path: the PNG file rewritten after every epoch outside a notebook ("training.png" by default); in
            a notebook the figure in the cell's output is updated instead, and `path` is written only when
            given.
        metrics: a metric name or list of names to plot; None plots all of them.
        smooth: draw a running mean from 10 epochs on, as `plot(history)`.

    Raises:
        ConfigError: `path` does not end in `.png`.
        MissingDependencyError: matplotlib is not installed (when training starts).

    Example:
        >>> model | fit(x, y, epochs=20, callbacks=[LivePlot()])   # or fit(..., view_metrics=True)
    """

    def __init__(self, path=None, metrics=None, smooth=False):
        super().__init__()
        if path is not None and not os.fspath(path).lower().endswith(".png"):
            raise ConfigError(f"LivePlot: path must name a .png file, received {path!r}.")
        self.path = None if path is None else os.fspath(path)
        self.metrics = metrics
        self.smooth = smooth
        self.logs = {}
        self.handle = None
        self.display = None

    def on_train_begin(self, logs=None):
        self.logs = {}
        self.handle = None
        self.display = _notebook_display()
        if self.display is None and self.path is None:
            self.path = "training.png"

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.logs.setdefault(key, []).append(value)
        png = self._png()
        if self.display is not None:
            from IPython.display import Image

            if self.handle is None:
                self.handle = self.display(Image(data=png), display_id=True)
            else:
                self.handle.update(Image(data=png))
        if self.path is not None:
            atomic_write(self.path, lambda file: file.write(png))

    def _png(self):
        import matplotlib.pyplot as plt

        figure = plot_history(self.logs, metrics=self.metrics, smooth=self.smooth)
        buffer = io.BytesIO()
        try:
            figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        finally:
            plt.close(figure)
        return buffer.getvalue()
