"""Spatial reshaping layers (channels_last) of any rank: UpSampling1D/2D/3D, ZeroPadding1D/2D/3D,
Cropping1D/2D/3D.

All are linear in their input, so backward is the transposed operation: summing the repeated (or
interpolated) copies, slicing off the padding, padding back the cropped border with zeros.
"""

import numpy as np

from ..engine.layer import InputSpec, Layer, shape_str
from ..errors import ConfigError, ShapeError
from .spatial import AXES, check_spatial_rank, data_format_argument
from .validation import int_tuple, one_of


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _pairs(layer_class, argument, value, rank):
    """Reads padding/cropping: an int, `rank` ints (symmetric per axis), or `rank` (before, after) pairs.

    For rank 1 a single pair (before, after) is accepted as well. Returns a tuple of `rank` pairs of ints >= 0.
    """
    forms = {1: "an int, (before, after)",
             2: "an int, (sym_height, sym_width) or ((top, bottom), (left, right))",
             3: "an int, (sym_depth, sym_height, sym_width) or 3 (before, after) pairs"}[rank]
    problem = ConfigError(f"{layer_class}: {argument} must be {forms} of non-negative ints, received {value!r}.")
    if _is_int(value):
        pairs = ((value, value),) * rank
    elif isinstance(value, (list, tuple)):
        items = list(value)
        if rank == 1 and len(items) == 2 and all(_is_int(v) for v in items):
            pairs = (tuple(items),)
        elif len(items) == rank and all(_is_int(v) for v in items):
            pairs = tuple((v, v) for v in items)
        elif len(items) == rank and all(isinstance(v, (list, tuple)) and len(v) == 2 and all(_is_int(u) for u in v)
                                        for v in items):
            pairs = tuple(tuple(v) for v in items)
        else:
            raise problem
    else:
        raise problem
    pairs = tuple((int(a), int(b)) for a, b in pairs)
    if any(a < 0 or b < 0 for a, b in pairs):
        raise problem
    return pairs


class _Spatial(Layer):
    """Base: a channels_last input of rank `rank` + 2."""

    rank = 2

    def validate_input_shape(self, input_shape):
        check_spatial_rank(self, input_shape)
        self.compute_output_shape(input_shape)

    def build(self, input_shape):
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def get_config(self):
        config = super().get_config()
        if self.rank >= 2:
            config["data_format"] = self.data_format
        return config


class _UpSampling(_Spatial):
    def __init__(self, size=2, data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.size = int_tuple(cls, "size", size, self.rank)
        self.data_format = data_format_argument(cls, data_format)
        self.interpolation = one_of(cls, "interpolation", interpolation, ("nearest", "bilinear"))

    def compute_output_shape(self, input_shape):
        spatial = tuple(None if n is None else n * s for n, s in zip(input_shape[1:-1], self.size))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def call(self, inputs, training=False):
        if self.interpolation == "nearest":
            y = inputs
            for axis, s in enumerate(self.size, start=1):
                if s != 1:
                    y = np.repeat(y, s, axis=axis)
            self.save_for_backward(inputs.shape)
            return y
        matrices = [_bilinear_matrix(n, s, inputs.dtype) for n, s in zip(inputs.shape[1:-1], self.size)]
        self.save_for_backward(matrices)
        return _apply_matrices(inputs, matrices, transpose=False)

    def backward(self, grad_output):
        (saved,) = self.saved_tensors
        if self.interpolation == "nearest":
            shape = saved
            split = [shape[0]]
            for n, s in zip(shape[1:-1], self.size):
                split += [n, s]
            g = np.asarray(grad_output).reshape(split + [shape[-1]])
            return g.sum(axis=tuple(range(2, 2 * self.rank + 1, 2)))
        return _apply_matrices(np.asarray(grad_output), saved, transpose=True)

    def get_config(self):
        config = {**super().get_config(), "size": self.size}
        if self.rank == 2:
            config["interpolation"] = self.interpolation
        return config


def _bilinear_matrix(n, scale, dtype):
    """(n * scale, n) matrix of the bilinear resize weights along one axis (half-pixel centers, clamped edges,
    as tf.image.resize does)."""
    out = n * scale
    matrix = np.zeros((out, n), dtype=np.float64)
    source = (np.arange(out) + 0.5) / scale - 0.5
    source = np.clip(source, 0.0, n - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, n - 1)
    frac = source - low
    rows = np.arange(out)
    np.add.at(matrix, (rows, low), 1.0 - frac)
    np.add.at(matrix, (rows, high), frac)
    return matrix.astype(dtype)


def _apply_matrices(x, matrices, transpose):
    """Applies one resize matrix per spatial axis (or its transpose, for backward)."""
    y = x
    for axis, m in enumerate(matrices, start=1):
        y = np.moveaxis(np.tensordot(m.T if transpose else m, y, axes=([1], [axis])), 0, axis)
    return np.ascontiguousarray(y)


class UpSampling2D(_UpSampling):
    """Repeats rows and columns: (batch, h, w, ch) -> (batch, h * size[0], w * size[1], ch).

    Args:
        size: int or (rows, cols) upsampling factors (default 2).
        data_format: only "channels_last".
        interpolation: "nearest" (repeat) or "bilinear" (half-pixel centers, as tf.image.resize).

    Example:
        >>> model = model | conv_2d(16, 3, padding="same") | up_sampling_2d(2)
    """

    rank = 2


class UpSampling3D(_UpSampling):
    """Repeats each voxel along depth, height and width: (batch, d, h, w, ch) ->
    (batch, d * size[0], h * size[1], w * size[2], ch).

    Args:
        size: int or 3 ints, the upsampling factors (default 2).
        data_format: only "channels_last".

    Example:
        >>> model = sequential() | up_sampling_3d(2, input_shape=(4, 4, 4, 1))   # output (None, 8, 8, 8, 1)
    """

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size=size, data_format=data_format, **kwargs)


