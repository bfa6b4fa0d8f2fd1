"""Convolution and pooling ops (Keras 3's `keras.ops` signatures) through pipekeras's convolution and pooling
kernels (`compute/convolution.py`, `compute/pooling.py`), their backward kernels as the vector-Jacobian
products: the same code the Conv, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose and pooling layers run.

Shapes are Keras's: inputs (batch, *spatial, channels) for `data_format="channels_last"` ((batch, channels,
*spatial) for "channels_first"), 1 to 3 spatial axes (depthwise and separable: 1 or 2); kernels as the
layers store them.
"""

import math

import numpy as np

from ..autodiff.tape import apply, value_of
from ..compute.convolution import (conv_backward, conv_forward, conv_geometry, conv_transpose_backward,
                                   conv_transpose_forward, depthwise_backward, depthwise_forward, im2col,
                                   transpose_geometry)
from ..compute.pooling import avg_pool_backward, avg_pool_forward, max_pool_backward, max_pool_forward
from ..errors import ConfigError, ShapeError


def _tuple(op, name, value, rank):
    """An int or one int per spatial axis -> a tuple of `rank` positive ints."""
    items = (value,) * rank if isinstance(value, (int, np.integer)) else tuple(value)
    if len(items) != rank or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
                                 for v in items):
        raise ConfigError(f"{op}: {name} must be a positive int or {rank} positive ints (one per spatial axis), "
                          f"received {value!r}.")
    return tuple(int(v) for v in items)


def _padding(op, padding):
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ConfigError(f"{op}: padding must be 'valid' or 'same', received {padding!r}.")
    return padding.lower()


def _channels_last(op, x, data_format, ranks=(1, 2, 3)):
    """Checks the input's rank and data_format; returns (x as channels_last, whether it was channels_first)."""
    if data_format not in (None, "channels_last", "channels_first"):
        raise ConfigError(f"{op}: data_format must be 'channels_last' or 'channels_first', received "
                          f"{data_format!r}.")
    x = np.asarray(x)
    if x.ndim - 2 not in ranks:
        expected = " or ".join(str(r + 2) for r in ranks)
        raise ShapeError(f"{op}: inputs must have rank {expected} (batch, spatial axes, channels), received shape "
                         f"{x.shape}.")
    first = data_format == "channels_first"
    return (np.moveaxis(x, 1, -1) if first else x), first


def _back(y, first):
    """An output (or input gradient) in channels_last back to the caller's data_format."""
    return np.ascontiguousarray(np.moveaxis(y, -1, 1)) if first else y


def _float(x, kernel):
    dtype = np.result_type(x.dtype if x.dtype.kind == "f" else np.float32, kernel.dtype)
    return np.ascontiguousarray(x, dtype), np.ascontiguousarray(kernel, dtype)


def _geometry(op, sizes, window, strides, dilation, padding):
    """(output sizes, padding before each axis); raises when an output would be empty."""
    result = [conv_geometry(n, k, s, d, padding) for n, k, s, d in zip(sizes, window, strides, dilation)]
    if any(out <= 0 for out, _ in result):
        raise ShapeError(f"{op}: the window {window} (dilation {dilation}) is larger than the input's spatial size "
                         f"{tuple(sizes)} with padding='valid', so the output would be empty. Use padding='same' or a "
                         "smaller window.")
    return tuple(out for out, _ in result), tuple(pad for _, pad in result)


def _kernel(op, kernel, rank, channels, what="kernel"):
    kernel = np.asarray(value_of(kernel))
    if kernel.ndim != rank + 2 or kernel.shape[-2] != channels:
        raise ShapeError(f"{op}: {what} must have shape (*window ({rank} axes), {channels} input channels, "
                         f"outputs), received {kernel.shape}.")
    return kernel


# ----- conv -------------------------------------------------------------------------------------------------


