"""ConvLSTM2D: an LSTM whose input and recurrent transformations are 2-D convolutions (Shi et al., 2015).

Written with pipekeras.ops, as a cell run by RNN: each convolution is a sum over the kernel's taps of a
strided slice of the (padded) input times that tap's (channels, 4 * filters) matrix, so the gradient tape
differentiates it. Keras's weight layout: kernel (kh, kw, channels, 4 * filters), recurrent_kernel
(kh, kw, filters, 4 * filters), bias (4 * filters,), gates i, f, c, o. The input convolution takes the layer's
strides, padding and dilation; the recurrent one is "same" with stride 1, so the states keep the output's
(rows, cols, filters).
"""

import numpy as np

from ... import activations, ops
from ...autodiff import value_of
from ...engine.layer import InputSpec, unique_name
from ...engine.weights import DeclaresWeights, Weight
from ...errors import ShapeError
from ..spatial import data_format_argument, window_geometry
from ..validation import int_tuple, one_of
from .cells import RNNCellBase, activate
from .rnn import RNN


def conv2d(x, kernel, strides, padding, dilation):
    """x (samples, rows, cols, channels) convolved with kernel (kh, kw, channels, out), as ops.

    Args:
        x: the input (array or traced value).
        kernel: the kernel (Variable, array or traced value).
        strides, dilation: (rows, cols) ints.
        padding: "valid" or "same".
    """
    rows, cols = np.shape(value_of(x))[1:3]
    kh, kw = np.shape(value_of(kernel))[:2]
    geometry = window_geometry((rows, cols), (kh, kw), strides, dilation, padding)
    pads = []
    for (out, before), size, k, s, d in zip(geometry, (rows, cols), (kh, kw), strides, dilation):
        pads.append((before, max((out - 1) * s + (k - 1) * d + 1 - size - before, 0)))
    if any(p for pair in pads for p in pair):
        x = ops.pad(x, [(0, 0)] + pads + [(0, 0)])
    (out_r, _), (out_c, _) = geometry
    total = None
    for i in range(kh):
        for j in range(kw):
            r0, c0 = i * dilation[0], j * dilation[1]
            patch = x[:, r0:r0 + (out_r - 1) * strides[0] + 1:strides[0], c0:c0 + (out_c - 1) * strides[1] + 1:strides[1]]
            term = ops.matmul(patch, kernel[i, j])
            total = term if total is None else total + term
    return total


