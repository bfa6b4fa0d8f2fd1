"""R keras's `new_layer_class` and `new_model_class`: layer and model classes from functions."""

import inspect as _inspect
import sys as _sys

import pipekeras as _pk
from ..engine.layer import Layer as _Layer


def new_layer_class(classname, initialize=None, build=None, call=None, get_config=None, **methods):
    """R keras's `new_layer_class` (and `Layer()`): a layer class from functions.

    Args:
        classname: the class name (also its saved name).
        initialize: optional `initialize(self, ...)` for the layer's own arguments; the base layer's arguments
            (name, input_shape, trainable, ...) are taken before it is called.
        build: optional `build(self, input_shape)` (creates weights with `self.add_weight`).
        call: `call(self, inputs)` written with pipekeras.ops (trained without a backward).
        get_config: optional `get_config(self)`.
        **methods: other methods or attributes.

    Returns:
        A `Layer` subclass.

    Example:
        >>> MyDense = new_layer_class("MyDense", initialize=lambda self, units: setattr(self, "units", units),
        ...                           build=..., call=lambda self, x: x @ self.w)
    """
    return _new_class(classname, _Layer, initialize, build=build, call=call, get_config=get_config, **methods)


def new_model_class(classname, initialize=None, call=None, train_step=None, test_step=None, **methods):
    """R keras's `new_model_class`: a subclassed model from functions (layers kept as attributes, its own call).

    Args:
        classname: the class name.
        initialize: optional `initialize(self, ...)` creating the layers (`self.dense = layer_dense(units=4)`).
        call: `call(self, inputs)`.
        train_step, test_step: optional Keras 3-style `train_step(self, data)` / `test_step(self, data)`
            returning a dict of values for fit's logs.
        **methods: other methods (e.g. `compile`).

    Returns:
        A `Model` subclass.

    Example:
        >>> GAN = new_model_class("GAN", initialize=..., call=..., train_step=...)
    """
    return _new_class(classname, _pk.Model, initialize, call=call, train_step=train_step, test_step=test_step,
                      **methods)


def _new_class(classname, base, initialize, **methods):
    namespace = {k: v for k, v in methods.items() if v is not None}
    namespace["__module__"] = _sys._getframe(2).f_globals.get("__name__", "__main__")
    if initialize is not None:
        base_arguments = set(_inspect.signature(base.__init__).parameters) - {"self", "unknown", "inputs", "outputs"}

        def __init__(self, *args, **kwargs):
            base.__init__(self, **{k: kwargs.pop(k) for k in list(kwargs) if k in base_arguments})
            initialize(self, *args, **kwargs)

        namespace["__init__"] = __init__
    return type(classname, (base,), namespace)
