"""R keras names for pipekeras, so an R keras script ports line by line.

    >>> from pipekeras.r import *
    >>> model = keras_model_sequential() | \\
    ...     layer_dense(units=512, activation="relu", input_shape=784) | \\
    ...     layer_dense(units=10, activation="softmax")

or, keeping the names qualified as in R's `keras::`:

    >>> import pipekeras.r as keras
    >>> model = keras.keras_model_sequential() | keras.layer_dense(units=64, input_shape=13)

Translating an R keras script:

| R keras                                       | pipekeras.r                                        |
| --------------------------------------------- | -------------------------------------------------- |
| `model %>% layer_dense(...)`                  | `model | layer_dense(...)` (`>>` works too)         |
| `layer_dense(model, units = 64)`              | `layer_dense(model, units=64)` (same, in place)    |
| `input_shape = c(28*28)`                      | `input_shape=784` or `input_shape=(784,)`          |
| `TRUE`, `FALSE`, `NULL`                       | `True`, `False`, `None`                            |
| `mnist$train$x`                               | `mnist.train.x` or `mnist["train"]["x"]`           |
| `c(c(x, y), c(xt, yt)) %<-% dataset_mnist()`  | `(x, y), (xt, yt) = dataset_mnist().unpack()`      |
| `freeze_weights(model, from = 2)`             | `freeze_weights(model, from_=2)` (1-based, as R)   |
| `model %>% compile(...)`, `fit`, `evaluate`   | `model | compile(...)`, `fit(...)`, `evaluate(...)` |

R's `%>%` (magrittr's pipe) is Python's `|`: the value on the left goes in as the first argument of the
step on the right, and like R keras a Sequential model is modified in place.

Every layer constructor of pipekeras `N` is available as `layer_N`, every optimizer, loss and metric as
`optimizer_N`, `loss_N`, `metric_N`; each name is written out below (`tests/models/test_public_names.py` checks
that none is missing). Positions given as
integers (`freeze_weights`' `from_`/`to`, `get_layer`'s `index`, the `node_index` of `get_input_at` and
friends) count from 1, as in R.
"""

import numpy as np

import pipekeras as _pk
from . import callbacks as _callbacks
from . import datasets as _datasets
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .engine.layer import Layer as _Layer
from .engine.serialization import deserialize_layer as _deserialize_layer
from .errors import ArgumentTypeError as _ArgumentTypeError
from .errors import ConfigError as _ConfigError
from .models.plot import plot_model
from .pipe import function_step as _function_step
from .utils import multi_hot, normalize, pad_sequences, plot_history, to_categorical

# Verbs, re-exported: `model | compile(...)` or R's form `compile(model, ...)`.
from pipekeras import (compile, evaluate, fit, plot, predict, predict_on_batch, summary,  # noqa: A004
                       test_on_batch, train_on_batch)

__all__ = [
    "RList", "keras_model_sequential", "keras_model", "layer_input",
    "compile", "fit", "evaluate", "predict", "predict_on_batch", "train_on_batch", "test_on_batch", "summary",
    "plot", "to_categorical", "pad_sequences", "multi_hot", "normalize", "plot_history", "plot_model",
    "freeze_weights", "unfreeze_weights", "get_weights", "set_weights", "count_params", "get_config",
    "from_config", "get_layer", "reset_states", "get_input_at", "get_output_at", "get_input_shape_at",
    "get_output_shape_at",
    "callback_early_stopping", "callback_model_checkpoint", "callback_reduce_lr_on_plateau",
    "callback_learning_rate_scheduler", "callback_csv_logger", "callback_terminate_on_naan",
    "callback_terminate_on_nan", "callback_lambda", "callback_progbar_logger",
    "dataset_mnist", "dataset_fashion_mnist", "dataset_imdb", "dataset_imdb_word_index", "dataset_reuters",
    "dataset_reuters_word_index", "dataset_boston_housing", "dataset_cifar10",
]


# ----------------------------------------------------------------------------------------------- models

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


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(shape)


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


# ----------------------------------------------------------------------------------------------- layers

