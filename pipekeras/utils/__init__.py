"""Utilities: data preparation (`to_categorical`, `pad_sequences`, `multi_hot`, `normalize`), `Sequence`
(`PyDataset`) and plotting.

`plot_history` needs matplotlib and imports it only when called, so importing this package does not. The
package builds on nothing but `pipekeras.errors`; `plot_model`, which draws a model, is in
`pipekeras.models.plot` (and is `pipekeras.plot_model`).
"""

from .data import multi_hot, normalize, pad_sequences, to_categorical
from .plotting import plot_history
from .sequence import PyDataset, Sequence

__all__ = ["PyDataset", "Sequence", "multi_hot", "normalize", "pad_sequences", "plot_history", "to_categorical"]

