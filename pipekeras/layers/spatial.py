"""Shared spatial helpers of the convolution, pooling, reshaping and spatial-dropout layers.

Axis names and layouts per spatial rank, the data_format argument and the moves between channels_first
and the channels_last layout the kernels work in, the input-rank check with its reshape hint, and
`WindowGeometry`: the window arguments (kernel_size, strides, padding, dilation_rate) and the output
geometry of layers that slide a window over 1 to 3 spatial axes.
"""

import math

import numpy as np

from ..engine.layer import shape_str
from ..errors import ConfigError, ShapeError
from ..compute.convolution import conv_geometry
from .validation import int_tuple, one_of

AXES = {1: ("steps",), 2: ("height", "width"), 3: ("depth", "height", "width")}
LAYOUT = {1: "(samples, steps, channels)", 2: "(samples, height, width, channels)",
          3: "(samples, depth, height, width, channels)"}


CHANNELS_LAST_ONLY = ("channels_last",)
BOTH_DATA_FORMATS = ("channels_last", "channels_first")


def data_format_argument(layer_class, data_format, supported=CHANNELS_LAST_ONLY):
    """Returns the data_format (None means "channels_last"), or raises a ConfigError for an unsupported one.

    Args:
        layer_class: the layer's class name, for the message.
        data_format: the constructor argument.
        supported: the data formats the layer accepts.
    """
    if data_format is None:
        return "channels_last"
    if data_format not in supported:
        if supported == CHANNELS_LAST_ONLY:
            raise ConfigError(f"{layer_class}: data_format {data_format!r} is not supported; pipekeras works in "
                              f"'channels_last' (samples, ..., channels). Move the channel axis last, e.g. "
                              f"x.transpose(0, 2, 3, 1).")
        raise ConfigError(f"{layer_class}: data_format must be one of {list(supported)}, received {data_format!r}.")
    return data_format


def to_channels_last(x, data_format):
    """`x` with its channel axis moved from 1 to last (a view) when `data_format` is "channels_first"."""
    return np.moveaxis(x, 1, -1) if data_format == "channels_first" else x


def from_channels_last(x, data_format):
    """The inverse of `to_channels_last`, C-contiguous: the layout a channels_first layer hands on."""
    return np.ascontiguousarray(np.moveaxis(x, -1, 1)) if data_format == "channels_first" else x


def shape_to_channels_last(shape, data_format):
    """`shape` (batch first) with the channel axis moved from 1 to last for "channels_first"."""
    shape = tuple(shape)
    return shape[:1] + shape[2:] + shape[1:2] if data_format == "channels_first" else shape


def shape_from_channels_last(shape, data_format):
    """The inverse of `shape_to_channels_last`."""
    shape = tuple(shape)
    return shape[:1] + shape[-1:] + shape[1:-1] if data_format == "channels_first" else shape


def channel_axis(data_format):
    """The index of the channel axis: 1 for "channels_first", -1 for "channels_last"."""
    return 1 if data_format == "channels_first" else -1


def check_spatial_rank(layer, input_shape):
    """Raises the layer's ShapeError, with a reshape hint, unless `input_shape` is (samples, *spatial, channels)
    for the layer's `rank` spatial axes."""
    expected = layer.rank + 2
    if len(input_shape) != expected:
        raise layer.error(ShapeError, (
            f"expected input of rank {expected} {LAYOUT[layer.rank]}, received shape "
            f"{shape_str(input_shape)} (rank {len(input_shape)}). {rank_hint(layer.rank, input_shape)}"))


def check_not_empty(layer, sizes):
    """Raises the layer's ShapeError when a spatial axis of the input has length 0."""
    if any(size == 0 for size in sizes):
        raise layer.error(ShapeError, (
            f"the input is empty: its spatial size {tuple(sizes)} ({', '.join(AXES[layer.rank])}) has an axis of "
            "length 0. Give inputs of at least one step (pixel) along each spatial axis."))


