"""Compiling the seed models' kernels ahead of time: `python -m pipekeras compile`.

pipekeras's kernels are Numba functions cached on disk. With an empty cache the first `fit` of a model compiles
every kernel it runs, a few seconds per model. `compile_seed_models()` runs each seed model (the book's
examples and the benchmark's workloads) on a few batches of synthetic float32 data: a `fit` with a last
partial batch and validation data, `evaluate`, `predict` and a single-sample `predict_on_batch`, on one thread
and on every thread (where parallel loops and split products take over), so that later processes load the
machine code from the cache. The cache is Numba's: `NUMBA_CACHE_DIR` when set, else `__pycache__` beside
the package's sources (or the user's cache directory when those are read-only).
"""

import argparse
import time

import numba
import numpy as np

from .backend import set_seed
from .engine.input_layer import Input
from .layers import (LSTM, Add, Conv2D, Dense, Dropout, Embedding, Flatten, GlobalAveragePooling1D,
                     LayerNormalization, MaxPooling2D, MultiHeadAttention, TokenAndPositionEmbedding)
from .models.functional import Model
from .models.sequential import Sequential
from .runtime.threads import get_num_threads, set_num_threads


def _mlp(widths, head, loss, metrics):
    def build():
        model = Sequential([Dense(widths[1], "relu", input_shape=(widths[0],))]
                           + [Dense(units, "relu") for units in widths[2:]] + [head()])
        model.compile(optimizer="rmsprop", loss=loss, metrics=metrics)
        return model
    return build


