"""`plot_history`: R keras's `plot(history)` with matplotlib: one panel per metric, training vs validation."""

import os
import sys

import numpy as np

from ..errors import ConfigError, PipeKerasError, did_you_mean


class MissingDependencyError(PipeKerasError, ImportError):
    """An optional dependency (an extra of pipekeras) is not installed."""


def _pyplot():
    """Imports matplotlib's pyplot, choosing the Agg backend when there is no display."""
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingDependencyError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            "`pip install pipekeras[plot]` (or `pip install matplotlib`).") from exc
    if "matplotlib.pyplot" not in sys.modules:
        headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                             or os.environ.get("WAYLAND_DISPLAY"))
        if headless and "MPLBACKEND" not in os.environ:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _history_parts(history):
    """(dict of metric -> values, list of 1-based epochs) from a History or a plain dict."""
    if isinstance(history, dict):
        logs = history
        epochs = None
    elif hasattr(history, "history"):
        logs = history.history
        epochs = list(getattr(history, "epoch", None) or [])
    else:
        raise ConfigError(f"plot_history expects a History (what fit returns) or a dict of metric -> values, "
                          f"got {type(history).__name__}.")
    if not logs:
        raise ConfigError("plot_history: the history is empty (no epoch was recorded).")
    length = max(len(v) for v in logs.values())
    if not epochs or len(epochs) != length:
        epochs = list(range(length))
    return logs, [int(e) + 1 for e in epochs]


def _metric_names(logs, metrics):
    available = [k for k in logs if not k.startswith("val_")]
    # A validation-only key (no training twin) still gets a panel.
    available += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in logs]
    if metrics is None:
        names = available
    else:
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        for name in names:
            if name not in available:
                raise ConfigError(f"plot_history: no metric {name!r} in the history.{did_you_mean(name, available)} "
                                  f"Recorded: {', '.join(available)}.")
    return sorted(names, key=lambda n: n != "loss")  # loss first, the rest in their order


def _smoothed(values, window=5):
    values = np.asarray(values, dtype=float)
    if len(values) < window:
        return values
    kernel = np.ones(window) / window
    padded = np.pad(values, window // 2, mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def plot_history(history, metrics=None, smooth=False, figsize=None, title=None):
    """Plots the loss and metrics per epoch, training vs validation, one panel per metric.

    Like R keras's `plot(history)`: the loss panel comes first, then each metric, stacked and sharing
    the epoch axis (1-based); the validation curve (the `"val_"` key) is drawn when present.

    Args:
        history: the `History` returned by `fit` (its `.history` dict and `.epoch` list), or a dict of
            metric name -> per-epoch values.
        metrics: a metric name or list of names to plot; None plots all of them.
        smooth: draw a running mean (window 5) through the points when there are 10 epochs or more,
            as R does with a smoother.
        figsize: the figure's size in inches; defaults to 6 wide and 2.6 per panel.
        title: optional title over the figure.

    Returns:
        The matplotlib `Figure`, with one `Axes` per metric.

    Raises:
        MissingDependencyError: matplotlib is not installed (an `ImportError`).
        ConfigError: the history is empty, or a metric in `metrics` is not in it.
    """
    logs, epochs = _history_parts(history)
    names = _metric_names(logs, metrics)
    if not names:
        raise ConfigError("plot_history: no metric to plot.")
    plt = _pyplot()
    if figsize is None:
        figsize = (6.0, 0.6 + 2.6 * len(names))
    fig, axes = plt.subplots(len(names), 1, sharex=True, figsize=figsize, squeeze=False)
    axes = axes[:, 0]
    for ax, name in zip(axes, names):
        for key, label, color in ((name, "training", "C0"), ("val_" + name, "validation", "C1")):
            if key not in logs:
                continue
            values = np.asarray(logs[key], dtype=float)
            x = epochs[:len(values)]
            if smooth and len(values) >= 10:
                ax.plot(x, values, "o", color=color, markersize=4, alpha=0.6)
                ax.plot(x, _smoothed(values), "-", color=color, label=label)
            else:
                ax.plot(x, values, "o-", color=color, markersize=4, label=label)
        ax.set_ylabel(name)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("epoch")
    axes[-1].xaxis.get_major_locator().set_params(integer=True)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    shown_once_in_notebooks(fig)
    return fig


def shown_once_in_notebooks(figure):
    """Shows a returned pyplot figure once in Jupyter, as it is made: the inline backend would show it when the
    cell ends and the cell's value (the figure) again, so the figure is shown now, closed in pyplot (the backend
    then skips it) and its value shows nothing.

    Elsewhere (scripts, other backends) the figure is left as it is.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    import matplotlib

    if getattr(shell, "kernel", None) is not None and "inline" in matplotlib.get_backend():
        import matplotlib.pyplot as plt
        from IPython.display import display

        display(figure)
        plt.close(figure)
        figure._ipython_display_ = lambda: None
