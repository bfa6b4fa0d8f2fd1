"""A user's recurrent cell written in ops, shared by the tests of RNN(cell) and of Bidirectional(RNN(cell))."""

import pipekeras as pk
from pipekeras import ops


class TanhCell(pk.Layer):
    """A user's cell written in ops: h = tanh(x @ w + h_prev @ u)."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "glorot_uniform")
        self.u = self.add_weight("u", (self.units, self.units), "orthogonal")

    def call(self, inputs, states):
        h = ops.tanh(ops.matmul(inputs, self.w) + ops.matmul(states[0], self.u))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units}
