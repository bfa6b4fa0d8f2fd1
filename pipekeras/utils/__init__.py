"""Utilities: data preparation (`to_categorical`, `pad_sequences`, `multi_hot`, `normalize`) and plotting.

`plot_history` needs matplotlib, which it imports only when called: importing this package does not
import matplotlib.
"""

from .data import multi_hot, normalize, pad_sequences, to_categorical
from .plotting import plot_history

__all__ = ["multi_hot", "normalize", "pad_sequences", "plot_history", "to_categorical"]