class UpSampling1D(_UpSampling):
    """Repeats each step `size` times: (batch, steps, ch) -> (batch, steps * size, ch).

    Args:
        size: positive int (default 2).

    Example:
        >>> model = sequential() | up_sampling_1d(2, input_shape=(10, 8))   # output (None, 20, 8)
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(size=size, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size[0]
        return config


class _ZeroPadding(_Spatial):
    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.padding = _pairs(cls, "padding", padding, self.rank)
        self.data_format = data_format_argument(cls, data_format)

    def compute_output_shape(self, input_shape):
        spatial = tuple(None if n is None else n + a + b for n, (a, b) in zip(input_shape[1:-1], self.padding))
        return (input_shape[0],) + spatial + (input_shape[-1],)

    def call(self, inputs, training=False):
        self.save_for_backward(inputs.shape)
        return np.pad(inputs, ((0, 0),) + self.padding + ((0, 0),))

    def backward(self, grad_output):
        (shape,) = self.saved_tensors
        index = (slice(None),) + tuple(slice(a, a + n) for (a, _), n in zip(self.padding, shape[1:-1]))
        return np.ascontiguousarray(np.asarray(grad_output)[index])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


class ZeroPadding2D(_ZeroPadding):
    """Adds rows and columns of zeros around the image.

    Args:
        padding: int (all sides), (sym_height, sym_width), or ((top, bottom), (left, right)).
        data_format: only "channels_last".

    Example:
        >>> model = model | zero_padding_2d(((1, 0), (1, 0))) | conv_2d(8, 3)
    """

    rank = 2


class ZeroPadding3D(_ZeroPadding):
    """Adds zeros around a volume, along depth, height and width.

    Args:
        padding: int (all sides), (sym_depth, sym_height, sym_width), or three (before, after) pairs
            (default 1).
        data_format: only "channels_last".

    Example:
        >>> model = sequential() | zero_padding_3d(1, input_shape=(4, 4, 4, 2))   # output (None, 6, 6, 6, 2)
    """

    rank = 3

    def __init__(self, padding=(1, 1, 1), data_format=None, **kwargs):
        super().__init__(padding=padding, data_format=data_format, **kwargs)


class ZeroPadding1D(_ZeroPadding):
    """Adds zero steps at the start and end of each sequence.

    Args:
        padding: int (the same at both ends) or (before, after) (default 1).
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.

    Example:
        >>> model = sequential() | zero_padding_1d(2, input_shape=(10, 8))   # output (None, 14, 8)
    """

    rank = 1

    def __init__(self, padding=1, **kwargs):
        super().__init__(padding=padding, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding[0]
        return config


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.cropping = _pairs(cls, "cropping", cropping, self.rank)
        self.data_format = data_format_argument(cls, data_format)

    def compute_output_shape(self, input_shape):
        spatial = []
        for axis, (n, (a, b)) in enumerate(zip(input_shape[1:-1], self.cropping)):
            if n is not None and a + b >= n:
                raise self.error(ShapeError, (
                    f"cropping {a} + {b} from the {AXES[self.rank][axis]} axis of size {n} (input shape "
                    f"{shape_str(input_shape)}) leaves nothing. Crop less than the size of each axis."))
            spatial.append(None if n is None else n - a - b)
        return (input_shape[0],) + tuple(spatial) + (input_shape[-1],)

    def call(self, inputs, training=False):
        self.compute_output_shape(inputs.shape)
        self.save_for_backward(inputs.shape)
        index = (slice(None),) + tuple(slice(a, n - b) for (a, b), n in zip(self.cropping, inputs.shape[1:-1]))
        return inputs[index]

    def backward(self, grad_output):
        (shape,) = self.saved_tensors
        return np.pad(np.asarray(grad_output), ((0, 0),) + self.cropping + ((0, 0),))

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


class Cropping2D(_Cropping):
    """Removes rows and columns at the borders of the image.

    Args:
        cropping: int (all sides), (sym_height, sym_width), or ((top, bottom), (left, right)); default 0.
        data_format: only "channels_last".

    Example:
        >>> model = model | cropping_2d(((2, 2), (4, 4)))
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping3D(_Cropping):
    """Removes voxels at the borders of a volume, along depth, height and width.

    Args:
        cropping: int (all sides), (sym_depth, sym_height, sym_width), or three (before, after) pairs
            (default ((1, 1), (1, 1), (1, 1))).
        data_format: only "channels_last".

    Example:
        >>> model = sequential() | cropping_3d(1, input_shape=(6, 6, 6, 2))   # output (None, 4, 4, 4, 2)
    """

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), **kwargs):
        super().__init__(cropping, **kwargs)


class Cropping1D(_Cropping):
    """Removes steps at the start and end of each sequence.

    Args:
        cropping: int (the same at both ends) or (before, after) (default (1, 1)).
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.

    Example:
        >>> model = sequential() | cropping_1d((1, 2), input_shape=(10, 8))   # output (None, 7, 8)
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, **kwargs)

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping[0]
        return config
