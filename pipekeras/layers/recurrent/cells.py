"""Recurrent cells: SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells (Keras 3 semantics and weights).

A cell computes one step: `cell(inputs, states) -> (output, new_states)`, inputs (samples, features) and
states a list of (samples, size) arrays. `RNN(cell)` (rnn.py) runs it over time. The cells are written in
pipekeras.ops, so the gradient tape differentiates them (a user's cell written the same way trains alike).
Weight layouts are Keras's and the same as the fused layers': kernel (features, G*units), recurrent_kernel
(units, G*units), bias (G*units,) (GRU with reset_after: (2, 3*units)), gates i, f, c, o (LSTM) and z, r, h
(GRU).

Dropout: the masks of a sequence are drawn at its first step and kept until `reset_dropout_masks()`, which
RNN calls after each sequence (as Keras's DropoutRNNCell).
"""

import numpy as np

from ... import activations, ops
from ...autodiff import value_of
from ...autodiff.tape import apply
from ...engine.layer import Layer
from ...engine.serialization import deserialize_layer
from ...engine.tensor import is_symbolic
from ...engine.weights import DeclaresWeights, Weight
from ...errors import ArgumentTypeError, ConfigError
from ..validation import boolean, positive_int, rate_in_unit_interval


def _forward(x, function):
    return function.forward(np.asarray(x))


def _vjp(g, y, x, function):
    return (function.backward(np.asarray(x, dtype=y.dtype), y, np.ascontiguousarray(g, dtype=y.dtype)),)


def activate(function, x):
    """`function` (an ActivationFunction) on `x` as a recorded op (its kernel and derivative)."""
    if function.name == "linear":
        return x
    return apply(function.name, _forward, _vjp, (x,), function=function)


def state_sizes(cell):
    """The cell's `state_size` as a flat list of state shapes without the batch axis (tuples)."""
    sizes = cell.state_size
    sizes = list(sizes) if isinstance(sizes, (list, tuple)) and not _is_shape(sizes) else [sizes]
    flat = []
    for size in sizes:
        if isinstance(size, (list, tuple)) and not _is_shape(size):
            flat += [tuple(s) if isinstance(s, (list, tuple)) else (int(s),) for s in size]
        else:
            flat.append(tuple(size) if isinstance(size, (list, tuple)) else (int(size),))
    return flat


def _is_shape(value):
    """A tuple of ints is one state's shape (ConvLSTM's); a list of ints is one size per state."""
    return isinstance(value, tuple) and len(value) > 1 and all(isinstance(v, (int, np.integer)) for v in value)


