"""BaseConv: the convolution of any spatial rank, `activation(conv(inputs, kernel) + bias)`.

Weights use Keras' layout: kernel (*kernel_size, in_channels, filters), bias (filters,). The work runs on
the rank-generic im2col kernels of `compute/convolution.py` (im2col + one BLAS product) in channels_last;
a layer accepting "channels_first" moves the channel axis on the way in and out. A relu activation is
fused with the bias add and, in backward, with the bias gradient.
"""

from ... import activations
from ...engine.layer import InputSpec, is_recording
from ...engine.gradients import PreActivationGrad
from ...engine.weights import DeclaresWeights, Weight
from ...compute.convolution import conv_backward, conv_forward, relu_backward
from ...compute.inference import conv_infer
from ..activated import ActivatedLayer
from ..spatial import (WindowGeometry, channel_axis, from_channels_last, shape_from_channels_last,
                       shape_to_channels_last, to_channels_last)
from ..validation import boolean, positive_int


class BaseConv(DeclaresWeights, WindowGeometry, ActivatedLayer):
    """Base of Conv1D, Conv2D and Conv3D; a subclass names its rank: `class Conv3D(BaseConv, rank=3)`.

    Args:
        filters: number of output channels.
        kernel_size: an int or `rank` ints: the window's size.
        strides: an int or `rank` ints (default 1).
        padding: "valid" (no padding, the input shrinks), "same" (output size ceil(input / stride)), or for
            rank 1 "causal" (output t sees only inputs <= t).
        data_format: "channels_last" (samples, *spatial, channels); Conv3D also takes "channels_first"
            (samples, channels, *spatial).
        dilation_rate: an int or `rank` ints: spacing between kernel taps.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias per filter.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.
        **kwargs: name, trainable, input_shape, batch_input_shape, dtype.
    """

    rank = 2
    declared_weights = (
        Weight("kernel", lambda layer, shape: layer.kernel_size + (shape[-1], layer.filters)),
        Weight("bias", lambda layer, shape: (layer.filters,), enabled="use_bias"),
    )

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        self.filters = positive_int(type(self).__name__, "filters", filters)
        self.init_window(kernel_size, strides, padding, dilation_rate, data_format,
                         ("valid", "same", "causal") if self.rank == 1 else ("valid", "same"))
        self.use_bias = boolean(type(self).__name__, "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.input_spec = None  # the rank is checked by validate_input_shape, with a hint
        # relu is fused with the bias add (forward) and with the bias gradient (backward)
        self._fused_relu = self.activation == activations.get("relu")

    def validate_input_shape(self, input_shape):
        self.check_rank(input_shape)
        self.output_geometry(shape_to_channels_last(input_shape, self.data_format)[1:-1])

    def build(self, input_shape):
        super().build(shape_to_channels_last(input_shape, self.data_format))
        axis = channel_axis(self.data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={axis: input_shape[axis]})

    def compute_output_shape(self, input_shape):
        input_shape = shape_to_channels_last(input_shape, self.data_format)
        spatial = self.output_geometry(input_shape[1:-1])
        return shape_from_channels_last((input_shape[0],) + tuple(out for out, _ in spatial) + (self.filters,),
                                        self.data_format)

    def call(self, inputs, training=False):
        x = to_channels_last(self.as_float(inputs, self.kernel), self.data_format)
        geometry = self.output_geometry(x.shape[1:-1])
        pads = tuple(pad for _, pad in geometry)
        recording = is_recording()
        if not recording and self.rank < 3:  # predict: the product in blocks of rows, no im2col matrix kept
            out = tuple(out for out, _ in geometry)
            y = conv_infer(x, self.kernel.value, None if self.bias is None else self.bias.value, self.strides,
                           self.dilation_rate, pads, out, self.fused_activation(), scratch=self)
            return from_channels_last(self.finish_activation(y), self.data_format)
        z, cols = conv_forward(x, self.kernel.value, None if self.bias is None else self.bias.value, self.strides,
                               self.dilation_rate, pads, tuple(out for out, _ in geometry), scratch=self,
                               keep_cols=recording, relu=self._fused_relu)
        y = z if self._fused_relu else self.activate(z)
        if recording:
            self.save_for_backward(cols, x.shape, None if self._fused_relu else z, y, pads)
        return from_channels_last(y, self.data_format)

    def backward(self, grad_output):
        cols, x_shape, z, y, pads = self.saved_tensors
        if isinstance(grad_output, PreActivationGrad):
            grad_output = PreActivationGrad(to_channels_last(grad_output.value, self.data_format))
        else:
            grad_output = to_channels_last(grad_output, self.data_format)
        dbias = None
        if self._fused_relu and not isinstance(grad_output, PreActivationGrad):
            dz, sums = relu_backward(y, grad_output.reshape(y.shape), scratch=self)
            dbias = sums if self.bias is not None and self.trainable else None
        else:
            grad = grad_output if not hasattr(grad_output, "reshape") else grad_output.reshape(y.shape)
            dz = self.pre_activation_grad(grad, z, y).reshape(y.shape)
        dx, dkernel, bias_sums = conv_backward(cols, x_shape, self.kernel.value, dz, self.strides,
                                               self.dilation_rate, pads, need_dx=self.input_grad_needed,
                                               need_dkernel=self.trainable,
                                               has_bias=self.bias is not None and dbias is None, scratch=self)
        dbias = bias_sums if dbias is None else dbias
        if dkernel is not None:
            self.add_grad(self.kernel, dkernel.reshape(self.kernel.value.shape))
            if dbias is not None:
                self.add_grad(self.bias, dbias)
        return None if dx is None else from_channels_last(dx, self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, **self.window_config(), "use_bias": self.use_bias,
                **self.weight_config()}
