"""Preprocessing layers: data -> numbers inside the model, with state learned by `adapt()` and kept in the config."""

from .encoding import CategoryEncoding
from .image import (CenterCrop, RandomContrast, RandomCrop, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
                    Rescaling, Resizing)
from .lookup import Hashing, IntegerLookup, StringLookup
from .numeric import Discretization, Normalization
from .text_vectorization import TextVectorization

__all__ = ["CenterCrop", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation",
           "RandomZoom", "Rescaling", "Resizing", "CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "Normalization", "StringLookup",
           "TextVectorization"]
