"""Convolution layers (channels_last): Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

Weights use Keras' layout: Conv2D kernel (kh, kw, in, out), Conv1D kernel (k, in, out), bias (out,).
Every layer runs on the 2D kernels of `kernels/convolution.py`; a 1D layer is a 2D one of height 1.

Speed (MNIST convnet, batch 64, float32, one thread, ms forward / backward): im2col + one BLAS product beat
direct Numba loops on every layer, so the layers use it (`kernels.convolution` keeps the direct loops):

    layer                   im2col        direct
    28x28x1 -> 32, 3x3      2.2 / 1.3     2.7 / 3.4     (backward without dx: first layer)
    13x13x32 -> 64, 3x3     4.5 / 8.0    18.9 / 111
    5x5x64 -> 64, 3x3       0.6 / 1.2     2.7 / 16.9

A relu activation is fused with the bias add and, in backward, with the bias gradient.
"""

import math

import numpy as np

from .. import activations, constraints, initializers, regularizers
from ..engine.layer import InputSpec, is_recording, shape_str
from ..engine.gradients import PreActivationGrad
from ..errors import ConfigError, ShapeError
from ..kernels.buffers import BufferPool
from ..kernels.convolution import (col2im, conv2d_backward, conv2d_forward, conv_geometry, depthwise_backward,
                                   depthwise_forward, im2col, matmul, relu_backward,
                                   transpose_geometry)
from ..kernels.dense import column_sums
from .activated import ActivatedLayer
from .validation import int_tuple, one_of, positive_int

_AXES = {1: ("steps",), 2: ("height", "width")}
_LAYOUT = {1: "(samples, steps, channels)", 2: "(samples, height, width, channels)"}


def _data_format(layer_class, data_format):
    if data_format not in (None, "channels_last"):
        raise ConfigError(f"{layer_class}: data_format {data_format!r} is not supported; pipekeras works in "
                          f"'channels_last' (samples, ..., channels). Move the channel axis last, e.g. "
                          f"x.transpose(0, 2, 3, 1).")
    return "channels_last"


def check_spatial_rank(layer, input_shape):
    """Raises the layer's ShapeError, with a reshape hint, unless `input_shape` is (samples, *spatial, channels)
    for the layer's `rank` spatial axes."""
    expected = layer.rank + 2
    if len(input_shape) != expected:
        raise layer.error(ShapeError, (
            f"expected input of rank {expected} {_LAYOUT[layer.rank]}, received shape "
            f"{shape_str(input_shape)} (rank {len(input_shape)}). {rank_hint(layer.rank, input_shape)}"))


def rank_hint(rank, input_shape):
    """The hint for an input of the wrong rank, with a concrete reshape where one can be guessed."""
    shape = tuple(input_shape)
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


class _SpatialGeometry:
    """Shared argument handling and geometry for layers sliding a window over 1 or 2 spatial axes."""

    rank = 2

    def _init_window(self, kernel_size, strides, padding, dilation_rate, data_format, paddings=("valid", "same")):
        cls = type(self).__name__
        self.kernel_size = int_tuple(cls, "kernel_size", kernel_size, self.rank)
        self.strides = int_tuple(cls, "strides", strides, self.rank)
        self.padding = one_of(cls, "padding", padding, paddings)
        self.dilation_rate = int_tuple(cls, "dilation_rate", dilation_rate, self.rank)
        self.data_format = _data_format(cls, data_format)

    def _check_rank(self, input_shape):
        check_spatial_rank(self, input_shape)
        if input_shape[-1] is None:
            raise self.error(ShapeError, f"the channel axis (last) of the input must be known, received "
                                         f"{shape_str(input_shape)}.")

    def _spatial(self, sizes, kernel=None, strides=None, dilation=None):
        """Returns [(out, pad_before), ...] for the spatial `sizes` (None stays None); raises when empty."""
        kernel = kernel or self.kernel_size
        strides = strides or self.strides
        dilation = dilation or self.dilation_rate
        result = []
        for size, k, s, d in zip(sizes, kernel, strides, dilation):
            result.append((None, 0) if size is None else conv_geometry(size, k, s, d, self.padding))
        if any(out is not None and out <= 0 for out, _ in result):
            span = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation))
            dilated = "" if span == tuple(kernel) else f" (spanning {span} with dilation_rate {tuple(dilation)})"
            axes = ", ".join(_AXES[self.rank])
            raise self.error(ShapeError, (
                f"kernel_size {tuple(kernel)}{dilated} is larger than the input's spatial size {tuple(sizes)} "
                f"({axes}) with padding='valid': the image shrinks to nothing. Use padding='same', a smaller "
                f"kernel_size, or less downsampling (pooling, strides) before this layer."))
        return result

    def _float(self, inputs, weight):
        """Integer inputs (e.g. uint8 images) are cast to the weights' float type."""
        return inputs if inputs.dtype.kind == "f" else inputs.astype(weight.value.dtype)

    def _as_4d(self, inputs):
        x = np.ascontiguousarray(inputs)
        return x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]) if self.rank == 1 else x

    def _pairs(self, values, fill=1):
        return (fill,) + tuple(values) if self.rank == 1 else tuple(values)

    def _window_config(self):
        return {"kernel_size": self.kernel_size, "strides": self.strides, "padding": self.padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate}


