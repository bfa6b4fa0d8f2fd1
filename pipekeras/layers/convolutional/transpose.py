"""The transposed convolution of any spatial rank (`BaseConvTranspose`) and Conv1DTranspose, Conv2DTranspose,
Conv3DTranspose: its subclasses of rank 1, 2 and 3, for upsampling."""

import numpy as np

from ...engine.layer import InputSpec
from ...engine.weights import DeclaresWeights, Weight
from ...errors import ConfigError, ShapeError
from ...compute.convolution import conv_transpose_backward, conv_transpose_forward, transpose_geometry
from ...compute.dense import column_sums
from ..activated import ActivatedLayer
from ..spatial import WindowGeometry
from ..validation import boolean, positive_int


class BaseConvTranspose(DeclaresWeights, WindowGeometry, ActivatedLayer):
    """Transposed convolution of `rank` spatial axes (the gradient of the convolution with respect to its
    input), for upsampling; a subclass names its rank: `class Conv3DTranspose(BaseConvTranspose, rank=3)`.

    Output size per axis: "valid": n * s + max(k_dilated - s, 0); "same": n * s; with output_padding p:
    (n - 1) * s + k_dilated - 2 * (k_dilated // 2 if "same" else 0) + p. The kernel has Keras' shape
    (*kernel_size, filters, in_channels).

    Args:
        filters, kernel_size, strides, padding, dilation_rate, activation, use_bias, initializers,
        regularizers, constraints: as the convolution of the same rank (`BaseConv`).
        output_padding: None, an int or `rank` ints, each smaller than its stride.
    """

    rank = 2
    declared_weights = (
        Weight("kernel", lambda layer, shape: layer.kernel_size + (layer.filters, shape[-1])),
        Weight("bias", lambda layer, shape: (layer.filters,), enabled="use_bias"),
    )

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        cls = type(self).__name__
        self.filters = positive_int(cls, "filters", filters)
        self.init_window(kernel_size, strides, padding, dilation_rate, data_format)
        if output_padding is None:
            self.output_padding = None
        else:
            pads = (output_padding,) * self.rank if isinstance(output_padding, (int, np.integer)) \
                else tuple(output_padding)
            if len(pads) != self.rank or any(not isinstance(p, (int, np.integer)) or p < 0 or p >= s
                                     for p, s in zip(pads, self.strides)):
                raise ConfigError(f"{cls}: output_padding must be None or non-negative ints smaller than the "
                                  f"strides {self.strides}, received {output_padding!r}.")
            self.output_padding = tuple(int(p) for p in pads)
        self.use_bias = boolean(type(self).__name__, "use_bias", use_bias)
        self.take_weight_arguments(locals())
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
        self.check_rank(input_shape)
        self._out(input_shape[1:-1])

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: input_shape[-1]})

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(out for out, _ in self._out(input_shape[1:-1])) + (self.filters,)

    def call(self, inputs, training=False):
        x = self.as_float(inputs, self.kernel)
        geometry = self._out(x.shape[1:-1])
        pads = tuple(pad for _, pad in geometry)
        z, x2 = conv_transpose_forward(x, self.kernel.value, self.strides, self.dilation_rate, pads,
                                       tuple(out for out, _ in geometry))
        if self.bias is not None:
            z += self.bias.value.astype(z.dtype, copy=False)
        y = self.activate(z)
        self.save_for_backward(x2, x.shape, z, y, pads)
        return y

    def backward(self, grad_output):
        x2, x_shape, z, y, pads = self.saved_tensors
        dz = np.ascontiguousarray(self.pre_activation_grad(grad_output, z, y))
        dx, dkernel = conv_transpose_backward(x2, x_shape, self.kernel.value, dz, self.strides, self.dilation_rate,
                                              pads, need_dx=self.input_grad_needed, need_dkernel=self.trainable)
        if dkernel is not None:
            self.add_grad(self.kernel, dkernel)
            if self.bias is not None:
                self.add_grad(self.bias, column_sums(dz.reshape(-1, self.filters)))
        return dx

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, **self.window_config(),
                "output_padding": self.output_padding, "use_bias": self.use_bias, **self.weight_config()}


class Conv1DTranspose(BaseConvTranspose, rank=1):
    """Transposed 1D convolution: (batch, steps, channels) -> (batch, out_steps, filters); kernel
    (kernel_size, filters, channels). Arguments as `BaseConvTranspose`.

    Example:
        >>> model = sequential() | conv_1d_transpose(8, 3, strides=2, padding="same", input_shape=(10, 4))
        >>> model.output_shape   # (None, 20, 8)
    """


class Conv2DTranspose(BaseConvTranspose, rank=2):
    """Transposed 2D convolution: (batch, h, w, channels) -> (batch, out_h, out_w, filters); kernel
    (kh, kw, filters, channels). Arguments as `BaseConvTranspose`.

    Example:
        >>> model = sequential() | conv_2d_transpose(16, 3, strides=2, padding="same", input_shape=(14, 14, 8))
        >>> model.output_shape   # (None, 28, 28, 16)
    """


class Conv3DTranspose(BaseConvTranspose, rank=3):
    """Transposed 3D convolution: (batch, d, h, w, channels) -> (batch, out_d, out_h, out_w, filters); kernel
    (kd, kh, kw, filters, channels). Arguments as `BaseConvTranspose`.

    Example:
        >>> model = sequential() | conv_3d_transpose(4, 3, strides=2, padding="same", input_shape=(4, 4, 4, 2))
        >>> model.output_shape   # (None, 8, 8, 8, 4)
    """
