"""`initial_state`: the states a recurrent layer starts from, given as inputs of its call.

`layer(x, initial_state=[h, c])` calls the layer on the list `[x, h, c]` (as Keras 2 did), so the states are
inputs of the node like any other: symbolic tensors from another layer (an encoder's `return_state`) or
arrays, and the layer's backward returns their gradients beside the input's. A saved graph replays the call
from the list. `StateInputs` is the mixin of every recurrent layer: it splits the list, checks the states'
count and shapes, and names the layer, the argument, what it expected and what it received. It also keeps
the states of a stateful layer between batches (`reset_states`, `stateful_states`).
"""

import numpy as np

from ...engine.layer import shape_str
from ...errors import ConfigError, ShapeError


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class StateInputs:
    """Mixin: `__call__(inputs, training, mask, initial_state)` and the checks of the states' shapes.

    The class provides `state_shapes(sequence_shape)`: the shape of each state without the batch axis, in
    order, for sequences of `sequence_shape`; and `kept_state_shapes()`: those shapes once the layer is built.
    It sets `stateful`, `return_sequences`, `return_state`, `states` and `_state_batch` (the batch size of a
    stateful layer, set by its build).
    """

    takes_initial_state = True  # Keras files write the states of a call as its `initial_state` keyword

    def __call__(self, inputs, training=False, mask=None, initial_state=None):
        """Calls the layer, starting from `initial_state` when given.

        Args:
            inputs: the sequences (symbolic tensor or array), or the list [sequences, *states].
            training: run in training mode (dropout).
            mask: optional (samples, timesteps) boolean mask of the sequences.
            initial_state: optional list of the initial states (symbolic tensors or arrays), one per state
                (LSTM: [h, c]), each (samples, *state shape).

        Returns:
            The output (and the final states with return_state=True).
        """
        if initial_state is not None:
            if isinstance(inputs, (list, tuple)):
                raise self.error(
                    ShapeError,
                    "received both a list of inputs and initial_state=; pass the sequences as inputs and the "
                    "states as initial_state=[...].",
                )
            inputs = [inputs] + _as_list(initial_state)
        return super().__call__(inputs, training, mask)

    @staticmethod
    def split_states(inputs):
        """(sequences, list of state inputs or None) from the call's inputs."""
        if isinstance(inputs, (list, tuple)):
            return inputs[0], list(inputs[1:]) if len(inputs) > 1 else None
        return inputs, None

    @staticmethod
    def sequence_shape(input_shape):
        """The sequences' shape from the call's input shape (a list when initial states are given)."""
        return input_shape[0] if isinstance(input_shape, list) else input_shape

    def check_input_shape(self, input_shape):
        if not isinstance(input_shape, list):
            return super().check_input_shape(input_shape)
        super().check_input_shape(input_shape[0])
        self._check_state_shapes(input_shape[0], input_shape[1:])

    def _check_state_shapes(self, sequence_shape, received):
        expected = [(sequence_shape[0],) + tuple(shape) for shape in self.state_shapes(sequence_shape)]
        names = getattr(self, "state_names", None) or [f"state {i}" for i in range(len(expected))]

        def fits(shape, want):
            return len(shape) == len(want) and all(a is None or b is None or a == b for a, b in zip(shape, want))

        if len(received) != len(expected) or not all(fits(tuple(s), w) for s, w in zip(received, expected)):
            raise self.error(
                ShapeError,
                f"initial_state expected {len(expected)} tensor(s) ({', '.join(names)}) of shape(s) "
                f"{', '.join(shape_str(w) for w in expected)}, received {len(received)} of shape(s) "
                f"{', '.join(shape_str(tuple(s)) for s in received) or 'none'}. Give one state per entry of "
                f"{type(self).__name__}'s states, each (samples, ...) as its return_state outputs are.",
            )

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None for _ in self.kept_state_shapes()]
        return out

    def reset_states(self, states=None):
        """Zeroes the states of a stateful layer (or sets them to `states`, a list of arrays, one per state).

        Raises:
            ConfigError: for a layer that is not stateful.
            ShapeError: for states of the wrong count or shape.
        """
        if not self.stateful:
            if states is not None:
                raise self.error(ConfigError, "reset_states(states) needs stateful=True.")
            return
        if not self.built:
            return
        shapes = [(self._state_batch,) + tuple(shape) for shape in self.kept_state_shapes()]
        if states is None:
            self.states = [np.zeros(shape, dtype=self.dtype) for shape in shapes]
            return
        states = _as_list(states)
        if [np.shape(s) for s in states] != shapes:
            raise self.error(ShapeError, f"reset_states expected {len(shapes)} array(s) of shape(s) "
                                         f"{', '.join(shape_str(s) for s in shapes)}, received "
                                         f"{', '.join(shape_str(np.shape(s)) for s in states)}.")
        self.states = [np.array(s, dtype=self.dtype) for s in states]

    def stateful_states(self, batch, dtype):
        """The states a stateful layer starts this batch from (those the last batch ended with).

        Raises:
            ShapeError: for a batch of another size than the layer's.
        """
        if batch != self._state_batch:
            raise self.error(
                ShapeError,
                f"is stateful with batch size {self._state_batch}, but received a batch of {batch} samples. "
                f"Every batch must have {self._state_batch} samples: pass batch_size={self._state_batch} to "
                "fit/predict/evaluate and make the number of samples a multiple of it (drop or pad the rest)."
            )
        if self.states is None:
            self.reset_states()
        return [np.ascontiguousarray(s, dtype=dtype) for s in self.states]