layer_activation = _pk.activation
layer_add = _pk.add
layer_average = _pk.average
layer_average_pooling_1d = _pk.average_pooling_1d
layer_average_pooling_2d = _pk.average_pooling_2d
layer_average_pooling_3d = _pk.average_pooling_3d
layer_batch_normalization = _pk.batch_normalization
layer_bidirectional = _pk.bidirectional
layer_concatenate = _pk.concatenate
layer_conv_1d = _pk.conv_1d
layer_conv_2d = _pk.conv_2d
layer_conv_3d = _pk.conv_3d
layer_conv_2d_transpose = _pk.conv_2d_transpose
layer_cropping_1d = _pk.cropping_1d
layer_cropping_2d = _pk.cropping_2d
layer_dense = _pk.dense
layer_depthwise_conv_2d = _pk.depthwise_conv_2d
layer_dot = _pk.dot
layer_dropout = _pk.dropout
layer_embedding = _pk.embedding
layer_flatten = _pk.flatten
layer_global_average_pooling_1d = _pk.global_average_pooling_1d
layer_global_average_pooling_2d = _pk.global_average_pooling_2d
layer_global_average_pooling_3d = _pk.global_average_pooling_3d
layer_global_max_pooling_1d = _pk.global_max_pooling_1d
layer_global_max_pooling_2d = _pk.global_max_pooling_2d
layer_global_max_pooling_3d = _pk.global_max_pooling_3d
layer_gru = _pk.gru
layer_layer_normalization = _pk.layer_normalization
layer_lstm = _pk.lstm
layer_max_pooling_1d = _pk.max_pooling_1d
layer_max_pooling_2d = _pk.max_pooling_2d
layer_max_pooling_3d = _pk.max_pooling_3d
layer_maximum = _pk.maximum
layer_minimum = _pk.minimum
layer_multiply = _pk.multiply
layer_permute = _pk.permute
layer_repeat_vector = _pk.repeat_vector
layer_reshape = _pk.reshape
layer_separable_conv_2d = _pk.separable_conv_2d
layer_simple_rnn = _pk.simple_rnn
layer_spatial_dropout_1d = _pk.spatial_dropout_1d
layer_spatial_dropout_2d = _pk.spatial_dropout_2d
layer_subtract = _pk.subtract
layer_time_distributed = _pk.time_distributed
layer_up_sampling_1d = _pk.up_sampling_1d
layer_up_sampling_2d = _pk.up_sampling_2d
layer_zero_padding_1d = _pk.zero_padding_1d
layer_zero_padding_2d = _pk.zero_padding_2d

LAYER_ALIASES = {name: value for name, value in globals().items()
                 if name.startswith("layer_") and hasattr(value, "layer_class")}
"""{R name: pipekeras constructor}, e.g. `"layer_dense": pipekeras.dense`."""
__all__ += sorted(LAYER_ALIASES)

# ------------------------------------------------------------------------------------------- optimizers


def _optimizer_alias(cls):
    def make(*args, lr=None, **kwargs):
        if lr is not None:
            if "learning_rate" in kwargs:
                raise _ConfigError(f"optimizer_{cls.__name__.lower()}: give lr or learning_rate, not both.")
            kwargs["learning_rate"] = lr
        return cls(*args, **kwargs)

    make.__name__ = make.__qualname__ = f"optimizer_{cls.__name__.lower()}"
    make.__doc__ = (f"R's `{make.__name__}()`: a `pipekeras.optimizers.{cls.__name__}`.\n\n"
                    f"R keras 2's `lr =` is accepted for `learning_rate`.\n\n{cls.__doc__ or ''}")
    return make


optimizer_adadelta = _optimizer_alias(_optimizers.Adadelta)
optimizer_adagrad = _optimizer_alias(_optimizers.Adagrad)
optimizer_adam = _optimizer_alias(_optimizers.Adam)
optimizer_adamax = _optimizer_alias(_optimizers.Adamax)
optimizer_adamw = _optimizer_alias(_optimizers.AdamW)
optimizer_nadam = _optimizer_alias(_optimizers.Nadam)
optimizer_rmsprop = _optimizer_alias(_optimizers.RMSprop)
optimizer_sgd = _optimizer_alias(_optimizers.SGD)

OPTIMIZER_ALIASES = {name: value for name, value in globals().items() if name.startswith("optimizer_")}
__all__ += sorted(OPTIMIZER_ALIASES)

# ---------------------------------------------------------------------------------------- losses, metrics


def _object_alias(kind, name, factory):
    def make(y_true=None, y_pred=None, **kwargs):
        obj = factory(**kwargs)
        if y_true is None and y_pred is None:
            return obj
        if y_true is None or y_pred is None:
            raise _ArgumentTypeError(f"{kind}_{name}: give both y_true and y_pred, or neither.")
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if kind == "loss":
            return obj.values(y_true, y_pred)
        return obj(y_true, y_pred)

    make.__name__ = make.__qualname__ = f"{kind}_{name}"
    what = ("the per-sample losses" if kind == "loss" else "the metric's value")
    make.__doc__ = (f"R's `{kind}_{name}()`: with no data, the {kind} object to give to `compile()`; "
                    f"`{kind}_{name}(y_true, y_pred)` returns {what}.\n\n{getattr(factory, '__doc__', '') or ''}")
    return make


