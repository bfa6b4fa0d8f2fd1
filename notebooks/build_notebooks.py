"""Builds (and optionally executes) the lesson notebooks from the cells written below.

    python notebooks/build_notebooks.py                 # write all the .ipynb files, without outputs
    python notebooks/build_notebooks.py --execute 01 06  # build and run those (EXECUTED_MODE's mode), write them
    python notebooks/build_notebooks.py --execute all --quick

Each notebook reads the environment variable PIPEKERAS_QUICK: "1" shrinks the data and the epochs so the
whole notebook runs in seconds (the tests use it); unset, the notebook runs the full lesson. The committed
outputs were produced in the mode listed in EXECUTED_MODE, which the first cell of each notebook states.
Needs nbformat (and nbclient + ipykernel to execute): `pip install -e .[dev]`.
"""

import argparse
import os
import sys
import time

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = os.path.dirname(os.path.abspath(__file__))

# Mode of the committed outputs ("full" or "quick"), per notebook.
EXECUTED_MODE = {
    "01_mnist_dense": "full",
    "02_imdb_dense": "full",
    "03_boston_kfold": "full",
    "04_mnist_convnet": "full",
    "05_imdb_lstm": "full",
    "06_functional_api": "full",
    "07_layer_tour": "full",
    "08_vae": "quick",
    "09_gan": "quick",
    "10_book_4_4_overfitting": "full",
    "11_book_6_1_word_embeddings": "full",
    "12_book_6_2_rnn": "quick",
    "13_imdb_raw_text": "quick",
    "14_mnist_image_folder": "quick",
    "15_timeseries_windows": "quick",
    "16_book_6_1_tokenizer": "quick",
    "17_imdb_transformer": "quick",
}

# Names each notebook needs from pipekeras (tests skip a notebook until its layers are exported).
REQUIRES = {
    "04_mnist_convnet": ["conv_2d", "max_pooling_2d"],
    "05_imdb_lstm": ["embedding", "lstm"],
    "07_layer_tour": ["lstm"],
}

SETUP = '''\
%matplotlib inline
import os
import platform
import time

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, plot, predict, sequential, summary

QUICK = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(42)


def machine():
    """This machine's CPU, cores and load: every time printed below is this machine's, at that load."""
    info = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            info = cpuinfo.read()
    names = [line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")]
    cpu = names[0] if names else platform.processor() or platform.machine()
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpu}{' with AVX-512' if 'avx512f' in info else ''}, {os.cpu_count()} cores{load}"


print("quick mode (PIPEKERAS_QUICK=1): small data, few epochs" if QUICK else "full lesson", "on", machine())'''


def _mode_note(name, mode=None):
    mode = mode or EXECUTED_MODE[name]
    if mode == "full":
        return ("*The outputs below come from a full run (PIPEKERAS_QUICK unset); the first cell's output names the "
                "machine, and times are that machine's. "
                "Set `PIPEKERAS_QUICK=1` to run a shrunken version in seconds.*")
    return ("*The outputs below come from a quick run (`PIPEKERAS_QUICK=1`: a slice of the data, few "
            "epochs), so the accuracy shown is far from the lesson's, and the times are that quick run's on the "
            "machine the first cell names, not the lesson's speed; unset the variable for the full lesson.*")


def md(text):
    return new_markdown_cell(text.strip("\n"))


def code(text):
    return new_code_cell(text.strip("\n"))


# ------------------------------------------------------------------------------------------------- lessons

def mnist_dense():
    return [
        md('''
# 1. Classifying MNIST digits with a dense network

The first example of *Deep Learning with R* (Chollet and Allaire), in pipekeras. In R:

```r
model <- keras_model_sequential() %>%
  layer_dense(units = 512, activation = "relu", input_shape = c(28*28)) %>%
  layer_dense(units = 10, activation = "softmax")
```

In Python the pipe `%>%` is `|`, and `c(28*28)` is just `784`.'''),
        code(SETUP),
        md('''
## The data

60,000 training and 10,000 test images of 28x28 grey pixels, with their digit (0-9). The network takes
vectors, so each image is flattened to 784 values scaled to [0, 1]; labels become one-hot vectors.'''),
        code('''
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
print(train_images.shape, train_images.dtype, train_labels[:10])

n_train = 5000 if QUICK else len(train_images)
x_train = train_images[:n_train].reshape(n_train, 28 * 28).astype("float32") / 255
x_test = test_images.reshape(len(test_images), 28 * 28).astype("float32") / 255
y_train = to_categorical(train_labels[:n_train])
y_test = to_categorical(test_labels)
x_train.shape, y_train.shape'''),
        md('''
## The network

Two dense layers: 512 ReLU units, then a 10-way softmax giving a probability per digit. Piping a layer
into a `sequential()` model appends it in place, as R keras does.'''),
        code('''
model = sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax")
model | summary()'''),
        code('''
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

epochs = 1 if QUICK else 5
start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")'''),
        md('`fit` returns a History; `history | plot()` (R\'s `plot(history)`) draws loss and accuracy per epoch.'),
        code('''
history | plot();'''),
        md('## Testing'),
        code('''
scores = model | evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {scores['accuracy']:.4f}  (the book: about 0.98)")'''),
        code('''
probabilities = model | predict(x_test[:5], verbose=0)
print("predicted:", probabilities.argmax(axis=1), " true:", test_labels[:5])'''),
    ]