class RNNCellBase(DeclaresWeights, Layer):
    """Shared machinery of the built-in cells (not used directly).

    Args:
        units: positive integer, size of the output and of each state.
        activation: activation of the output / candidate ("tanh").
        use_bias: whether to add biases.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: fraction of the inputs dropped in training (one mask per sequence).
        recurrent_dropout: fraction of the previous state dropped in training (one mask per sequence).
        seed: optional seed for the dropout masks.
    """

    takes_activity_regularizer = False
    _gates = 1
    declared_weights = (
        Weight("kernel", lambda layer, shape: (shape[-1], layer._gates * layer.units)),
        Weight("recurrent_kernel", lambda layer, shape: (layer.units, layer._gates * layer.units),
               argument="recurrent"),
        Weight("bias", lambda layer, shape: layer._bias_shape(), enabled="use_bias",
               build_initializer=lambda layer: layer._bias_initializer_for_build()),
    )

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.units = positive_int(cls, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = boolean(cls, "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.dropout = rate_in_unit_interval(cls, "dropout", dropout)
        self.recurrent_dropout = rate_in_unit_interval(cls, "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self._masks = {}

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_initializer_for_build(self):
        return self.bias_initializer

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def __call__(self, inputs, states, training=False):
        """One step: returns (output, new_states).

        Args:
            inputs: (samples, features) array or traced value.
            states: the list of states, each (samples, units).
            training: apply dropout.

        Raises:
            ArgumentTypeError: for symbolic tensors (wrap the cell in `rnn(cell)` to run it over sequences).
        """
        if is_symbolic(inputs):
            raise self.error(
                ArgumentTypeError,
                "a cell computes one step on arrays; to use it in a model, run it over sequences with "
                f"rnn({type(self).__name__.lower()}...) (RNN(cell)).",
            )
        self.ensure_built(tuple(np.shape(value_of(inputs))), batch_known=True)
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        return self.call(inputs, states, training=training)

    def _dropped(self, which, rate, x, training):
        """x times this sequence's dropout mask `which` (drawn at its first use), or x outside training."""
        if not training or rate == 0:
            return x
        mask = self._masks.get(which)
        if mask is None:
            shape = tuple(np.shape(value_of(x)))
            dtype = np.asarray(value_of(x)).dtype
            generator = self._generator
            if generator is None:
                mask = ops.dropout_mask(shape, rate, dtype=dtype)
            else:
                mask = (generator.random(shape) >= rate).astype(dtype) / dtype.type(1 - rate)
            self._masks[which] = mask
        return x * mask

    def reset_dropout_masks(self):
        """Forgets the dropout masks of the current sequence (RNN calls it after each sequence)."""
        self._masks = {}

    def _inputs_and_state(self, inputs, h, training):
        return (self._dropped("input", self.dropout, inputs, training),
                self._dropped("recurrent", self.recurrent_dropout, h, training))

    def get_config(self):
        config = {**super().get_config(), "units": self.units, "activation": activations.serialize(self.activation)}
        config.update(self._gate_config())
        config.update({"use_bias": self.use_bias, **self.weight_config(), "dropout": self.dropout,
                       "recurrent_dropout": self.recurrent_dropout, "seed": self.seed})
        return config

    def _gate_config(self):
        return {}


class SimpleRNNCell(RNNCellBase):
    """The step of SimpleRNN: `h = activation(x @ kernel + bias + h_prev @ recurrent_kernel)`.

    Args:
        units: size of the output and the state. Other arguments: see `RNNCellBase`.

    Example:
        >>> layer = rnn(simple_rnn_cell(8), return_sequences=True)
    """

    def call(self, inputs, states, training=False):
        x, h = self._inputs_and_state(inputs, states[0], training)
        z = ops.matmul(x, self.kernel)
        if self.use_bias:
            z = z + self.bias
        output = activate(self.activation, z + ops.matmul(h, self.recurrent_kernel))
        return output, [output]


class _GatedCell(RNNCellBase):
    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        super().__init__(units, activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)

    def _gate_config(self):
        return {"recurrent_activation": activations.serialize(self.recurrent_activation)}


class LSTMCell(_GatedCell):
    """The step of LSTM, gates i, f, c, o: states [h, c], output h.

    Args:
        units: size of the output and the states.
        recurrent_activation: activation of the gates ("sigmoid").
        unit_forget_bias: start the forget gate's bias at 1, as Keras does.
        ...: see `RNNCellBase`.

    Example:
        >>> layer = rnn(lstm_cell(8), return_state=True)
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.unit_forget_bias = boolean(type(self).__name__, "unit_forget_bias", unit_forget_bias)

    @property
    def state_size(self):
        return [self.units, self.units]

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
        u = self.units
        z = ops.matmul(x, self.kernel) + ops.matmul(h, self.recurrent_kernel)
        if self.use_bias:
            z = z + self.bias
        gate = self.recurrent_activation
        i, f = activate(gate, z[:, :u]), activate(gate, z[:, u:2 * u])
        c = f * states[1] + i * activate(self.activation, z[:, 2 * u:3 * u])
        h = activate(gate, z[:, 3 * u:]) * activate(self.activation, c)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_GatedCell):
    """The step of GRU, gates z, r, h: `h = z * h_prev + (1 - z) * h~`.

    Args:
        units: size of the output and the state.
        recurrent_activation: activation of the gates ("sigmoid").
        reset_after: apply the reset gate after the recurrent product (Keras 3's default; bias (2, 3*units),
            input bias then recurrent bias), else before it (bias (3*units,)).
        ...: see `RNNCellBase`.

    Example:
        >>> layer = rnn(gru_cell(8))
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        super().__init__(units, activation, recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                         kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
                         seed=seed, **kwargs)
        self.reset_after = boolean(type(self).__name__, "reset_after", reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=False):
        h_prev = states[0]
        x, h_in = self._inputs_and_state(inputs, h_prev, training)
        u = self.units
        gate = self.recurrent_activation
        mx = ops.matmul(x, self.kernel)
        if self.use_bias:
            mx = mx + (self.bias[0] if self.reset_after else self.bias)
        if self.reset_after:
            inner = ops.matmul(h_in, self.recurrent_kernel)
            if self.use_bias:
                inner = inner + self.bias[1]
        else:
            inner = ops.matmul(h_in, self.recurrent_kernel[:, :2 * u])
        z = activate(gate, mx[:, :u] + inner[:, :u])
        r = activate(gate, mx[:, u:2 * u] + inner[:, u:2 * u])
        if self.reset_after:
            recurrent_h = r * inner[:, 2 * u:]
        else:
            recurrent_h = ops.matmul(r * h_in, self.recurrent_kernel[:, 2 * u:])
        candidate = activate(self.activation, mx[:, 2 * u:] + recurrent_h)
        h = z * h_prev + (1 - z) * candidate
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


def check_cell(layer, argument, cell):
    """Raises ConfigError naming `layer` when `cell` is not a cell: a Layer with `call` and `state_size`."""
    if not isinstance(cell, Layer) or getattr(cell, "state_size", None) is None:
        what = type(cell).__name__ if not isinstance(cell, Layer) else f"{type(cell).__name__} without state_size"
        raise layer.error(
            ConfigError,
            f"{argument} expected a recurrent cell: a Layer with a `state_size` attribute (an int, or a list of "
            f"ints, one per state) and call(inputs, states) -> (output, new_states); received {what}. "
            "Give your cell class `state_size = units` (or a property), or use simple_rnn_cell, lstm_cell or "
            "gru_cell.",
        )


class StackedRNNCells(Layer):
    """Several cells as one: each cell's output is the next one's input, the states are all cells' states.

    `state_size` is the flat list of every cell's state sizes, in order (Keras nests them per cell), and so
    are the states RNN returns and takes as initial_state.

    Args:
        cells: a list of cells.

    Example:
        >>> layer = rnn(stacked_rnn_cells([lstm_cell(16), lstm_cell(16)]), return_sequences=True)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise self.error(ConfigError, f"cells expected a non-empty list of cells, received {cells!r:.80}.")
        for cell in cells:
            check_cell(self, "cells", cell)
        self.cells = list(cells)
        for cell in self.cells:
            self.track_layer(cell)

    @property
    def state_size(self):
        return [size[0] if len(size) == 1 else size for cell in self.cells for size in state_sizes(cell)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", None) or state_sizes(last)[0][0]

    def output_state_index(self):
        """Where the last cell's first state is in the flat states (RNN's output at a masked step)."""
        return sum(len(state_sizes(cell)) for cell in self.cells[:-1])

    def build(self, input_shape):
        for cell in self.cells:
            cell.ensure_built(tuple(input_shape), batch_known=True)
            size = getattr(cell, "output_size", None) or state_sizes(cell)[0][0]
            input_shape = (input_shape[0], size)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_size)

    def __call__(self, inputs, states, training=False):
        """One step of every cell: returns (output of the last, the flat list of new states)."""
        self.ensure_built(tuple(np.shape(value_of(inputs))), batch_known=True)
        return self.call(inputs, list(states), training=training)

    def call(self, inputs, states, training=False):
        new_states, at = [], 0
        for cell in self.cells:
            count = len(state_sizes(cell))
            inputs, cell_states = step(cell, inputs, states[at:at + count], training)
            new_states += cell_states
            at += count
        return inputs, new_states

    def reset_dropout_masks(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_masks"):
                cell.reset_dropout_masks()

    def get_config(self):
        return {**super().get_config(), "cells": [{"class_name": type(c).__name__, "config": c.get_config()}
                                                 for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls([deserialize_layer(entry, custom_objects) for entry in config.pop("cells")], **config)


def step(cell, inputs, states, training):
    """One step of any cell (built): (output, new states as a list)."""
    if cell._call_takes_training:
        output, new_states = cell.call(inputs, states, training=training)
    else:
        output, new_states = cell.call(inputs, states)
    return output, list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
