"""The book's MNIST convnet (Deep Learning with R, 5.1): 93,322 parameters, 5 epochs, batch 64, rmsprop.

Set PIPEKERAS_QUICK=1 for a short run on a slice of the data.
"""

import os
import time

import pipekeras as pk
from pipekeras import compile, conv_2d, dense, evaluate, fit, flatten, max_pooling_2d, sequential
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255
y_train, y_test = to_categorical(y_train, 10), to_categorical(y_test, 10)
if quick:
    x_train, y_train = x_train[:3000], y_train[:3000]

model = (sequential()
         | conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1))
         | max_pooling_2d((2, 2))
         | conv_2d(64, (3, 3), activation="relu")
         | max_pooling_2d((2, 2))
         | conv_2d(64, (3, 3), activation="relu")
         | flatten()
         | dense(64, "relu")
         | dense(10, "softmax"))
model.summary()
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=1 if quick else 5, batch_size=64, verbose=2)
seconds = time.perf_counter() - start

scores = model | evaluate(x_test, y_test, verbose=0)
print(f"\nTraining took {seconds:.1f} s ({seconds / len(history.epoch):.1f} s per epoch).")
print(f"Test accuracy: {scores['accuracy']:.4f}  (test loss {scores['loss']:.4f})")