def _convnet():
    model = Sequential([Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)), MaxPooling2D((2, 2)),
                        Conv2D(64, (3, 3), activation="relu"), MaxPooling2D((2, 2)),
                        Conv2D(64, (3, 3), activation="relu"), Flatten(), Dense(64, "relu"), Dense(10, "softmax")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _lstm():
    model = Sequential([Embedding(10_000, 32), LSTM(32), Dense(1, "sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def _transformer():
    inputs = Input(shape=(200,))
    h = TokenAndPositionEmbedding(200, 20_000, 32)(inputs)
    h = LayerNormalization(epsilon=1e-6)(Add()([h, Dropout(0.1)(MultiHeadAttention(num_heads=2, key_dim=32)(h, h))]))
    fed = Dropout(0.1)(Dense(32)(Dense(32, activation="relu")(h)))
    h = LayerNormalization(epsilon=1e-6)(Add()([h, fed]))
    h = Dropout(0.1)(Dense(20, activation="relu")(Dropout(0.1)(GlobalAveragePooling1D()(h))))
    model = Model(inputs, Dense(2, activation="softmax")(h))
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def _one_hot(rng, rows, classes):
    return np.eye(classes, dtype=np.float32)[rng.integers(0, classes, rows)]


def _multi_hot(rng, rows, sparse=False):
    x = np.zeros((rows, 10_000), np.float32)
    for row in x:
        row[rng.integers(0, 10_000, 120)] = 1.0
    if sparse:
        import scipy.sparse
        return scipy.sparse.csr_matrix(x)
    return x


# name -> (build the compiled model, make (x, y) of n rows, batch size): the models of examples/ and
# benchmarks/workloads.py, with their data's types (float32 inputs and targets, int32 token ids as
# `pad_sequences` gives them): each type is a compiled specialisation of its own.
SEED_MODELS = {
    "mnist_mlp": (_mlp((784, 512), lambda: Dense(10, "softmax"), "categorical_crossentropy", ["accuracy"]),
                  lambda rng, n: (rng.random((n, 784), np.float32), _one_hot(rng, n, 10)), 128),
    "imdb_mlp": (_mlp((10_000, 16, 16), lambda: Dense(1, "sigmoid"), "binary_crossentropy", ["accuracy"]),
                 lambda rng, n: (_multi_hot(rng, n), rng.integers(0, 2, (n, 1)).astype(np.float32)), 512),
    "imdb_mlp_sparse": (_mlp((10_000, 16, 16), lambda: Dense(1, "sigmoid"), "binary_crossentropy", ["accuracy"]),
                        lambda rng, n: (_multi_hot(rng, n, sparse=True),
                                        rng.integers(0, 2, (n, 1)).astype(np.float32)), 512),
    "boston_mlp_b1": (_mlp((13, 64, 64), lambda: Dense(1), "mse", ["mae"]),
                      lambda rng, n: (rng.random((n, 13), np.float32), rng.random((n, 1), np.float32)), 1),
    "boston_mlp_b16": (_mlp((13, 64, 64), lambda: Dense(1), "mse", ["mae"]),
                       lambda rng, n: (rng.random((n, 13), np.float32), rng.random((n, 1), np.float32)), 16),
    "mnist_convnet": (_convnet, lambda rng, n: (rng.random((n, 28, 28, 1), np.float32), _one_hot(rng, n, 10)), 64),
    "imdb_lstm": (_lstm, lambda rng, n: (rng.integers(1, 10_000, (n, 500), dtype=np.int32),
                                         rng.integers(0, 2, (n, 1)).astype(np.float32)), 128),
    "imdb_transformer": (_transformer, lambda rng, n: (rng.integers(1, 20_000, (n, 200), dtype=np.int32),
                                                       _one_hot(rng, n, 2)), 32),
}


def run_seed_model(name):
    """Builds the seed model `name` and runs it once through fit, evaluate, predict and a one-sample predict
    (after `set_seed(0)`, so the global seed is reset).

    Args:
        name: a key of `SEED_MODELS`.

    Returns:
        The seconds it took.

    Raises:
        ValueError: `name` is no seed model.
    """
    if name not in SEED_MODELS:
        raise ValueError(f"pipekeras compile: unknown seed model {name!r}; expected one of {', '.join(SEED_MODELS)}.")
    build, data, batch = SEED_MODELS[name]
    start = time.perf_counter()
    set_seed(0)
    rng = np.random.default_rng(0)
    x, y = data(rng, 2 * batch + 3)  # two full batches and a partial one, which may take the serial loops
    x_val, y_val = data(rng, 3)
    model = build()
    model.fit(x, y, epochs=1, batch_size=batch, validation_data=(x_val, y_val), verbose=0)
    model.evaluate(x, y, batch_size=batch, verbose=0)
    model.predict(x, verbose=0)
    model.predict(x, batch_size=x.shape[0], verbose=0)
    model.predict_on_batch(x[:1])
    return time.perf_counter() - start


def compile_seed_models(names=None, threads=None, report=None):
    """Fills Numba's disk cache with the kernels the seed models run, so their first `fit` does not compile.

    Args:
        names: seed model names (keys of `SEED_MODELS`); all by default.
        threads: thread counts to run each model at; by default 1 and Numba's thread count when above 1.
        report: called with (name, threads, seconds) after each run, or None.

    Returns:
        A list of (name, threads, seconds).

    Raises:
        ValueError: an unknown model name or a thread count that is not a positive integer.
    """
    names = list(SEED_MODELS) if names is None else list(names)
    for name in names:
        if name not in SEED_MODELS:
            raise ValueError(f"pipekeras compile: unknown seed model {name!r}; expected one of "
                             f"{', '.join(SEED_MODELS)}.")
    if threads is None:
        threads = sorted({1, numba.config.NUMBA_NUM_THREADS})
    for count in threads:
        if not isinstance(count, (int, np.integer)) or count < 1:
            raise ValueError(f"pipekeras compile: thread counts must be positive integers, received {count!r}.")
    previous, done = get_num_threads(), []
    try:
        for count in threads:
            set_num_threads(count)
            for name in names:
                done.append((name, count, run_seed_model(name)))
                if report is not None:
                    report(*done[-1])
    finally:
        set_num_threads(previous)
    return done


def main(argv=None):
    """The command line of `python -m pipekeras compile` (see `compile_seed_models`)."""
    parser = argparse.ArgumentParser(prog="python -m pipekeras compile",
                                     description="Compiles the seed models' kernels into Numba's disk cache.")
    parser.add_argument("--models", help=f"comma-separated, from: {', '.join(SEED_MODELS)} (default: all)")
    parser.add_argument("--threads", help="comma-separated thread counts (default: 1 and every thread)")
    args = parser.parse_args(argv)
    names = args.models.split(",") if args.models else None
    try:
        threads = [int(t) for t in args.threads.split(",")] if args.threads else None
    except ValueError:
        parser.error(f"--threads: expected comma-separated positive integers, received {args.threads!r}")
    start = time.perf_counter()
    try:
        compile_seed_models(names, threads, lambda name, count, seconds: print(
            f"{name:18s} {count} thread(s) {seconds:6.2f} s", flush=True))
    except ValueError as error:
        parser.error(str(error))
    print(f"compiled in {time.perf_counter() - start:.1f} s (cache: {numba.config.CACHE_DIR or 'beside the sources'})")
