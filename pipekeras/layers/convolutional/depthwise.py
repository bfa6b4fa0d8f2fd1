"""DepthwiseConv2D and SeparableConv2D: per-channel convolutions (separable: followed by a 1x1 one)."""

import numpy as np

from ...engine.layer import InputSpec
from ...engine.weights import DeclaresWeights, Weight
from ...compute.convolution import depthwise_backward, depthwise_forward
from ...compute.dense import column_sums, dense_backward, dense_forward
from ..activated import ActivatedLayer
from ..spatial import WindowGeometry
from ..validation import boolean, positive_int

_DEPTHWISE_KERNEL = Weight("depthwise_kernel",
                           lambda layer, shape: layer.kernel_size + (shape[-1], layer.depth_multiplier),
                           argument="depthwise")


class DepthwiseConv2D(DeclaresWeights, WindowGeometry, ActivatedLayer):
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
    declared_weights = (
        _DEPTHWISE_KERNEL,
        Weight("bias", lambda layer, shape: (shape[-1] * layer.depth_multiplier,), enabled="use_bias"),
    )

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.init_window(kernel_size, strides, padding, dilation_rate, data_format)
        self.depth_multiplier = positive_int(cls, "depth_multiplier", depth_multiplier)
        self.use_bias = boolean(type(self).__name__, "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        self.check_rank(input_shape)
        self.output_geometry(input_shape[1:-1])

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=4, axes={-1: input_shape[-1]})

    def compute_output_shape(self, input_shape):
        spatial = self.output_geometry(input_shape[1:-1])
        return (input_shape[0],) + tuple(o for o, _ in spatial) + (input_shape[-1] * self.depth_multiplier,)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(self.as_float(inputs, self.depthwise_kernel))
        spatial = self.output_geometry(x.shape[1:3])
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
            **self.window_config(),
            "depth_multiplier": self.depth_multiplier,
            "use_bias": self.use_bias,
            **self.weight_config(),
        }


class SeparableConv2D(DeclaresWeights, WindowGeometry, ActivatedLayer):
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
    declared_weights = (
        _DEPTHWISE_KERNEL,
        Weight("pointwise_kernel", lambda layer, shape: (1, 1, shape[-1] * layer.depth_multiplier, layer.filters),
               argument="pointwise"),
        Weight("bias", lambda layer, shape: (layer.filters,), enabled="use_bias"),
    )

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.filters = positive_int(cls, "filters", filters)
        self.init_window(kernel_size, strides, padding, dilation_rate, data_format)
        self.depth_multiplier = positive_int(cls, "depth_multiplier", depth_multiplier)
        self.use_bias = boolean(type(self).__name__, "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.input_spec = None

    def validate_input_shape(self, input_shape):
        self.check_rank(input_shape)
        self.output_geometry(input_shape[1:-1])

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=4, axes={-1: input_shape[-1]})

    def compute_output_shape(self, input_shape):
        spatial = self.output_geometry(input_shape[1:-1])
        return (input_shape[0],) + tuple(o for o, _ in spatial) + (self.filters,)

    def call(self, inputs, training=False):
        x = np.ascontiguousarray(self.as_float(inputs, self.depthwise_kernel))
        spatial = self.output_geometry(x.shape[1:3])
        pads = tuple(p for _, p in spatial)
        d = depthwise_forward(x, self.depthwise_kernel.value, self.strides, self.dilation_rate, pads,
                              tuple(o for o, _ in spatial))
        pointwise = self.pointwise_kernel.value
        pw = pointwise.reshape(pointwise.shape[2], pointwise.shape[3]).astype(d.dtype, copy=False)
        d2 = d.reshape(-1, d.shape[-1])
        z = dense_forward(d2, pw)
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
        dd, dpointwise, dbias = dense_backward(d2, pw, dz, need_dkernel=self.trainable,
                                               has_bias=self.bias is not None)
        dd = dd.reshape(z.shape[:-1] + (pw.shape[0],))
        dx, dkernel = depthwise_backward(x, self.depthwise_kernel.value, dd, self.strides, self.dilation_rate,
                                         pads, need_dx=self.input_grad_needed, need_dkernel=self.trainable)
        if self.trainable:
            self.add_grad(self.depthwise_kernel, dkernel)
            self.add_grad(self.pointwise_kernel, dpointwise.reshape(pointwise.shape))
            if self.bias is not None:
                self.add_grad(self.bias, dbias)
        return dx

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            **self.window_config(),
            "depth_multiplier": self.depth_multiplier,
            "use_bias": self.use_bias,
            **self.weight_config(),
        }
