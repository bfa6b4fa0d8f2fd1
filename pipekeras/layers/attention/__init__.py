"""Attention layers: multi-head attention, dot-product and additive attention, and the token-and-position
embedding of transformer models."""

from .dot_product import AdditiveAttention, Attention
from .multi_head import MultiHeadAttention
from .positional import TokenAndPositionEmbedding

__all__ = ["AdditiveAttention", "Attention", "MultiHeadAttention", "TokenAndPositionEmbedding"]
