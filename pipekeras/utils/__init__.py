"""Utilities: data preparation (`to_categorical`, `pad_sequences`, `multi_hot`, `normalize`) and plotting.

`plot_history` needs matplotlib and `plot_model` Graphviz or matplotlib; they import them only when called,
so importing this package imports neither.
"""

from .data import multi_hot, normalize, pad_sequences, to_categorical
from .model_plot import plot_model
from .plotting import plot_history

__all__ = ["multi_hot", "normalize", "pad_sequences", "plot_history", "plot_model", "to_categorical"]

