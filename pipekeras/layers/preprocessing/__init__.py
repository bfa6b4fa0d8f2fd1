"""Preprocessing layers: data -> numbers inside the model, with state learned by `adapt()` and kept in the config."""

from .encoding import CategoryEncoding
from .lookup import Hashing, IntegerLookup, StringLookup
from .numeric import Discretization, Normalization
from .text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "Normalization", "StringLookup",
           "TextVectorization"]
