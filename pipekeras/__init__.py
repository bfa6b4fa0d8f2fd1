"""pipekeras: R keras's pipe style in Python, on its own Numba engine.

    >>> import pipekeras as pk
    >>> model = pk.sequential() | pk.dense(512, "relu", input_shape=784) | pk.dense(10, "softmax")
"""

from . import (activations, backend, callbacks, constraints, datasets, errors, initializers, layers, losses, metrics,
               optimizers, regularizers, schedules, utils)
from .backend import floatx, set_floatx, set_seed
from .callbacks import Callback, History
from .engine.functional import Model
from .engine.input_layer import Input, layer_input
from .engine.layer import InputSpec, Layer, clear_session
from .engine.sequential import Sequential, sequential
from .gradient_check import check_gradients
from .layers import *  # noqa: F401,F403  (the layer classes)
from .layers import CONSTRUCTORS
from .pipe import layer_constructor, verb
from .runtime.threads import set_num_threads
from .saving import (clone_model, load_model, load_weights, model_from_json, model_to_json, save_model,
                     save_weights, serialize_model, unserialize_model)
from .utils.model_plot import plot_model

__version__ = "0.1.0"

# One pipe constructor per layer: `dense(64, "relu")`, `conv_2d(32, (3, 3))`, ...
globals().update({name: layer_constructor(cls, name) for name, cls in CONSTRUCTORS.items()})

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
