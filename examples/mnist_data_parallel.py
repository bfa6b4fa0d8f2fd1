"""The MNIST MLP trained data-parallel: `mpiexec -n 2 python examples/mnist_data_parallel.py` (or alone).

Needs `pip install 'pipekeras[mpi]'`. Every rank runs this script; each takes its half of every global batch of
128, and one allreduce per step sums the gradients, so the weights are those of one process on the same
batches. Set PIPEKERAS_QUICK=1 for a short run on a slice of the data. See docs/distributed.md.
"""

import os
import time

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
strategy = pk.distribution.DataParallel()
pk.distribution.set_distribution(strategy)
pk.set_seed(0)

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(len(x_train), 28 * 28).astype("float32") / 255
x_test = x_test.reshape(len(x_test), 28 * 28).astype("float32") / 255
y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
if quick:
    x_train, y_train = x_train[:6000], y_train[:6000]

model = sequential() | dense(512, "relu", input_shape=28 * 28) | dense(10, "softmax")
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=1 if quick else 5, batch_size=128)
seconds = time.perf_counter() - start
scores = model | evaluate(x_test, y_test, verbose=0)  # each rank infers its shard of each batch
pk.save_model(model, "mnist_data_parallel.pkeras")  # rank 0 writes
if strategy.rank == 0:
    share = strategy.timings.allreduce / max(strategy.timings.step, 1e-9)
    print(f"\n{strategy.size} rank(s): {seconds:.1f} s, {len(x_train) * len(history.epoch) / seconds:,.0f} samples/s, "
          f"{share:.0%} of step time in the gradient allreduce")
    print(f"Test accuracy: {scores['accuracy']:.4f}  (test loss {scores['loss']:.4f})")
