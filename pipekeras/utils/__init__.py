"""Utilities: data preparation (`to_categorical`, `pad_sequences`, `multi_hot`, `normalize`) and plotting.

`plot_history` needs matplotlib and imports it only when called, so importing this package does not. The
package builds on nothing but `pipekeras.errors`; `plot_model`, which draws a model, is in
`pipekeras.models.plot` (and is `pipekeras.plot_model`).
"""

from .data import multi_hot, normalize, pad_sequences, to_categorical
from .plotting import plot_history
from ..serializable import register_keras_serializable

__all__ = ["multi_hot", "normalize", "pad_sequences", "plot_history", "register_keras_serializable", "to_categorical"]

