"""Preprocessing layers: data -> numbers inside the model, with state learned by `adapt()`."""

from .text_vectorization import TextVectorization

__all__ = ["TextVectorization"]
