"""`initial_state`: the states a recurrent layer starts from, given as inputs of its call.

`layer(x, initial_state=[h, c])` calls the layer on the list `[x, h, c]` (as Keras 2 did), so the states are
inputs of the node like any other: symbolic tensors from another layer (an encoder's `return_state`) or
arrays, and the layer's backward returns their gradients beside the input's. A saved graph replays the call
from the list. `StateInputs` is the mixin of every recurrent layer: it splits the list, checks the states'
count and shapes, and names the layer, the argument, what it expected and what it received.
"""

from ...engine.layer import shape_str
from ...errors import ShapeError


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class StateInputs:
    """Mixin: `__call__(inputs, training, mask, initial_state)` and the checks of the states' shapes.

    The class provides `state_shapes(sequence_shape)`: the shape of each state without the batch axis, in
    order, for sequences of `sequence_shape`.
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
