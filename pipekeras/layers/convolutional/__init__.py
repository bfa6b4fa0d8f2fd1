"""The convolution family: `BaseConv` of any rank (base), Conv1D/2D/3D (conv), `BaseConvTranspose` of any rank
and Conv1D/2D/3DTranspose (transpose), DepthwiseConv2D and SeparableConv2D (depthwise)."""

from .base import BaseConv
from .conv import Conv1D, Conv2D, Conv3D
from .depthwise import DepthwiseConv2D, SeparableConv2D
from .transpose import BaseConvTranspose, Conv1DTranspose, Conv2DTranspose, Conv3DTranspose

__all__ = ["BaseConv", "BaseConvTranspose", "Conv1D", "Conv1DTranspose", "Conv2D", "Conv2DTranspose", "Conv3D",
           "Conv3DTranspose", "DepthwiseConv2D", "SeparableConv2D"]
