"""pipekeras: R keras's pipe style in Python, on its own Numba engine.

    >>> import pipekeras as pk
    >>> model = pk.sequential() | pk.dense(512, "relu", input_shape=784) | pk.dense(10, "softmax")

Every public name is written out below, so `grep "dense ="` finds the constructor and editors see it;
`tests/models/test_public_names.py` keeps the list whole (one constructor per entry of `layers.CONSTRUCTORS`).
"""

import importlib

from . import (activations, backend, callbacks, constraints, datasets, errors, initializers, layers, losses, metrics,
               ops, optimizers, regularizers, saving, schedules, utils)
from . import distribution, tuning
from .autodiff import GradientTape, custom_gradient
from .backend import floatx, set_floatx, set_seed
from .callbacks import Callback, History
from .models.functional import Model
from .engine.input_layer import Input, layer_input
from .engine.layer import InputSpec, Layer, clear_session
from .models.plot import plot_model
from .models.sequential import Sequential, sequential
from .gradient_check import check_gradients
from .layers import (CONSTRUCTORS, Activation, Add, Average, AveragePooling1D, AveragePooling2D, AveragePooling3D,
                     BatchNormalization, Bidirectional, Concatenate, Conv1D, Conv2D, Conv2DTranspose, Conv3D,
                     Cropping1D, Cropping2D, Dense, DepthwiseConv2D, Dot, Dropout, Embedding, Flatten, GRU,
                     GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalMaxPooling1D,
                     GlobalMaxPooling2D, GlobalMaxPooling3D, LSTM, LayerNormalization, MaxPooling1D, MaxPooling2D,
                     Masking, MaxPooling3D, Maximum, Minimum, Multiply, Permute, RepeatVector, Reshape, SeparableConv2D,
                     SimpleRNN, SpatialDropout1D, SpatialDropout2D, Subtract, TimeDistributed, UpSampling1D,
                     TextVectorization, CategoryEncoding, Discretization, Hashing, IntegerLookup, Normalization,
                     StringLookup, CenterCrop, RandomContrast, RandomCrop, RandomFlip, RandomRotation,
                     RandomTranslation, RandomZoom, Rescaling, Resizing, UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from .layers import ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU
from .layers import (ActivityRegularization, AlphaDropout, Conv1DTranspose, Conv3DTranspose, Cropping3D, GaussianDropout,
                     GaussianNoise, GroupNormalization, Identity, SpatialDropout3D, UnitNormalization, UpSampling3D,
                     ZeroPadding3D)
from .layers import RNN, ConvLSTM2D, GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells
from .layers.lambda_layer import Lambda
from .layers.attention import AdditiveAttention, Attention, MultiHeadAttention, TokenAndPositionEmbedding
from .pipe import layer_constructor, verb
from .runtime.threads import set_num_threads
from .saving import (clone_model, load_model, load_weights, model_from_json, model_to_json, save_model,
                     save_weights, serialize_model, unserialize_model)

from .version import __version__

# ----- one pipe constructor per layer: `dense(64, "relu")`, `conv_2d(32, (3, 3))`, ...
dense = layer_constructor(Dense)
activation = layer_constructor(Activation)
dropout = layer_constructor(Dropout)
flatten = layer_constructor(Flatten)
reshape = layer_constructor(Reshape)
permute = layer_constructor(Permute)
repeat_vector = layer_constructor(RepeatVector)
add = layer_constructor(Add)
subtract = layer_constructor(Subtract)
multiply = layer_constructor(Multiply)
average = layer_constructor(Average)
maximum = layer_constructor(Maximum)
minimum = layer_constructor(Minimum)
concatenate = layer_constructor(Concatenate)
dot = layer_constructor(Dot)
conv_1d = layer_constructor(Conv1D, "conv_1d")
conv_2d = layer_constructor(Conv2D, "conv_2d")
conv_3d = layer_constructor(Conv3D, "conv_3d")
conv_2d_transpose = layer_constructor(Conv2DTranspose, "conv_2d_transpose")
depthwise_conv_2d = layer_constructor(DepthwiseConv2D, "depthwise_conv_2d")
separable_conv_2d = layer_constructor(SeparableConv2D, "separable_conv_2d")
max_pooling_1d = layer_constructor(MaxPooling1D, "max_pooling_1d")
max_pooling_2d = layer_constructor(MaxPooling2D, "max_pooling_2d")
max_pooling_3d = layer_constructor(MaxPooling3D, "max_pooling_3d")
average_pooling_1d = layer_constructor(AveragePooling1D, "average_pooling_1d")
average_pooling_2d = layer_constructor(AveragePooling2D, "average_pooling_2d")
average_pooling_3d = layer_constructor(AveragePooling3D, "average_pooling_3d")
global_max_pooling_1d = layer_constructor(GlobalMaxPooling1D, "global_max_pooling_1d")
global_max_pooling_2d = layer_constructor(GlobalMaxPooling2D, "global_max_pooling_2d")
global_max_pooling_3d = layer_constructor(GlobalMaxPooling3D, "global_max_pooling_3d")
global_average_pooling_1d = layer_constructor(GlobalAveragePooling1D, "global_average_pooling_1d")
global_average_pooling_2d = layer_constructor(GlobalAveragePooling2D, "global_average_pooling_2d")
global_average_pooling_3d = layer_constructor(GlobalAveragePooling3D, "global_average_pooling_3d")
embedding = layer_constructor(Embedding)
text_vectorization = layer_constructor(TextVectorization)
normalization = layer_constructor(Normalization)
discretization = layer_constructor(Discretization)
category_encoding = layer_constructor(CategoryEncoding)
string_lookup = layer_constructor(StringLookup)
integer_lookup = layer_constructor(IntegerLookup)
hashing = layer_constructor(Hashing)
rescaling = layer_constructor(Rescaling)
resizing = layer_constructor(Resizing)
center_crop = layer_constructor(CenterCrop)
random_flip = layer_constructor(RandomFlip)
random_rotation = layer_constructor(RandomRotation)
random_zoom = layer_constructor(RandomZoom)
random_translation = layer_constructor(RandomTranslation)
random_contrast = layer_constructor(RandomContrast)
random_crop = layer_constructor(RandomCrop)
masking = layer_constructor(Masking)
multi_head_attention = layer_constructor(MultiHeadAttention)
attention = layer_constructor(Attention)
additive_attention = layer_constructor(AdditiveAttention)
token_and_position_embedding = layer_constructor(TokenAndPositionEmbedding)
positional_embedding = token_and_position_embedding
simple_rnn = layer_constructor(SimpleRNN)
lstm = layer_constructor(LSTM)
gru = layer_constructor(GRU)
rnn = layer_constructor(RNN)
simple_rnn_cell = layer_constructor(SimpleRNNCell)
lstm_cell = layer_constructor(LSTMCell)
gru_cell = layer_constructor(GRUCell)
stacked_rnn_cells = layer_constructor(StackedRNNCells)
conv_lstm_2d = layer_constructor(ConvLSTM2D, "conv_lstm_2d")
batch_normalization = layer_constructor(BatchNormalization)
layer_normalization = layer_constructor(LayerNormalization)
up_sampling_1d = layer_constructor(UpSampling1D, "up_sampling_1d")
up_sampling_2d = layer_constructor(UpSampling2D, "up_sampling_2d")
zero_padding_1d = layer_constructor(ZeroPadding1D, "zero_padding_1d")
zero_padding_2d = layer_constructor(ZeroPadding2D, "zero_padding_2d")
cropping_1d = layer_constructor(Cropping1D, "cropping_1d")
cropping_2d = layer_constructor(Cropping2D, "cropping_2d")
spatial_dropout_1d = layer_constructor(SpatialDropout1D, "spatial_dropout_1d")
spatial_dropout_2d = layer_constructor(SpatialDropout2D, "spatial_dropout_2d")
bidirectional = layer_constructor(Bidirectional)
time_distributed = layer_constructor(TimeDistributed)
lambda_layer = layer_constructor(Lambda, "lambda_layer")
activation_relu = layer_constructor(ReLU, "activation_relu")
activation_leaky_relu = layer_constructor(LeakyReLU, "activation_leaky_relu")
activation_elu = layer_constructor(ELU, "activation_elu")
activation_parametric_relu = layer_constructor(PReLU, "activation_parametric_relu")
activation_softmax = layer_constructor(Softmax, "activation_softmax")
activation_thresholded_relu = layer_constructor(ThresholdedReLU, "activation_thresholded_relu")
conv_1d_transpose = layer_constructor(Conv1DTranspose, "conv_1d_transpose")
conv_3d_transpose = layer_constructor(Conv3DTranspose, "conv_3d_transpose")
up_sampling_3d = layer_constructor(UpSampling3D, "up_sampling_3d")
zero_padding_3d = layer_constructor(ZeroPadding3D, "zero_padding_3d")
cropping_3d = layer_constructor(Cropping3D, "cropping_3d")
spatial_dropout_3d = layer_constructor(SpatialDropout3D, "spatial_dropout_3d")
group_normalization = layer_constructor(GroupNormalization, "group_normalization")
unit_normalization = layer_constructor(UnitNormalization, "unit_normalization")
gaussian_noise = layer_constructor(GaussianNoise, "gaussian_noise")
gaussian_dropout = layer_constructor(GaussianDropout, "gaussian_dropout")
alpha_dropout = layer_constructor(AlphaDropout, "alpha_dropout")
activity_regularization = layer_constructor(ActivityRegularization, "activity_regularization")
identity = layer_constructor(Identity, "identity")

# ----- verbs: `model | fit(...)`, or R's form `fit(model, ...)`
compile = verb("compile", 'model | compile(optimizer="rmsprop", loss="categorical_crossentropy", '
                          'metrics=["accuracy"])')
fit = verb("fit", "history = model | fit(x_train, y_train, epochs=5, batch_size=128, validation_split=0.2)")
evaluate = verb("evaluate", "model | evaluate(x_test, y_test)   # {'loss': ..., 'accuracy': ...}")
predict = verb("predict", "probabilities = model | predict(x_test)")
predict_on_batch = verb("predict_on_batch", "model | predict_on_batch(x_test[:32])")
train_on_batch = verb("train_on_batch", "loss = model | train_on_batch(x_train[:32], y_train[:32])")
test_on_batch = verb("test_on_batch", "loss = model | test_on_batch(x_test[:32], y_test[:32])")
summary = verb("summary", "model | summary()")
plot = verb("plot", "history | plot(smooth=True)", applies_to=(History,))

__all__ = [
    "GradientTape", "Lambda", "custom_gradient", "lambda_layer", "ops",
    "applications",
    "AdditiveAttention", "Attention", "MultiHeadAttention", "TokenAndPositionEmbedding", "additive_attention",
    "attention", "multi_head_attention", "positional_embedding", "token_and_position_embedding",
    "Activation", "Add", "Average", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "BatchNormalization",
    "Bidirectional", "CONSTRUCTORS", "Callback", "Concatenate", "Conv1D", "Conv2D", "Conv2DTranspose", "Conv3D",
    "Cropping1D", "Cropping2D", "Dense", "DepthwiseConv2D", "Dot", "Dropout", "Embedding", "Flatten", "GRU",
    "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
    "GlobalMaxPooling2D", "GlobalMaxPooling3D", "History", "Input", "InputSpec", "LSTM", "Layer",
    "LayerNormalization", "Masking", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "Model", "Multiply",
    "Permute", "RepeatVector", "Reshape", "SeparableConv2D", "Sequential", "SimpleRNN", "SpatialDropout1D",
    "SpatialDropout2D", "Subtract", "TimeDistributed", "UpSampling1D", "UpSampling2D", "ZeroPadding1D",
    "ZeroPadding2D", "activation", "activations", "add", "average", "average_pooling_1d", "average_pooling_2d",
    "average_pooling_3d", "backend", "batch_normalization", "bidirectional", "callbacks", "check_gradients",
    "clear_session", "clone_model", "compile", "concatenate", "constraints", "conv_1d", "conv_2d",
    "conv_2d_transpose", "conv_3d", "cropping_1d", "cropping_2d", "datasets", "dense", "depthwise_conv_2d", "dot",
    "dropout", "embedding", "errors", "evaluate", "fit", "flatten", "floatx", "global_average_pooling_1d",
    "global_average_pooling_2d", "global_average_pooling_3d", "global_max_pooling_1d", "global_max_pooling_2d",
    "global_max_pooling_3d", "gru", "initializers", "layer_constructor", "layer_input", "layer_normalization",
    "layers", "load_model", "load_weights", "losses", "lstm", "masking", "max_pooling_1d", "max_pooling_2d", "max_pooling_3d",
    "maximum", "metrics", "minimum", "model_from_json", "model_to_json", "multiply", "optimizers", "permute", "plot",
    "plot_model", "predict", "predict_on_batch", "regularizers", "repeat_vector", "reshape", "save_model",
    "save_weights", "saving", "schedules", "separable_conv_2d", "sequential", "serialize_model", "set_floatx",
    "set_num_threads", "set_seed", "simple_rnn", "spatial_dropout_1d", "spatial_dropout_2d", "subtract", "summary",
    "test_on_batch", "time_distributed", "train_on_batch", "unserialize_model", "up_sampling_1d", "up_sampling_2d",
    "utils", "verb", "zero_padding_1d", "zero_padding_2d", "TextVectorization", "text_vectorization",
    "CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "Normalization", "StringLookup",
    "category_encoding", "discretization", "hashing", "integer_lookup", "normalization", "string_lookup",
    "CenterCrop", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "Rescaling", "Resizing",
    "rescaling", "resizing", "center_crop", "random_flip", "random_rotation", "random_zoom", "random_translation", "random_contrast", "random_crop",
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU", "activation_elu", "activation_leaky_relu",
    "activation_parametric_relu", "activation_relu", "activation_softmax", "activation_thresholded_relu",
    "ActivityRegularization", "AlphaDropout", "Conv1DTranspose", "Conv3DTranspose", "Cropping3D",
    "GaussianDropout", "GaussianNoise", "GroupNormalization", "Identity", "SpatialDropout3D",
    "UnitNormalization", "UpSampling3D", "ZeroPadding3D", "activity_regularization", "alpha_dropout",
    "conv_1d_transpose", "conv_3d_transpose", "cropping_3d", "gaussian_dropout", "gaussian_noise",
    "group_normalization", "identity", "spatial_dropout_3d", "unit_normalization", "up_sampling_3d",
    "zero_padding_3d",
    "distribution", "tuning",
    "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
    "rnn", "simple_rnn_cell", "lstm_cell", "gru_cell", "stacked_rnn_cells", "ConvLSTM2D", "conv_lstm_2d",
]


def __getattr__(name):
    """Imports `pk.applications` on first use: its network builders are a fifth of the import time and most
    sessions never build one."""
    if name == "applications":
        module = importlib.import_module(".applications", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    """The module's names, `applications` included before its first use."""
    return sorted({*globals(), "applications"})