def imdb_dense():
    return [
        md('''
# 2. Classifying movie reviews (IMDB) with a dense network

Binary classification: is a review positive or negative? The R version:

```r
model <- keras_model_sequential() %>%
  layer_dense(units = 16, activation = "relu", input_shape = c(10000)) %>%
  layer_dense(units = 16, activation = "relu") %>%
  layer_dense(units = 1, activation = "sigmoid")
```'''),
        code(SETUP),
        md('''
## The data

25,000 training and 25,000 test reviews, each a list of word ids (a word's id is its frequency rank). We
keep the 10,000 most frequent words and encode each review as a multi-hot vector of 10,000 zeros and ones.'''),
        code('''
from pipekeras.datasets import imdb
from pipekeras.utils import multi_hot

(train_data, train_labels), (test_data, test_labels) = imdb.load_data(num_words=10000)
word_index = imdb.get_word_index()
reverse = {rank + 3: word for word, rank in word_index.items()}
print(" ".join(reverse.get(i, "?") for i in train_data[0][:30]), "...")
print("label:", train_labels[0])'''),
        code('''
n_train = 4000 if QUICK else len(train_data)
n_test = 4000 if QUICK else len(test_data)
x_train = multi_hot(train_data[:n_train], 10000)
x_test = multi_hot(test_data[:n_test], 10000)
y_train = train_labels[:n_train].astype("float32")
y_test = test_labels[:n_test].astype("float32")
x_train.shape'''),
        code('''
model = sequential() | dense(16, "relu", input_shape=10000) | dense(16, "relu") | dense(1, "sigmoid")
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model | summary()'''),
        md('''
## Watching it overfit

Hold out 10,000 training reviews (a quarter in quick mode) for validation and train for 20 epochs: the
training loss keeps falling, while the validation loss turns up after a few epochs.'''),
        code('''
n_val = n_train // 4 if QUICK else 10000
x_val, partial_x_train = x_train[:n_val], x_train[n_val:]
y_val, partial_y_train = y_train[:n_val], y_train[n_val:]

start = time.perf_counter()
history = model | fit(partial_x_train, partial_y_train, epochs=3 if QUICK else 20, batch_size=512,
                      validation_data=(x_val, y_val), verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")'''),
        code('history | plot();'),
        md('''
## Retraining for 4 epochs

A fresh model trained on all the training data for 4 epochs, about where validation loss was lowest.'''),
        code('''
model = sequential() | dense(16, "relu", input_shape=10000) | dense(16, "relu") | dense(1, "sigmoid")
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
model | fit(x_train, y_train, epochs=2 if QUICK else 4, batch_size=512, verbose=0)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
scores = model | evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {scores['accuracy']:.4f}  (the book: about 0.88)")'''),
        code('''
(model | predict(x_test[:5], verbose=0)).ravel().round(3), y_test[:5]'''),
    ]


def boston_kfold():
    return [
        md('''
# 3. Predicting house prices (Boston housing) with K-fold validation

Regression of the median home value (in thousands of dollars) from 13 features. The R model:

```r
model <- keras_model_sequential() %>%
    layer_dense(units = 64, activation = "relu", input_shape = c(13)) %>%
    layer_dense(units = 64, activation = "relu") %>%
    layer_dense(units = 1)
```

With only 404 training rows, a single validation split is noisy, so we use 4-fold cross-validation.'''),
        code(SETUP),
        code('''
from pipekeras.datasets import boston_housing

(train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()
print(train_data.shape, test_data.shape, train_targets[:5])

# Normalize each feature with the training data's mean and standard deviation (never the test data's).
mean, std = train_data.mean(axis=0), train_data.std(axis=0)
train_data = (train_data - mean) / std
test_data = (test_data - mean) / std'''),
        code('''
def build_model():
    model = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1)
    model | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model

build_model() | summary()'''),
        md('''
## K-fold validation

Split the training rows into 4 folds; train on 3, validate on the fourth, and record the validation mean
absolute error (MAE) of every epoch.'''),
        code('''
k = 4
num_epochs = 3 if QUICK else 100
fold_size = len(train_data) // k
all_mae_histories, final_maes = [], []
start = time.perf_counter()
for i in range(k):
    held = slice(i * fold_size, (i + 1) * fold_size)
    keep = np.ones(len(train_data), dtype=bool)
    keep[held] = False
    model = build_model()
    history = model | fit(train_data[keep], train_targets[keep], epochs=num_epochs, batch_size=16,
                          validation_data=(train_data[held], train_targets[held]), verbose=0)
    all_mae_histories.append(history.history["val_mae"])
    final_maes.append(history.history["val_mae"][-1])
    print(f"fold {i}: validation MAE {final_maes[-1]:.2f}")
print(f"mean validation MAE {np.mean(final_maes):.2f}  ({time.perf_counter() - start:.1f} s on {machine()})")'''),
        code('''
import matplotlib.pyplot as plt

average_mae = np.mean(all_mae_histories, axis=0)
# Smooth the curve (exponential moving average) and drop the first 10 epochs, as the book does.
smoothed, previous = [], None
for value in average_mae:
    previous = value if previous is None else 0.9 * previous + 0.1 * value
    smoothed.append(previous)
skip = 0 if QUICK else 10
plt.plot(range(skip + 1, num_epochs + 1), smoothed[skip:])
plt.xlabel("epoch")
plt.ylabel("validation MAE (smoothed)")
plt.show()
print("best epoch:", int(np.argmin(average_mae)) + 1)'''),
        md('## The final model, trained on all the training data'),
        code('''
model = build_model()
model | fit(train_data, train_targets, epochs=3 if QUICK else 80, batch_size=16, verbose=0)
scores = model | evaluate(test_data, test_targets, verbose=0)
print(f"test MAE: {scores['mae']:.2f} (thousands of dollars; the book: about 2.5)")'''),
    ]


def mnist_convnet():
    return [
        md('''
# 4. MNIST with a convolutional network

Convolutions learn local patterns that are found again anywhere in the image. The R model:

```r
model <- keras_model_sequential() %>%
  layer_conv_2d(filters = 32, kernel_size = c(3, 3), activation = "relu", input_shape = c(28, 28, 1)) %>%
  layer_max_pooling_2d(pool_size = c(2, 2)) %>%
  layer_conv_2d(filters = 64, kernel_size = c(3, 3), activation = "relu") %>%
  layer_max_pooling_2d(pool_size = c(2, 2)) %>%
  layer_conv_2d(filters = 64, kernel_size = c(3, 3), activation = "relu") %>%
  layer_flatten() %>%
  layer_dense(units = 64, activation = "relu") %>%
  layer_dense(units = 10, activation = "softmax")
```'''),
        code(SETUP),
        code('''
from pipekeras import conv_2d, flatten, max_pooling_2d

model = sequential() | \\
    conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1)) | \\
    max_pooling_2d((2, 2)) | \\
    conv_2d(64, (3, 3), activation="relu") | \\
    max_pooling_2d((2, 2)) | \\
    conv_2d(64, (3, 3), activation="relu") | \\
    flatten() | \\
    dense(64, "relu") | \\
    dense(10, "softmax")
model | summary()'''),
        md('Each image keeps its 2-D shape, with one channel: (samples, 28, 28, 1).'),
        code('''
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
n_train = 2000 if QUICK else len(train_images)
n_test = 1000 if QUICK else len(test_images)
x_train = train_images[:n_train].reshape(n_train, 28, 28, 1).astype("float32") / 255
x_test = test_images[:n_test].reshape(n_test, 28, 28, 1).astype("float32") / 255
y_train, y_test = to_categorical(train_labels[:n_train]), to_categorical(test_labels[:n_test])'''),
        code('''
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=1 if QUICK else 5, batch_size=64, verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
history | plot();'''),
        code('''
scores = model | evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {scores['accuracy']:.4f}  (the book: about 0.99)")'''),
    ]


