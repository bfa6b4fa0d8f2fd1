"""Training throughput from a data source against in-memory arrays: the MNIST MLP (784-512-10, rmsprop,
batch 128), one epoch of 60,000 samples, fed as arrays, as a `pk.utils.Sequence` read by `workers` threads,
and as a generator. Run: `python benchmarks/sources.py [epochs]`; prints samples per second of each (best of two
interleaved rounds)."""

import sys
import time

import numpy as np

import pipekeras as pk


class MnistBatches(pk.utils.Sequence):
    def __init__(self, x, y, batch_size, **options):
        super().__init__(**options)
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, index):
        part = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.x[part], self.y[part]


def _model():
    pk.set_seed(0)
    model = pk.sequential() | pk.dense(512, "relu", input_shape=784) | pk.dense(10, "softmax")
    return model | pk.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])


def _rate(fit, epochs):
    model = _model()
    fit(model, 1)  # compiles the kernels, warms the caches
    start = time.perf_counter()
    fit(model, epochs)
    return 60000 * epochs / (time.perf_counter() - start)


def main(epochs=2):
    (x, y), _ = pk.datasets.mnist.load_data()
    x = x.reshape(-1, 784).astype("float32") / 255
    y = pk.utils.to_categorical(y, 10).astype("float32")

    def generator():
        while True:
            for i in range(0, 60000, 128):
                yield x[i:i + 128], y[i:i + 128]

    runs = {
        "arrays": lambda m, e: m.fit(x, y, batch_size=128, epochs=e, verbose=0),
        "sequence, workers=2": lambda m, e: m.fit(MnistBatches(x, y, 128, workers=2), epochs=e, verbose=0),
        "sequence, workers=1": lambda m, e: m.fit(MnistBatches(x, y, 128), epochs=e, verbose=0),
        "generator": lambda m, e: m.fit(generator(), steps_per_epoch=469, epochs=e, verbose=0),
    }
    rates = {name: 0.0 for name in runs}
    for _ in range(2):  # interleaved, best of two: the machine is shared
        for name, run in runs.items():
            rates[name] = max(rates[name], _rate(run, epochs))
    for name, rate in rates.items():
        print(f"{name:22s} {rate:9.0f} samples/s  {rate / rates['arrays']:6.1%} of arrays")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