def conv(inputs, kernel, strides=1, padding="valid", data_format="channels_last", dilation_rate=1):
    """N-D convolution (1D, 2D or 3D), without bias.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        kernel: (*window, channels, filters).
        strides: an int or one per spatial axis.
        padding: "valid" (no padding) or "same" (output size ceil(size / stride)).
        data_format: "channels_last" or "channels_first".
        dilation_rate: an int or one per spatial axis.

    Returns:
        (batch, *out, filters).

    Raises:
        ShapeError: for inputs or a kernel of the wrong rank or channels, or an empty output.
        ConfigError: for an unknown padding or data_format, or bad strides.

    Example:
        >>> conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 8)), padding="same").shape   # (1, 5, 5, 8)
    """
    x, first = _channels_last("conv", value_of(inputs), data_format)
    rank = x.ndim - 2
    k = _kernel("conv", kernel, rank, x.shape[-1])
    strides, dilation = _tuple("conv", "strides", strides, rank), _tuple("conv", "dilation_rate", dilation_rate, rank)
    out, pads = _geometry("conv", x.shape[1:-1], k.shape[:-2], strides, dilation, _padding("conv", padding))
    return apply("conv", _conv_forward, _conv_vjp, (inputs, kernel), strides=strides, dilation=dilation, pads=pads,
                 out=out, first=first)


def _conv_forward(x, kernel, strides, dilation, pads, out, first):
    x, kernel = _float(np.moveaxis(x, 1, -1) if first else x, kernel)
    z, _ = conv_forward(x, kernel, None, strides, dilation, pads, out, keep_cols=False)
    return _back(z, first)


def _conv_vjp(g, y, x, kernel, strides, dilation, pads, out, first):
    x, kernel = _float(np.moveaxis(x, 1, -1) if first else x, kernel)
    dz = np.ascontiguousarray(np.moveaxis(g, 1, -1) if first else g, kernel.dtype)

    def dx():
        return _back(conv_backward(None, x.shape, kernel, dz, strides, dilation, pads, need_dkernel=False)[0], first)

    def dkernel():
        cols = np.empty((x.shape[0] * math.prod(out), math.prod(kernel.shape[:-1])), x.dtype)
        im2col(x, cols, kernel.shape[:-2], strides, dilation, pads, out)
        return conv_backward(cols, x.shape, kernel, dz, strides, dilation, pads, need_dx=False,
                             has_bias=False)[1]

    return dx, dkernel


# ----- depthwise and separable -------------------------------------------------------------------------------


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format="channels_last", dilation_rate=1):
    """Depthwise convolution (1D or 2D): each input channel convolved with its own `multiplier` filters.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        kernel: (*window, channels, multiplier).
        strides: an int or one per spatial axis.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".
        dilation_rate: an int or one per spatial axis.

    Returns:
        (batch, *out, channels * multiplier): output channel `c * multiplier + q` is channel `c` through
        filter `q`, as Keras orders them.

    Raises:
        ShapeError: for inputs or a kernel of the wrong rank or channels, or an empty output.
        ConfigError: for an unknown padding or data_format, or bad strides.

    Example:
        >>> depthwise_conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 2))).shape   # (1, 3, 3, 6)
    """
    x, first = _channels_last("depthwise_conv", value_of(inputs), data_format, ranks=(1, 2))
    rank = x.ndim - 2
    k = _kernel("depthwise_conv", kernel, rank, x.shape[-1])
    strides = _tuple("depthwise_conv", "strides", strides, rank)
    dilation = _tuple("depthwise_conv", "dilation_rate", dilation_rate, rank)
    out, pads = _geometry("depthwise_conv", x.shape[1:-1], k.shape[:-2], strides, dilation,
                          _padding("depthwise_conv", padding))
    lift = (1,) if rank == 1 else ()  # a 1D problem as a 2D one of height 1
    return apply("depthwise_conv", _depthwise_forward, _depthwise_vjp, (inputs, kernel), strides=lift + strides,
                 dilation=lift + dilation, pads=(0,) * len(lift) + pads, out=lift + out, first=first)


def _as_2d(x, kernel, first):
    """channels_last x and kernel of a 1D or 2D depthwise problem as 2D ones; and x's channels_last shape."""
    x = np.moveaxis(x, 1, -1) if first else x
    x, kernel = _float(x, kernel)
    if x.ndim == 3:
        return x[:, None], kernel[None], x.shape
    return x, kernel, x.shape


def _depthwise_forward(x, kernel, strides, dilation, pads, out, first):
    x2, k2, shape = _as_2d(x, kernel, first)
    z = depthwise_forward(x2, k2, strides, dilation, pads, out)
    return _back(z.reshape((shape[0],) + z.shape[1 + (len(shape) == 3):]), first)