def imdb_lstm():
    return [
        md('''
# 5. IMDB with an embedding and an LSTM

Instead of multi-hot vectors, each review is a sequence of word ids: an embedding layer turns every id
into a learned 32-number vector, and an LSTM reads the sequence. The R model:

```r
model <- keras_model_sequential() %>%
  layer_embedding(input_dim = max_features, output_dim = 32) %>%
  layer_lstm(units = 32) %>%
  layer_dense(units = 1, activation = "sigmoid")
```'''),
        code(SETUP),
        code('''
from pipekeras import embedding, lstm
from pipekeras.datasets import imdb
from pipekeras.utils import pad_sequences

max_features = 10000
maxlen = 100 if QUICK else 500
(input_train, y_train), (input_test, y_test) = imdb.load_data(num_words=max_features)
n_train = 2000 if QUICK else len(input_train)
n_test = 1000 if QUICK else len(input_test)
# Cut or pad every review to `maxlen` words (zeros in front).
x_train = pad_sequences(input_train[:n_train], maxlen=maxlen)
x_test = pad_sequences(input_test[:n_test], maxlen=maxlen)
y_train = y_train[:n_train].astype("float32")
y_test = y_test[:n_test].astype("float32")
x_train.shape'''),
        code('''
model = sequential() | embedding(max_features, 32, input_shape=maxlen) | lstm(32) | dense(1, "sigmoid")
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
model | summary()'''),
        code('''
start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=1 if QUICK else 10, batch_size=128, validation_split=0.2,
                      verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
history | plot();'''),
        code('''
scores = model | evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {scores['accuracy']:.4f}  (the book: about 0.87)")'''),
    ]


def functional_api():
    return [
        md('''
# 6. The functional API: two inputs and a shared layer

A Sequential model is one straight line of layers. The functional API builds any graph: pipe a symbolic
input through layers, then make a `Model` from inputs and outputs. In R:

```r
input_a <- layer_input(shape = c(784))
encoder <- layer_dense(units = 64, activation = "relu")
```

Here two digit images go through the *same* encoder (one set of weights, called twice), and the model
says whether the two digits are equal.'''),
        code(SETUP),
        code('''
from pipekeras import Input, Model, concatenate
from pipekeras.datasets import mnist

(train_images, train_labels), (test_images, test_labels) = mnist.load_data()
rng = np.random.default_rng(0)

def make_pairs(images, labels, n):
    """n pairs of images; half of them show the same digit. Returns (a, b, same)."""
    x = images.reshape(len(images), 784).astype("float32") / 255
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    first = rng.integers(0, len(x), n)
    same = np.arange(n) % 2 == 0
    second = rng.integers(0, len(x), n)
    for i in np.flatnonzero(same):
        second[i] = rng.choice(by_digit[labels[first[i]]])
    return x[first], x[second], (labels[first] == labels[second]).astype("float32")[:, None]

n_train, n_test = (4000, 1000) if QUICK else (60000, 10000)
a_train, b_train, same_train = make_pairs(train_images, train_labels, n_train)
a_test, b_test, same_test = make_pairs(test_images, test_labels, n_test)
print(a_train.shape, "fraction of equal pairs:", same_train.mean())'''),
        md('''
## The graph

`encoder` is one layer object; calling it on both inputs shares its weights.'''),
        code('''
input_a = Input(shape=(784,), name="digit_a")
input_b = Input(shape=(784,), name="digit_b")
encoder = dense(64, "relu", name="shared_encoder")

encoded_a = input_a | encoder
encoded_b = input_b | encoder
merged = concatenate([encoded_a, encoded_b])
output = merged | dense(64, "relu") | dense(1, "sigmoid", name="same")

model = Model(inputs=[input_a, input_b], outputs=output)
model | summary()'''),
        md('''
## A shared layer has one node per call

Every call of a layer adds a node to `inbound_nodes`. With two nodes, `encoder.input_shape` would be
ambiguous in general, so Keras (and pipekeras) ask for a node: `get_input_shape_at(i)`, `get_output_at(i)`.
(`pipekeras.r` has R's forms, `get_output_at(encoder, 1)`, counting from 1.)'''),
        code('''
print("nodes:", len(encoder.inbound_nodes))
for i in range(len(encoder.inbound_nodes)):
    print(f"node {i}: input shape {encoder.get_input_shape_at(i)}, output {encoder.get_output_at(i)}")
print("same weights for both inputs:", encoder.count_params(), "parameters")'''),
        code('''
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = model | fit([a_train, b_train], same_train, epochs=2 if QUICK else 10, batch_size=128,
                      validation_split=0.1, verbose=2)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
history | plot();'''),
        code('''
scores = model | evaluate([a_test, b_test], same_test, verbose=0)
print(f"test accuracy (same digit or not): {scores['accuracy']:.4f}")'''),
        md('''
The encoder alone is a model too: its output on one node is a tensor of the graph, so a model from an
input to it reuses the trained weights.'''),
        code('''
encoder_model = Model(inputs=input_a, outputs=encoder.get_output_at(0))
codes = encoder_model | predict(a_test[:3], verbose=0)
codes.shape'''),
    ]