class _Conv(_SpatialGeometry, ActivatedLayer):
    """Base of Conv1D and Conv2D: `activation(conv(inputs, kernel) + bias)`."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.filters = positive_int(cls, "filters", filters)
        self._init_window(kernel_size, strides, padding, dilation_rate, data_format,
                          ("valid", "same", "causal") if self.rank == 1 else ("valid", "same"))
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = None  # the rank is checked by validate_input_shape, with a hint
        self._buffers = BufferPool()  # im2col columns, outputs and gradients, reused when idle
        # relu is fused with the bias add (forward) and with the bias gradient (backward)
        self._fused_relu = self.activation == activations.get("relu")

    def validate_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._spatial(input_shape[1:-1])

    def build(self, input_shape):
        channels = input_shape[-1]
        self.kernel = self.add_weight("kernel", self.kernel_size + (channels, self.filters),
                                      self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})

    def compute_output_shape(self, input_shape):
        spatial = self._spatial(input_shape[1:-1])
        return (input_shape[0],) + tuple(out for out, _ in spatial) + (self.filters,)

    def _kernel4(self):
        value = self.kernel.value
        return value.reshape((1,) + value.shape) if self.rank == 1 else value

    def call(self, inputs, training=False):
        inputs = self._float(inputs, self.kernel)
        x = self._as_4d(inputs)
        spatial = self._spatial(inputs.shape[1:-1])
        out_hw = self._pairs([out for out, _ in spatial])
        pads = self._pairs([pad for _, pad in spatial], 0)
        recording = is_recording()
        z, cols = conv2d_forward(x, self._kernel4(), None if self.bias is None else self.bias.value,
                                 self._pairs(self.strides), self._pairs(self.dilation_rate), pads, out_hw,
                                 buffers=self._buffers, keep_cols=recording, relu=self._fused_relu)
        y = z if self._fused_relu else self.activate(z)
        if recording:
            self.save_for_backward(cols, x.shape, None if self._fused_relu else z, y, pads)
        return y if self.rank == 2 else y.reshape(y.shape[0], y.shape[2], y.shape[3])

    def backward(self, grad_output):
        cols, x_shape, z, y, pads = self.saved_tensors
        shape = y.shape
        dbias = None
        if self._fused_relu and not isinstance(grad_output, PreActivationGrad):
            dz, sums = relu_backward(y, grad_output.reshape(shape), self._buffers)
            dbias = sums if self.bias is not None and self.trainable else None
        else:
            grad = grad_output if not hasattr(grad_output, "reshape") else grad_output.reshape(shape)
            dz = self.pre_activation_grad(grad, z, y).reshape(shape)
        dx, dkernel, bias_sums = conv2d_backward(cols, x_shape, self._kernel4(), dz, self._pairs(self.strides),
                                                 self._pairs(self.dilation_rate), pads,
                                                 need_dx=self.input_grad_needed, need_dkernel=self.trainable,
                                                 has_bias=self.bias is not None and dbias is None,
                                                 buffers=self._buffers)
        dbias = bias_sums if dbias is None else dbias
        if dkernel is not None:
            self.add_grad(self.kernel, dkernel.reshape(self.kernel.value.shape))
            if dbias is not None:
                self.add_grad(self.bias, dbias)
        if dx is None:
            return None
        return dx.reshape(x_shape[0], x_shape[2], x_shape[3]) if self.rank == 1 else dx

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            **self._window_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class Conv2D(_Conv):
    """2D convolution over images: (batch, h, w, channels) -> (batch, out_h, out_w, filters).

    Args:
        filters: number of output channels.
        kernel_size: int or (kh, kw).
        strides: int or (sh, sw) (default 1).
        padding: "valid" (no padding, the image shrinks) or "same" (output size ceil(input / stride)).
        data_format: only "channels_last".
        dilation_rate: int or (dh, dw): spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.

    Example:
        >>> model = sequential() | conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
    """

    rank = 2


class Conv1D(_Conv):
    """1D convolution over sequences: (batch, steps, channels) -> (batch, out_steps, filters).

    The kernel has shape (kernel_size, channels, filters).

    Args:
        filters: number of output channels.
        kernel_size: int (or 1-tuple): steps the kernel spans.
        strides: int (default 1).
        padding: "valid", "same", or "causal" (output t sees only inputs <= t).
        data_format: only "channels_last".
        dilation_rate: int: spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.

    Example:
        >>> model = sequential() | conv_1d(32, 7, activation="relu", input_shape=(100, 8))
    """

    rank = 1


class Conv2DTranspose(_SpatialGeometry, ActivatedLayer):
    """Transposed 2D convolution (the gradient of Conv2D with respect to its input), for upsampling.

    Output size per axis: "valid": n * s + max(k_dilated - s, 0); "same": n * s; with output_padding p:
    (n - 1) * s + k_dilated - 2 * (k_dilated // 2 if "same" else 0) + p. The kernel has Keras' shape
    (kh, kw, filters, in_channels).

    Args:
        filters, kernel_size, strides, padding, dilation_rate, activation, use_bias, initializers,
        regularizers, constraints: as Conv2D.
        output_padding: None, an int or a pair, each smaller than the stride.

    Example:
        >>> model = sequential() | conv_2d_transpose(16, 3, strides=2, padding="same", input_shape=(14, 14, 8))
        >>> model.output_shape   # (None, 28, 28, 16)
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.filters = positive_int(cls, "filters", filters)
        self._init_window(kernel_size, strides, padding, dilation_rate, data_format)
        if output_padding is None:
            self.output_padding = None
        else:
            pads = (output_padding,) * 2 if isinstance(output_padding, (int, np.integer)) else tuple(output_padding)
            if len(pads) != 2 or any(not isinstance(p, (int, np.integer)) or p < 0 or p >= s
                                     for p, s in zip(pads, self.strides)):
                raise ConfigError(f"{cls}: output_padding must be None or non-negative ints smaller than the "
                                  f"strides {self.strides}, received {output_padding!r}.")
            self.output_padding = tuple(int(p) for p in pads)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = None

    def _out(self, sizes):
        result = []
        for i, size in enumerate(sizes):
            if size is None:
                result.append((None, 0))
            else:
                op = None if self.output_padding is None else self.output_padding[i]
                result.append(transpose_geometry(size, self.kernel_size[i], self.strides[i],
                                                 self.dilation_rate[i], self.padding, op))
        if any(out is not None and out <= 0 for out, _ in result):
            raise self.error(ShapeError, f"the output would be empty for input {tuple(sizes)}.")
        return result

    def validate_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._out(input_shape[1:-1])

    def build(self, input_shape):
        channels = input_shape[-1]
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(out for out, _ in self._out(input_shape[1:-1])) + (self.filters,)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(self._float(inputs, self.kernel))
        batch, h, w, ch = x.shape
        geometry = self._out((h, w))
        (oh, ph), (ow, pw) = geometry
        kernel = self.kernel.value
        kh, kw, filters, _ = kernel.shape
        dtype = np.result_type(x.dtype, kernel.dtype)
        k2 = kernel.reshape(kh * kw * filters, ch).astype(dtype, copy=False)
        x2 = x.reshape(batch * h * w, ch).astype(dtype, copy=False)
        cols = matmul(x2, k2.T)
        z = np.empty((batch, oh, ow, filters), dtype)
        sh, sw = self.strides
        dh, dw = self.dilation_rate
        col2im(cols.size, cols, z, kh, kw, sh, sw, dh, dw, ph, pw, h, w)
        if self.bias is not None:
            z += self.bias.value.astype(dtype, copy=False)
        y = self.activate(z)
        self.save_for_backward(x2, x.shape, z, y, (ph, pw))
        return y

    def backward(self, grad_output):
        x2, x_shape, z, y, (ph, pw) = self.saved_tensors
        batch, h, w, ch = x_shape
        dz = np.ascontiguousarray(self.pre_activation_grad(grad_output, z, y))
        kernel = self.kernel.value
        kh, kw, filters, _ = kernel.shape
        dcols = np.empty((batch * h * w, kh * kw * filters), dz.dtype)
        sh, sw = self.strides
        dh, dw = self.dilation_rate
        im2col(dcols.size, dz, dcols, kh, kw, sh, sw, dh, dw, ph, pw, h, w)
        if self.trainable:
            self.add_grad(self.kernel, matmul(dcols.T, x2).reshape(kernel.shape))
            if self.bias is not None:
                self.add_grad(self.bias, column_sums(dz.reshape(-1, filters)))
        if not self.input_grad_needed:
            return None
        return matmul(dcols, kernel.reshape(kh * kw * filters, ch).astype(dz.dtype, copy=False)).reshape(x_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            **self._window_config(),
            "output_padding": self.output_padding,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class DepthwiseConv2D(_SpatialGeometry, ActivatedLayer):
    """Depthwise 2D convolution: each input channel is convolved with its own `depth_multiplier` filters.

    (batch, h, w, ch) -> (batch, out_h, out_w, ch * depth_multiplier); the kernel has shape
    (kh, kw, ch, depth_multiplier) and output channel k * depth_multiplier + q comes from input channel k.

    Args:
        kernel_size, strides, padding, dilation_rate, activation, use_bias: as Conv2D.
        depth_multiplier: filters per input channel.
        depthwise_initializer/regularizer/constraint, bias_initializer/regularizer/constraint,
        activity_regularizer: as Conv2D's kernel and bias ones.

    Example:
        >>> model = sequential() | depthwise_conv_2d(3, depth_multiplier=2, input_shape=(28, 28, 3))   # 6 channels
    """

    rank = 2

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self._init_window(kernel_size, strides, padding, dilation_rate, data_format)
        self.depth_multiplier = positive_int(cls, "depth_multiplier", depth_multiplier)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._spatial(input_shape[1:-1])

    def build(self, input_shape):
        channels = input_shape[-1]
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier), self.depthwise_initializer,
            self.depthwise_regularizer, self.depthwise_constraint)
        self.bias = self.add_weight("bias", (channels * self.depth_multiplier,), self.bias_initializer,
                                    self.bias_regularizer, self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def compute_output_shape(self, input_shape):
        spatial = self._spatial(input_shape[1:-1])
        return (input_shape[0],) + tuple(o for o, _ in spatial) + (input_shape[-1] * self.depth_multiplier,)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(self._float(inputs, self.depthwise_kernel))
        spatial = self._spatial(x.shape[1:3])
        pads = tuple(p for _, p in spatial)
        z = depthwise_forward(x, self.depthwise_kernel.value, self.strides, self.dilation_rate, pads,
                              tuple(o for o, _ in spatial))
        if self.bias is not None:
            z += self.bias.value.astype(z.dtype, copy=False)
        y = self.activate(z)
        self.save_for_backward(x, z, y, pads)
        return y

    def backward(self, grad_output):
        x, z, y, pads = self.saved_tensors
        dz = np.ascontiguousarray(self.pre_activation_grad(grad_output, z, y))
        dx, dkernel = depthwise_backward(x, self.depthwise_kernel.value, dz, self.strides, self.dilation_rate,
                                         pads, need_dx=self.input_grad_needed, need_dkernel=self.trainable)
        if dkernel is not None:
            self.add_grad(self.depthwise_kernel, dkernel)
            if self.bias is not None:
                self.add_grad(self.bias, column_sums(dz.reshape(-1, dz.shape[-1])))
        return dx

    def get_config(self):
        return {
            **super().get_config(),
            **self._window_config(),
            "depth_multiplier": self.depth_multiplier,
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


class SeparableConv2D(_SpatialGeometry, ActivatedLayer):
    """Depthwise separable 2D convolution: a depthwise convolution, then a 1x1 convolution to `filters`.

    Weights: depthwise_kernel (kh, kw, ch, depth_multiplier), pointwise_kernel (1, 1, ch * depth_multiplier,
    filters), bias (filters,).

    Args:
        filters, kernel_size, strides, padding, dilation_rate, depth_multiplier, activation, use_bias: as
        Conv2D and DepthwiseConv2D.
        depthwise_*/pointwise_*/bias_* initializers, regularizers and constraints; activity_regularizer.

    Example:
        >>> model = sequential() | separable_conv_2d(32, 3, activation="relu", input_shape=(28, 28, 3))
    """

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.filters = positive_int(cls, "filters", filters)
        self._init_window(kernel_size, strides, padding, dilation_rate, data_format)
        self.depth_multiplier = positive_int(cls, "depth_multiplier", depth_multiplier)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        self._check_rank(input_shape)
        self._spatial(input_shape[1:-1])

    def build(self, input_shape):
        channels = input_shape[-1]
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier), self.depthwise_initializer,
            self.depthwise_regularizer, self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, channels * self.depth_multiplier, self.filters), self.pointwise_initializer,
            self.pointwise_regularizer, self.pointwise_constraint)
        self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer, self.bias_regularizer,
                                    self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=4, axes={-1: channels})

    def compute_output_shape(self, input_shape):
        spatial = self._spatial(input_shape[1:-1])
        return (input_shape[0],) + tuple(o for o, _ in spatial) + (self.filters,)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(self._float(inputs, self.depthwise_kernel))
        spatial = self._spatial(x.shape[1:3])
        pads = tuple(p for _, p in spatial)
        d = depthwise_forward(x, self.depthwise_kernel.value, self.strides, self.dilation_rate, pads,
                              tuple(o for o, _ in spatial))
        pointwise = self.pointwise_kernel.value
        pw = pointwise.reshape(pointwise.shape[2], pointwise.shape[3]).astype(d.dtype, copy=False)
        d2 = d.reshape(-1, d.shape[-1])
        z = matmul(d2, pw)
        if self.bias is not None:
            z += self.bias.value.astype(z.dtype, copy=False)
        z = z.reshape(d.shape[:-1] + (self.filters,))
        y = self.activate(z)
        self.save_for_backward(x, d2, z, y, pads)
        return y

    def backward(self, grad_output):
        x, d2, z, y, pads = self.saved_tensors
        dz = np.ascontiguousarray(self.pre_activation_grad(grad_output, z, y)).reshape(-1, self.filters)
        pointwise = self.pointwise_kernel.value
        pw = pointwise.reshape(pointwise.shape[2], pointwise.shape[3]).astype(dz.dtype, copy=False)
        dd = matmul(dz, pw.T).reshape(z.shape[:-1] + (pw.shape[0],))
        dx, dkernel = depthwise_backward(x, self.depthwise_kernel.value, dd, self.strides, self.dilation_rate,
                                         pads, need_dx=self.input_grad_needed, need_dkernel=self.trainable)
        if self.trainable:
            self.add_grad(self.depthwise_kernel, dkernel)
            self.add_grad(self.pointwise_kernel, matmul(d2.T, dz).reshape(pointwise.shape))
            if self.bias is not None:
                self.add_grad(self.bias, column_sums(dz))
        return dx

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            **self._window_config(),
            "depth_multiplier": self.depth_multiplier,
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
