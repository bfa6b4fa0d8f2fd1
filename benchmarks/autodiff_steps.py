"""Step times of what autodiff opens next to the built-in paths, on the MNIST MLP (real data, batch 128):

- a Dense written in ops (no backward) next to the built-in dense;
- a custom categorical cross-entropy written in ops next to the built-in loss (same built-in layers), and the
  built-in loss with one step per call (a batch callback), the way fit runs any custom loss.

Run: PYTHONPATH=. PIPEKERAS_DATASETS=/work/shared/datasets python benchmarks/autodiff_steps.py [--epochs 5]
Prints ms per step (median of per-epoch means) and the test accuracy after the epochs.
"""

import argparse
import time

import numpy as np

import pipekeras as pk
from pipekeras import ops


class OpsDense(pk.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation = units, activation

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "glorot_uniform")
        self.b = self.add_weight("b", (self.units,))

    def call(self, x):
        y = x @ self.w + self.b
        return self.activation(y) if self.activation else y


def crossentropy(y_true, y_pred):
    return -ops.sum(y_true * ops.log(ops.clip(y_pred, 1e-7, 1.0)), axis=-1)


def variants():
    return {
        "built-in dense": (lambda: pk.dense(512, "relu", input_shape=784), lambda: pk.dense(10, "softmax"),
                           "categorical_crossentropy"),
        "ops dense": (lambda: OpsDense(512, ops.relu, input_shape=784), lambda: OpsDense(10, ops.softmax),
                      "categorical_crossentropy"),
        "built-in dense, ops loss": (lambda: pk.dense(512, "relu", input_shape=784), lambda: pk.dense(10, "softmax"),
                                     crossentropy),
        "built-in, one step a call": (lambda: pk.dense(512, "relu", input_shape=784), lambda: pk.dense(10, "softmax"),
                                      "categorical_crossentropy"),
    }


def run(name, epochs, data):
    (x, y), (xt, yt) = data
    first, second, loss = variants()[name]
    pk.set_seed(0)
    model = pk.sequential() | first() | second()
    model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    times = []

    class Timer(pk.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append((time.perf_counter() - self.start) / -(-len(x) // 128) * 1000)

    class EveryBatch(pk.Callback):  # a batch hook: fit hands the runner one step per call, as with an ops loss
        def on_train_batch_end(self, batch, logs=None):
            pass

    every = [EveryBatch()] if name == "built-in, one step a call" else []
    model.fit(x, y, epochs=epochs, batch_size=128, verbose=0, callbacks=[Timer()] + every)
    accuracy = model.evaluate(xt, yt, verbose=0)["accuracy"]
    return float(np.median(times)), accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--only", default=None)
    args = parser.parse_args()
    (x, y), (xt, yt) = pk.datasets.mnist.load_data()
    x, xt = x.reshape(-1, 784).astype("float32") / 255, xt.reshape(-1, 784).astype("float32") / 255
    y, yt = pk.utils.to_categorical(y), pk.utils.to_categorical(yt)
    for name in variants():
        if args.only and args.only != name:
            continue
        ms, accuracy = run(name, args.epochs, ((x, y), (xt, yt)))
        print(f"{name:28s} {ms:7.2f} ms/step  test accuracy {accuracy:.4f}", flush=True)


if __name__ == "__main__":
    main()