def layer_tour():
    return [
        md('''
# 7. A tour of layer properties and functions

What every layer has, following R keras's "About Keras layers": configuration, weights, parameter counts,
freezing, and the states of a stateful recurrent layer.'''),
        code(SETUP),
        md('''
## Configuration: `get_config` / `from_config`

A layer's config is a plain dict of its constructor arguments; `from_config` builds an identical, fresh
(untrained, unbuilt) layer from it.'''),
        code('''
layer = dense(32, "relu", name="hidden")
config = layer.get_config()
config'''),
        code('''
clone = pk.Dense.from_config(config)
print(type(clone).__name__, clone.name, clone.units, clone.get_config() == config)'''),
        md('## Properties, weights and `count_params`'),
        code('''
model = sequential() | dense(32, input_shape=784, name="hidden") | pk.activation("relu") | \\
    dense(10, "softmax", name="out")
hidden = model.layers[0]
print("name:", hidden.name, "| input shape:", hidden.input_shape, "| output shape:", hidden.output_shape)
print("weights:", [w.name for w in hidden.weights], [w.shape for w in hidden.get_weights()])
print("count_params:", hidden.count_params(), "=", 784 * 32 + 32, "| model:", model.count_params())'''),
        md('`set_weights` takes arrays of the same shapes, in the order `get_weights` gives them.'),
        code('''
kernel, bias = hidden.get_weights()
hidden.set_weights([np.zeros_like(kernel), np.full_like(bias, 0.5)])
print(hidden.get_weights()[1][:5])'''),
        md('''
## Freezing with `trainable`

A frozen layer keeps its weights during `fit`. Train the model briefly on real MNIST digits, freeze the
first layer, train again, and check which weights moved. (Compile after changing `trainable`.)'''),
        code('''
from pipekeras.datasets import mnist
from pipekeras.utils import to_categorical

(train_images, train_labels), _ = mnist.load_data()
n = 2000 if QUICK else 20000
x = train_images[:n].reshape(n, 784).astype("float32") / 255
y = to_categorical(train_labels[:n])

model = sequential() | dense(64, "relu", input_shape=784, name="base") | dense(10, "softmax", name="head")
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
model | fit(x, y, epochs=1, batch_size=128, verbose=0)

base, head = model.layers
base.trainable = False
model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
print("trainable weights:", [w.name for w in model.trainable_weights])
print("non-trainable weights:", [w.name for w in model.non_trainable_weights])

base_before, head_before = base.get_weights()[0].copy(), head.get_weights()[0].copy()
history = model | fit(x, y, epochs=1 if QUICK else 2, batch_size=128, verbose=0)
print("base changed:", not np.array_equal(base.get_weights()[0], base_before))
print("head changed:", not np.array_equal(head.get_weights()[0], head_before))
print("accuracy:", round(history.history["accuracy"][-1], 4))'''),
        md('''
R's `freeze_weights(model, from = , to = )` is in `pipekeras.r`, with layer names or positions counted
from 1:'''),
        code('''
from pipekeras.r import freeze_weights, unfreeze_weights

freeze_weights(model, to="base")
print([(layer.name, layer.trainable) for layer in model.layers])
unfreeze_weights(model, from_=1)
print([(layer.name, layer.trainable) for layer in model.layers])'''),
        md('''
## `reset_states` on a stateful LSTM

A stateful recurrent layer carries its final states over to the next batch, so a long sequence can be fed
in chunks. That needs a fixed batch size. `reset_states()` zeroes the states, e.g. between sequences.'''),
        code('''
from pipekeras import lstm

stateful = sequential() | lstm(8, stateful=True, batch_input_shape=(2, 5, 3))
chunk = np.random.default_rng(0).random((2, 5, 3)).astype("float32")

first = stateful | predict(chunk, batch_size=2, verbose=0)
second = stateful | predict(chunk, batch_size=2, verbose=0)  # starts from the states left by `first`
print("same input, different output while states carry over:", not np.allclose(first, second))

stateful.layers[0].reset_states()
third = stateful | predict(chunk, batch_size=2, verbose=0)
print("after reset_states the output repeats the first:", np.allclose(first, third))'''),
    ]


R_SETUP = """\
%matplotlib inline
import os
import platform
import time

import numpy as np

from pipekeras.r import *

QUICK = os.environ.get("PIPEKERAS_QUICK") == "1"
set_random_seed(42)


def machine():
    \"\"\"This machine's CPU and core count: every time printed below is this machine's.\"\"\"
    info = ""
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as cpuinfo:
            info = cpuinfo.read()
    names = [line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")]
    cpu = names[0] if names else platform.processor() or platform.machine()
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{cpu}{' with AVX-512' if 'avx512f' in info else ''}, {os.cpu_count()} cores{load}"


print("quick mode (PIPEKERAS_QUICK=1): small data, few epochs" if QUICK else "full lesson", "on", machine())"""

BOOK_NOTE = ("Ported from the book's R notebook through `pipekeras.r`, line by line, with only the README's "
             "syntax changes (`<-` to `=`, `%>%` to `|`, `$` to `.`, `c(...)` to a tuple). Each R line is the "
             "comment above its port; R helpers that are not keras become NumPy, marked `R:`. In quick mode "
             "(`PIPEKERAS_QUICK=1`) a slice of the data and fewer epochs.")


