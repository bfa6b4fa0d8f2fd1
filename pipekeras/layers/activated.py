"""ActivatedLayer: a layer that ends in an activation (dense, convolutions).

When the model's loss can be fused with that activation (softmax + cross-entropy, sigmoid + binary
cross-entropy), the engine hands `backward` a `PreActivationGrad`, and the activation's own backward is
skipped: this is both faster and numerically exact.
"""

from .. import activations
from ..engine.layer import Layer
from ..engine.training import PreActivationGrad


class ActivatedLayer(Layer):
    """Base for layers computing `activation(linear(inputs))`."""

    accepts_pre_activation_grad = True

    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self._linear = self.activation.name == "linear"

    def activate(self, z):
        """Applies the activation; returns the output."""
        return z if self._linear else self.activation(z)

    def pre_activation_grad(self, grad, z, y):
        """Turns dL/d(output) into dL/d(pre-activation)."""
        if isinstance(grad, PreActivationGrad):
            return grad.value
        return grad if self._linear else self.activation.backward(z, y, grad)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
