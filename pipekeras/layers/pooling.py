"""Pooling layers (channels_last): Max/AveragePooling1D/2D/3D and their global versions.

`Pooling` and `GlobalPooling` are rank-generic; each layer is a thin subclass naming its rank and mode:
`class MaxPooling3D(Pooling, rank=3, mode="max")`. Max pooling keeps the index of each window's maximum
for backward; with "same" padding, positions outside the input are ignored (the average divides by the
number of valid positions, as Keras does).
"""

import numpy as np

from .. import backend
from ..engine.layer import InputSpec, Layer, is_recording, shape_str
from ..errors import ShapeError
from ..compute.inference import max_pool_infer
from ..compute.pooling import avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward
from .spatial import (AXES, BOTH_DATA_FORMATS, SpatialRank, check_not_empty, check_spatial_rank, data_format_argument,
                      from_channels_last, shape_from_channels_last, shape_to_channels_last, to_channels_last,
                      window_geometry)
from .validation import int_tuple, one_of


class _RankAndMode(SpatialRank):
    """Lets a subclass name its rank and mode in its class line: `class MaxPooling3D(Pooling, rank=3, mode="max")`.

    The kernels work in channels_last; a layer accepting channels_first moves the channel axis on the way
    in and out.
    """

    mode = "max"

    def __init_subclass__(cls, mode=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if mode is not None:
            cls.mode = mode


class Pooling(_RankAndMode, Layer):
    """Base of the window pooling layers, of any spatial rank (1 to 3).

    Args:
        pool_size: window size: an int, or `rank` ints (default 2).
        strides: step between windows, an int or `rank` ints; None (default) is pool_size.
        padding: "valid" (whole windows only) or "same" (output size ceil(input / stride)).
        data_format: "channels_last"; the 3D layers also take "channels_first" (samples, channels, *spatial).
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.
    """

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.pool_size = int_tuple(cls, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else int_tuple(cls, "strides", strides, self.rank)
        self.padding = one_of(cls, "padding", padding, ("valid", "same"))
        self.data_format = data_format_argument(cls, data_format, self.data_formats)
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)
        self._spatial(shape_to_channels_last(input_shape, self.data_format)[1:-1])

    def build(self, input_shape):
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def _spatial(self, sizes):
        check_not_empty(self, sizes)
        result = window_geometry(sizes, self.pool_size, self.strides, (1,) * self.rank, self.padding)
        if any(out is not None and out <= 0 for out, _ in result):
            axes = ", ".join(AXES[self.rank])
            raise self.error(ShapeError, (
                f"pool_size {self.pool_size} is larger than the input's spatial size {tuple(sizes)} ({axes}) "
                f"with padding='valid', so the output would be empty. Use padding='same', a smaller pool_size, "
                f"or less downsampling before this layer."))
        return result

    def compute_output_shape(self, input_shape):
        input_shape = shape_to_channels_last(input_shape, self.data_format)
        output_shape = (input_shape[0],) + tuple(o for o, _ in self._spatial(input_shape[1:-1])) + (input_shape[-1],)
        return shape_from_channels_last(output_shape, self.data_format)

    def call(self, inputs, training=False):
        x = to_channels_last(inputs if inputs.dtype.kind == "f" else inputs.astype(backend.floatx()), self.data_format)
        x = np.ascontiguousarray(x)
        spatial = self._spatial(x.shape[1:-1])
        out = tuple(o for o, _ in spatial)
        pads = tuple(p for _, p in spatial)
        if self.mode == "max" and not is_recording() and self.rank < 3:  # predict: no argmax kept
            y = max_pool_infer(x, self.pool_size, self.strides, pads, out, scratch=self)
        elif self.mode == "max":
            y, idx = max_pool_forward(x, self.pool_size, self.strides, pads, out, scratch=self)
            self.save_for_backward(idx, x.shape)
        else:
            y = avg_pool_forward(x, self.pool_size, self.strides, pads, out, scratch=self)
            self.save_for_backward(pads, x.shape)
        return from_channels_last(y, self.data_format)

    def backward(self, grad_output):
        saved, x_shape = self.saved_tensors
        dy = np.ascontiguousarray(to_channels_last(grad_output, self.data_format))
        if self.mode == "max":
            dx = max_pool_backward(dy, saved, x_shape, scratch=self)
        else:
            dx = avg_pool_backward(dy, x_shape, self.pool_size, self.strides, saved, scratch=self)
        return from_channels_last(dx, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(Pooling, rank=2, mode="max"):
    """Max over (pool_h, pool_w) windows: (batch, h, w, ch) -> (batch, out_h, out_w, ch).

    Args:
        pool_size: int or (ph, pw) (default 2).
        strides: int, pair or None (default: pool_size).
        padding: "valid" or "same".
        data_format: only "channels_last".

    Example:
        >>> model = model | conv_2d(32, 3, activation="relu") | max_pooling_2d(2)
    """


class AveragePooling2D(Pooling, rank=2, mode="average"):
    """Mean over (pool_h, pool_w) windows: (batch, h, w, ch) -> (batch, out_h, out_w, ch).

    Example:
        >>> model = sequential() | conv_2d(32, 3, activation="relu", input_shape=(28, 28, 1)) | average_pooling_2d(2)
    """


class MaxPooling1D(Pooling, rank=1, mode="max"):
    """Max over windows of `pool_size` steps: (batch, steps, ch) -> (batch, out_steps, ch).

    Example:
        >>> model = sequential() | conv_1d(32, 5, activation="relu", input_shape=(100, 8)) | max_pooling_1d(2)
    """


class AveragePooling1D(Pooling, rank=1, mode="average"):
    """Mean over windows of `pool_size` steps: (batch, steps, ch) -> (batch, out_steps, ch).

    Example:
        >>> model = sequential() | conv_1d(32, 5, activation="relu", input_shape=(100, 8)) | average_pooling_1d(2)
    """


class MaxPooling3D(Pooling, rank=3, mode="max"):
    """Max over (pool_d, pool_h, pool_w) windows: (batch, d, h, w, ch) -> (batch, out_d, out_h, out_w, ch).

    Example:
        >>> model = sequential() | conv_3d(8, 3, activation="relu", input_shape=(16, 16, 16, 1)) | max_pooling_3d(2)
    """

    data_formats = BOTH_DATA_FORMATS


class AveragePooling3D(Pooling, rank=3, mode="average"):
    """Mean over (pool_d, pool_h, pool_w) windows: (batch, d, h, w, ch) -> (batch, out_d, out_h, out_w, ch).

    Example:
        >>> model = sequential() | conv_3d(8, 3, input_shape=(16, 16, 16, 1)) | average_pooling_3d(2)
    """

    data_formats = BOTH_DATA_FORMATS


class GlobalPooling(_RankAndMode, Layer):
    """Base of the global pooling layers, of any spatial rank (1 to 3).

    Args:
        data_format: "channels_last"; the 3D layers also take "channels_first" (samples, channels, *spatial).
        keepdims: keep the pooled axes, with size 1.
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format_argument(type(self).__name__, data_format, self.data_formats)
        self.keepdims = bool(keepdims)
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)
        if any(d == 0 for d in shape_to_channels_last(input_shape, self.data_format)[1:-1]):
            raise self.error(ShapeError, f"the input has an empty spatial axis: {shape_str(input_shape)}.")

    def build(self, input_shape):
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        channels = input_shape[1 if self.data_format == "channels_first" else -1]
        if self.keepdims:
            return shape_from_channels_last((input_shape[0],) + (1,) * self.rank + (channels,), self.data_format)
        return (input_shape[0], channels)

    def call(self, inputs, training=False):
        if inputs.dtype.kind != "f":
            inputs = inputs.astype(backend.floatx())
        inputs = np.ascontiguousarray(to_channels_last(inputs, self.data_format))
        batch, channels = inputs.shape[0], inputs.shape[-1]
        flat = inputs.reshape(batch, -1, channels)
        if self.mode == "max":
            index = flat.argmax(axis=1)
            y = np.take_along_axis(flat, index[:, None, :], axis=1)[:, 0, :]
            self.save_for_backward(index, inputs.shape)
        else:
            y = flat.mean(axis=1)
            self.save_for_backward(None, inputs.shape)
        return y.reshape(self.compute_output_shape(shape_from_channels_last(inputs.shape, self.data_format)))

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
        return from_channels_last(dx.reshape(shape), self.data_format)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class GlobalMaxPooling2D(GlobalPooling, rank=2, mode="max"):
    """Max over height and width: (batch, h, w, ch) -> (batch, ch) ((batch, 1, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | conv_2d(64, 3, activation="relu", input_shape=(28, 28, 1))
        >>> model = model | global_max_pooling_2d()   # (None, 64)
    """


class GlobalAveragePooling2D(GlobalPooling, rank=2, mode="average"):
    """Mean over height and width: (batch, h, w, ch) -> (batch, ch) ((batch, 1, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | conv_2d(64, 3, activation="relu", input_shape=(28, 28, 1))
        >>> model = model | global_average_pooling_2d()   # (None, 64)
    """


class GlobalMaxPooling1D(GlobalPooling, rank=1, mode="max"):
    """Max over steps: (batch, steps, ch) -> (batch, ch) ((batch, 1, ch) with keepdims=True).

    Example:
        >>> model = sequential() | embedding(10000, 32) | conv_1d(32, 7, activation="relu") | global_max_pooling_1d()
    """


class GlobalMaxPooling3D(GlobalPooling, rank=3, mode="max"):
    """Max over depth, height and width: (batch, d, h, w, ch) -> (batch, ch) ((batch, 1, 1, 1, ch) with keepdims).

    Example:
        >>> model = sequential() | conv_3d(8, 3, input_shape=(16, 16, 16, 1)) | global_max_pooling_3d()
    """

    data_formats = BOTH_DATA_FORMATS


class GlobalAveragePooling3D(GlobalPooling, rank=3, mode="average"):
    """Mean over depth, height and width: (batch, d, h, w, ch) -> (batch, ch) ((batch, 1, 1, 1, ch) with keepdims).

    Example:
        >>> model = sequential() | conv_3d(8, 3, input_shape=(16, 16, 16, 1)) | global_average_pooling_3d()
    """

    data_formats = BOTH_DATA_FORMATS


class GlobalAveragePooling1D(GlobalPooling, rank=1, mode="average"):
    """Mean over steps: (batch, steps, ch) -> (batch, ch) ((batch, 1, ch) with keepdims=True).

    With a mask (e.g. from `embedding(..., mask_zero=True)`), the mean is over the unmasked steps only.

    Example:
        >>> model = sequential() | embedding(10000, 16, mask_zero=True) | global_average_pooling_1d() | dense(1, "sigmoid")
    """
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