def book_overfitting():
    return [
        md('''
# 10. Overfitting and underfitting (book 4.4)

*Deep Learning with R*, section 4.4: on the IMDB reviews, compare the validation loss of a smaller and a
bigger network than the 16-16-1 model of chapter 3.4, then fight overfitting with weight regularization and
dropout.

''' + BOOK_NOTE),
        code(R_SETUP),
        code('''
# imdb <- dataset_imdb(num_words = 10000)
imdb = dataset_imdb(num_words=10000)
# c(c(train_data, train_labels), c(test_data, test_labels)) %<-% imdb
(train_data, train_labels), (test_data, test_labels) = imdb.unpack()
if QUICK:  # not in the book: a slice of the reviews
    train_data, train_labels, test_data, test_labels = train_data[:1000], train_labels[:1000], \\
        test_data[:1000], test_labels[:1000]

# vectorize_sequences <- function(sequences, dimension = 10000) {
#   results <- matrix(0, nrow = length(sequences), ncol = dimension)
#   for (i in 1:length(sequences))
#     results[i, sequences[[i]]] <- 1
#   results
# }
def vectorize_sequences(sequences, dimension=10000):
    results = np.zeros((len(sequences), dimension), dtype="float32")  # R: matrix(0, ...)
    for i in range(len(sequences)):
        results[i, sequences[i]] = 1
    return results

# x_train <- vectorize_sequences(train_data)
x_train = vectorize_sequences(train_data)
# x_test <- vectorize_sequences(test_data)
x_test = vectorize_sequences(test_data)
# y_train <- as.numeric(train_labels)
y_train = train_labels.astype("float32")
# y_test <- as.numeric(test_labels)
y_test = test_labels.astype("float32")
epochs = 3 if QUICK else 20  # the book: 20'''),
        md('''
## Reducing the network's size

The original model and a smaller one (4 units per hidden layer instead of 16).'''),
        code('''
# original_model <- keras_model_sequential() %>%
#   layer_dense(units = 16, activation = "relu", input_shape = c(10000)) %>%
#   layer_dense(units = 16, activation = "relu") %>%
#   layer_dense(units = 1, activation = "sigmoid")
original_model = keras_model_sequential() | \\
    layer_dense(units=16, activation="relu", input_shape=(10000,)) | \\
    layer_dense(units=16, activation="relu") | \\
    layer_dense(units=1, activation="sigmoid")
# original_model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("accuracy")
# )
original_model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("accuracy",)
)
# smaller_model <- keras_model_sequential() %>%
#   layer_dense(units = 4, activation = "relu", input_shape = c(10000)) %>%
#   layer_dense(units = 4, activation = "relu") %>%
#   layer_dense(units = 1, activation = "sigmoid")
smaller_model = keras_model_sequential() | \\
    layer_dense(units=4, activation="relu", input_shape=(10000,)) | \\
    layer_dense(units=4, activation="relu") | \\
    layer_dense(units=1, activation="sigmoid")
# smaller_model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("accuracy")
# )
smaller_model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("accuracy",)
)'''),
        code('''
start = time.perf_counter()
# original_hist <- original_model %>% fit(
#   x_train, y_train,
#   epochs = 20,
#   batch_size = 512,
#   validation_data = list(x_test, y_test)
# )
original_hist = original_model | fit(
    x_train, y_train,
    epochs=epochs,
    batch_size=512,
    validation_data=(x_test, y_test),
    verbose=0
)
# smaller_model_hist <- smaller_model %>% fit(
#   x_train, y_train,
#   epochs = 20,
#   batch_size = 512,
#   validation_data = list(x_test, y_test)
# )
smaller_model_hist = smaller_model | fit(
    x_train, y_train,
    epochs=epochs,
    batch_size=512,
    validation_data=(x_test, y_test),
    verbose=0
)
print(f"trained both in {time.perf_counter() - start:.1f} s on {machine()}")'''),
        md('''
The book plots the validation losses with ggplot2 (`gather` + `geom_point`); here matplotlib draws the same
points.'''),
        code('''
import matplotlib.pyplot as plt

# plot_training_losses <- function(losses) { ... ggplot(aes(x = epoch, y = loss, colour = model)) + geom_point() }
def plot_training_losses(losses):
    for model, loss in losses.items():
        plt.plot(range(1, len(loss) + 1), loss, "o", label=model)
    plt.xlabel("epoch")
    plt.ylabel("validation loss")
    plt.legend()
    plt.show()

# plot_training_losses(losses = list(
#   original_model = original_hist$metrics$val_loss,
#   smaller_model = smaller_model_hist$metrics$val_loss
# ))
plot_training_losses(losses=dict(
    original_model=original_hist.metrics.val_loss,
    smaller_model=smaller_model_hist.metrics.val_loss
))'''),
        md('''
A much bigger network (512 units per hidden layer) overfits almost at once, and its validation loss is
noisier.'''),
        code('''
# bigger_model <- keras_model_sequential() %>%
#   layer_dense(units = 512, activation = "relu", input_shape = c(10000)) %>%
#   layer_dense(units = 512, activation = "relu") %>%
#   layer_dense(units = 1, activation = "sigmoid")
bigger_model = keras_model_sequential() | \\
    layer_dense(units=512, activation="relu", input_shape=(10000,)) | \\
    layer_dense(units=512, activation="relu") | \\
    layer_dense(units=1, activation="sigmoid")
# bigger_model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
bigger_model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
start = time.perf_counter()
# bigger_model_hist <- bigger_model %>% fit(
#   x_train, y_train,
#   epochs = 20,
#   batch_size = 512,
#   validation_data = list(x_test, y_test)
# )
bigger_model_hist = bigger_model | fit(
    x_train, y_train,
    epochs=epochs,
    batch_size=512,
    validation_data=(x_test, y_test),
    verbose=0
)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
# plot_training_losses(losses = list(
#   original_model = original_hist$metrics$val_loss,
#   bigger_model = bigger_model_hist$metrics$val_loss
# ))
plot_training_losses(losses=dict(
    original_model=original_hist.metrics.val_loss,
    bigger_model=bigger_model_hist.metrics.val_loss
))'''),
        code('''
# plot_training_losses(losses = list(
#   original_model = original_hist$metrics$loss,
#   bigger_model = bigger_model_hist$metrics$loss
# ))
plot_training_losses(losses=dict(  # the training losses: the bigger model's goes to zero
    original_model=original_hist.metrics.loss,
    bigger_model=bigger_model_hist.metrics.loss
))'''),
        md('''
## Adding weight regularization

`regularizer_l2(0.001)` adds `0.001 * weight^2` of every kernel coefficient to the loss.'''),
        code('''
# l2_model <- keras_model_sequential() %>%
#   layer_dense(units = 16, kernel_regularizer = regularizer_l2(0.001),
#               activation = "relu", input_shape = c(10000)) %>%
#   layer_dense(units = 16, kernel_regularizer = regularizer_l2(0.001),
#               activation = "relu") %>%
#   layer_dense(units = 1, activation = "sigmoid")
l2_model = keras_model_sequential() | \\
    layer_dense(units=16, kernel_regularizer=regularizer_l2(0.001),
                activation="relu", input_shape=(10000,)) | \\
    layer_dense(units=16, kernel_regularizer=regularizer_l2(0.001),
                activation="relu") | \\
    layer_dense(units=1, activation="sigmoid")
# l2_model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
l2_model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
# l2_model_hist <- l2_model %>% fit(
#   x_train, y_train,
#   epochs = 20,
#   batch_size = 512,
#   validation_data = list(x_test, y_test)
# )
l2_model_hist = l2_model | fit(
    x_train, y_train,
    epochs=epochs,
    batch_size=512,
    validation_data=(x_test, y_test),
    verbose=0
)
# plot_training_losses(losses = list(
#   original_model = original_hist$metrics$val_loss,
#   l2_model = l2_model_hist$metrics$val_loss
# ))
plot_training_losses(losses=dict(
    original_model=original_hist.metrics.val_loss,
    l2_model=l2_model_hist.metrics.val_loss
))'''),
        md('The other weight regularizers of the book:'),
        code('''
# regularizer_l1(0.001)
regularizer_l1(0.001)
# regularizer_l1_l2(l1 = 0.001, l2 = 0.001)
regularizer_l1_l2(l1=0.001, l2=0.001)'''),
        md('''
## Adding dropout

`layer_dropout(rate = 0.5)` zeroes half of the previous layer's outputs at random in training (and scales
the rest by 2); at test time it passes everything.'''),
        code('''
# dpt_model <- keras_model_sequential() %>%
#   layer_dense(units = 16, activation = "relu", input_shape = c(10000)) %>%
#   layer_dropout(rate = 0.5) %>%
#   layer_dense(units = 16, activation = "relu") %>%
#   layer_dropout(rate = 0.5) %>%
#   layer_dense(units = 1, activation = "sigmoid")
dpt_model = keras_model_sequential() | \\
    layer_dense(units=16, activation="relu", input_shape=(10000,)) | \\
    layer_dropout(rate=0.5) | \\
    layer_dense(units=16, activation="relu") | \\
    layer_dropout(rate=0.5) | \\
    layer_dense(units=1, activation="sigmoid")
# dpt_model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
dpt_model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
# dpt_model_hist <- dpt_model %>% fit(
#   x_train, y_train,
#   epochs = 20,
#   batch_size = 512,
#   validation_data = list(x_test, y_test)
# )
dpt_model_hist = dpt_model | fit(
    x_train, y_train,
    epochs=epochs,
    batch_size=512,
    validation_data=(x_test, y_test),
    verbose=0
)
# plot_training_losses(losses = list(
#   original_model = original_hist$metrics$val_loss,
#   dpt_model = dpt_model_hist$metrics$val_loss
# ))
plot_training_losses(losses=dict(
    original_model=original_hist.metrics.val_loss,
    dpt_model=dpt_model_hist.metrics.val_loss
))'''),
        code('''
for name, hist in [("original", original_hist), ("smaller", smaller_model_hist), ("bigger", bigger_model_hist),
                   ("l2", l2_model_hist), ("dropout", dpt_model_hist)]:  # not in the book: the numbers
    val_loss = hist.metrics.val_loss
    print(f"{name:>8}: lowest validation loss {min(val_loss):.3f} at epoch {int(np.argmin(val_loss)) + 1}, "
          f"last {val_loss[-1]:.3f}")'''),
    ]


