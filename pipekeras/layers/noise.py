"""Noise layers, active in training only (inference is the identity): GaussianNoise (adds N(0, stddev)),
GaussianDropout (multiplies by N(1, rate / (1 - rate))), AlphaDropout (drops to SELU's negative saturation
and rescales, keeping a SELU network's mean and variance)."""

import math

import numpy as np

from .. import backend
from ..compute.activation_table import SELU_ALPHA, SELU_SCALE
from ..engine.layer import Layer
from ..errors import ConfigError
from .validation import noise_shape as validate_noise_shape
from .validation import rate_in_unit_interval


class _Noise(Layer):
    """Base: a seeded generator, identity outside training, the input shape and mask passed on."""

    supports_masking = True
    uses_learning_phase = True

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def _random(self):
        return self._generator or backend.rng()

    def _floats(self, inputs):
        """Integer inputs as the layer's float type: noise is not an integer."""
        return inputs if inputs.dtype.kind == "f" else inputs.astype(self.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape


class GaussianNoise(_Noise):
    """Adds zero-centered Gaussian noise of standard deviation `stddev` in training (a regularizer, and a
    data augmentation for real-valued inputs).

    Args:
        stddev: float >= 0, the noise's standard deviation.
        seed: optional integer seed.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a negative or non-numeric stddev.

    Example:
        >>> model = sequential() | gaussian_noise(0.1, input_shape=20) | dense(8)
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(stddev, (bool, np.bool_)) or not isinstance(stddev, (int, float, np.integer, np.floating)) \
                or not math.isfinite(stddev) or stddev < 0:
            raise ConfigError(f"GaussianNoise: stddev must be a number >= 0, received {stddev!r}.")
        self.stddev = float(stddev)

    def call(self, inputs, training=False):
        if not training or self.stddev == 0.0:
            return inputs
        inputs = self._floats(inputs)
        noise = self._random().normal(0.0, self.stddev, size=inputs.shape)
        return (inputs + noise).astype(inputs.dtype, copy=False)

    def backward(self, grad_output):
        return grad_output

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies the input by Gaussian noise of mean 1 and variance rate / (1 - rate) in training.

    Args:
        rate: the equivalent drop probability, in [0, 1).
        seed: optional integer seed.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a rate outside [0, 1).

    Example:
        >>> model = sequential() | dense(64, "relu", input_shape=20) | gaussian_dropout(0.2)
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = rate_in_unit_interval("GaussianDropout", "rate", rate)

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            self.save_for_backward(None)
            return inputs
        inputs = self._floats(inputs)
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        factor = self._random().normal(1.0, stddev, size=inputs.shape).astype(inputs.dtype)
        self.save_for_backward(factor)
        return inputs * factor

    def backward(self, grad_output):
        (factor,) = self.saved_tensors
        return grad_output if factor is None else grad_output * factor

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout for SELU networks: dropped entries take SELU's negative saturation value, then an affine map
    restores the input's mean and variance (Klambauer et al., 2017), in training.

    Args:
        rate: fraction of entries to drop, in [0, 1).
        noise_shape: optional shape of the drop mask (None on the axes it follows the input, 1 where it is
            shared).
        seed: optional integer seed.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a rate outside [0, 1) or a malformed noise_shape.

    Example:
        >>> model = sequential() | dense(64, "selu", kernel_initializer="lecun_normal", input_shape=20) | \\
        ...     alpha_dropout(0.1)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rate = rate_in_unit_interval("AlphaDropout", "rate", rate)
        self.noise_shape = validate_noise_shape("AlphaDropout", noise_shape)

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            self.save_for_backward(None)
            return inputs
        inputs = self._floats(inputs)
        shape = inputs.shape if self.noise_shape is None else \
            tuple(size if n is None else n for size, n in zip(inputs.shape, self.noise_shape))
        kept = (self._random().random(shape) >= self.rate).astype(inputs.dtype)
        saturation = -SELU_ALPHA * SELU_SCALE
        a = ((1.0 - self.rate) * (1.0 + self.rate * saturation ** 2)) ** -0.5
        b = -a * saturation * self.rate
        self.save_for_backward(np.broadcast_to(a * kept, inputs.shape))
        return (a * (inputs * kept + saturation * (1.0 - kept)) + b).astype(inputs.dtype, copy=False)

    def backward(self, grad_output):
        (scale,) = self.saved_tensors
        return grad_output if scale is None else grad_output * scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape}