loss_binary_crossentropy = _object_alias("loss", "binary_crossentropy", _losses.BinaryCrossentropy)
loss_categorical_crossentropy = _object_alias("loss", "categorical_crossentropy", _losses.CategoricalCrossentropy)
loss_categorical_hinge = _object_alias("loss", "categorical_hinge", _losses.CategoricalHinge)
loss_cosine_similarity = _object_alias("loss", "cosine_similarity", _losses.CosineSimilarity)
loss_hinge = _object_alias("loss", "hinge", _losses.Hinge)
loss_huber = _object_alias("loss", "huber", _losses.Huber)
loss_huber_loss = _object_alias("loss", "huber_loss", _losses.Huber)
loss_kl_divergence = _object_alias("loss", "kl_divergence", _losses.KLDivergence)
loss_kld = _object_alias("loss", "kld", _losses.KLDivergence)
loss_kullback_leibler_divergence = _object_alias("loss", "kullback_leibler_divergence", _losses.KLDivergence)
loss_log_cosh = _object_alias("loss", "log_cosh", _losses.LogCosh)
loss_logcosh = _object_alias("loss", "logcosh", _losses.LogCosh)
loss_mae = _object_alias("loss", "mae", _losses.MeanAbsoluteError)
loss_mape = _object_alias("loss", "mape", _losses.MeanAbsolutePercentageError)
loss_mean_absolute_error = _object_alias("loss", "mean_absolute_error", _losses.MeanAbsoluteError)
loss_mean_absolute_percentage_error = _object_alias("loss", "mean_absolute_percentage_error",
                                                    _losses.MeanAbsolutePercentageError)
loss_mean_squared_error = _object_alias("loss", "mean_squared_error", _losses.MeanSquaredError)
loss_mean_squared_logarithmic_error = _object_alias("loss", "mean_squared_logarithmic_error",
                                                    _losses.MeanSquaredLogarithmicError)
loss_mse = _object_alias("loss", "mse", _losses.MeanSquaredError)
loss_msle = _object_alias("loss", "msle", _losses.MeanSquaredLogarithmicError)
loss_poisson = _object_alias("loss", "poisson", _losses.Poisson)
loss_sparse_categorical_crossentropy = _object_alias("loss", "sparse_categorical_crossentropy",
                                                     _losses.SparseCategoricalCrossentropy)
loss_squared_hinge = _object_alias("loss", "squared_hinge", _losses.SquaredHinge)

# No metric_accuracy: "accuracy" is resolved from the loss at compile time (pass metrics = "accuracy").
metric_auc = _object_alias("metric", "auc", _metrics.AUC)
metric_binary_accuracy = _object_alias("metric", "binary_accuracy", _metrics.BinaryAccuracy)
metric_categorical_accuracy = _object_alias("metric", "categorical_accuracy", _metrics.CategoricalAccuracy)
metric_mae = _object_alias("metric", "mae", _metrics.MeanAbsoluteError)
metric_mape = _object_alias("metric", "mape", _metrics.MeanAbsolutePercentageError)
metric_mean_absolute_error = _object_alias("metric", "mean_absolute_error", _metrics.MeanAbsoluteError)
metric_mean_absolute_percentage_error = _object_alias("metric", "mean_absolute_percentage_error",
                                                      _metrics.MeanAbsolutePercentageError)
metric_mean_squared_error = _object_alias("metric", "mean_squared_error", _metrics.MeanSquaredError)
metric_mean_squared_logarithmic_error = _object_alias("metric", "mean_squared_logarithmic_error",
                                                      _metrics.MeanSquaredLogarithmicError)
metric_mse = _object_alias("metric", "mse", _metrics.MeanSquaredError)
metric_msle = _object_alias("metric", "msle", _metrics.MeanSquaredLogarithmicError)
metric_precision = _object_alias("metric", "precision", _metrics.Precision)
metric_recall = _object_alias("metric", "recall", _metrics.Recall)
metric_rmse = _object_alias("metric", "rmse", _metrics.RootMeanSquaredError)
metric_root_mean_squared_error = _object_alias("metric", "root_mean_squared_error", _metrics.RootMeanSquaredError)
metric_sparse_categorical_accuracy = _object_alias("metric", "sparse_categorical_accuracy",
                                                   _metrics.SparseCategoricalAccuracy)
metric_sparse_top_k_categorical_accuracy = _object_alias("metric", "sparse_top_k_categorical_accuracy",
                                                         _metrics.SparseTopKCategoricalAccuracy)
metric_top_k_categorical_accuracy = _object_alias("metric", "top_k_categorical_accuracy",
                                                  _metrics.TopKCategoricalAccuracy)

LOSS_ALIASES = {name: value for name, value in globals().items() if name.startswith("loss_")}
METRIC_ALIASES = {name: value for name, value in globals().items() if name.startswith("metric_")}
__all__ += sorted(LOSS_ALIASES) + sorted(METRIC_ALIASES)

# -------------------------------------------------------------------------------------------- callbacks

callback_early_stopping = _callbacks.EarlyStopping
callback_model_checkpoint = _callbacks.ModelCheckpoint
callback_reduce_lr_on_plateau = _callbacks.ReduceLROnPlateau
callback_learning_rate_scheduler = _callbacks.LearningRateScheduler
callback_csv_logger = _callbacks.CSVLogger
callback_terminate_on_naan = _callbacks.TerminateOnNaN  # R keras' spelling
callback_terminate_on_nan = _callbacks.TerminateOnNaN
callback_lambda = _callbacks.LambdaCallback
callback_progbar_logger = _callbacks.ProgbarLogger