def book_word_embeddings():
    return [
        md('''
# 11. One-hot encoding and word embeddings (book 6.1)

*Deep Learning with R*, section 6.1: words and characters as one-hot vectors (by hand, then with
`text_tokenizer`), the hashing trick, and an embedding layer learned on the IMDB reviews. The book's second
half (raw IMDB text with pretrained GloVe embeddings) needs the GloVe file, which pipekeras's data does not
hold; its tokenizer path on the raw reviews is `examples/imdb_tokenizer_r.py`.

''' + BOOK_NOTE),
        code(R_SETUP),
        md('## One-hot encoding of words, by hand'),
        code('''
# samples <- c("The cat sat on the mat.", "The dog ate my homework.")
samples = ("The cat sat on the mat.", "The dog ate my homework.")
# token_index <- list()
token_index = {}
# for (sample in samples)
#   for (word in strsplit(sample, " ")[[1]])
#     if (!word %in% names(token_index))
#       token_index[[word]] <- length(token_index) + 2
for sample in samples:
    for word in sample.split(" "):  # R: strsplit
        if word not in token_index:
            token_index[word] = len(token_index) + 2
# max_length <- 10
max_length = 10
# results <- array(0, dim = c(length(samples), max_length, max(as.integer(token_index))))
results = np.zeros((len(samples), max_length, max(token_index.values()) + 1))  # R: indices from 1
# for (i in 1:length(samples)) {
#   sample <- samples[[i]]
#   words <- head(strsplit(sample, " ")[[1]], n = max_length)
#   for (j in 1:length(words)) {
#     index <- token_index[[words[[j]]]]
#     results[[i, j, index]] <- 1
#   }
# }
for i in range(len(samples)):
    sample = samples[i]
    words = sample.split(" ")[:max_length]  # R: head(strsplit(...), n = max_length)
    for j in range(len(words)):
        index = token_index[words[j]]
        results[i, j, index] = 1
token_index'''),
        md('## One-hot encoding of characters'),
        code('''
# ascii_tokens <- c("", sapply(as.raw(c(32:126)), rawToChar))
ascii_tokens = [""] + [chr(code) for code in range(32, 127)]  # R: rawToChar
# token_index <- c(1:(length(ascii_tokens)))
# names(token_index) <- ascii_tokens
token_index = {token: index for index, token in enumerate(ascii_tokens, start=1)}  # R: a named vector
# max_length <- 50
max_length = 50
# results <- array(0, dim = c(length(samples), max_length, length(token_index)))
results = np.zeros((len(samples), max_length, len(token_index) + 1))  # R: indices from 1
# for (i in 1:length(samples)) {
#   sample <- samples[[i]]
#   characters <- strsplit(sample, "")[[1]]
#   for (j in 1:length(characters)) {
#     character <- characters[[j]]
#     results[i, j, token_index[[character]]] <- 1
#   }
# }
for i in range(len(samples)):
    sample = samples[i]
    characters = list(sample)  # R: strsplit(sample, "")
    for j in range(len(characters)):
        character = characters[j]
        results[i, j, token_index[character]] = 1
results.shape, int(results.sum())'''),
        md('## With the Keras tokenizer'),
        code('''
# tokenizer <- text_tokenizer(num_words = 1000) %>%
#   fit_text_tokenizer(samples)
tokenizer = text_tokenizer(num_words=1000) | \\
    fit_text_tokenizer(samples)
# sequences <- texts_to_sequences(tokenizer, samples)
sequences = texts_to_sequences(tokenizer, samples)
# one_hot_results <- texts_to_matrix(tokenizer, samples, mode = "binary")
one_hot_results = texts_to_matrix(tokenizer, samples, mode="binary")
# word_index <- tokenizer$word_index
word_index = tokenizer.word_index
# cat("Found", length(word_index), "unique tokens.\\n")
print("Found", len(word_index), "unique tokens.")
sequences, one_hot_results.shape'''),
        md('''
## The hashing trick

The book hashes each word with `spooky.32` of the R package hashFunction; Python's `zlib.crc32` stands in.'''),
        code('''
import zlib

# dimensionality <- 1000
dimensionality = 1000
# max_length <- 10
max_length = 10
# results <- array(0, dim = c(length(samples), max_length, dimensionality))
results = np.zeros((len(samples), max_length, dimensionality))
# for (i in 1:length(samples)) {
#   sample <- samples[[i]]
#   words <- head(strsplit(sample, " ")[[1]], n = max_length)
#   for (j in 1:length(words)) {
#     index <- abs(spooky.32(words[[i]])) %% dimensionality
#     results[[i, j, index]] <- 1
#   }
# }
for i in range(len(samples)):
    sample = samples[i]
    words = sample.split(" ")[:max_length]
    for j in range(len(words)):
        index = zlib.crc32(words[j].encode()) % dimensionality  # R: abs(spooky.32(...)) %% dimensionality
        results[i, j, index] = 1
results.shape, int(results.sum())'''),
        md('''
## Learning word embeddings with an embedding layer

`layer_embedding` maps each word id to a dense vector learned with the rest of the model. On IMDB, the
reviews cut to their last 20 words:'''),
        code('''
# embedding_layer <- layer_embedding(input_dim = 1000, output_dim = 64)
embedding_layer = layer_embedding(input_dim=1000, output_dim=64)

# max_features <- 10000
max_features = 10000
# maxlen <- 20
maxlen = 20
# imdb <- dataset_imdb(num_words = max_features)
imdb = dataset_imdb(num_words=max_features)
# c(c(x_train, y_train), c(x_test, y_test)) %<-% imdb
(x_train, y_train), (x_test, y_test) = imdb.unpack()
if QUICK:  # not in the book: a slice of the reviews
    x_train, y_train = x_train[:2000], y_train[:2000]
# x_train <- pad_sequences(x_train, maxlen = maxlen)
x_train = pad_sequences(x_train, maxlen=maxlen)
# x_test <- pad_sequences(x_test, maxlen = maxlen)
x_test = pad_sequences(x_test, maxlen=maxlen)'''),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = 10000, output_dim = 8,
#                   input_length = maxlen) %>%
#   layer_flatten() %>%
#   layer_dense(units = 1, activation = "sigmoid")
model = keras_model_sequential() | \\
    layer_embedding(input_dim=10000, output_dim=8,
                    input_length=maxlen) | \\
    layer_flatten() | \\
    layer_dense(units=1, activation="sigmoid")
# model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
# summary(model)
summary(model)'''),
        code('''
start = time.perf_counter()
# history <- model %>% fit(
#   x_train, y_train,
#   epochs = 10,
#   batch_size = 32,
#   validation_split = 0.2
# )
history = model | fit(
    x_train, y_train,
    epochs=3 if QUICK else 10,
    batch_size=32,
    validation_split=0.2,
    verbose=2
)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
print(f"validation accuracy {history.metrics.val_acc[-1]:.4f}  (the book: about 0.75)")
# plot(history)
plot(history);'''),
    ]


def book_rnn():
    return [
        md('''
# 12. Understanding recurrent neural networks (book 6.2)

*Deep Learning with R*, section 6.2: a simple RNN's forward pass written by hand, `layer_simple_rnn` with
and without `return_sequences`, then a simple RNN and an LSTM classifying the IMDB reviews (the LSTM alone
is lesson 05).

''' + BOOK_NOTE),
        code(R_SETUP),
        md('## A simple RNN, by hand'),
        code('''
# timesteps <- 100
timesteps = 100
# input_features <- 32
input_features = 32
# output_features <- 64
output_features = 64
# random_array <- function(dim) {
#   array(runif(prod(dim)), dim = dim)
# }
def random_array(dim):
    return np.random.default_rng(0).uniform(size=dim)  # R: runif
# inputs <- random_array(dim = c(timesteps, input_features))
inputs = random_array(dim=(timesteps, input_features))
# state_t <- rep_len(0, length = c(output_features))
state_t = np.zeros(output_features)  # R: rep_len(0, ...)
# W <- random_array(dim = c(output_features, input_features))
W = random_array(dim=(output_features, input_features))
# U <- random_array(dim = c(output_features, output_features))
U = random_array(dim=(output_features, output_features))
# b <- random_array(dim = c(output_features, 1))
b = random_array(dim=(output_features,))
# output_sequence <- array(0, dim = c(timesteps, output_features))
output_sequence = np.zeros((timesteps, output_features))
# for (i in 1:nrow(inputs)) {
#   input_t <- inputs[i,]
#   output_t <- tanh(as.numeric((W %*% input_t) + (U %*% state_t) + b))
#   output_sequence[i,] <- as.numeric(output_t)
#   state_t <- output_t
# }
for i in range(inputs.shape[0]):
    input_t = inputs[i]
    output_t = np.tanh((W @ input_t) + (U @ state_t) + b)
    output_sequence[i] = output_t
    state_t = output_t
output_sequence.shape'''),
        md('## `layer_simple_rnn`'),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = 10000, output_dim = 32) %>%
#   layer_simple_rnn(units = 32)
model = keras_model_sequential() | \\
    layer_embedding(input_dim=10000, output_dim=32) | \\
    layer_simple_rnn(units=32)
# summary(model)
summary(model)'''),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = 10000, output_dim = 32) %>%
#   layer_simple_rnn(units = 32, return_sequences = TRUE)
model = keras_model_sequential() | \\
    layer_embedding(input_dim=10000, output_dim=32) | \\
    layer_simple_rnn(units=32, return_sequences=True)
