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

import inspect as _inspect
import sys as _sys

import numpy as np

import pipekeras as _pk
from . import applications as _applications
from . import ops as _ops
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
from .training.sources import ReadOptions as _ReadOptions
from .utils import (image_array_save, image_dataset_from_directory, image_load, image_to_array, multi_hot, normalize,
                    pad_sequences, plot_history, text_dataset_from_directory, timeseries_dataset_from_array,
                    to_categorical)
from .utils.image_generator import ImageDataGenerator as _ImageDataGenerator
from .utils.text import TOKENIZER_FILTERS as _FILTERS
from .utils.tokenizer import Tokenizer as _Tokenizer
from .utils.tokenizer import text_to_word_sequence, tokenizer_from_json as _tokenizer_from_json

# Verbs, re-exported: `model | compile(...)` or R's form `compile(model, ...)`.
from pipekeras import (compile, evaluate, fit, plot, predict, predict_on_batch, summary,  # noqa: A004
                       test_on_batch, train_on_batch)

__all__ = [
    "RList", "keras_model_sequential", "keras_model", "layer_input",
    "compile", "fit", "evaluate", "predict", "predict_on_batch", "train_on_batch", "test_on_batch", "summary",
    "plot", "to_categorical", "pad_sequences", "multi_hot", "normalize", "plot_history", "plot_model",
    "freeze_weights", "unfreeze_weights", "get_weights", "set_weights", "count_params", "get_config",
    "from_config", "get_layer", "reset_states", "get_input_at", "get_output_at", "get_input_shape_at",
    "get_output_shape_at", "fit_generator", "evaluate_generator", "predict_generator",
    "text_tokenizer", "fit_text_tokenizer", "texts_to_sequences", "texts_to_matrix", "sequences_to_matrix",
    "text_to_word_sequence", "save_text_tokenizer", "load_text_tokenizer", "text_dataset_from_directory",
    "timeseries_dataset_from_array", "image_load", "image_to_array", "image_array_save", "image_dataset_from_directory",
    "image_data_generator", "flow_images_from_data", "flow_images_from_directory", "generator_next",
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
layer_masking = _pk.masking
layer_multi_head_attention = _pk.multi_head_attention
layer_attention = _pk.attention
layer_additive_attention = _pk.additive_attention
layer_token_and_position_embedding = _pk.token_and_position_embedding
layer_positional_embedding = _pk.positional_embedding
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
layer_rnn = _pk.rnn
layer_simple_rnn_cell = _pk.simple_rnn_cell
layer_lstm_cell = _pk.lstm_cell
layer_gru_cell = _pk.gru_cell
layer_stacked_rnn_cells = _pk.stacked_rnn_cells
layer_conv_lstm_2d = _pk.conv_lstm_2d
layer_spatial_dropout_1d = _pk.spatial_dropout_1d
layer_spatial_dropout_2d = _pk.spatial_dropout_2d
layer_subtract = _pk.subtract
layer_time_distributed = _pk.time_distributed
layer_text_vectorization = _pk.text_vectorization
layer_normalization = _pk.normalization  # the preprocessing layer, as in R keras 3
layer_discretization = _pk.discretization
layer_category_encoding = _pk.category_encoding
layer_string_lookup = _pk.string_lookup
layer_integer_lookup = _pk.integer_lookup
layer_hashing = _pk.hashing
layer_rescaling = _pk.rescaling
layer_resizing = _pk.resizing
layer_center_crop = _pk.center_crop
layer_random_flip = _pk.random_flip
layer_random_rotation = _pk.random_rotation
layer_random_zoom = _pk.random_zoom
layer_random_translation = _pk.random_translation
layer_random_contrast = _pk.random_contrast
layer_random_crop = _pk.random_crop
layer_up_sampling_1d = _pk.up_sampling_1d
layer_up_sampling_2d = _pk.up_sampling_2d
layer_zero_padding_1d = _pk.zero_padding_1d
layer_zero_padding_2d = _pk.zero_padding_2d
# activation layers with arguments (R keras's layer_activation_*)
layer_activation_relu = _pk.activation_relu
layer_activation_leaky_relu = _pk.activation_leaky_relu
layer_activation_elu = _pk.activation_elu
layer_activation_parametric_relu = _pk.activation_parametric_relu
layer_activation_softmax = _pk.activation_softmax
layer_activation_thresholded_relu = _pk.activation_thresholded_relu
# issue 20 item 5
layer_conv_1d_transpose = _pk.conv_1d_transpose
layer_conv_3d_transpose = _pk.conv_3d_transpose
layer_up_sampling_3d = _pk.up_sampling_3d
layer_zero_padding_3d = _pk.zero_padding_3d
layer_cropping_3d = _pk.cropping_3d
layer_spatial_dropout_3d = _pk.spatial_dropout_3d
layer_group_normalization = _pk.group_normalization
layer_unit_normalization = _pk.unit_normalization
layer_gaussian_noise = _pk.gaussian_noise
layer_gaussian_dropout = _pk.gaussian_dropout
layer_alpha_dropout = _pk.alpha_dropout
layer_activity_regularization = _pk.activity_regularization
layer_identity = _pk.identity

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
    if kind == "loss":
        make.loss_name = name  # compile(loss=loss_mse), uncalled, is the built-in loss
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

# ----------------------------------------------------------------------------------------- applications

application_vgg16 = _applications.VGG16
application_vgg19 = _applications.VGG19
application_resnet50 = _applications.ResNet50
application_resnet101 = _applications.ResNet101
application_resnet152 = _applications.ResNet152
application_resnet50_v2 = _applications.ResNet50V2
application_resnet101_v2 = _applications.ResNet101V2
application_resnet152_v2 = _applications.ResNet152V2
application_mobilenet = _applications.MobileNet
application_mobilenet_v2 = _applications.MobileNetV2
application_inception_v3 = _applications.InceptionV3
application_xception = _applications.Xception
application_densenet121 = _applications.DenseNet121
application_densenet169 = _applications.DenseNet169
application_densenet201 = _applications.DenseNet201
imagenet_preprocess_input = _applications.preprocess_input
imagenet_decode_predictions = _applications.decode_predictions
application_preprocess_inputs = _function_step("application_preprocess_inputs",
                                               _applications.preprocess_inputs_for)
application_decode_predictions = _function_step("application_decode_predictions",
                                                _applications.decode_predictions_for)

__all__ += [
    "application_vgg16", "application_vgg19", "application_resnet50", "application_resnet101",
    "application_resnet152", "application_resnet50_v2", "application_resnet101_v2", "application_resnet152_v2",
    "application_mobilenet", "application_mobilenet_v2", "application_inception_v3", "application_xception",
    "application_densenet121", "application_densenet169", "application_densenet201", "imagenet_preprocess_input",
    "imagenet_decode_predictions", "application_preprocess_inputs", "application_decode_predictions",
]

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


def _batches(generator, max_queue_size, workers, use_multiprocessing=False):
    """A data source for fit/evaluate/predict from R keras 2's `generator`: a function returning one batch per
    call (R's idiom, `list(x, y)` in R), or a Python generator, iterable or `Sequence`."""
    if callable(generator) and not hasattr(generator, "__iter__") and not hasattr(generator, "__getitem__"):
        function = generator

        def calls():
            while True:
                yield function()

        generator = calls()
    return _ReadOptions(generator, workers=workers, use_multiprocessing=use_multiprocessing,
                        max_queue_size=max_queue_size)


def _fit_generator(object, generator, steps_per_epoch, epochs=1, verbose="auto", callbacks=None,
                   view_metrics=None, validation_data=None, validation_steps=None, class_weight=None,
                   max_queue_size=10, workers=1, initial_epoch=0, use_multiprocessing=False):
    """R keras 2's `fit_generator`: trains on batches from `generator` (`fit` with a data source).

    Args:
        object: the model.
        generator: a function returning one batch per call (`(x, y)` or `(x, y, sample_weight)`, R's
            `list(x, y)`), or a generator, iterable or `Sequence` of batches.
        steps_per_epoch: batches per epoch.
        validation_data: arrays `(x, y)`, or a generator (function) of validation batches.
        validation_steps: batches of a validation generator per epoch.
        max_queue_size: batches read ahead; workers: threads reading a `Sequence` (generators and functions
            are read by one thread); view_metrics: ignored (R's live plot in RStudio).

    Returns:
        The `History`.
    """
    if validation_data is not None and not isinstance(validation_data, (list, tuple)):
        validation_data = _batches(validation_data, max_queue_size, workers, use_multiprocessing)
    return object.fit(_batches(generator, max_queue_size, workers, use_multiprocessing),
                      steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose, callbacks=callbacks,
                      validation_data=validation_data, validation_steps=validation_steps,
                      class_weight=class_weight, initial_epoch=initial_epoch)


def _evaluate_generator(object, generator, steps, max_queue_size=10, workers=1, callbacks=None,
                        use_multiprocessing=False):
    """R keras 2's `evaluate_generator`: the loss and metrics over `steps` batches of `generator` (as in
    `fit_generator`; `callbacks` are not called, as `evaluate` calls none).

    Returns:
        A dict of loss and metrics (R's named list).
    """
    return object.evaluate(_batches(generator, max_queue_size, workers, use_multiprocessing), steps=steps,
                           verbose=0)


def _predict_generator(object, generator, steps, max_queue_size=10, workers=1, verbose=0, callbacks=None,
                       use_multiprocessing=False):
    """R keras 2's `predict_generator`: the outputs for `steps` batches of `generator` (batches of inputs, or
    `(x, y)` whose targets are ignored; `callbacks` are not called, as `predict` calls none).

    Returns:
        An array (a list for several outputs).
    """
    return object.predict(_batches(generator, max_queue_size, workers, use_multiprocessing), steps=steps)


fit_generator = _function_step("fit_generator", _fit_generator, applies_to=(_pk.Model,))
evaluate_generator = _function_step("evaluate_generator", _evaluate_generator, applies_to=(_pk.Model,))
predict_generator = _function_step("predict_generator", _predict_generator, applies_to=(_pk.Model,))


def text_tokenizer(num_words=None, filters=_FILTERS, lower=True, split=" ", char_level=False, oov_token=None):
    """R keras 2's `text_tokenizer`: a tokenizer (Keras 2's `Tokenizer`) to fit with `fit_text_tokenizer`.

    Args:
        num_words: keep the words of rank below `num_words` when converting.
        filters: characters removed from the texts; lower: lowercase them; split: the word separator.
        char_level: every character is a token; oov_token: stands for words outside the vocabulary.
    """
    return _Tokenizer(num_words, filters, lower, split, char_level, oov_token)


def _fit_text_tokenizer(object, x):
    """R keras 2's `fit_text_tokenizer(object, x)`: ranks the words of the texts `x`; returns the tokenizer."""
    return object.fit_on_texts(x)


fit_text_tokenizer = _function_step("fit_text_tokenizer", _fit_text_tokenizer, applies_to=(_Tokenizer,))


def texts_to_sequences(tokenizer, texts):
    """R keras 2's `texts_to_sequences`: one list of word ranks per text."""
    return tokenizer.texts_to_sequences(texts)


def texts_to_matrix(tokenizer, texts, mode="binary"):
    """R keras 2's `texts_to_matrix`: a (texts, num_words) matrix, mode "binary", "count", "tfidf" or "freq"."""
    return tokenizer.texts_to_matrix(texts, mode)


def sequences_to_matrix(tokenizer, sequences, mode="binary"):
    """R keras 2's `sequences_to_matrix`: a (sequences, num_words) matrix of rank sequences."""
    return tokenizer.sequences_to_matrix(sequences, mode)


def save_text_tokenizer(object, filename):
    """R keras 2's `save_text_tokenizer`: writes the tokenizer as Keras's JSON (not a pickle, unlike R keras 2:
    loading it runs no code). Returns the tokenizer."""
    with open(filename, "w", encoding="utf-8") as file:
        file.write(object.to_json())
    return object


def load_text_tokenizer(filename):
    """R keras 2's `load_text_tokenizer`: reads a tokenizer written by `save_text_tokenizer` (or Keras's
    `Tokenizer.to_json`)."""
    with open(filename, encoding="utf-8") as file:
        return _tokenizer_from_json(file.read())


def image_data_generator(**arguments):
    """R keras 2's `image_data_generator`: random augmentation and rescaling for `flow_images_from_data` and
    `flow_images_from_directory` (the arguments of Keras 2's ImageDataGenerator: rescale, rotation_range,
    width_shift_range, height_shift_range, shear_range, zoom_range, horizontal_flip, fill_mode, ...)."""
    return _ImageDataGenerator(**arguments)


def flow_images_from_data(x, y=None, generator=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
                          subset=None):
    """R keras 2's `flow_images_from_data`: augmented batches of the images `x` (and `y`), for `fit_generator`
    or `fit`."""
    generator = generator or _ImageDataGenerator()
    return generator.flow(x, y, batch_size, shuffle, sample_weight, seed, subset)


def flow_images_from_directory(directory, generator=None, target_size=(256, 256), color_mode="rgb", classes=None,
                               class_mode="categorical", batch_size=32, shuffle=True, seed=None, subset=None,
                               interpolation="nearest", follow_links=False):
    """R keras 2's `flow_images_from_directory`: augmented batches of the images in `directory`'s class folders
    (class_mode "categorical", "binary", "sparse", "input" or None)."""
    generator = generator or _ImageDataGenerator()
    return generator.flow_from_directory(directory, target_size, color_mode, classes, class_mode, batch_size,
                                         shuffle, seed, subset, interpolation, follow_links)


def generator_next(generator):
    """R keras 2's `generator_next`: the next batch of a generator or iterator."""
    return next(generator)


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



# ------------------------------------------------------------------------------- ops and the gradient tape
# R keras3's `op_<name>` for every pipekeras.ops function and R keras's backend `k_<name>`. Axes count from 0
# as in Python (`op_sum(x, axis=0)`): pipekeras.r scripts are Python, and arrays are indexed from 0 in them.

GradientTape = _ops.GradientTape  # R's tf$GradientTape
layer_lambda = _pk.lambda_layer

op_abs = _ops.abs
op_absolute = _ops.absolute
op_add = _ops.add
op_all = _ops.all
op_any = _ops.any
op_arange = _ops.arange
op_argmax = _ops.argmax
op_argmin = _ops.argmin
op_binary_crossentropy = _ops.binary_crossentropy
op_cast = _ops.cast
op_categorical_crossentropy = _ops.categorical_crossentropy
op_categorical_hinge = _ops.categorical_hinge
op_clip = _ops.clip
op_concatenate = _ops.concatenate
op_convert_to_numpy = _ops.convert_to_numpy
op_convert_to_tensor = _ops.convert_to_tensor
op_cos = _ops.cos
op_cosine_similarity = _ops.cosine_similarity
op_cumsum = _ops.cumsum
op_custom_gradient = _ops.custom_gradient
op_divide = _ops.divide
op_dot = _ops.dot
op_dropout = _ops.dropout
op_dropout_mask = _ops.dropout_mask
op_einsum = _ops.einsum
op_elu = _ops.elu
op_equal = _ops.equal
op_erf = _ops.erf
op_exp = _ops.exp
op_expand_dims = _ops.expand_dims
op_expm1 = _ops.expm1
op_exponential = _ops.exponential
op_eye = _ops.eye
op_flip = _ops.flip
op_full = _ops.full
op_gelu = _ops.gelu
op_get_item = _ops.get_item
op_greater = _ops.greater
op_greater_equal = _ops.greater_equal
op_hard_sigmoid = _ops.hard_sigmoid
op_hinge = _ops.hinge
op_huber = _ops.huber
op_kl_divergence = _ops.kl_divergence
op_layer_normalization = _ops.layer_normalization
op_leaky_relu = _ops.leaky_relu
op_less = _ops.less
op_less_equal = _ops.less_equal
op_linear = _ops.linear
op_log = _ops.log
op_log1p = _ops.log1p
op_log_cosh = _ops.log_cosh
op_log_softmax = _ops.log_softmax
op_logsumexp = _ops.logsumexp
op_matmul = _ops.matmul
op_max = _ops.max
op_maximum = _ops.maximum
op_average_pool = _ops.average_pool
op_conv = _ops.conv
op_conv_transpose = _ops.conv_transpose
op_depthwise_conv = _ops.depthwise_conv
op_max_pool = _ops.max_pool
op_separable_conv = _ops.separable_conv
op_mean = _ops.mean
op_mean_absolute_error = _ops.mean_absolute_error
op_mean_absolute_percentage_error = _ops.mean_absolute_percentage_error
op_mean_squared_error = _ops.mean_squared_error
op_mean_squared_logarithmic_error = _ops.mean_squared_logarithmic_error
op_min = _ops.min
op_minimum = _ops.minimum
op_mish = _ops.mish
op_moments = _ops.moments
op_multiply = _ops.multiply
op_negative = _ops.negative
op_norm = _ops.norm
op_normal = _ops.normal
op_not_equal = _ops.not_equal
op_one_hot = _ops.one_hot
op_ones = _ops.ones
op_ones_like = _ops.ones_like
op_pad = _ops.pad
op_poisson = _ops.poisson
op_power = _ops.power
op_prod = _ops.prod
op_relu = _ops.relu
op_relu6 = _ops.relu6
op_repeat = _ops.repeat
op_reshape = _ops.reshape
op_rsqrt = _ops.rsqrt
op_selu = _ops.selu
op_shape = _ops.shape
op_sigmoid = _ops.sigmoid
op_sign = _ops.sign
op_silu = _ops.silu
op_sin = _ops.sin
op_slice = _ops.slice
op_softmax = _ops.softmax
op_softplus = _ops.softplus
op_softsign = _ops.softsign
op_sparse_categorical_crossentropy = _ops.sparse_categorical_crossentropy
op_split = _ops.split
op_sqrt = _ops.sqrt
op_square = _ops.square
op_squared_hinge = _ops.squared_hinge
op_squeeze = _ops.squeeze
op_stack = _ops.stack
op_std = _ops.std
op_stop_gradient = _ops.stop_gradient
op_subtract = _ops.subtract
op_sum = _ops.sum
op_swish = _ops.swish
op_take = _ops.take
op_take_along_axis = _ops.take_along_axis
op_tanh = _ops.tanh
op_tensordot = _ops.tensordot
op_tile = _ops.tile
op_top_k = _ops.top_k
op_transpose = _ops.transpose
op_uniform = _ops.uniform
op_var = _ops.var
op_where = _ops.where
op_zeros = _ops.zeros
op_zeros_like = _ops.zeros_like
k_abs = _ops.abs
k_all = _ops.all
k_any = _ops.any
k_argmin = _ops.argmin
k_cast = _ops.cast
k_clip = _ops.clip
k_concatenate = _ops.concatenate
k_cos = _ops.cos
k_cumsum = _ops.cumsum
k_dot = _ops.dot
k_elu = _ops.elu
k_equal = _ops.equal
k_exp = _ops.exp
k_expand_dims = _ops.expand_dims
k_flip = _ops.flip
k_greater = _ops.greater
k_greater_equal = _ops.greater_equal
k_hard_sigmoid = _ops.hard_sigmoid
k_less = _ops.less
k_less_equal = _ops.less_equal
k_log = _ops.log
k_logsumexp = _ops.logsumexp
k_max = _ops.max
k_maximum = _ops.maximum
k_conv = _ops.conv
k_conv_transpose = _ops.conv_transpose
k_depthwise_conv = _ops.depthwise_conv
k_separable_conv = _ops.separable_conv
k_mean = _ops.mean
k_min = _ops.min
k_minimum = _ops.minimum
k_not_equal = _ops.not_equal
k_one_hot = _ops.one_hot
k_ones = _ops.ones
k_ones_like = _ops.ones_like
k_prod = _ops.prod
k_relu = _ops.relu
k_reshape = _ops.reshape
k_sigmoid = _ops.sigmoid
k_sign = _ops.sign
k_sin = _ops.sin
k_softmax = _ops.softmax
k_softplus = _ops.softplus
k_softsign = _ops.softsign
k_sqrt = _ops.sqrt
k_square = _ops.square
k_squeeze = _ops.squeeze
k_stack = _ops.stack
k_std = _ops.std
k_stop_gradient = _ops.stop_gradient
k_sum = _ops.sum
k_tanh = _ops.tanh
k_tile = _ops.tile
k_transpose = _ops.transpose
k_var = _ops.var
k_zeros = _ops.zeros
k_zeros_like = _ops.zeros_like
k_binary_crossentropy = _ops.binary_crossentropy
k_categorical_crossentropy = _ops.categorical_crossentropy
k_sparse_categorical_crossentropy = _ops.sparse_categorical_crossentropy
k_arange = _ops.arange
k_shape = _ops.shape
k_pow = _ops.power
k_constant = _ops.convert_to_tensor
k_epsilon = _pk.backend.epsilon
k_random_normal = _ops.normal
k_random_uniform = _ops.uniform


def k_argmax(x, axis=-1):
    """R keras's `k_argmax`: the index of the largest entry along `axis` (last by default; 0-based)."""
    return _ops.argmax(x, axis=axis)


def k_gather(reference, indices):
    """R keras's `k_gather`: the rows `indices` (0-based) of `reference`."""
    return _ops.take(reference, indices, axis=0)


def k_int_shape(x):
    """R keras's `k_int_shape`: the shape of `x` as a tuple of ints."""
    return tuple(_ops.shape(x))


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


__all__ += [
    "GradientTape",
    "k_abs",
    "k_all",
    "k_any",
    "k_arange",
    "k_argmax",
    "k_argmin",
    "k_binary_crossentropy",
    "k_cast",
    "k_categorical_crossentropy",
    "k_clip",
    "k_concatenate",
    "k_constant",
    "k_cos",
    "k_cumsum",
    "k_dot",
    "k_elu",
    "k_epsilon",
    "k_equal",
    "k_exp",
    "k_expand_dims",
    "k_flip",
    "k_gather",
    "k_greater",
    "k_greater_equal",
    "k_hard_sigmoid",
    "k_int_shape",
    "k_less",
    "k_less_equal",
    "k_log",
    "k_logsumexp",
    "k_max",
    "k_maximum",
    "k_conv",
    "k_conv_transpose",
    "k_depthwise_conv",
    "k_separable_conv",
    "k_mean",
    "k_min",
    "k_minimum",
    "k_not_equal",
    "k_one_hot",
    "k_ones",
    "k_ones_like",
    "k_pow",
    "k_prod",
    "k_random_normal",
    "k_random_uniform",
    "k_relu",
    "k_reshape",
    "k_shape",
    "k_sigmoid",
    "k_sign",
    "k_sin",
    "k_softmax",
    "k_softplus",
    "k_softsign",
    "k_sparse_categorical_crossentropy",
    "k_sqrt",
    "k_square",
    "k_squeeze",
    "k_stack",
    "k_std",
    "k_stop_gradient",
    "k_sum",
    "k_tanh",
    "k_tile",
    "k_transpose",
    "k_var",
    "k_zeros",
    "k_zeros_like",
    "layer_lambda",
    "new_layer_class",
    "new_model_class",
    "op_abs",
    "op_absolute",
    "op_add",
    "op_all",
    "op_any",
    "op_arange",
    "op_argmax",
    "op_argmin",
    "op_binary_crossentropy",
    "op_cast",
    "op_categorical_crossentropy",
    "op_categorical_hinge",
    "op_clip",
    "op_concatenate",
    "op_convert_to_numpy",
    "op_convert_to_tensor",
    "op_cos",
    "op_cosine_similarity",
    "op_cumsum",
    "op_custom_gradient",
    "op_divide",
    "op_dot",
    "op_dropout",
    "op_dropout_mask",
    "op_einsum",
    "op_elu",
    "op_equal",
    "op_erf",
    "op_exp",
    "op_expand_dims",
    "op_expm1",
    "op_exponential",
    "op_eye",
    "op_flip",
    "op_full",
    "op_gelu",
    "op_get_item",
    "op_greater",
    "op_greater_equal",
    "op_hard_sigmoid",
    "op_hinge",
    "op_huber",
    "op_kl_divergence",
    "op_layer_normalization",
    "op_leaky_relu",
    "op_less",
    "op_less_equal",
    "op_linear",
    "op_log",
    "op_log1p",
    "op_log_cosh",
    "op_log_softmax",
    "op_logsumexp",
    "op_matmul",
    "op_max",
    "op_maximum",
    "op_average_pool",
    "op_conv",
    "op_conv_transpose",
    "op_depthwise_conv",
    "op_max_pool",
    "op_separable_conv",
    "op_mean",
    "op_mean_absolute_error",
    "op_mean_absolute_percentage_error",
    "op_mean_squared_error",
    "op_mean_squared_logarithmic_error",
    "op_min",
    "op_minimum",
    "op_mish",
    "op_moments",
    "op_multiply",
    "op_negative",
    "op_norm",
    "op_normal",
    "op_not_equal",
    "op_one_hot",
    "op_ones",
    "op_ones_like",
    "op_pad",
    "op_poisson",
    "op_power",
    "op_prod",
    "op_relu",
    "op_relu6",
    "op_repeat",
    "op_reshape",
    "op_rsqrt",
    "op_selu",
    "op_shape",
    "op_sigmoid",
    "op_sign",
    "op_silu",
    "op_sin",
    "op_slice",
    "op_softmax",
    "op_softplus",
    "op_softsign",
    "op_sparse_categorical_crossentropy",
    "op_split",
    "op_sqrt",
    "op_square",
    "op_squared_hinge",
    "op_squeeze",
    "op_stack",
    "op_std",
    "op_stop_gradient",
    "op_subtract",
    "op_sum",
    "op_swish",
    "op_take",
    "op_take_along_axis",
    "op_tanh",
    "op_tensordot",
    "op_tile",
    "op_top_k",
    "op_transpose",
    "op_uniform",
    "op_var",
    "op_where",
    "op_zeros",
    "op_zeros_like",
]


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
layer_upsampling_3d = _pk.up_sampling_3d
keras_input = layer_input  # keras3's name

bidirectional = _pk.bidirectional  # R keras 2 exports these two without the layer_ prefix too
time_distributed = _pk.time_distributed



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
    "layer_upsampling_1d", "layer_upsampling_2d", "layer_upsampling_3d", "keras_input", "optimizer_adam_w",
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
    "k_clear_session", "config_floatx", "config_set_floatx", "config_epsilon", "array_reshape",
    "get_file", "bidirectional", "time_distributed",
    "named_list", "keras_array", "np_array", "callback_tensorboard", "tensorboard",
]

# ----- tfruns: a training script run over a grid of flags, the runs as Dask tasks (pipekeras.tuning) -----
from .tuning import flags, tuning_run  # noqa: E402

__all__ += ["flags", "tuning_run"]
# keras3's names of the recurrent cells (the same constructors as layer_*_cell)
rnn_cell_simple = _pk.simple_rnn_cell
rnn_cell_lstm = _pk.lstm_cell
rnn_cell_gru = _pk.gru_cell
rnn_cells_stack = _pk.stacked_rnn_cells
__all__ += ["rnn_cell_simple", "rnn_cell_lstm", "rnn_cell_gru", "rnn_cells_stack"]
