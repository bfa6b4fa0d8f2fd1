"""R's model functions: the constructors (`keras_model_sequential`, `keras_model`, `layer_input`) and every
function whose first argument is a model or layer, each usable as `f(model, ...)` and as `model | f(...)`
and returning what R returns (the object itself where R returns it invisibly), so pipes chain as in R.
Positions given as integers count from 1, as in R."""

import pipekeras as _pk
# The verbs, re-exported: `model | compile(...)` or R's form `compile(model, ...)`.
from pipekeras import (compile, evaluate, fit, predict, predict_on_batch, summary,  # noqa: A004,F401
                       test_on_batch, train_on_batch)
from ..callbacks import History as _History
from ..engine.serialization import deserialize_layer as _deserialize_layer
from ..errors import ArgumentTypeError as _ArgumentTypeError
from ..errors import ConfigError as _ConfigError
from ..models.functional import Model as _Model
from ..pipe import function_step as _function_step
from ._common import node_position as _node
from ._common import require_model as _model
from ._common import resolve_position as _resolve_position
from ._common import shape_tuple as _shape


def keras_model_sequential(layers=None, name=None, trainable=True, input_shape=None):
    """An empty (or pre-filled) Sequential model, R's `keras_model_sequential()`.

    Args:
        layers: optional list of layers to add in order.
        name: the model's name.
        trainable: whether the model's weights are updated by `fit`.
        input_shape: optional input shape (without the batch axis); R keras 3's
            `keras_model_sequential(input_shape = c(784))`.

    Returns:
        A `Sequential` model; grow it with `model | layer_dense(...)`.

    Example:
        >>> model = keras_model_sequential() | layer_dense(units=10, input_shape=784)
    """
    model = _pk.Sequential(name=name, trainable=trainable)
    if input_shape is not None:
        model.add(_pk.Input(shape=_shape(input_shape)))
    for layer in layers or []:
        model.add(layer)
    return model


def keras_model(inputs, outputs=None, name=None):
    """A functional model from input and output tensors, R's `keras_model(inputs, outputs)`.

    Args:
        inputs: a tensor from `layer_input()`, or a list of them.
        outputs: the tensor(s) computed from `inputs` by piping them through layers.
        name: the model's name.

    Returns:
        A `Model`.

    Example:
        >>> inputs = layer_input(shape=784)
        >>> outputs = inputs | layer_dense(units=10, activation="softmax")
        >>> model = keras_model(inputs, outputs)
    """
    return _pk.Model(inputs=inputs, outputs=outputs, name=name)


def layer_input(shape=None, batch_shape=None, name=None, dtype=None, batch_size=None):
    """A symbolic input tensor, R's `layer_input(shape = c(...))`.

    Args:
        shape: the input's shape without the batch axis; an integer means a vector (`784` is `c(784)`).
        batch_shape: the full shape including the batch axis (instead of `shape`).
        name: the input layer's name.
        dtype: the input's dtype.
        batch_size: a fixed batch size.

    Returns:
        A symbolic tensor to pipe through layers: `layer_input(shape=784) | layer_dense(units=10)`.
    """
    return _pk.Input(shape=None if shape is None else _shape(shape), batch_size=batch_size, name=name,
                     dtype=dtype, batch_shape=batch_shape)


keras_input = layer_input  # keras3's name


# ----- trainability

def _set_trainable(model, from_, to, value, what):
    if from_ is None and to is None:
        model.trainable = value
        return model
    model.trainable = True
    layers = model.layers
    if not layers:
        raise _ConfigError(f"{what}: the model has no layers.")
    start = 0 if from_ is None else _resolve_position(layers, from_, what)
    stop = len(layers) - 1 if to is None else _resolve_position(layers, to, what)
    for layer in layers[start:stop + 1]:
        layer.trainable = value
    return model