# summary(model)
summary(model)'''),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = 10000, output_dim = 32) %>%
#   layer_simple_rnn(units = 32, return_sequences = TRUE) %>%
#   layer_simple_rnn(units = 32, return_sequences = TRUE) %>%
#   layer_simple_rnn(units = 32, return_sequences = TRUE) %>%
#   layer_simple_rnn(units = 32)  # This last layer only returns the last outputs.
model = keras_model_sequential() | \\
    layer_embedding(input_dim=10000, output_dim=32) | \\
    layer_simple_rnn(units=32, return_sequences=True) | \\
    layer_simple_rnn(units=32, return_sequences=True) | \\
    layer_simple_rnn(units=32, return_sequences=True) | \\
    layer_simple_rnn(units=32)  # This last layer only returns the last outputs.
# summary(model)
summary(model)'''),
        md('## IMDB with a simple RNN'),
        code('''
# max_features <- 10000  # Number of words to consider as features
max_features = 10000  # Number of words to consider as features
# maxlen <- 500  # Cuts off texts after this many words (among the max_features most common words)
maxlen = 100 if QUICK else 500  # Cuts off texts after this many words (among the max_features most common words)
# batch_size <- 32
batch_size = 32
# cat("Loading data...\\n")
print("Loading data...")
# imdb <- dataset_imdb(num_words = max_features)
imdb = dataset_imdb(num_words=max_features)
# c(c(input_train, y_train), c(input_test, y_test)) %<-% imdb
(input_train, y_train), (input_test, y_test) = imdb.unpack()
if QUICK:  # not in the book: a slice of the reviews
    input_train, y_train = input_train[:1000], y_train[:1000]
# cat(length(input_train), "train sequences\\n")
print(len(input_train), "train sequences")
# cat(length(input_test), "test sequences")
print(len(input_test), "test sequences")
# cat("Pad sequences (samples x time)\\n")
print("Pad sequences (samples x time)")
# input_train <- pad_sequences(input_train, maxlen = maxlen)
input_train = pad_sequences(input_train, maxlen=maxlen)
# input_test <- pad_sequences(input_test, maxlen = maxlen)
input_test = pad_sequences(input_test, maxlen=maxlen)
# cat("input_train shape:", dim(input_train), "\\n")
print("input_train shape:", input_train.shape)
# cat("input_test shape:", dim(input_test), "\\n")
print("input_test shape:", input_test.shape)'''),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = max_features, output_dim = 32) %>%
#   layer_simple_rnn(units = 32) %>%
#   layer_dense(units = 1, activation = "sigmoid")
model = keras_model_sequential() | \\
    layer_embedding(input_dim=max_features, output_dim=32) | \\
    layer_simple_rnn(units=32) | \\
    layer_dense(units=1, activation="sigmoid")
# model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
start = time.perf_counter()
# history <- model %>% fit(
#   input_train, y_train,
#   epochs = 10,
#   batch_size = 128,
#   validation_split = 0.2
# )
history = model | fit(
    input_train, y_train,
    epochs=2 if QUICK else 10,
    batch_size=128,
    validation_split=0.2,
    verbose=2
)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
# plot(history)
plot(history);'''),
        md('## IMDB with an LSTM'),
        code('''
# model <- keras_model_sequential() %>%
#   layer_embedding(input_dim = max_features, output_dim = 32) %>%
#   layer_lstm(units = 32) %>%
#   layer_dense(units = 1, activation = "sigmoid")
model = keras_model_sequential() | \\
    layer_embedding(input_dim=max_features, output_dim=32) | \\
    layer_lstm(units=32) | \\
    layer_dense(units=1, activation="sigmoid")
