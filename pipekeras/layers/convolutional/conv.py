"""Conv1D, Conv2D, Conv3D: `BaseConv` of rank 1, 2 and 3 (see `base.py` for the arguments)."""

from ..spatial import BOTH_DATA_FORMATS
from .base import BaseConv


class Conv1D(BaseConv, rank=1):
    """1D convolution over sequences: (batch, steps, channels) -> (batch, out_steps, filters).

    The kernel has shape (kernel_size, channels, filters). Arguments as `BaseConv`; padding may also be
    "causal" (output t sees only inputs <= t).

    Example:
        >>> model = sequential() | conv_1d(32, 7, activation="relu", input_shape=(100, 8))
    """


class Conv2D(BaseConv, rank=2):
    """2D convolution over images: (batch, h, w, channels) -> (batch, out_h, out_w, filters).

    The kernel has shape (kh, kw, channels, filters). Arguments as `BaseConv`.

    Example:
        >>> model = sequential() | conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    """


class Conv3D(BaseConv, rank=3):
    """3D convolution over volumes: (batch, d, h, w, channels) -> (batch, out_d, out_h, out_w, filters).

    The kernel has shape (kd, kh, kw, channels, filters). Arguments as `BaseConv`; data_format may also be
    "channels_first": (batch, channels, d, h, w) -> (batch, filters, out_d, out_h, out_w).

    Example:
        >>> model = sequential() | conv_3d(8, 3, activation="relu", input_shape=(16, 16, 16, 1))
    """

    data_formats = BOTH_DATA_FORMATS
