"""Gradient values the engine passes between layers beyond plain arrays."""


class PreActivationGrad:
    """A gradient with respect to a layer's pre-activation (softmax/sigmoid fused with the loss)."""

    def __init__(self, value):
        self.value = value
