"""Traced: the value type a gradient recording works on.

A `Traced` wraps one NumPy array and a unique number the tapes know it by. It holds no graph: the graph is
the list of ops each tape records (see tape.py). Python's operators on it call `pipekeras.ops`, so
`a @ w + b` inside a `GradientTape` is recorded like `ops.add(ops.matmul(a, w), b)`, and so do NumPy's
ufuncs that have an op (`np.exp(x)` is `ops.exp(x)`, `np.sum(x)` is `ops.sum(x)`). `ArrayOperators` is
that behaviour alone, for other array-like classes (the library's variables) to inherit.
"""

import itertools

import numpy as np

from ..errors import ArgumentTypeError

_numbers = itertools.count()


class _Builders:
    """What builds on this module, filled in when those modules are imported, so that this one imports neither:
    `ops` (pipekeras.ops, whose functions the operators below call) and `is_recording` (tape.py's)."""

    ops = None
    is_recording = None


builders = _Builders()


def _ops():
    return builders.ops


_UFUNC_OPS = {
    "add": "add", "subtract": "subtract", "multiply": "multiply", "divide": "divide", "true_divide": "divide",
    "power": "power", "negative": "negative", "absolute": "abs", "sign": "sign", "exp": "exp", "log": "log",
    "log1p": "log1p", "expm1": "expm1", "sqrt": "sqrt", "square": "square", "sin": "sin", "cos": "cos",
    "tanh": "tanh", "erf": "erf", "maximum": "maximum", "minimum": "minimum", "matmul": "matmul", "equal": "equal",
    "not_equal": "not_equal", "greater": "greater", "greater_equal": "greater_equal", "less": "less",
    "less_equal": "less_equal",
}
_REDUCE_OPS = {"add": "sum", "multiply": "prod", "maximum": "max", "minimum": "min"}


class ArrayOperators:
    """Python's arithmetic operators, `@`, ordering comparisons, `[...]` and NumPy's ufuncs, through ops.

    A class inheriting it (Traced; the library's Variable) computes `a * b`, `x[0]`, `np.exp(x)` with
    `pipekeras.ops`, so the result is recorded when a tape is active. `==` and `!=` are left alone
    here: classes kept in lists and dicts need identity equality.

    Example:
        >>> class Variable(ArrayOperators): ...   # then `kernel * 2` is `ops.multiply(kernel, 2)`
    """

    __slots__ = ()

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        axis = kwargs.pop("axis", 0)  # reduce's default; None (every axis) is a value here
        kwargs = {key: value for key, value in kwargs.items() if value is not None}
        table = _UFUNC_OPS if method == "__call__" else _REDUCE_OPS if method == "reduce" else {}
        name = table.get(ufunc.__name__)
        unsupported = set(kwargs) - ({"keepdims"} if method == "reduce" else set())
        if name is None or unsupported:
            call = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
            extra = f" with {', '.join(sorted(unsupported))}" if unsupported else ""
            raise ArgumentTypeError(
                f"{call}{extra} was given a {type(self).__name__}, and no pipekeras op does that: its gradient "
                "would be lost. Use a pipekeras.ops function on this line (or .numpy() for a constant)."
            )
        op = getattr(_ops(), name)
        if method == "reduce":
            return op(inputs[0], axis=axis, keepdims=kwargs.get("keepdims", False))
        return op(*inputs)

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


class Traced(ArrayOperators):
    """A value inside a gradient recording: a NumPy array that tapes can differentiate through.

    Ops, Python operators and NumPy ufuncs on it return `Traced` values. Other NumPy functions on it are
    refused while a tape records (their gradient would be lost silently); use `pipekeras.ops`, or `numpy()`
    for a constant.

    Args:
        value: the array (anything `np.asarray` takes).
        op: the name of the op that made it ("input" for a watched array, "variable <name>" for a weight).

    Attributes:
        value: the NumPy array (do not modify it in place).
        op: as given.
        number: the unique number tapes know this value by.

    Example:
        >>> with GradientTape() as tape:
        ...     x = tape.watch(np.ones(3))   # a Traced
        ...     y = ops.sum(x * x)           # a Traced, recorded
    """

    __slots__ = ("value", "op", "number")

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
        if builders.is_recording():
            raise ArgumentTypeError(
                f"A NumPy function was given a traced value (made by {self.op!r}, shape {self.shape}) while a "
                "gradient is being recorded, so its gradient would be lost. Use the pipekeras.ops function of the "
                "same name (ops.mean, ops.concatenate, ...) on this line, or .numpy() if the value is meant as a "
                "constant."
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

    def __eq__(self, other):
        return _ops().equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

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