# --------------------------------------------------------------------------------------------- datasets


class RList(dict):
    """A dict that also reads its entries as attributes: R's `mnist$train$x` is `mnist.train.x`.

    Nested dicts given to the constructor become `RList`s too. `unpack()` gives the values as nested
    tuples, as R's `%<-%` destructures:

        >>> mnist = dataset_mnist()
        >>> (x_train, y_train), (x_test, y_test) = mnist.unpack()
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, value in self.items():
            if isinstance(value, dict) and not isinstance(value, RList):
                dict.__setitem__(self, key, RList(value))

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no entry {name!r}; entries: {', '.join(map(str, self))}") from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(super().__dir__()) + [k for k in self if isinstance(k, str) and k.isidentifier()]

    def unpack(self):
        """The values in order, nested `RList`s unpacked too (R's `c(c(x, y), c(xt, yt)) %<-% data`)."""
        return tuple(v.unpack() if isinstance(v, RList) else v for v in self.values())

    def __repr__(self):
        def describe(value):
            if isinstance(value, np.ndarray):
                return f"array{value.shape} {value.dtype}"
            return repr(value)

        return "RList(" + ", ".join(f"{k}={describe(v)}" for k, v in self.items()) + ")"


def _train_test(loaded):
    (x_train, y_train), (x_test, y_test) = loaded
    return RList(train=RList(x=x_train, y=y_train), test=RList(x=x_test, y=y_test))


def dataset_mnist(path="mnist.npz"):
    """MNIST digits as R's nested list: `mnist.train.x` (60000, 28, 28) uint8, `mnist.train.y`, `mnist.test.*`."""
    return _train_test(_datasets.mnist.load_data(path=path))


def dataset_fashion_mnist():
    """Fashion-MNIST as `data.train.x`, `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.fashion_mnist.load_data())


def dataset_cifar10():
    """CIFAR-10 as `data.train.x` (50000, 32, 32, 3), `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.cifar10.load_data())


def dataset_imdb(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
                 index_from=3):
    """IMDB reviews (lists of word ids) as `imdb.train.x`, `imdb.train.y`, `imdb.test.x`, `imdb.test.y`.

    Arguments are `pipekeras.datasets.imdb.load_data`'s (R's `dataset_imdb(num_words = 10000)`).
    """
    return _train_test(_datasets.imdb.load_data(path=path, num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                                                seed=seed, start_char=start_char, oov_char=oov_char,
                                                index_from=index_from))


def dataset_imdb_word_index(path="imdb_word_index.json"):
    """The IMDB word index: {word: frequency rank}."""
    return _datasets.imdb.get_word_index(path=path)


def dataset_reuters(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """Reuters newswires as `data.train.x`, `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.reuters.load_data(path=path, num_words=num_words, skip_top=skip_top,
                                                   maxlen=maxlen, test_split=test_split, seed=seed,
                                                   start_char=start_char, oov_char=oov_char,
                                                   index_from=index_from))


def dataset_reuters_word_index(path="reuters_word_index.json"):
    """The Reuters word index: {word: frequency rank}."""
    return _datasets.reuters.get_word_index(path=path)


def dataset_boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    """Boston housing as `data.train.x` (404, 13), `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.boston_housing.load_data(path=path, test_split=test_split, seed=seed))


# ------------------------------------------------------------------------------ layer and model functions

def _resolve_position(layers, where, what):
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


def get_weights(object):
    """R's `get_weights(object)`: the weights of a layer or model as a list of NumPy arrays."""
    return object.get_weights()


def set_weights(object, weights):
    """R's `set_weights(object, weights)`: sets weights from a list of arrays (as `get_weights` returns)."""
    object.set_weights(weights)
    return object


def count_params(object):
    """R's `count_params(object)`: the number of scalars in the weights."""
    return object.count_params()


def get_config(object):
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


def get_layer(object, name=None, index=None):
    """R's `get_layer(object, name = NULL, index = NULL)`; `index` counts from 1, as in R."""
    if index is not None:
        return object.layers[_resolve_position(object.layers, index, "get_layer")]
    return object.get_layer(name=name)


def reset_states(object):
    """R's `reset_states(object)`: clears the states of stateful recurrent layers."""
    object.reset_states()
    return object


def get_input_at(object, node_index):
    """R's `get_input_at(object, node_index)`: the input of the layer's `node_index`-th call (from 1)."""
    return object.get_input_at(_node(node_index))


def get_output_at(object, node_index):
    """R's `get_output_at(object, node_index)`: the output of the layer's `node_index`-th call (from 1)."""
    return object.get_output_at(_node(node_index))