def _freeze_weights(object, from_=None, to=None):
    """Freezes weights (R's `freeze_weights`): they no longer change in `fit`.

    Args:
        object: a model or layer.
        from_: first layer to freeze (a layer, its name, or its position counting from 1, as in R); R's
            `from =` (a Python keyword, hence the underscore).
        to: last layer to freeze (inclusive), same forms.

    With neither `from_` nor `to` the whole object is frozen. Otherwise the model is made trainable and the
    layers from `from_` (default: the first) to `to` (default: the last) are frozen. Compile the model after
    changing what is trainable, as in Keras.

    Returns:
        `object` (also usable as a pipe step: `model | freeze_weights(to="dense_1")`).

    Example:
        >>> model = keras_model_sequential() | layer_dense(units=4, input_shape=3) | layer_dense(units=1)
        >>> freeze_weights(model, to=1)
        >>> [layer.trainable for layer in model.layers]
        [False, True]
    """
    return _set_trainable(object, from_, to, False, "freeze_weights")


def _unfreeze_weights(object, from_=None, to=None):
    """Unfreezes weights (R's `unfreeze_weights`), the reverse of `freeze_weights` with the same arguments.

    With neither `from_` nor `to` the whole object becomes trainable. Otherwise the model is made trainable
    and the layers from `from_` to `to` (inclusive; layers, names or 1-based positions) become trainable.
    Compile the model afterwards.

    Returns:
        `object`.
    """
    return _set_trainable(object, from_, to, True, "unfreeze_weights")


freeze_weights = _function_step("freeze_weights", _freeze_weights)
unfreeze_weights = _function_step("unfreeze_weights", _unfreeze_weights)


# ----- weights, configuration, layers and nodes

def _get_weights(object):
    """R's `get_weights(object)`: the weights of a layer or model as a list of NumPy arrays."""
    return object.get_weights()


def _set_weights(object, weights):
    """R's `set_weights(object, weights)`: sets weights from a list of arrays (as `get_weights` returns)."""
    object.set_weights(weights)
    return object


def _count_params(object):
    """R's `count_params(object)`: the number of scalars in the weights."""
    return object.count_params()


def _get_config(object):
    """R's `get_config(object)`: the dict from which `from_config` rebuilds the layer or model."""
    return object.get_config()


def from_config(config, cls=None):
    """Rebuilds a layer or model from `get_config`'s dict.

    Args:
        config: the configuration.
        cls: the class to rebuild (R attaches it to the config; here pass e.g. `type(layer)`). A config in
            the saved form `{"class_name": ..., "config": {...}}` needs no `cls`.
    """
    if cls is None:
        if isinstance(config, dict) and "class_name" in config:
            return _deserialize_layer(config)
        raise _ArgumentTypeError("from_config: pass the class too, e.g. from_config(config, type(layer)).")
    return cls.from_config(config)


def _get_layer(object, name=None, index=None):
    """R's `get_layer(object, name = NULL, index = NULL)`; `index` counts from 1, as in R."""
    if index is not None:
        return object.layers[_resolve_position(object.layers, index, "get_layer")]
    return object.get_layer(name=name)


def _reset_states(object):
    """R's `reset_states(object)`: clears the states of stateful recurrent layers."""
    object.reset_states()
    return object


def _get_input_at(object, node_index):
    """R's `get_input_at(object, node_index)`: the input of the layer's `node_index`-th call (from 1)."""
    return object.get_input_at(_node(node_index))


def _get_output_at(object, node_index):
    """R's `get_output_at(object, node_index)`: the output of the layer's `node_index`-th call (from 1)."""
    return object.get_output_at(_node(node_index))


def _get_input_shape_at(object, node_index):
    """R's `get_input_shape_at(object, node_index)`: the input shape at the `node_index`-th call (from 1)."""
    return object.get_input_shape_at(_node(node_index))


def _get_output_shape_at(object, node_index):
    """R's `get_output_shape_at(object, node_index)`: the output shape at the `node_index`-th call (from 1)."""
    return object.get_output_shape_at(_node(node_index))


