"""Pooling layers (channels_last): Max/AveragePooling1D/2D and their global versions.

A 1D pooling runs the 2D kernel with height 1. Max pooling keeps the index of each window's maximum for
backward; with "same" padding, positions outside the image are ignored (the average divides by the number
of valid positions, as Keras does).
"""

import numpy as np

from .. import backend
from ..engine.layer import InputSpec, Layer, shape_str
from ..errors import ShapeError
from ..runtime.buffers import BufferPool
from ..kernels.convolution import conv_geometry
from ..kernels.pooling import avg_pool2d_backward, avg_pool2d_forward, max_pool2d_backward, max_pool2d_forward
from .convolutional import _AXES, _data_format, check_spatial_rank
from .validation import int_tuple, one_of


class _Pooling(Layer):
    """Base of the window pooling layers.

    Args:
        pool_size: window size: an int, or a pair (ph, pw) for 2D (default 2).
        strides: step between windows, an int or a pair; None (default) is pool_size.
        padding: "valid" (whole windows only) or "same" (output size ceil(input / stride)).
        data_format: only "channels_last".
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.
    """

    rank = 2
    mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = int_tuple(cls, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else int_tuple(cls, "strides", strides, self.rank)
        self.padding = one_of(cls, "padding", padding, ("valid", "same"))
        self.data_format = _data_format(cls, data_format)
        self.input_spec = None
        self._buffers = BufferPool()  # outputs, indices and gradients, reused when idle

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)
        self._spatial(input_shape[1:-1])

    def build(self, input_shape):
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial(self, sizes):
        result = [(None, 0) if n is None else conv_geometry(n, k, s, 1, self.padding)
                  for n, k, s in zip(sizes, self.pool_size, self.strides)]
        if any(out is not None and out <= 0 for out, _ in result):
            axes = ", ".join(_AXES[self.rank])
            raise self.error(ShapeError, (
                f"pool_size {self.pool_size} is larger than the input's spatial size {tuple(sizes)} ({axes}) "
                f"with padding='valid', so the output would be empty. Use padding='same', a smaller pool_size, "
                f"or less downsampling before this layer."))
        return result

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(o for o, _ in self._spatial(input_shape[1:-1])) + (input_shape[-1],)

    def _pairs(self, values, fill):
        return (fill,) + tuple(values) if self.rank == 1 else tuple(values)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(inputs if inputs.dtype.kind == "f" else inputs.astype(backend.floatx()))
        spatial = self._spatial(x.shape[1:-1])
        x4 = x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]) if self.rank == 1 else x
        out_hw = self._pairs([o for o, _ in spatial], 1)
        pads = self._pairs([p for _, p in spatial], 0)
        pool, strides = self._pairs(self.pool_size, 1), self._pairs(self.strides, 1)
        if self.mode == "max":
            y, idx = max_pool2d_forward(x4, pool, strides, pads, out_hw, self._buffers)
            self.save_for_backward(idx, x4.shape, x.shape)
        else:
            y = avg_pool2d_forward(x4, pool, strides, pads, out_hw, self._buffers)
            self.save_for_backward(pads, x4.shape, x.shape)
        return y.reshape((y.shape[0],) + tuple(o for o, _ in spatial) + (y.shape[-1],))

    def backward(self, grad_output):
        saved, x4_shape, x_shape = self.saved_tensors
        dy = np.ascontiguousarray(grad_output)
        dy4 = dy.reshape(dy.shape[0], 1, dy.shape[1], dy.shape[2]) if self.rank == 1 else dy
        if self.mode == "max":
            dx = max_pool2d_backward(dy4, saved, x4_shape, self._buffers)
        else:
            dx = avg_pool2d_backward(dy4, x4_shape, self._pairs(self.pool_size, 1), self._pairs(self.strides, 1),
                                     saved, self._buffers)
        return dx.reshape(x_shape)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(_Pooling):
    """Max over (pool_h, pool_w) windows: (batch, h, w, ch) -> (batch, out_h, out_w, ch).

    Args:
        pool_size: int or (ph, pw) (default 2).
        strides: int, pair or None (default: pool_size).
        padding: "valid" or "same".
        data_format: only "channels_last".

    Example:
        >>> model = model | conv_2d(32, 3, activation="relu") | max_pooling_2d(2)
    """

    rank, mode = 2, "max"


