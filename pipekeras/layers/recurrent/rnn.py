"""RNN(cell): any recurrent cell run over the timesteps of a sequence (Keras 3's `keras.layers.RNN`).

The loop is written with pipekeras.ops, so inside training the gradient tape records every step and
differentiates the cell, a user's cell written in ops included: a Layer with `state_size` and
`call(inputs, states) -> (output, new_states)`. A masked step keeps the previous states and repeats the
previous output (zeros with zero_output_for_mask=True), as Keras does.

A built-in SimpleRNNCell, LSTMCell or GRUCell (with elementwise activations) runs instead through its fused
layer (fused.py), which holds the cell's own weights: the compiled time loops, entered in a recording as one
op whose backward is the fused one, so RNN(lstm_cell(n)) is as fast as lstm(n).
"""

import numpy as np

from ... import activations, ops
from ...autodiff import value_of
from ...engine.layer import InputSpec, Layer
from ...engine.serialization import deserialize_layer
from ...errors import ConfigError, ShapeError
from ...engine.layer import shape_str
from ..validation import boolean
from .cells import GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, check_cell, state_sizes, step
from .fused import GRU, LSTM, SimpleRNN
from .states import StateInputs

_FUSED = {SimpleRNNCell: SimpleRNN, LSTMCell: LSTM, GRUCell: GRU}


