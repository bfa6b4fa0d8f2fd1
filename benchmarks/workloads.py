"""Workload definitions and synthetic data for the benchmark (no dataset files needed).

Every framework builds the same architecture on the same data (same seed, same shapes, float32),
trains with RMSprop (learning rate 1e-3, rho 0.9, epsilon 1e-7: the Keras defaults, set explicitly
in PyTorch) and the same batch size.
"""

import numpy as np

# Keras-default RMSprop, written out so PyTorch (whose defaults differ) gets the same optimizer.
RMSPROP = dict(learning_rate=1e-3, rho=0.9, epsilon=1e-7)

# name -> spec. `n` / `n_quick`: training samples; `epochs` / `epochs_quick`: steady-state epochs timed
# after the first (warm-up) epoch; `n_predict*`: samples for the inference measurement.
WORKLOADS = {
    "mnist_mlp": dict(
        kind="mlp", input_shape=(784,), hidden=(512,), out=10, loss="categorical_crossentropy",
        batch=128, n=60_000, n_quick=6_000, epochs=3, epochs_quick=3,
        n_predict=60_000, n_predict_quick=6_000, predict_batch=1024,
        model="784 -> dense 512 relu -> dense 10 softmax"),
    "imdb_mlp": dict(
        kind="mlp", input_shape=(10_000,), hidden=(16, 16), out=1, loss="binary_crossentropy",
        batch=512, n=25_000, n_quick=2_500, epochs=3, epochs_quick=3,
        n_predict=25_000, n_predict_quick=2_500, predict_batch=1024,
        model="10,000 multi-hot -> dense 16 relu -> dense 16 relu -> dense 1 sigmoid"),
    # imdb_mlp with the reviews kept sparse (a SciPy CSR matrix of the same rows): pipekeras only, compared with
    # the peers' dense imdb_mlp (the Targets table of run.py).
    "imdb_mlp_sparse": dict(
        kind="mlp", input_shape=(10_000,), hidden=(16, 16), out=1, loss="binary_crossentropy", sparse=True,
        batch=512, n=25_000, n_quick=2_500, epochs=3, epochs_quick=3,
        n_predict=25_000, n_predict_quick=2_500, predict_batch=1024,
        model="imdb_mlp on a SciPy CSR matrix (pipekeras: a first Dense layer summing kernel rows)"),
    "boston_mlp_b1": dict(
        kind="mlp", input_shape=(13,), hidden=(64, 64), out=0, loss="mse",
        batch=1, n=404, n_quick=404, epochs=10, epochs_quick=4,
        n_predict=404, n_predict_quick=404, predict_batch=404,
        model="13 -> dense 64 relu -> dense 64 relu -> dense 1 (mse), batch 1"),
    "boston_mlp_b16": dict(
        kind="mlp", input_shape=(13,), hidden=(64, 64), out=0, loss="mse",
        batch=16, n=404, n_quick=404, epochs=30, epochs_quick=10,
        n_predict=404, n_predict_quick=404, predict_batch=404,
        model="13 -> dense 64 relu -> dense 64 relu -> dense 1 (mse), batch 16"),
    "mnist_convnet": dict(
        kind="convnet", input_shape=(28, 28, 1), out=10, loss="categorical_crossentropy",
        batch=64, n=60_000, n_quick=1_024, epochs=2, epochs_quick=3,
        n_predict=10_000, n_predict_quick=1_024, predict_batch=1024,
        model="conv 32 3x3 relu -> maxpool 2 -> conv 64 3x3 relu -> maxpool 2 -> conv 64 3x3 relu "
              "-> flatten -> dense 64 relu -> dense 10 softmax (93,322 parameters)"),
    "imdb_lstm": dict(
        kind="lstm", input_shape=(500,), vocab=10_000, embed=32, units=32, out=1,
        loss="binary_crossentropy",
        batch=128, n=25_000, n_quick=512, epochs=2, epochs_quick=3,
        n_predict=5_000, n_predict_quick=512, predict_batch=1024,
        model="embedding 10,000x32 -> lstm 32 -> dense 1 sigmoid, sequences of length 500"),
    # examples/imdb_transformer.py's model (Keras's "Text classification with Transformer"), dropout included
    "imdb_transformer": dict(
        kind="transformer", input_shape=(200,), vocab=20_000, embed=32, heads=2, ff=32, dense=20, dropout=0.1,
        out=2, loss="categorical_crossentropy",
        batch=32, n=25_000, n_quick=512, epochs=2, epochs_quick=3,
        n_predict=5_000, n_predict_quick=512, predict_batch=1024,
        model="token+position embedding 20,000x32 (length 200) -> self-attention 2 heads x key_dim 32 -> dropout "
              "0.1, add, layer norm -> dense 32 relu -> dense 32 -> dropout 0.1, add, layer norm -> global average "
              "pooling -> dropout 0.1 -> dense 20 relu -> dropout 0.1 -> dense 2 softmax (657,758 parameters)"),
}


def sizes(spec, quick):
    """(training samples, steady epochs, inference samples) for the mode."""
    if quick:
        return spec["n_quick"], spec["epochs_quick"], spec["n_predict_quick"]
    return spec["n"], spec["epochs"], spec["n_predict"]


def make_data(name, quick, seed=0):
    """Synthetic inputs and targets of the workload's shapes (float32; int32 token ids for the LSTM and the
    transformer).

    Targets: one-hot float32 for softmax outputs, 0/1 float32 of shape (n, 1) for sigmoid outputs,
    float32 (n, 1) for regression.
    """
    spec = WORKLOADS[name]
    n, _, _ = sizes(spec, quick)
    rng = np.random.default_rng(seed)
    if spec["kind"] in ("lstm", "transformer"):
        x = rng.integers(1, spec["vocab"], size=(n,) + spec["input_shape"], dtype=np.int32)
    elif name in ("imdb_mlp", "imdb_mlp_sparse"):
        # multi-hot: ~120 distinct words per review out of 10,000 (density does not change dense matmul cost)
        x = np.zeros((n, spec["input_shape"][0]), dtype=np.float32)
        idx = rng.integers(0, spec["input_shape"][0], size=(n, 120))
        x[np.arange(n)[:, None], idx] = 1.0
    else:
        x = rng.random((n,) + spec["input_shape"], dtype=np.float32)
    if spec["loss"] == "categorical_crossentropy":
        labels = rng.integers(0, spec["out"], size=n)
        y = np.zeros((n, spec["out"]), dtype=np.float32)
        y[np.arange(n), labels] = 1.0
    elif spec["loss"] == "binary_crossentropy":
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float32)
    else:
        y = rng.normal(22.5, 9.0, size=(n, 1)).astype(np.float32)
    return x, y
