"""The MobileNets' ReLU capped at 6 (Keras's `ReLU(6.0)` layer; weightless, so a Keras weights file loads the
same whichever layer class computes it)."""

from ..layers import Activation


def relu6(x, name):
    """min(max(x, 0), 6) as the layer `name`."""
    return Activation("relu6", name=name)(x)
