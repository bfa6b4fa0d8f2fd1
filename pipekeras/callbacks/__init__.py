"""Callbacks: hooks into training (early stopping, checkpoints, learning-rate control, logging)."""

from .base import Callback, CallbackList
from .history import History
from .progbar_logger import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