class RNN(StateInputs, Layer):
    """Runs a recurrent cell over sequences.

    Args:
        cell: a cell (simple_rnn_cell, lstm_cell, gru_cell, stacked_rnn_cells, or a Layer of your own with
            `state_size` and call(inputs, states) -> (output, new_states)); a list of cells is stacked.
        return_sequences: output the whole sequence (samples, timesteps, output size) instead of the last.
        return_state: also return the final states: [output, *states].
        go_backwards: process the sequence backwards (and return the reversed sequence).
        stateful: keep the final states of a batch as the initial states of the next (fixed batch size).
        unroll: accepted for Keras compatibility; the loop runs step by step either way.
        zero_output_for_mask: output zeros at masked steps instead of the previous output.

    Call arguments: `layer(x, initial_state=[...])`, one state per entry of the cell's state_size.

    Raises:
        ConfigError: for a cell without `state_size` or `call`.

    Example:
        >>> class MinimalCell(pk.Layer):
        ...     state_size = 8
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight("w", (input_shape[-1], 8), "glorot_uniform")
        ...     def call(self, inputs, states):
        ...         h = ops.tanh(ops.matmul(inputs, self.w) + states[0])
        ...         return h, [h]
        >>> model = sequential() | rnn(MinimalCell(), input_shape=(10, 4)) | dense(1)
    """

    supports_masking = True
    uses_learning_phase = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        check_cell(self, "cell", cell)
        self.cell = cell
        self.track_layer(cell)
        cls = type(self).__name__
        self.return_sequences = boolean(cls, "return_sequences", return_sequences)
        self.return_state = boolean(cls, "return_state", return_state)
        self.go_backwards = boolean(cls, "go_backwards", go_backwards)
        self.stateful = boolean(cls, "stateful", stateful)
        self.unroll = boolean(cls, "unroll", unroll)
        self.zero_output_for_mask = boolean(cls, "zero_output_for_mask", zero_output_for_mask)
        self.states = None
        self._state_batch = None
        self._fused = None
        self.input_spec = InputSpec(min_ndim=3)

    def state_shapes(self, sequence_shape):
        return state_sizes(self.cell)

    def kept_state_shapes(self):
        return state_sizes(self.cell)

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else state_sizes(self.cell)[0][0]

    def validate_input_shape(self, input_shape):
        input_shape = self.sequence_shape(input_shape)
        if self.stateful and input_shape[0] is None:
            raise self.error(
                ConfigError,
                f"stateful=True needs a fixed batch size; received input shape {shape_str(input_shape)}. Give the "
                "first layer batch_input_shape=(batch, timesteps, features) (or batch_size=).",
            )

    def build(self, input_shape):
        input_shape = self.sequence_shape(input_shape)
        self.cell.ensure_built((input_shape[0],) + tuple(input_shape[2:]))
        self._fused = self._fused_twin(input_shape)
        if self.stateful:
            self._state_batch = input_shape[0]
            self.reset_states()

    def compute_output_shape(self, input_shape):
        batch, steps = self.sequence_shape(input_shape)[:2]
        size = self._output_size()
        output = (batch, steps, size) if self.return_sequences else (batch, size)
        if self.return_state:
            return [output] + [(batch,) + shape for shape in state_sizes(self.cell)]
        return output

    def _fused_twin(self, input_shape):
        """The fused layer computing what this RNN computes with its built-in cell, sharing the cell's
        weights; None for other cells, activations the fused loops do not run, or zero_output_for_mask."""
        cell = self.cell
        kind = _FUSED.get(type(cell))
        if kind is None or self.zero_output_for_mask:
            return None
        used = [cell.activation] + ([cell.recurrent_activation] if kind is not SimpleRNN else [])
        if not all(isinstance(a, activations.Elementwise) for a in used):
            return None
        options = {"reset_after": cell.reset_after} if kind is GRU else {}
        if kind is not SimpleRNN:
            options["recurrent_activation"] = cell.recurrent_activation
        twin = kind(cell.units, activation=cell.activation, use_bias=cell.use_bias, dropout=cell.dropout,
                    recurrent_dropout=cell.recurrent_dropout, return_sequences=self.return_sequences,
                    return_state=True, go_backwards=self.go_backwards, seed=cell.seed, name=f"{self.name}/fused",
                    **options)
        twin.kernel, twin.recurrent_kernel, twin.bias = cell.kernel, cell.recurrent_kernel, cell.bias
        twin._own_weights = list(cell._own_weights)
        twin.input_spec = InputSpec(ndim=3, axes={-1: input_shape[-1]})
        twin.built = True
        return twin

    def _first_states(self, given, sequence_shape, dtype):
        batch = sequence_shape[0]
        if given is not None:
            self._check_state_shapes(sequence_shape, [tuple(np.shape(value_of(s))) for s in given])
            return list(given)
        if self.stateful:
            return self.stateful_states(batch, dtype)
        return [np.zeros((batch,) + shape, dtype=dtype) for shape in state_sizes(self.cell)]

    def call(self, inputs, training=False, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        x, given = self.split_states(inputs)
        x_value = np.asarray(value_of(x))
        batch, steps = x_value.shape[:2]
        states = self._first_states(given, x_value.shape, x_value.dtype)
        if mask is not None:
            mask = np.asarray(mask, bool)
            if mask.shape != (batch, steps):
                raise self.error(ShapeError, f"the mask must have shape (samples, timesteps) = {(batch, steps)}, "
                                             f"received {mask.shape}.")
        if self._fused is not None:
            output, *states = self._fused([x] + states, training=training, mask=mask)
            return self._finish(output, states)
        at = self.cell.output_state_index() if isinstance(self.cell, StackedRNNCells) else 0
        previous = states[at]
        outputs = []
        try:
            for t in (range(steps - 1, -1, -1) if self.go_backwards else range(steps)):
                output, new_states = step(self.cell, x[:, t], states, training)
                if mask is not None:
                    keep = mask[:, t]
                    output = self._where(keep, output, ops.zeros_like(output) if self.zero_output_for_mask else
                                         previous)
                    new_states = [self._where(keep, new, old) for new, old in zip(new_states, states)]
                    previous = output
                states = new_states
                outputs.append(output)
        finally:
            if hasattr(self.cell, "reset_dropout_masks"):
                self.cell.reset_dropout_masks()
        return self._finish(ops.stack(outputs, axis=1) if self.return_sequences else outputs[-1], states)

    def _finish(self, output, states):
        if self.stateful:
            self.states = [np.array(value_of(s), dtype=self.dtype) for s in states]
        if self.return_state:
            return [output] + list(states)
        return output

    @staticmethod
    def _where(keep, new, old):
        keep = keep.reshape((-1,) + (1,) * (len(np.shape(value_of(new))) - 1))
        return ops.where(keep, new, old)

    def get_config(self):
        return {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": {"class_name": type(self.cell).__name__, "config": self.cell.get_config()},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls(deserialize_layer(config.pop("cell"), custom_objects), **config)
