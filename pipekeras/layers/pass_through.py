"""Layers that hand their input on unchanged: Identity, and ActivityRegularization (which adds
`l1 * sum(|x|) + l2 * sum(x^2)`, divided by the batch size as Keras does, to the training loss)."""

import math

import numpy as np

from .. import regularizers
from ..engine.layer import Layer
from ..errors import ConfigError


class Identity(Layer):
    """Returns its input (a placeholder in a model's structure).

    Args:
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> model = sequential() | identity(input_shape=4) | dense(2)
    """

    supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs):
        return inputs

    def backward(self, grad_output):
        return grad_output


class ActivityRegularization(Layer):
    """Returns its input and adds an L1/L2 penalty of it to the training loss.

    Args:
        l1: float >= 0, the factor of sum(|x|) (0.0).
        l2: float >= 0, the factor of sum(x^2) (0.0).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a negative or non-numeric factor.

    Example:
        >>> model = sequential() | dense(64, "relu", input_shape=20) | activity_regularization(l1=1e-4)
    """

    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("l1", l1), ("l2", l2)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or not math.isfinite(value) or value < 0:
                raise ConfigError(f"ActivityRegularization: {argument} must be a number >= 0, received {value!r}.")
        self.l1, self.l2 = float(l1), float(l2)
        self.activity_regularizer = regularizers.L1L2(l1=self.l1, l2=self.l2)

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs):
        return inputs

    def backward(self, grad_output):
        return grad_output

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
