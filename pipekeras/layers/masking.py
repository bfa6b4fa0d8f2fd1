"""Masking: marks padded timesteps (all features equal to `mask_value`) for the layers and the loss after it."""

import numpy as np

from ..engine.layer import Layer
from ..engine.tensor import SymbolicTensor


class Masking(Layer):
    """Masks the timesteps whose features all equal `mask_value`, and sets them to 0.

    Recurrent layers after it skip the masked timesteps; an output that keeps the mask (a sequence output)
    leaves them out of the loss and the metrics.

    Args:
        mask_value: the value marking padding (0.0).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> model = sequential() | masking(0.0, input_shape=c(20, 8)) | lstm(16)
    """

    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = float(mask_value)

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(inputs, SymbolicTensor):
            return SymbolicTensor(inputs.shape[:-1], "bool", name=f"{inputs.name}_mask")
        return np.any(np.asarray(inputs) != self.mask_value, axis=-1)

    def call(self, inputs, training=False):
        keep = self.compute_mask(inputs)[..., None]
        self.save_for_backward(keep)
        return inputs * keep.astype(inputs.dtype)

    def backward(self, grad_output):
        (keep,) = self.saved_tensors
        return grad_output * keep.astype(grad_output.dtype)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
