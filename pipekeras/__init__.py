"""pipekeras: R keras's pipe style in Python, on its own Numba engine.

    >>> import pipekeras as pk
    >>> model = pk.sequential() | pk.dense(512, "relu", input_shape=784) | pk.dense(10, "softmax")
"""

from . import activations, backend, callbacks, constraints, errors, initializers, layers, regularizers
from .backend import floatx, set_floatx, set_num_threads, set_seed
from .callbacks import Callback, History
from .engine.functional import Model
from .engine.input_layer import Input, layer_input
from .engine.layer import InputSpec, Layer, clear_session
from .engine.sequential import Sequential, sequential
from .gradient_check import check_gradients
from .layers import (Activation, Add, Average, Concatenate, Dense, Dot, Dropout, Flatten, Maximum, Minimum,
                     Multiply, Permute, RepeatVector, Reshape, Subtract)
from .pipe import layer_constructor, verb

__version__ = "0.1.0"

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

compile = verb("compile", "Pipe step: `model | compile(optimizer=..., loss=..., metrics=[...])`.")
fit = verb("fit", "Pipe step: `history = model | fit(x, y, epochs=5, batch_size=128)`.")
evaluate = verb("evaluate", "Pipe step: `model | evaluate(x_test, y_test)` returns a dict of loss and metrics.")
predict = verb("predict", "Pipe step: `model | predict(x)` returns the model's outputs.")
predict_on_batch = verb("predict_on_batch", "Pipe step: outputs for one batch.")
train_on_batch = verb("train_on_batch", "Pipe step: one optimizer step on one batch.")
test_on_batch = verb("test_on_batch", "Pipe step: loss and metrics on one batch.")
summary = verb("summary", "Pipe step: `model | summary()` prints the layer table.")
plot = verb("plot", "Pipe step: `history | plot()` draws loss and metrics per epoch (matplotlib).",
            applies_to=(History,))