def get_input_shape_at(object, node_index):
    """R's `get_input_shape_at(object, node_index)`: the input shape at the `node_index`-th call (from 1)."""
    return object.get_input_shape_at(_node(node_index))


def get_output_shape_at(object, node_index):
    """R's `get_output_shape_at(object, node_index)`: the output shape at the `node_index`-th call (from 1)."""
    return object.get_output_shape_at(_node(node_index))


def _node(node_index):
    if not isinstance(node_index, (int, np.integer)) or isinstance(node_index, bool) or node_index < 1:
        raise _ConfigError(f"node_index counts from 1, as in R; received {node_index!r}.")
    return int(node_index) - 1



# =================================================================== issue 21: R users at home (helper H10)
# Model-first functions as pipe steps, and the R keras 2.13 / keras3 names of features pipekeras has.
# tests/r/test_r_reference_names.py compares these names with R's export lists.

import importlib.util as _importlib_util
import os as _os
import pathlib as _pathlib
import shutil as _shutil
import subprocess as _subprocess
import sys as _sys
import urllib.parse as _urlparse

from . import activations as _activations
from . import backend as _backend
from . import constraints as _constraints
from . import initializers as _initializers
from . import regularizers as _regularizers
from . import saving as _saving
from . import schedules as _schedules
from .callbacks import History as _History
from .datasets import _files as _dataset_files
from .models.functional import Model as _Model
from .saving.keras2_h5 import save_keras2_h5 as _save_keras2_h5
from .utils.plotting import MissingDependencyError as _MissingDependencyError

# ----- the pipe for every model-first function: `f(model, ...)` runs, `model | f(...)` pipes; each returns
# what R returns (the object itself where R returns it invisibly), so pipes chain as in R.

get_weights = _function_step("get_weights", get_weights)
set_weights = _function_step("set_weights", set_weights)
count_params = _function_step("count_params", count_params)
get_config = _function_step("get_config", get_config)
get_layer = _function_step("get_layer", get_layer)
reset_states = _function_step("reset_states", reset_states)
reset_state = reset_states  # keras3's name
get_input_at = _function_step("get_input_at", get_input_at)
get_output_at = _function_step("get_output_at", get_output_at)
get_input_shape_at = _function_step("get_input_shape_at", get_input_shape_at)
get_output_shape_at = _function_step("get_output_shape_at", get_output_shape_at)


def _get_input_mask_at(object, node_index):
    """R's `get_input_mask_at(object, node_index)`: the input mask at the `node_index`-th call (from 1)."""
    return object.get_input_mask_at(_node(node_index))


def _get_output_mask_at(object, node_index):
    """R's `get_output_mask_at(object, node_index)`: the output mask at the `node_index`-th call (from 1)."""
    return object.get_output_mask_at(_node(node_index))


get_input_mask_at = _function_step("get_input_mask_at", _get_input_mask_at)
get_output_mask_at = _function_step("get_output_mask_at", _get_output_mask_at)


def _model(object, what):
    if not isinstance(object, _Model):
        raise _ArgumentTypeError(f"{what}: expected a model, received {type(object).__name__}.")
    return object


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


def _save_model(object, filepath, overwrite=True, include_optimizer=True):
    """R's `save_model(object, filepath)` (keras3) and `save_model_tf`: the whole model in one file.

    Args:
        object: the model.
        filepath: `.keras` (Keras 3), `.h5`/`.hdf5` (Keras 2's HDF5), any other name pipekeras's own format.
        overwrite: when False, an existing file is an error.
        include_optimizer: also save the compile settings and optimizer state.

    Returns:
        The model, so that pipes go on.
    """
    _saving.save_model(_model(object, "save_model"), filepath, include_optimizer=include_optimizer,
                       overwrite=overwrite)
    return object


def _save_model_hdf5(object, filepath, overwrite=True, include_optimizer=True):
    """R keras 2's `save_model_hdf5(object, filepath)`: Keras 2's HDF5 model file (needs h5py), whatever the
    extension; `load_model_hdf5` (or Keras' `load_model`) reads it back.

    Returns:
        The model.

    Raises:
        SavingError: `overwrite` is False and the file exists, or the directory is not writable.
    """
    _model(object, "save_model_hdf5")
    if not overwrite and _os.path.exists(filepath):
        raise _pk.errors.SavingError(f"save_model_hdf5: {filepath!r} exists and overwrite=False.")
    _save_keras2_h5(object, _os.fspath(filepath), include_optimizer=include_optimizer)
    return object


def _save_weights(object, filepath, overwrite=True):
    """R's `save_model_weights_hdf5(object, filepath)` / `save_model_weights` (keras3): the weights only.

    `.h5` writes Keras' HDF5 weights file (needs h5py), `.npz` NumPy's, any other name pipekeras's own.

    Returns:
        The model.
    """
    _saving.save_weights(_model(object, "save_model_weights"), filepath, overwrite=overwrite)
    return object


