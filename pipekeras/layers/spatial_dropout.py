"""SpatialDropout1D/2D/3D: dropout of whole feature maps (channels), for convolutional features.

Adjacent positions of a feature map are strongly correlated, so dropping single entries barely regularizes;
these layers drop a channel at every position at once (noise shape (batch, 1, channels),
(batch, 1, 1, channels) or (batch, 1, 1, 1, channels)) in training and scale the kept channels by 1 / (1 - rate). Inference is the identity.
"""

import numpy as np

from ..engine.layer import InputSpec, Layer
from .spatial import check_spatial_rank, data_format_argument
from .core import Dropout
from .validation import rate_in_unit_interval


class _SpatialDropout(Dropout):
    rank = 2

    def __init__(self, rate, seed=None, data_format=None, **kwargs):
        Layer.__init__(self, **kwargs)  # not Dropout's: no noise_shape argument, errors name this class
        cls = type(self).__name__
        self.rate = rate_in_unit_interval(cls, "rate", rate)
        self.noise_shape = None
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self.data_format = data_format_argument(cls, data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)

    def _mask_shape(self, shape):
        return (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        if self.rank >= 2:
            config["data_format"] = self.data_format
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole channels of (batch, steps, channels) inputs in training.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: optional integer seed.

    Example:
        >>> model = model | conv_1d(32, 3) | spatial_dropout_1d(0.2)
    """

    rank = 1


class SpatialDropout2D(_SpatialDropout):
    """Drops whole channels of (batch, height, width, channels) inputs in training.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: optional integer seed.
        data_format: only "channels_last".

    Example:
        >>> model = model | conv_2d(32, 3) | spatial_dropout_2d(0.2)
    """

    rank = 2


class SpatialDropout3D(_SpatialDropout):
    """Drops whole channels of (batch, depth, height, width, channels) inputs in training.

    Args:
        rate: fraction of channels to drop, in [0, 1).
        seed: optional integer seed.
        data_format: only "channels_last".

    Example:
        >>> model = model | conv_3d(8, 3) | spatial_dropout_3d(0.2)
    """

    rank = 3
