"""Symbolic tensors: shapes flowing through a graph before any data does."""

import numpy as np

from .. import backend
from ..errors import ConfigError
from .pipe_step import pipe_into


def normalize_shape(shape, what="shape"):
    """Turns an int, a list or a tuple (R's `c(28*28)` becomes `784`) into a tuple of ints or None."""
    if shape is None:
        return None
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        raise ConfigError(f"{what} must be an int or a tuple of ints, received {shape!r}.") from None
    if any(d is not None and d <= 0 for d in dims):
        raise ConfigError(f"{what} must hold positive sizes, received {shape!r}.")
    return dims


class SymbolicTensor:
    """A placeholder for data of a known shape (batch axis first, None when unknown).

    Produced by `Input()` and by calling layers on other symbolic tensors. Piping one into a layer
    (`x | dense(4)`) calls the layer on it and records a node of the graph.
    """

    __array_ufunc__ = None  # make `array | tensor` defer to us instead of broadcasting

    def __init__(self, shape, dtype=None, name=None, mask=None):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype or backend.floatx()).name
        self.name = name
        self.mask = mask
        self.node = None
        self.index = 0

    @property
    def ndim(self):
        return len(self.shape)

    def __or__(self, step):
        return pipe_into(self, step)

    __rshift__ = __or__

    def __ne__(self, other):
        # Used by compute_mask (`inputs != 0`) to describe a boolean mask symbolically.
        return SymbolicTensor(self.shape, "bool", name=f"{self.name}_mask")

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<SymbolicTensor {self.name} shape={self.shape} dtype={self.dtype}>"


def is_symbolic(value):
    """True for a SymbolicTensor or a non-empty list/tuple of them."""
    if isinstance(value, SymbolicTensor):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(
        isinstance(v, SymbolicTensor) for v in value
    )
