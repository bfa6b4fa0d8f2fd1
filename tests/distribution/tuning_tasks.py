"""Training functions the Dask tests run as tasks (a module, so the workers receive them by value)."""

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import boston_housing, mnist
from pipekeras.utils import to_categorical


def boston():
    """The book's Boston housing data, features normalized by the training set's mean and deviation."""
    (x, y), _ = boston_housing.load_data()
    x = ((x - x.mean(axis=0)) / x.std(axis=0)).astype("float32")
    return x, y.astype("float32")


def boston_fold(x_train, y_train, x_val, y_val):
    """The book's Boston model on one fold: its validation MAE after a few epochs."""
    model = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1)
    model | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model | fit(x_train, y_train, epochs=4, batch_size=16, verbose=0, validation_data=(x_val, y_val))
    return history, model | evaluate(x_val, y_val, verbose=0)


def mnist_mlp(flags):
    """The MNIST MLP with `flags["units"]` hidden units and learning rate `flags["lr"]`, on 1,000 digits."""
    (x, y), _ = mnist.load_data()
    x = x[:1000].reshape(-1, 784).astype("float32") / 255
    y = to_categorical(y[:1000], 10)
    if flags["units"] < 1:
        raise ValueError(f"units must be positive, received {flags['units']}")
    model = sequential() | dense(flags["units"], "relu", input_shape=784) | dense(10, "softmax")
    model | compile(optimizer=pk.optimizers.RMSprop(learning_rate=flags["lr"]), loss="categorical_crossentropy",
                    metrics=["accuracy"])
    return model | fit(x, y, epochs=1, batch_size=100, validation_split=0.2, verbose=0)


def linear(flags):
    """A tiny model on synthetic data, quick enough for the quick tests."""
    if flags["units"] < 1:
        raise ValueError(f"units must be positive, received {flags['units']}")
    data = np.random.default_rng(0)
    x = data.normal(size=(40, 3)).astype("float32")
    y = x @ np.array([[1.0], [2.0], [-1.0]], np.float32)
    model = sequential() | dense(flags["units"], input_shape=3) | dense(1)
    model | compile(optimizer=pk.optimizers.SGD(learning_rate=flags["lr"]), loss="mse")
    return model | fit(x, y, epochs=2, batch_size=10, verbose=0)
