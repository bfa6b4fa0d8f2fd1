"""The book's IMDB classifier (3.4) on sparse multi-hot rows: the 16-16-1 dense model of imdb_mlp.py, its
first layer summing the kernel rows of each review's ~120 word ids instead of multiplying 10,000 floats.

`multi_hot(..., sparse=True)` gives a SciPy CSR matrix; fit, evaluate and predict also take the lists of ids
as `imdb.load_data` gives them. Set PIPEKERAS_QUICK=1 for a short run on a slice of the data.
"""

import os
import time

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import imdb
from pipekeras.utils import multi_hot

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)

(train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000)
x_train, x_test = multi_hot(train_data, 10000, sparse=True), multi_hot(test_data, 10000, sparse=True)
y_train, y_test = train_labels.astype("float32"), test_labels.astype("float32")
if quick:
    x_train, y_train = x_train[:5000], y_train[:5000]

model = sequential() | dense(16, "relu", input_shape=10000) | dense(16, "relu") | dense(1, "sigmoid")
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])

start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=4, batch_size=512)
seconds = time.perf_counter() - start

scores = model | evaluate(x_test, y_test, verbose=0)
print(f"\nTraining took {seconds:.1f} s. Test accuracy: {scores['accuracy']:.4f} (loss {scores['loss']:.4f})")
