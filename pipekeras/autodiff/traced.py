"""Traced: the value type a gradient recording works on.

A `Traced` wraps one NumPy array and a unique number the tapes know it by. It holds no graph: the graph is
the list of ops each tape records (see tape.py). Python's operators on it call `pipekeras.ops`, so
`a @ w + b` inside a `GradientTape` is recorded like `ops.add(ops.matmul(a, w), b)`.
"""

import itertools

import numpy as np

from ..errors import ArgumentTypeError

_numbers = itertools.count()


def _ops():
    # ops builds on autodiff; the operators below reach it at call time, once it is imported.
    from .. import ops

    return ops


class Traced:
    """A value inside a gradient recording: a NumPy array that tapes can differentiate through.

    Ops and Python operators on it return `Traced` values. NumPy functions on it are refused while a tape
    records (their gradient would be lost silently); use `pipekeras.ops`, or `numpy()` for a constant.

    Attributes:
        value: the NumPy array (do not modify it in place).
        op: the name of the op that made it ("input" for a watched array, "variable <name>" for a weight).
    """

    __slots__ = ("value", "op", "number")
    __array_ufunc__ = None  # `array + traced` calls Traced.__radd__ instead of NumPy's loop

    def __init__(self, value, op="input"):
        self.value = value if isinstance(value, np.ndarray) else np.asarray(value)
        self.op = op
        self.number = next(_numbers)

    shape = property(lambda self: self.value.shape, doc="The shape of the value.")
    dtype = property(lambda self: self.value.dtype, doc="The dtype of the value.")
    ndim = property(lambda self: self.value.ndim, doc="The number of axes.")
    size = property(lambda self: self.value.size, doc="The number of entries.")

    @property
    def is_float(self):
        """Whether the value can carry a gradient (integer and boolean values cannot)."""
        return self.value.dtype.kind in "fc"

    def numpy(self):
        """Returns the value as a NumPy array (the array itself, not a copy).

        Returns:
            The wrapped `np.ndarray`.

        Example:
            >>> with GradientTape() as tape:
            ...     y = tape.watch(np.ones(3)) * 2
            >>> y.numpy()   # array([2., 2., 2.])
        """
        return self.value

    def __array__(self, dtype=None, copy=None):
        from .tape import is_recording

        if is_recording():
            raise ArgumentTypeError(
                f"A NumPy function was given a traced value (made by {self.op!r}, shape {self.shape}) while a "
                "gradient is being recorded, so its gradient would be lost. Use the pipekeras.ops function of the "
                "same name (ops.exp, ops.sum, ...) on this line, or .numpy() if the value is meant as a constant."
            )
        return self.value if dtype is None else self.value.astype(dtype)

    def __repr__(self):
        return f"<Traced shape={self.shape} dtype={self.dtype} op={self.op}>\n{self.value!r}"

    def __len__(self):
        return len(self.value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        return bool(self.value)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    __hash__ = object.__hash__

    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __truediv__(self, other):
        return _ops().divide(self, other)

    def __rtruediv__(self, other):
        return _ops().divide(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops().abs(self)

    def __eq__(self, other):
        return _ops().equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __getitem__(self, key):
        return _ops().get_item(self, key)

    @property
    def T(self):
        """The value with its axes reversed (`ops.transpose`)."""
        return _ops().transpose(self)

    def reshape(self, *shape):
        """`ops.reshape(self, shape)`; takes the shape as one tuple or as several integers."""
        return _ops().reshape(self, shape[0] if len(shape) == 1 else shape)

    def astype(self, dtype):
        """`ops.cast(self, dtype)`."""
        return _ops().cast(self, dtype)

    def sum(self, axis=None, keepdims=False):
        """`ops.sum(self, axis, keepdims)`."""
        return _ops().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """`ops.mean(self, axis, keepdims)`."""
        return _ops().mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """`ops.max(self, axis, keepdims)`."""
        return _ops().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """`ops.min(self, axis, keepdims)`."""
        return _ops().min(self, axis=axis, keepdims=keepdims)