get_weights = _function_step("get_weights", _get_weights)
set_weights = _function_step("set_weights", _set_weights)
count_params = _function_step("count_params", _count_params)
get_config = _function_step("get_config", _get_config)
get_layer = _function_step("get_layer", _get_layer)
reset_states = _function_step("reset_states", _reset_states)
reset_state = reset_states  # keras3's name
get_input_at = _function_step("get_input_at", _get_input_at)
get_output_at = _function_step("get_output_at", _get_output_at)
get_input_shape_at = _function_step("get_input_shape_at", _get_input_shape_at)
get_output_shape_at = _function_step("get_output_shape_at", _get_output_shape_at)


def _get_input_mask_at(object, node_index):
    """R's `get_input_mask_at(object, node_index)`: the input mask at the `node_index`-th call (from 1)."""
    return object.get_input_mask_at(_node(node_index))


def _get_output_mask_at(object, node_index):
    """R's `get_output_mask_at(object, node_index)`: the output mask at the `node_index`-th call (from 1)."""
    return object.get_output_mask_at(_node(node_index))


get_input_mask_at = _function_step("get_input_mask_at", _get_input_mask_at)
get_output_mask_at = _function_step("get_output_mask_at", _get_output_mask_at)


def _pop_layer(object):
    """R's `pop_layer(object)`: removes the last layer of a Sequential model.

    Returns:
        The model (modified in place), so that `model | pop_layer() | layer_dense(...)` chains.

    Raises:
        ConfigError: the model has no layers, or is not Sequential.
    """
    if not isinstance(object, _pk.Sequential):
        raise _ConfigError(f"pop_layer: only a Sequential model loses its last layer; received "
                           f"{type(object).__name__}.")
    object.pop()
    return object


pop_layer = _function_step("pop_layer", _pop_layer)


# ----- predictions as R keras 2 had them

def _predict_proba(object, x, batch_size=None, verbose=0):
    """R keras 2's `predict_proba(object, x)`: the model's outputs (the probabilities of a softmax or
    sigmoid output), as `predict`."""
    return _model(object, "predict_proba").predict(x, batch_size=batch_size, verbose=verbose)


def _predict_classes(object, x, batch_size=None, verbose=0):
    """R keras 2's `predict_classes(object, x)`: the predicted class of each sample.

    With one output unit (a sigmoid), the class is 1 where the output exceeds 0.5, as an array of shape
    (samples, 1); with several, the index of the largest output (0-based, as Keras'), shape (samples,).
    """
    probabilities = _predict_proba(object, x, batch_size=batch_size, verbose=verbose)
    if probabilities.shape[-1] > 1:
        return probabilities.argmax(axis=-1)
    return (probabilities > 0.5).astype("int32")


predict_proba = _function_step("predict_proba", _predict_proba)
predict_classes = _function_step("predict_classes", _predict_classes)


# ----- plots

def _plot_model(object, to_file=None, show_shapes=True, show_layer_names=True, rankdir="TB", dpi=96,
                show_layer_activations=False):
    """R's `plot_model(model)` (keras3) and `plot(model)`: draws the model's layers (see `plot_model`).

    Returns:
        A `ModelPlot`, shown as an image in a notebook.
    """
    return _pk.plot_model(_model(object, "plot_model"), to_file=to_file, show_shapes=show_shapes,
                      show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi,
                      show_layer_activations=show_layer_activations)


def _plot(object, *args, **kwargs):
    """R's `plot()`: `plot(history)` draws the loss and metrics per epoch, `plot(model)` the model's layers.

    Returns:
        For a history, the matplotlib `Figure` (see `History.plot`); for a model, a `ModelPlot`.
    """
    if isinstance(object, _History):
        return object.plot(*args, **kwargs)
    return _plot_model(object, *args, **kwargs)


plot_model = _function_step("plot_model", _plot_model)
plot = _function_step("plot", _plot, applies_to=(_History, _Model))