def _depthwise_vjp(g, y, x, kernel, strides, dilation, pads, out, first):
    x2, k2, shape = _as_2d(x, kernel, first)
    dz = np.ascontiguousarray(np.moveaxis(g, 1, -1) if first else g, x2.dtype).reshape((shape[0],) + out +
                                                                                      (k2.shape[2] * k2.shape[3],))
    grads = {}

    def both():
        if not grads:
            grads["dx"], grads["dk"] = depthwise_backward(x2, k2, dz, strides, dilation, pads)
        return grads

    return (lambda: _back(both()["dx"].reshape(shape), first)), (lambda: both()["dk"].reshape(np.shape(kernel)))


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format="channels_last", dilation_rate=1):
    """Separable convolution (1D or 2D): a depthwise convolution, then a pointwise (1 x 1) convolution.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        depthwise_kernel: (*window, channels, multiplier).
        pointwise_kernel: (*ones, channels * multiplier, filters).
        strides, padding, data_format, dilation_rate: of the depthwise convolution (see `depthwise_conv`).

    Returns:
        (batch, *out, filters).

    Raises:
        ShapeError: for kernels that do not fit the inputs or each other.

    Example:
        >>> y = separable_conv(np.ones((1, 5, 5, 3)), np.ones((3, 3, 3, 2)), np.ones((1, 1, 6, 4)))
        >>> y.shape   # (1, 3, 3, 4)
    """
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format, 1)


# ----- conv_transpose ----------------------------------------------------------------------------------------


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format="channels_last",
                   dilation_rate=1):
    """Transposed convolution (1D, 2D or 3D), without bias: the input gradient of `conv`, as Keras's
    `ops.conv_transpose` and the Conv2DTranspose layer compute it.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        kernel: (*window, filters, channels), as Conv2DTranspose stores it.
        strides: an int or one per spatial axis.
        padding: "valid" or "same".
        output_padding: None (the output size from the strides), or an int or one per axis, each smaller than
            its stride, added along that axis.
        data_format: "channels_last" or "channels_first".
        dilation_rate: an int or one per spatial axis.

    Returns:
        (batch, *out, filters).

    Raises:
        ShapeError: for inputs or a kernel of the wrong rank or channels.
        ConfigError: for an unknown padding or data_format, or bad strides or output_padding.

    Example:
        >>> y = conv_transpose(np.ones((1, 4, 4, 8)), np.ones((3, 3, 2, 8)), strides=2, padding="same")
        >>> y.shape   # (1, 8, 8, 2)
    """
    x, first = _channels_last("conv_transpose", value_of(inputs), data_format)
    rank = x.ndim - 2
    k = np.asarray(value_of(kernel))
    if k.ndim != rank + 2 or k.shape[-1] != x.shape[-1]:
        raise ShapeError(f"conv_transpose: kernel must have shape (*window ({rank} axes), filters, "
                         f"{x.shape[-1]} input channels), received {k.shape}.")
    strides = _tuple("conv_transpose", "strides", strides, rank)
    dilation = _tuple("conv_transpose", "dilation_rate", dilation_rate, rank)
    padding = _padding("conv_transpose", padding)
    if output_padding is None:
        extra = (None,) * rank
    else:
        extra = (output_padding,) * rank if isinstance(output_padding, (int, np.integer)) else tuple(output_padding)
        if len(extra) != rank or any(not isinstance(p, (int, np.integer)) or not 0 <= p < s
                                     for p, s in zip(extra, strides)):
            raise ConfigError(f"conv_transpose: output_padding must be None or non-negative ints smaller than the "
                              f"strides {strides}, received {output_padding!r}.")
    geometry = [transpose_geometry(n, w, s, d, padding, p)
                for n, w, s, d, p in zip(x.shape[1:-1], k.shape[:-2], strides, dilation, extra)]
    if any(o <= 0 for o, _ in geometry):
        raise ShapeError(f"conv_transpose: the output would be empty for input {x.shape}.")
    return apply("conv_transpose", _transpose_forward, _transpose_vjp, (inputs, kernel), strides=strides,
                 dilation=dilation, pads=tuple(p for _, p in geometry), out=tuple(o for o, _ in geometry), first=first)