def _load_weights(object, filepath, by_name=False, skip_mismatch=False):
    """R's `load_model_weights_hdf5(object, filepath)` / `load_model_weights` (keras3).

    Returns:
        The model, with its weights replaced.
    """
    _saving.load_weights(_model(object, "load_model_weights"), filepath, by_name=by_name,
                         skip_mismatch=skip_mismatch)
    return object


def _clone_model(object, custom_objects=None):
    """R's `clone_model(model)`: a new model with the same layers and fresh weights (not compiled)."""
    return _saving.clone_model(_model(object, "clone_model"), custom_objects=custom_objects)


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


pop_layer = _function_step("pop_layer", _pop_layer)
save_model = _function_step("save_model", _save_model)
save_model_tf = _function_step("save_model_tf", _save_model)
save_model_hdf5 = _function_step("save_model_hdf5", _save_model_hdf5)
save_weights = _function_step("save_weights", _save_weights)
save_model_weights = _function_step("save_model_weights", _save_weights)
save_model_weights_hdf5 = _function_step("save_model_weights_hdf5", _save_weights)
save_model_weights_tf = _function_step("save_model_weights_tf", _save_weights)
load_weights = _function_step("load_weights", _load_weights)
load_model_weights = _function_step("load_model_weights", _load_weights)
load_model_weights_hdf5 = _function_step("load_model_weights_hdf5", _load_weights)
load_model_weights_tf = _function_step("load_model_weights_tf", _load_weights)
clone_model = _function_step("clone_model", _clone_model)
plot_model = _function_step("plot_model", _plot_model)
plot = _function_step("plot", _plot, applies_to=(_History, _Model))

load_model = _saving.load_model
load_model_hdf5 = _saving.load_model
load_model_tf = _saving.load_model
model_to_json = _saving.model_to_json
model_from_json = _saving.model_from_json
serialize_model = _saving.serialize_model
unserialize_model = _saving.unserialize_model


def _save_model_config(object, filepath, overwrite=True):
    """keras3's `save_model_config(model, filepath)`: the model's architecture as a JSON file (no weights).

    Returns:
        The model.
    """
    if not overwrite and _os.path.exists(filepath):
        raise _pk.errors.SavingError(f"save_model_config: {filepath!r} exists and overwrite=False.")
    _pathlib.Path(filepath).write_text(_saving.model_to_json(_model(object, "save_model_config")))
    return object


def load_model_config(filepath, custom_objects=None):
    """keras3's `load_model_config(filepath)`: a new model (fresh weights) from `save_model_config`'s file."""
    return _saving.model_from_json(_pathlib.Path(filepath).read_text(), custom_objects=custom_objects)


save_model_config = _function_step("save_model_config", _save_model_config)


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


# ----- layers under their R spellings

layer_upsampling_1d = _pk.up_sampling_1d
layer_upsampling_2d = _pk.up_sampling_2d
keras_input = layer_input  # keras3's name

bidirectional = _pk.bidirectional  # R keras 2 exports these two without the layer_ prefix too
time_distributed = _pk.time_distributed


def _activation_layer(r_name, activation_name, **defaults):
    """R's `layer_activation_<name>(object, <options>)`: an `Activation` layer of one activation with options."""

    def make(object=None, **kwargs):
        options = {key: kwargs.pop(key) for key in list(kwargs) if key in defaults}
        unknown = [key for key in kwargs if key not in ("name", "trainable", "dtype", "input_shape",
                                                        "batch_input_shape", "batch_size")]
        if unknown:
            raise _ConfigError(f"{r_name}: unknown argument(s) {unknown}; the options are {sorted(defaults)}.")
        options = {key: value for key, value in {**defaults, **options}.items() if value is not None}
        layer = _pk.Activation({"name": activation_name, **options}, **kwargs)
        return layer if object is None else object | layer

    make.__name__ = make.__qualname__ = r_name
    make.__doc__ = (f"R's `{r_name}(object, ...)`: an `Activation` layer applying {activation_name} with the options "
                    f"{sorted(defaults)}; with a model, tensor or array first it is applied at once (R's form).")
    return make


layer_activation_relu = _activation_layer("layer_activation_relu", "relu", max_value=None, negative_slope=0.0,
                                          threshold=0.0)
layer_activation_leaky_relu = _activation_layer("layer_activation_leaky_relu", "leaky_relu", negative_slope=0.3)
layer_activation_elu = _activation_layer("layer_activation_elu", "elu", alpha=1.0)
layer_activation_softmax = _activation_layer("layer_activation_softmax", "softmax", axis=-1)

# ----- optimizers: keras3 spells AdamW `optimizer_adam_w`

optimizer_adam_w = _optimizer_alias(_optimizers.AdamW)
optimizer_adam_w.__name__ = optimizer_adam_w.__qualname__ = "optimizer_adam_w"

# ----- regularizers, initializers, constraints, activations, learning rate schedules

