"""Layers that only move data around: Flatten, Reshape, Permute, RepeatVector."""

import numpy as np

from ..engine.layer import InputSpec, Layer, shape_str
from ..errors import ConfigError, ShapeError
from .validation import positive_int


class Flatten(Layer):
    """Flattens each sample to a vector: (batch, d1, d2, ...) -> (batch, d1 * d2 * ...).

    Args:
        data_format: only "channels_last" (the default) is supported.

    Example:
        >>> model = sequential() | conv_2d(8, 3, input_shape=(28, 28, 1)) | flatten() | dense(10, "softmax")
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ConfigError(f"Flatten: data_format {data_format!r} is not supported; use 'channels_last'.")
        self.input_spec = InputSpec(min_ndim=1)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest))
        return (input_shape[0], size)

    def call(self, inputs, training=False):
        self.save_for_backward(inputs.shape)
        return inputs.reshape(inputs.shape[0], -1)

    def backward(self, grad_output):
        (shape,) = self.saved_tensors
        return grad_output.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": "channels_last"}


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (one entry may be -1, inferred).

    Args:
        target_shape: tuple of ints, without the batch axis.

    Example:
        >>> model = sequential() | reshape((28, 28, 1), input_shape=784) | conv_2d(8, 3)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = (target_shape,) if isinstance(target_shape, (int, np.integer)) else \
            tuple(target_shape) if isinstance(target_shape, (list, tuple)) else (None,)
        if not all(isinstance(d, (int, np.integer)) for d in target) or sum(d == -1 for d in target) > 1 or \
                any(d != -1 and d <= 0 for d in target):
            raise ConfigError(
                f"Reshape: target_shape must be a tuple of positive ints with at most one -1, received "
                f"{target_shape!r}."
            )
        self.target_shape = tuple(int(d) for d in target)

    def _resolve(self, input_shape):
        size = None if any(d is None for d in input_shape[1:]) else int(np.prod(input_shape[1:]))
        known = int(np.prod([d for d in self.target_shape if d != -1]))
        if size is None:
            return self.target_shape
        if -1 in self.target_shape:
            if size % known:
                raise self.error(ShapeError, self._mismatch(input_shape, size))
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if known != size:
            raise self.error(ShapeError, self._mismatch(input_shape, size))
        return self.target_shape

    def _mismatch(self, input_shape, size):
        return (f"cannot reshape input {shape_str(input_shape)} ({size} values per sample) to "
                f"target_shape {self.target_shape}. The sizes must multiply to {size}.")

    def validate_input_shape(self, input_shape):
        self._resolve(input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(None if d == -1 else d for d in self._resolve(input_shape))

    def call(self, inputs, training=False):
        self.save_for_backward(inputs.shape)
        return inputs.reshape((inputs.shape[0],) + self._resolve(inputs.shape))

    def backward(self, grad_output):
        (shape,) = self.saved_tensors
        return grad_output.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes; `dims` counts from 1, e.g. (2, 1) swaps the first two.

    Args:
        dims: a permutation of 1..rank-1.

    Example:
        >>> model = sequential() | permute((2, 1), input_shape=(10, 64))   # output (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(int(d) for d in dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ConfigError(f"Permute: dims must be a permutation of 1..{len(dims)}, received {dims}.")
        self.dims = dims
        self.input_spec = InputSpec(ndim=len(dims) + 1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def call(self, inputs, training=False):
        return np.ascontiguousarray(np.transpose(inputs, (0,) + self.dims))

    def backward(self, grad_output):
        inverse = np.argsort((0,) + self.dims)
        return np.ascontiguousarray(np.transpose(grad_output, inverse))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """Repeats a vector n times: (batch, features) -> (batch, n, features).

    Args:
        n: positive integer, the number of repetitions.

    Example:
        >>> model = sequential() | dense(32, input_shape=8) | repeat_vector(3)   # output (None, 3, 32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = positive_int("RepeatVector", "n", n)
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs, training=False):
        return np.repeat(inputs[:, None, :], self.n, axis=1)

    def backward(self, grad_output):
        return grad_output.sum(axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}
