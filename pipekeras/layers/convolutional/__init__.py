"""The convolution family: `BaseConv` of any rank (base), Conv1D/2D/3D (conv), Conv2DTranspose (transpose),
DepthwiseConv2D and SeparableConv2D (depthwise)."""

from .base import BaseConv
from .conv import Conv1D, Conv2D, Conv3D
from .depthwise import DepthwiseConv2D, SeparableConv2D
from .transpose import Conv2DTranspose

__all__ = ["BaseConv", "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D", "DepthwiseConv2D", "SeparableConv2D"]
