"""Helpers the R modules share: shapes given as R's `c(...)`, 1-based positions, the model check."""

import numpy as np

from ..engine.layer import Layer as _Layer
from ..errors import ArgumentTypeError as _ArgumentTypeError, ConfigError as _ConfigError
from ..models.functional import Model as _Model


def shape_tuple(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(shape)


def resolve_position(layers, where, what):
    """Index (0-based) in `layers` of `where`: a layer, a layer name, or a 1-based integer (R's convention)."""
    if isinstance(where, _Layer):
        for i, layer in enumerate(layers):
            if layer is where:
                return i
        raise _ConfigError(f"{what}: layer {where.name!r} is not in the model.")
    if isinstance(where, str):
        for i, layer in enumerate(layers):
            if layer.name == where:
                return i
        raise _ConfigError(f"{what}: no layer named {where!r}; layers: {[layer.name for layer in layers]}.")
    if isinstance(where, (int, np.integer)) and not isinstance(where, bool):
        if not 1 <= where <= len(layers):
            raise _ConfigError(f"{what}: layer position {where} is outside 1..{len(layers)} "
                               "(positions count from 1, as in R).")
        return int(where) - 1
    raise _ArgumentTypeError(f"{what}: expected a layer, a layer name or a 1-based position, received {where!r}.")


def node_position(node_index):
    if not isinstance(node_index, (int, np.integer)) or isinstance(node_index, bool) or node_index < 1:
        raise _ConfigError(f"node_index counts from 1, as in R; received {node_index!r}.")
    return int(node_index) - 1


def require_model(object, what):
    if not isinstance(object, _Model):
        raise _ArgumentTypeError(f"{what}: expected a model, received {type(object).__name__}.")
    return object
