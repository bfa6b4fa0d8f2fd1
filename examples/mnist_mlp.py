"""The book's first network: MNIST digits with a 784-512-10 dense model (Deep Learning with R, 2.1).

Run it with `make demo`. Set PIPEKERAS_QUICK=1 for a short run on a slice of the data.
"""

import os
import time

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(len(x_train), 28 * 28).astype("float32") / 255
x_test = x_test.reshape(len(x_test), 28 * 28).astype("float32") / 255
y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
if quick:
    x_train, y_train = x_train[:6000], y_train[:6000]

model = sequential() | dense(512, "relu", input_shape=28 * 28) | dense(10, "softmax")
model.summary()
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=1 if quick else 5, batch_size=128)
seconds = time.perf_counter() - start

scores = model | evaluate(x_test, y_test, verbose=0)
print(f"\nTraining took {seconds:.1f} s ({seconds / len(history.epoch):.1f} s per epoch).")
print(f"Test accuracy: {scores['accuracy']:.4f}  (test loss {scores['loss']:.4f})")