# model %>% compile(
#   optimizer = "rmsprop",
#   loss = "binary_crossentropy",
#   metrics = c("acc")
# )
model | compile(
    optimizer="rmsprop",
    loss="binary_crossentropy",
    metrics=("acc",)
)
start = time.perf_counter()
# history <- model %>% fit(
#   input_train, y_train,
#   epochs = 10,
#   batch_size = 128,
#   validation_split = 0.2
# )
history = model | fit(
    input_train, y_train,
    epochs=2 if QUICK else 10,
    batch_size=128,
    validation_split=0.2,
    verbose=2
)
print(f"trained in {time.perf_counter() - start:.1f} s on {machine()}")
# plot(history)
plot(history);'''),
    ]


def from_example(script, title, note):
    """A lesson made of an example script (examples/<script>): its docstring as text, its top-level parts as
    code cells, so the notebook and the script stay one program."""
    with open(os.path.join(os.path.dirname(HERE), "examples", script)) as f:
        source = f.read()
    docstring, body = source.split('"""', 2)[1:]
    cells = [md(f"# {title}\n\n{docstring.strip()}\n\n{note}")]
    cells += [code(part) for part in body.strip().split("\n\n\n") if part.strip()]
    return cells


def vae():
    return from_example("vae_mnist.py", "8. A variational autoencoder (book 8.4)",
                        "The same program as `examples/vae_mnist.py`. The sampling layer and the loss are written "
                        "with `pipekeras.ops` (R: `k_exp`, `k_square`, `k_mean`); `GradientTape` is R's "
                        "`tf$GradientTape`.")


def gan():
    return from_example("gan_mnist.py", "9. A GAN with a custom train_step (book 8.5)",
                        "The same program as `examples/gan_mnist.py`.")


def raw_text():
    return from_example("imdb_text_vectorization.py", "13. IMDB from the raw review text",
                        "The same program as `examples/imdb_text_vectorization.py` (R: `layer_text_vectorization`, "
                        "`adapt`, `text_dataset_from_directory`).")


def image_folder():
    return from_example("mnist_png_convnet.py", "14. The book's convnet from image files (book 5.1 and 5.2)",
                        "The same program as `examples/mnist_png_convnet.py` (R: `image_dataset_from_directory`, "
                        "`layer_rescaling`, `layer_random_translation`).")


def timeseries_windows():
    return from_example("timeseries_windows.py", "15. A windowed forecast fed batch by batch (book 6.3's style)",
                        "The same program as `examples/timeseries_windows.py` (R: "
                        "`timeseries_dataset_from_array`).")


def book_tokenizer():
    return from_example("imdb_tokenizer_r.py", "16. Book 6.1 on the raw text: the tokenizer path",
                        "The same program as `examples/imdb_tokenizer_r.py`, written through `pipekeras.r` as the "
                        "book writes it.")


def imdb_transformer():
    return from_example("imdb_transformer.py", "17. A transformer encoder classifies IMDB reviews",
                        "The same program as `examples/imdb_transformer.py` (R: "
                        "`layer_token_and_position_embedding`, `layer_multi_head_attention`, "
                        "`layer_layer_normalization`).")


LESSONS = {
    "01_mnist_dense": mnist_dense,
    "02_imdb_dense": imdb_dense,
    "03_boston_kfold": boston_kfold,
    "04_mnist_convnet": mnist_convnet,
    "05_imdb_lstm": imdb_lstm,
    "06_functional_api": functional_api,
    "07_layer_tour": layer_tour,
    "08_vae": vae,
    "09_gan": gan,
    "10_book_4_4_overfitting": book_overfitting,
    "11_book_6_1_word_embeddings": book_word_embeddings,
    "12_book_6_2_rnn": book_rnn,
    "13_imdb_raw_text": raw_text,
    "14_mnist_image_folder": image_folder,
    "15_timeseries_windows": timeseries_windows,
    "16_book_6_1_tokenizer": book_tokenizer,
    "17_imdb_transformer": imdb_transformer,
}


def build(name, mode=None):
    """The notebook `name` (no outputs); the first markdown cell ends with a note on the outputs' mode
    ("full" or "quick"; EXECUTED_MODE's by default)."""
    cells = LESSONS[name]()
    cells[0]["source"] += "\n\n" + _mode_note(name, mode)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def path_of(name):
    return os.path.join(HERE, f"{name}.ipynb")


def write_all():
    for name in LESSONS:
        nbformat.write(build(name), path_of(name))


def kernel_manager():
    """A kernel manager that starts ipykernel with this interpreter (so the venv's pipekeras is used)."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    class ThisPythonKernelManager(KernelManager):
        @property
        def kernel_spec(self):
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                              display_name="Python 3", language="python", resource_dir=HERE)

    return ThisPythonKernelManager(kernel_name="python3")


def execute(nb, quick, timeout=600, cwd=HERE):
    """Runs `nb` in place with PIPEKERAS_QUICK set (or unset); raises nbclient's CellExecutionError."""
    from nbclient import NotebookClient

    saved = {name: os.environ.get(name) for name in ("PIPEKERAS_QUICK", "PYTHONPATH")}
    if quick:
        os.environ["PIPEKERAS_QUICK"] = "1"
    else:
        os.environ.pop("PIPEKERAS_QUICK", None)
    # The kernel imports this checkout's pipekeras, also where the interpreter has another one installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [os.path.dirname(HERE), saved["PYTHONPATH"]]))
    km = kernel_manager()
    try:
        client = NotebookClient(nb, km=km, timeout=timeout, resources={"metadata": {"path": cwd}})
        client.execute()
    finally:
        if km.has_kernel:  # nbclient shuts down only the kernels it made itself, and this one is ours
            km.shutdown_kernel(now=True)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", nargs="*", metavar="NN", help="notebooks to run (prefixes, or 'all')")
    parser.add_argument("--quick", action="store_true", help="run in quick mode whatever EXECUTED_MODE says")
    parser.add_argument("--timeout", type=int, default=1800, help="per-cell timeout, seconds")
    args = parser.parse_args(argv)
    if args.execute is None:
        write_all()  # without outputs
        return
    wanted = [n for n in LESSONS if "all" in args.execute or any(n.startswith(p) for p in args.execute)]
    for name in wanted:
        quick = args.quick or EXECUTED_MODE[name] == "quick"
        nb = build(name, "quick" if quick else "full")
        start = time.perf_counter()
        execute(nb, quick=quick, timeout=args.timeout)
        nbformat.write(nb, path_of(name))
        print(f"{name}: executed ({'quick' if quick else 'full'}) in {time.perf_counter() - start:.1f} s",
              flush=True)


if __name__ == "__main__":
    main()