regularizer_l1 = _regularizers.L1
regularizer_l2 = _regularizers.L2
regularizer_l1_l2 = _regularizers.L1L2
regularizer_orthogonal = _regularizers.OrthogonalRegularizer

initializer_constant = _initializers.Constant
initializer_glorot_normal = _initializers.GlorotNormal
initializer_glorot_uniform = _initializers.GlorotUniform
initializer_he_normal = _initializers.HeNormal
initializer_he_uniform = _initializers.HeUniform
initializer_identity = _initializers.Identity
initializer_lecun_normal = _initializers.LecunNormal
initializer_lecun_uniform = _initializers.LecunUniform
initializer_ones = _initializers.Ones
initializer_orthogonal = _initializers.Orthogonal
initializer_random_normal = _initializers.RandomNormal
initializer_random_uniform = _initializers.RandomUniform
initializer_truncated_normal = _initializers.TruncatedNormal
initializer_variance_scaling = _initializers.VarianceScaling
initializer_zeros = _initializers.Zeros

constraint_maxnorm = _constraints.MaxNorm
constraint_minmaxnorm = _constraints.MinMaxNorm
constraint_nonneg = _constraints.NonNeg
constraint_unitnorm = _constraints.UnitNorm

# R's activation_relu etc.: the activation, given as `activation = activation_relu` or called on an array.
activation_elu = _activations.elu
activation_exponential = _activations.exponential
activation_gelu = _activations.gelu
activation_hard_sigmoid = _activations.hard_sigmoid
activation_hard_silu = _activations.hard_silu
activation_hard_swish = _activations.hard_swish
activation_leaky_relu = _activations.leaky_relu
activation_linear = _activations.linear
activation_log_softmax = _activations.log_softmax
activation_mish = _activations.mish
activation_relu = _activations.relu
activation_relu6 = _activations.relu6
activation_selu = _activations.selu
activation_sigmoid = _activations.sigmoid
activation_silu = _activations.silu
activation_softmax = _activations.softmax
activation_softplus = _activations.softplus
activation_softsign = _activations.softsign
activation_tanh = _activations.tanh

learning_rate_schedule_cosine_decay = _schedules.CosineDecay
learning_rate_schedule_exponential_decay = _schedules.ExponentialDecay
learning_rate_schedule_inverse_time_decay = _schedules.InverseTimeDecay
learning_rate_schedule_piecewise_constant_decay = _schedules.PiecewiseConstantDecay
learning_rate_schedule_polynomial_decay = _schedules.PolynomialDecay

# ----- session, seeds and configuration

set_random_seed = _backend.set_seed
use_session_with_seed = _backend.set_seed  # R keras 2's older name
clear_session = _pk.clear_session
k_clear_session = _pk.clear_session
config_floatx = _backend.floatx
config_set_floatx = _backend.set_floatx
config_epsilon = _backend.epsilon


def k_argmax(x, axis=-1):
    """R keras 2's `k_argmax(x, axis = -1)`: the index of the largest value along `axis` (0-based, as Keras').

    Args:
        x: an array (R's tensor), e.g. `predict`'s probabilities.
        axis: the axis to reduce; -1, the last, by default.

    Returns:
        An int64 array with `axis` removed.
    """
    return np.argmax(np.asarray(x), axis=axis)


# ----- TensorBoard

callback_tensorboard = _callbacks.TensorBoard


def tensorboard(log_dir="logs", port=6006):
    """R's `tensorboard(log_dir)`: starts TensorBoard on the event files of `callback_tensorboard`.

    Args:
        log_dir: the folder given to `callback_tensorboard` (or one above several runs).
        port: the port TensorBoard serves on; open http://localhost:<port>.

    Returns:
        The running TensorBoard process (`subprocess.Popen`); `.terminate()` stops it.

    Raises:
        MissingDependencyError: TensorBoard is not installed (pip install tensorboard).
    """
    if _importlib_util.find_spec("tensorboard") is None:
        raise _MissingDependencyError("tensorboard: TensorBoard is not installed; pip install tensorboard, or run "
                                      f"it elsewhere on the event files in {_os.path.abspath(log_dir)!r}.")
    command = [_sys.executable, "-m", "tensorboard.main", "--logdir", _os.fspath(log_dir), "--port", str(port)]
    print(f"TensorBoard at http://localhost:{port}")
    return _subprocess.Popen(command)


# ----- arrays and files

named_list = RList  # keras3's named_list(a = 1, b = 2)


def keras_array(x, dtype=None):
    """R's `keras_array(x, dtype = NULL)` (and `np_array`): `x` as a NumPy array, of `floatx()` for floating data."""
    x = np.asarray(x)
    if dtype is None and x.dtype.kind == "f":
        dtype = _backend.floatx()
    return x if dtype is None else x.astype(dtype)


np_array = keras_array