def rank_hint(rank, input_shape):
    """The hint for an input of the wrong rank, with a concrete reshape where one can be guessed."""
    shape = tuple(input_shape)
    if rank == 3:
        if len(shape) == 4 and None not in shape[1:]:
            d, h, w = shape[1:]
            return (f"Volumes need a channel axis: reshape the data with x.reshape(-1, {d}, {h}, {w}, 1), "
                    f"or give input_shape=({d}, {h}, {w}, 1).")
        return "Reshape the data to (samples, d, h, w, channels), e.g. x.reshape(-1, d, h, w, 1), " \
               "or give input_shape=(d, h, w, 1)."
    if rank == 2:
        if len(shape) == 3 and None not in shape[1:]:
            h, w = shape[1], shape[2]
            return (f"Grayscale images need a channel axis: reshape the data with x.reshape(-1, {h}, {w}, 1), "
                    f"or give input_shape=({h}, {w}, 1).")
        if len(shape) == 2 and shape[1] is not None and math.isqrt(shape[1]) ** 2 == shape[1]:
            side = math.isqrt(shape[1])
            return (f"Flat vectors of {shape[1]} values look like {side}x{side} images: reshape the data with "
                    f"x.reshape(-1, {side}, {side}, 1), or give input_shape=({side}, {side}, 1).")
        return "Reshape the data to (samples, h, w, channels), e.g. x.reshape(-1, h, w, 1), " \
               "or give input_shape=(h, w, 1)."
    if len(shape) == 2:
        return "Add a channel axis: x.reshape(-1, steps, 1), or give input_shape=(steps, 1)."
    return "Give input_shape=(steps, channels)."


def window_geometry(sizes, window, strides, dilation, padding):
    """Returns [(output size, padding before), ...] per spatial axis; a None size gives (None, 0).

    Args:
        sizes: the input's spatial sizes (None for unknown).
        window, strides, dilation: one int per spatial axis.
        padding: "valid", "same" or "causal" (see `compute.convolution.conv_geometry`).
    """
    return [(None, 0) if size is None else conv_geometry(size, k, s, d, padding)
            for size, k, s, d in zip(sizes, window, strides, dilation)]


class SpatialRank:
    """Base of the layers working on `rank` spatial axes; a subclass names its rank in its class line:
    `class Conv3D(BaseConv, rank=3)`.

    Class attributes:
        rank: the number of spatial axes (1, 2 or 3).
        data_formats: the data formats the layer accepts.
    """

    rank = 2
    data_formats = CHANNELS_LAST_ONLY

    def __init_subclass__(cls, rank=None, **kwargs):
        super().__init_subclass__(**kwargs)
        if rank is not None:
            cls.rank = rank


class WindowGeometry(SpatialRank):
    """Argument handling and output geometry for layers sliding a window over `rank` spatial axes.

    A subclass calls `init_window` in its constructor.
    """

    def init_window(self, kernel_size, strides, padding, dilation_rate, data_format, paddings=("valid", "same")):
        """Checks and stores kernel_size, strides, padding, dilation_rate and data_format."""
        cls = type(self).__name__
        self.kernel_size = int_tuple(cls, "kernel_size", kernel_size, self.rank)
        self.strides = int_tuple(cls, "strides", strides, self.rank)
        self.padding = one_of(cls, "padding", padding, paddings)
        self.dilation_rate = int_tuple(cls, "dilation_rate", dilation_rate, self.rank)
        self.data_format = data_format_argument(cls, data_format, self.data_formats)

    def check_rank(self, input_shape):
        """Raises a ShapeError unless the input has `rank` spatial axes and a known channel axis."""
        check_spatial_rank(self, input_shape)
        if input_shape[channel_axis(self.data_format)] is None:
            where = "first after the batch" if self.data_format == "channels_first" else "last"
            raise self.error(ShapeError, f"the channel axis ({where}) of the input must be known, received "
                                         f"{shape_str(input_shape)}.")

    def output_geometry(self, sizes, kernel=None, strides=None, dilation=None):
        """Returns [(out, pad_before), ...] for the spatial `sizes` (None stays None).

        Raises:
            ShapeError: when the output would be empty (a kernel larger than the input with "valid").
        """
        check_not_empty(self, sizes)
        kernel = kernel or self.kernel_size
        dilation = dilation or self.dilation_rate
        result = window_geometry(sizes, kernel, strides or self.strides, dilation, self.padding)
        if any(out is not None and out <= 0 for out, _ in result):
            span = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))
            dilated = "" if span == tuple(kernel) else f" (spanning {span} with dilation_rate {tuple(dilation)})"
            axes = ", ".join(AXES[self.rank])
            raise self.error(ShapeError, (
                f"kernel_size {tuple(kernel)}{dilated} is larger than the input's spatial size {tuple(sizes)} "
                f"({axes}) with padding='valid': the image shrinks to nothing. Use padding='same', a smaller "
                f"kernel_size, or less downsampling (pooling, strides) before this layer."))
        return result

    def as_float(self, inputs, weight):
        """Integer inputs (e.g. uint8 images) cast to the float type of `weight`; float inputs unchanged."""
        return inputs if inputs.dtype.kind == "f" else inputs.astype(weight.value.dtype)

    def window_config(self):
        """The window arguments' config entries."""
        return {"kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate}
