"""Utilities: data preparation (`to_categorical`, `pad_sequences`, `multi_hot`, `normalize`), `Sequence`
(`PyDataset`) and plotting.

`plot_history` needs matplotlib and imports it only when called, so importing this package does not. The
package builds on nothing but `pipekeras.errors`; `plot_model`, which draws a model, is in
`pipekeras.models.plot` (and is `pipekeras.plot_model`).
"""

from .data import multi_hot, normalize, pad_sequences, to_categorical
from .plotting import plot_history
from ..serializable import register_keras_serializable
from .image import ImageDataset, image_array_save, image_dataset_from_directory, image_load, image_to_array
from .image_generator import ImageDataGenerator, ImageIterator
from .sequence import PyDataset, Sequence
from .text_dataset import TextDataset, text_dataset_from_directory
from .timeseries import TimeseriesDataset, timeseries_dataset_from_array
from .tokenizer import Tokenizer, text_to_word_sequence, tokenizer_from_json

__all__ = ["PyDataset", "Sequence", "multi_hot", "normalize", "pad_sequences", "plot_history",
           "register_keras_serializable", "to_categorical", "TextDataset", "Tokenizer", "text_dataset_from_directory",
           "text_to_word_sequence", "tokenizer_from_json", "TimeseriesDataset", "timeseries_dataset_from_array",
           "ImageDataset", "image_array_save", "image_dataset_from_directory", "image_load", "image_to_array",
           "ImageDataGenerator", "ImageIterator"]