class AveragePooling2D(_Pooling):
    """Mean over (pool_h, pool_w) windows: (batch, h, w, ch) -> (batch, out_h, out_w, ch).

    Example:
        >>> model = sequential() | conv_2d(32, 3, activation="relu", input_shape=(28, 28, 1)) | average_pooling_2d(2)
    """

    rank, mode = 2, "average"


class MaxPooling1D(_Pooling):
    """Max over windows of `pool_size` steps: (batch, steps, ch) -> (batch, out_steps, ch).

    Example:
        >>> model = sequential() | conv_1d(32, 5, activation="relu", input_shape=(100, 8)) | max_pooling_1d(2)
    """

    rank, mode = 1, "max"


class AveragePooling1D(_Pooling):
    """Mean over windows of `pool_size` steps: (batch, steps, ch) -> (batch, out_steps, ch).

    Example:
        >>> model = sequential() | conv_1d(32, 5, activation="relu", input_shape=(100, 8)) | average_pooling_1d(2)
    """

    rank, mode = 1, "average"


class _GlobalPooling(Layer):
    """Base of the global pooling layers.

    Args:
        data_format: only "channels_last".
        keepdims: keep the pooled axes, with size 1.
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.
    """

    rank = 2
    mode = "max"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)
        if any(d == 0 for d in input_shape[1:-1]):
            raise self.error(ShapeError, f"the input has an empty spatial axis: {shape_str(input_shape)}.")

    def build(self, input_shape):
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return (input_shape[0],) + (1,) * self.rank + (input_shape[-1],)
        return (input_shape[0], input_shape[-1])

    def call(self, inputs, training=False):
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(backend.floatx())
        batch, channels = inputs.shape[0], inputs.shape[-1]
        flat = inputs.reshape(batch, -1, channels)
        if self.mode == "max":
            index = flat.argmax(axis=1)
            y = np.take_along_axis(flat, index[:, None, :], axis=1)[:, 0, :]
            self.save_for_backward(index, inputs.shape)
        else:
            y = flat.mean(axis=1)
            self.save_for_backward(None, inputs.shape)
        return y.reshape(self.compute_output_shape(inputs.shape))

    def backward(self, grad_output):
        index, shape = self.saved_tensors
        batch, channels = shape[0], shape[-1]
        g = grad_output.reshape(batch, channels)
        positions = int(np.prod(shape[1:-1]))
        if self.mode == "max":
            dx = np.zeros((batch, positions, channels), g.dtype)
            np.put_along_axis(dx, index[:, None, :], g[:, None, :], axis=1)
        else:
            dx = np.broadcast_to((g / positions)[:, None, :], (batch, positions, channels)).copy()
        return dx.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over height and width: (batch, h, w, ch) -> (batch, ch) ((batch, 1, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | conv_2d(64, 3, activation="relu", input_shape=(28, 28, 1))
        >>> model = model | global_max_pooling_2d()   # (None, 64)
    """

    rank, mode = 2, "max"


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: (batch, h, w, ch) -> (batch, ch) ((batch, 1, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | conv_2d(64, 3, activation="relu", input_shape=(28, 28, 1))
        >>> model = model | global_average_pooling_2d()   # (None, 64)
    """

    rank, mode = 2, "average"


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over steps: (batch, steps, ch) -> (batch, ch) ((batch, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | embedding(10000, 32) | conv_1d(32, 7, activation="relu") | global_max_pooling_1d()
    """

    rank, mode = 1, "max"


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over steps: (batch, steps, ch) -> (batch, ch) ((batch, 1, ch) with keepdims=True).

    With a mask (e.g. from `embedding(..., mask_zero=True)`), the mean is over the unmasked steps only.

    Example:
        >>> model = sequential() | embedding(10000, 16, mask_zero=True) | global_average_pooling_1d() | dense(1, "sigmoid")
    """

    rank, mode = 1, "average"
    supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None

    def call(self, inputs, training=False, mask=None):
        if mask is None:
            return super().call(inputs, training)
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(backend.floatx())
        weights = np.asarray(mask, dtype=inputs.dtype).reshape(inputs.shape[0], inputs.shape[1], 1)
        weights = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1)
        self.save_for_backward(weights, inputs.shape)
        y = (inputs * weights).sum(axis=1)
        return y.reshape(self.compute_output_shape(inputs.shape))

    def backward(self, grad_output):
        weights, shape = self.saved_tensors
        if weights is None:
            return super().backward(grad_output)
        return grad_output.reshape(shape[0], 1, shape[-1]) * weights