def _transpose_forward(x, kernel, strides, dilation, pads, out, first):
    x, kernel = _float(np.moveaxis(x, 1, -1) if first else x, kernel)
    return _back(conv_transpose_forward(x, kernel, strides, dilation, pads, out)[0], first)


def _transpose_vjp(g, y, x, kernel, strides, dilation, pads, out, first):
    x, kernel = _float(np.moveaxis(x, 1, -1) if first else x, kernel)
    x2 = x.reshape(-1, x.shape[-1])
    dz = np.ascontiguousarray(np.moveaxis(g, 1, -1) if first else g, x.dtype)

    def dx():
        return _back(conv_transpose_backward(x2, x.shape, kernel, dz, strides, dilation, pads,
                                             need_dkernel=False)[0], first)

    def dkernel():
        return conv_transpose_backward(x2, x.shape, kernel, dz, strides, dilation, pads, need_dx=False)[1]

    return dx, dkernel


# ----- pooling -----------------------------------------------------------------------------------------------


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format="channels_last"):
    """Max pooling (1D, 2D or 3D): the largest value of each window.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        pool_size: an int or one per spatial axis.
        strides: an int or one per spatial axis; None for `pool_size`.
        padding: "valid" or "same" (padded positions never win).
        data_format: "channels_last" or "channels_first".

    Returns:
        (batch, *out, channels). The gradient goes to each window's first largest value.

    Raises:
        ShapeError: for inputs of the wrong rank or an empty output.
        ConfigError: for an unknown padding or data_format, or bad sizes.

    Example:
        >>> max_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0]   # [[5, 7], [13, 15]]
    """
    return _pool("max_pool", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format="channels_last"):
    """Average pooling (1D, 2D or 3D): the mean of each window's positions inside the input.

    Args:
        inputs: (batch, *spatial, channels) (channels first with `data_format="channels_first"`).
        pool_size: an int or one per spatial axis.
        strides: an int or one per spatial axis; None for `pool_size`.
        padding: "valid" or "same" (padded positions are not counted, as Keras).
        data_format: "channels_last" or "channels_first".

    Returns:
        (batch, *out, channels).

    Raises:
        ShapeError: for inputs of the wrong rank or an empty output.
        ConfigError: for an unknown padding or data_format, or bad sizes.

    Example:
        >>> average_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0]   # [[2.5, 4.5], [10.5, 12.5]]
    """
    return _pool("average_pool", inputs, pool_size, strides, padding, data_format)


def _pool(op, inputs, pool_size, strides, padding, data_format):
    x, first = _channels_last(op, value_of(inputs), data_format)
    rank = x.ndim - 2
    window = _tuple(op, "pool_size", pool_size, rank)
    strides = window if strides is None else _tuple(op, "strides", strides, rank)
    out, pads = _geometry(op, x.shape[1:-1], window, strides, (1,) * rank, _padding(op, padding))
    forward, vjp = (_max_forward, _max_vjp) if op == "max_pool" else (_avg_forward, _avg_vjp)
    return apply(op, forward, vjp, (inputs,), window=window, strides=strides, pads=pads, out=out, first=first)


def _pool_input(x, first):
    x = np.moveaxis(x, 1, -1) if first else x
    return np.ascontiguousarray(x, x.dtype if x.dtype.kind == "f" else np.float32)


def _max_forward(x, window, strides, pads, out, first):
    return _back(max_pool_forward(_pool_input(x, first), window, strides, pads, out)[0], first)


def _max_vjp(g, y, x, window, strides, pads, out, first):
    x = _pool_input(x, first)
    _, index = max_pool_forward(x, window, strides, pads, out)
    dy = np.ascontiguousarray(np.moveaxis(g, 1, -1) if first else g, x.dtype)
    return (lambda: _back(max_pool_backward(dy, index, x.shape), first)),


def _avg_forward(x, window, strides, pads, out, first):
    return _back(avg_pool_forward(_pool_input(x, first), window, strides, pads, out), first)


def _avg_vjp(g, y, x, window, strides, pads, out, first):
    x = _pool_input(x, first)
    dy = np.ascontiguousarray(np.moveaxis(g, 1, -1) if first else g, x.dtype)
    return (lambda: _back(avg_pool_backward(dy, x.shape, window, strides, pads), first)),
