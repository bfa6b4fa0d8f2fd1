"""Trains the MNIST MLP or the book's convnet on a slice of MNIST, alone or under mpiexec with DataParallel.

python train_mnist.py {mlp,convnet} {single,parallel} OUT [samples] [epochs] [kill_rank]
Writes OUT.rank<r>.npz: the weights, the test accuracy and loss, the history, and the rank's timings.
With kill_rank, that rank kills itself (SIGKILL) or stops (SIGSTOP, for a negative number) at step 3.
"""

import os
import signal
import sys
import time

import numpy as np

import pipekeras as pk
from pipekeras import compile, conv_2d, dense, evaluate, fit, flatten, max_pooling_2d, sequential
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

kind, mode, out = sys.argv[1:4]
samples = int(sys.argv[4]) if len(sys.argv) > 4 else 2048
epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
kill_rank = int(sys.argv[6]) if len(sys.argv) > 6 else None
pk.set_seed(0)
strategy = None
if mode == "parallel":
    strategy = pk.distribution.DataParallel(timeout=float(os.environ.get("PK_TIMEOUT", "45")))
    pk.distribution.set_distribution(strategy)
rank = strategy.rank if strategy else 0

(x_train, y_train), (x_test, y_test) = mnist.load_data()
shape = (28 * 28,) if kind == "mlp" else (28, 28, 1)
x_train = x_train[:samples].reshape((-1,) + shape).astype("float32") / 255
x_test = x_test[:1000].reshape((-1,) + shape).astype("float32") / 255
y_train, y_test = to_categorical(y_train[:samples], 10), to_categorical(y_test[:1000], 10)

if kind == "mlp":
    model = sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax")
    batch_size = 128
else:
    model = (sequential() | conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1)) | max_pooling_2d((2, 2))
             | conv_2d(64, (3, 3), activation="relu") | max_pooling_2d((2, 2)) | conv_2d(64, (3, 3), activation="relu")
             | flatten() | dense(64, "relu") | dense(10, "softmax"))
    batch_size = 64
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

callbacks = []
if kill_rank is not None and rank == abs(kill_rank):
    class Die(pk.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 3:
                print(f"rank {rank} pid {os.getpid()} stops itself now", flush=True)
                os.kill(os.getpid(), signal.SIGSTOP if kill_rank < 0 else signal.SIGKILL)
    callbacks.append(Die())
print(f"rank {rank} pid {os.getpid()} starts", flush=True)
start = time.perf_counter()
history = model | fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=callbacks)
seconds = time.perf_counter() - start
scores = model | evaluate(x_test, y_test, verbose=0)
timings = strategy.timings if strategy else None
np.savez(f"{out}.rank{rank}.npz", *model.get_weights(), accuracy=scores["accuracy"], test_loss=scores["loss"],
         loss=np.array(history.history["loss"]), seconds=seconds, samples=samples * epochs,
         step=timings.step if timings else 0.0, allreduce=timings.allreduce if timings else 0.0,
         steps=timings.steps if timings else 0, values=timings.values if timings else 0)
print(f"rank {rank}: accuracy {scores['accuracy']:.4f} in {seconds:.2f} s", flush=True)