class ConvLSTM2DCell(RNNCellBase):
    """The step of ConvLSTM2D: states [h, c], each (rows, cols, filters); see `ConvLSTM2D` for the arguments."""

    _gates = 4
    declared_weights = (
        Weight("kernel", lambda layer, shape: layer.kernel_size + (shape[-1], 4 * layer.units)),
        Weight("recurrent_kernel", lambda layer, shape: layer.kernel_size + (layer.units, 4 * layer.units),
               argument="recurrent"),
        Weight("bias", lambda layer, shape: (4 * layer.units,), enabled="use_bias",
               build_initializer=lambda layer: layer._bias_initializer_for_build()),
    )

    def __init__(self, filters, kernel_size, strides=1, padding="valid", dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", unit_forget_bias=True, **kwargs):
        super().__init__(filters, activation, **kwargs)
        cls = "ConvLSTM2D"
        self.kernel_size = int_tuple(cls, "kernel_size", kernel_size, 2)
        self.strides = int_tuple(cls, "strides", strides, 2)
        self.padding = one_of(cls, "padding", padding, ("valid", "same"))
        self.dilation_rate = int_tuple(cls, "dilation_rate", dilation_rate, 2)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self._state_shape = None

    def _gate_config(self):
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}

    def output_shape_for(self, input_shape):
        """(rows, cols, filters) of the output and states for a step input (samples, rows, cols, channels)."""
        geometry = window_geometry(input_shape[1:3], self.kernel_size, self.strides, self.dilation_rate,
                                   self.padding)
        return (geometry[0][0], geometry[1][0], self.units)

    def build(self, input_shape):
        super().build(input_shape)
        self._state_shape = self.output_shape_for(input_shape)

    @property
    def state_size(self):
        return [self._state_shape, self._state_shape]

    @property
    def output_size(self):
        return self._state_shape

    def _bias_initializer_for_build(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, units = self.bias_initializer, self.units

        def forget_bias_one(shape, dtype=None):
            return np.concatenate([np.asarray(base((units,), dtype=dtype)), np.ones((units,), dtype=dtype),
                                   np.asarray(base((2 * units,), dtype=dtype))])

        return forget_bias_one

    def call(self, inputs, states, training=False):
        x, h = self._inputs_and_state(inputs, states[0], training)
        z = conv2d(x, self.kernel, self.strides, self.padding, self.dilation_rate)
        z = z + conv2d(h, self.recurrent_kernel, (1, 1), "same", (1, 1))
        if self.use_bias:
            z = z + self.bias
        u, gate = self.units, self.recurrent_activation
        i, f = activate(gate, z[..., :u]), activate(gate, z[..., u:2 * u])
        c = f * states[1] + i * activate(self.activation, z[..., 2 * u:3 * u])
        h = activate(gate, z[..., 3 * u:]) * activate(self.activation, c)
        return h, [h, c]


class ConvLSTM2D(DeclaresWeights, RNN):
    """2-D convolutional LSTM over sequences of images (samples, timesteps, rows, cols, channels).

    Args:
        filters: number of output channels (and of each state's channels).
        kernel_size: int or (rows, cols) of the convolution windows.
        strides: int or pair, strides of the input convolution.
        padding: "valid" or "same" for the input convolution (the recurrent one is always "same").
        data_format: "channels_last" (None) only.
        dilation_rate: int or pair, dilation of the input convolution.
        activation, recurrent_activation: of the candidate / output ("tanh") and of the gates ("sigmoid").
        use_bias, unit_forget_bias: biases, the forget gate's starting at 1.
        kernel_initializer, recurrent_initializer, bias_initializer, *_regularizer, activity_regularizer,
            *_constraint: as for LSTM.
        dropout, recurrent_dropout, seed: dropout of the inputs / previous states (one mask per sequence).
        return_sequences, return_state, go_backwards, stateful, unroll: as for LSTM.

    Input (samples, timesteps, rows, cols, channels); output (samples, rows', cols', filters), or
    (samples, timesteps, rows', cols', filters) with return_sequences=True.

    Example:
        >>> model = sequential() | conv_lstm_2d(8, 3, padding="same", input_shape=(10, 16, 16, 1))
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 activation="tanh", recurrent_activation="sigmoid", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", unit_forget_bias=True,
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, **kwargs):
        self.data_format = data_format_argument("ConvLSTM2D", data_format)
        cell = ConvLSTM2DCell(filters, kernel_size, strides, padding, dilation_rate, activation,
                              recurrent_activation, unit_forget_bias, use_bias=use_bias,
                              kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                              bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                              recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                              kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                              seed=seed, name=unique_name("conv_lstm_cell"))
        kwargs["name"] = kwargs.get("name") or unique_name("conv_lstm2d")  # Keras's name
        super().__init__(cell, return_sequences, return_state, go_backwards, stateful, unroll, **kwargs)
        self.take_weight_arguments({"activity_regularizer": activity_regularizer})  # the cell has the weights
        self.input_spec = InputSpec(ndim=5)

    def validate_input_shape(self, input_shape):
        super().validate_input_shape(input_shape)
        shape = self.sequence_shape(input_shape)
        if shape[-1] is None or any(s is None for s in shape[2:4]):
            raise self.error(ShapeError, f"the rows, cols and channels of the input must be known, received "
                                         f"{tuple(shape)}.")

    def state_shapes(self, sequence_shape):
        shape = self.cell.output_shape_for((None,) + tuple(sequence_shape[2:]))
        return [shape, shape]

    def compute_output_shape(self, input_shape):
        batch, steps = self.sequence_shape(input_shape)[:2]
        shape = self.cell.output_shape_for((None,) + tuple(self.sequence_shape(input_shape)[2:]))
        output = (batch, steps) + shape if self.return_sequences else (batch,) + shape
        if self.return_state:
            return [output, (batch,) + shape, (batch,) + shape]
        return output

    def get_config(self):
        cell = self.cell.get_config()
        config = {key: value for key, value in super().get_config().items()
                  if key not in ("cell", "zero_output_for_mask")}
        config.update({
            "filters": cell["units"], "kernel_size": self.cell.kernel_size, "strides": self.cell.strides,
            "padding": self.cell.padding, "data_format": self.data_format, "dilation_rate": self.cell.dilation_rate,
            "activation": cell["activation"], "recurrent_activation": cell["recurrent_activation"],
            "use_bias": cell["use_bias"], "unit_forget_bias": self.cell.unit_forget_bias,
            **{key: cell[key] for key in cell if key.endswith(("_initializer", "_regularizer", "_constraint"))},
            **self.weight_config(),
            "dropout": cell["dropout"], "recurrent_dropout": cell["recurrent_dropout"], "seed": cell["seed"],
        })
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