def array_reshape(x, dim, order="C"):
    """R keras's `array_reshape(x, dim)`: reshapes in row-major (C) order, as NumPy and Keras read arrays.

    R's own `dim<-` fills column by column; `array_reshape` exists so R arrays match Keras. In Python that
    is NumPy's `reshape`.

    Args:
        x: an array.
        dim: the new shape (an integer or a tuple, R's `c(...)`).
        order: "C" (row-major, the default) or "F" (column-major, as R's `dim<-`).

    Returns:
        The reshaped array.

    Raises:
        ConfigError: `order` is not "C" or "F", or the sizes do not match.
    """
    if order not in ("C", "F"):
        raise _ConfigError(f"array_reshape: order must be 'C' (row-major) or 'F' (column-major), received {order!r}.")
    x = np.asarray(x)
    shape = _shape(dim)
    try:
        return np.reshape(x, shape, order=order)
    except ValueError:
        raise _ConfigError(f"array_reshape: cannot reshape an array of shape {x.shape} ({x.size} values) into "
                           f"{shape}.") from None


def get_file(fname, origin, file_hash=None, cache_subdir=None, extract=False, untar=False):
    """R's `get_file(fname, origin)`: a local copy of a file, downloaded into the cache when missing.

    The file is looked for in `$PIPEKERAS_DATASETS` and `~/.pipekeras/datasets` (under `cache_subdir`
    first) before anything is fetched. `origin` may be a URL, a `file://` URL or a local path.

    Args:
        fname: the file's name in the cache.
        origin: where to fetch it from.
        file_hash: expected sha256 (or md5) of the fetched file.
        cache_subdir: a sub-directory of the cache.
        extract, untar: also unpack the archive (zip, tar, tar.gz) next to it; R's `untar = TRUE`.

    Returns:
        The path of the file (of the folder it unpacked to, with `extract` or `untar`).

    Raises:
        DataError: the file is missing and cannot be fetched (offline: put it in `$PIPEKERAS_DATASETS`).
    """
    if not _urlparse.urlparse(str(origin)).scheme or len(_urlparse.urlparse(str(origin)).scheme) == 1:
        origin = _pathlib.Path(origin).expanduser().resolve().as_uri()  # a local path (or a Windows drive)
    path = _dataset_files.get_file(fname, origin=origin, file_hash=file_hash, subdir=cache_subdir)
    if not (extract or untar):
        return path
    target = path
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        if target.endswith(suffix):
            target = target[:-len(suffix)]
            break
    if not _os.path.isdir(target):
        _shutil.unpack_archive(path, _os.path.dirname(path))
    return target if _os.path.isdir(target) else _os.path.dirname(path)


__all__ += [
    "get_input_mask_at", "get_output_mask_at", "reset_state", "pop_layer", "save_model", "save_model_tf",
    "save_model_hdf5", "save_weights", "save_model_weights", "save_model_weights_hdf5", "save_model_weights_tf",
    "load_weights", "load_model_weights", "load_model_weights_hdf5", "load_model_weights_tf", "clone_model",
    "load_model", "load_model_hdf5", "load_model_tf", "model_to_json", "model_from_json", "serialize_model",
    "unserialize_model", "save_model_config", "load_model_config", "predict_proba", "predict_classes",
    "layer_upsampling_1d", "layer_upsampling_2d", "keras_input", "optimizer_adam_w",
    "regularizer_l1", "regularizer_l2", "regularizer_l1_l2", "regularizer_orthogonal",
    "initializer_constant", "initializer_glorot_normal", "initializer_glorot_uniform", "initializer_he_normal",
    "initializer_he_uniform", "initializer_identity", "initializer_lecun_normal", "initializer_lecun_uniform",
    "initializer_ones", "initializer_orthogonal", "initializer_random_normal", "initializer_random_uniform",
    "initializer_truncated_normal", "initializer_variance_scaling", "initializer_zeros",
    "constraint_maxnorm", "constraint_minmaxnorm", "constraint_nonneg", "constraint_unitnorm",
    "activation_elu", "activation_exponential", "activation_gelu", "activation_hard_sigmoid", "activation_hard_silu",
    "activation_hard_swish", "activation_leaky_relu", "activation_linear", "activation_log_softmax",
    "activation_mish", "activation_relu", "activation_relu6", "activation_selu", "activation_sigmoid",
    "activation_silu", "activation_softmax", "activation_softplus", "activation_softsign", "activation_tanh",
    "learning_rate_schedule_cosine_decay", "learning_rate_schedule_exponential_decay",
    "learning_rate_schedule_inverse_time_decay", "learning_rate_schedule_piecewise_constant_decay",
    "learning_rate_schedule_polynomial_decay", "set_random_seed", "use_session_with_seed", "clear_session",
    "k_clear_session", "config_floatx", "config_set_floatx", "config_epsilon", "k_argmax", "array_reshape",
    "get_file", "bidirectional", "time_distributed", "layer_activation_relu", "layer_activation_leaky_relu",
    "layer_activation_elu", "layer_activation_softmax", "named_list", "keras_array", "np_array", "callback_tensorboard", "tensorboard",
]
