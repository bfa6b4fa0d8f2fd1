"""Masking: marks padded timesteps (all features equal to `mask_value`) for the layers and the loss after it."""

import math

import numpy as np

from ..engine.layer import Layer
from ..engine.tensor import SymbolicTensor
from ..errors import ConfigError


class Masking(Layer):
    """Masks the timesteps whose features all equal `mask_value`, and sets them to 0.

    Recurrent layers after it skip the masked timesteps; an output that keeps the mask (a sequence output)
    leaves them out of the loss and the metrics.

    Args:
        mask_value: the value marking padding (0.0; an infinity works too, NaN never matches).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a mask_value that is not a number.

    Example:
        >>> model = sequential() | masking(0.0, input_shape=c(20, 8)) | lstm(16)
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, (bool, np.bool_)) or not isinstance(mask_value, (int, float, np.integer,
                                                                                   np.floating)):
            raise ConfigError(f"Masking: mask_value must be a number (the value of padded steps), received "
                              f"{mask_value!r}.")
        self.mask_value = float(mask_value)
        if math.isnan(self.mask_value):
            raise ConfigError("Masking: mask_value is NaN, which equals no value, so nothing would be masked; pad "
                              "with a number and give it as mask_value.")

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(inputs, SymbolicTensor):
            return SymbolicTensor(inputs.shape[:-1], "bool", name=f"{inputs.name}_mask")
        return np.any(np.asarray(inputs) != self.mask_value, axis=-1)

    def call(self, inputs, training=False):
        keep = self.compute_mask(inputs)[..., None]
        self.save_for_backward(keep)
        return np.where(keep, inputs, np.zeros((), dtype=inputs.dtype))  # Keras's where: an infinite padding gives 0

    def backward(self, grad_output):
        (keep,) = self.saved_tensors
        return np.where(keep, grad_output, np.zeros((), dtype=grad_output.dtype))

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
