"""ActivatedLayer: a layer that ends in an activation (dense, convolutions).

When the model's loss can be fused with that activation (softmax + cross-entropy, sigmoid + binary
cross-entropy), the engine hands `backward` a `PreActivationGrad`, and the activation's own backward is
skipped: this is both faster and numerically exact.
"""

import numpy as np

from .. import activations
from ..errors import ConfigError
from ..engine.layer import Layer
from ..engine.gradients import PreActivationGrad
from ..compute import activation_table
from ..compute import activations as activation_kernels


class ActivatedLayer(Layer):
    """Base for layers computing `activation(linear(inputs) + bias)`."""

    accepts_pre_activation_grad = True
    takes_shape_changing_activation = False

    def __init__(self, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        if isinstance(self.activation, activations.Glu) and not self.takes_shape_changing_activation:
            raise ConfigError(f"{type(self).__name__}: activation 'glu' halves the last axis, which this layer's "
                              "output shape does not allow. Use the layer without it, then activation('glu').")
        self._linear = self.activation.name == "linear"
        self._elementwise = isinstance(self.activation, activations.Elementwise) and not self._linear

    def activate(self, z):
        """Applies the activation; returns the output."""
        return z if self._linear else self.activation(z)

    def add_bias_and_activate(self, z, bias):
        """Adds `bias` (or None) to the last axis of a 2D `z` in place and returns activation(z), in one pass
        for elementwise activations."""
        if bias is not None and self._elementwise:
            return activation_kernels.bias_activation(z, bias, self.activation.code, *self.activation.params)
        if bias is not None:
            activation_kernels.bias_activation(z, bias, out=z)
        return self.activate(z)

    def fused_activation(self):
        """(code, a, b, c): the activation the inference kernels apply with the bias (linear for one they do not
        run, which `finish_activation` then applies)."""
        if self._elementwise:
            return (self.activation.code,) + tuple(self.activation.params)
        return (activation_table.LINEAR, 0.0, np.inf, 0.0)

    def finish_activation(self, z):
        """Applies what `fused_activation` left out (an activation the kernels do not run) to z."""
        return z if self._elementwise else self.activate(z)

    def pre_activation_grad(self, grad, z, y):
        """Turns dL/d(output) into dL/d(pre-activation)."""
        if isinstance(grad, PreActivationGrad):
            return grad.value
        if self._linear:
            return grad
        if self._elementwise and z.ndim == 2:
            return activation_kernels.backward_rows(z, y, grad.reshape(z.shape), self.activation.code,
                                                    *self.activation.params)
        return self.activation.backward(z, y, grad)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
