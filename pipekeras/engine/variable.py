"""Variable: one weight of a layer, with its gradient."""

import numpy as np

from ..autodiff import ArrayOperators, register_variable_type
from ..errors import ShapeError


@register_variable_type
class Variable(ArrayOperators):
    """A weight: a NumPy array that optimizers update in place, and its gradient.

    `pipekeras.ops` take variables (`ops.matmul(x, kernel)`, `x @ kernel`, `kernel * 2`); inside a
    `GradientTape` an op reading a trainable variable makes the tape watch it.

    Attributes:
        name: `"layer_name/weight_name"`.
        value: the array itself.
        grad: the gradient of the loss with respect to `value`, or None (zero).
        trainable: whether optimizers update it.
        regularizer: None or a regularizer whose penalty joins the loss.
        constraint: None or a constraint applied after each update.
    """

    def __init__(self, value, name, trainable=True, regularizer=None, constraint=None):
        self.value = value
        self.name = name
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self.grad = None

    @property
    def shape(self):
        return self.value.shape

    @property
    def dtype(self):
        return self.value.dtype

    def numpy(self):
        """Returns a copy of the value."""
        return self.value.copy()

    def assign(self, array):
        """Copies `array` into the variable, keeping its dtype.

        Raises:
            ShapeError: if the shapes differ.
        """
        array = np.asarray(array)
        if array.shape != self.value.shape:
            raise ShapeError(
                f"Variable {self.name!r} has shape {self.value.shape}, received an array of shape "
                f"{array.shape}."
            )
        self.value[...] = array

    def __repr__(self):
        return f"<Variable {self.name} shape={self.shape} dtype={self.dtype}>"
