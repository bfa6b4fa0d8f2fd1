"""The book's IMDB LSTM (Deep Learning with R, 6.2): embedding 10,000 x 32, lstm(32), sequences cut to 500.

rmsprop, batch 128, validation_split 0.2, 10 epochs. Set PIPEKERAS_QUICK=1 for a short run.
"""

import os
import time

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, embedding, fit, lstm, sequential
from pipekeras.datasets import imdb
from pipekeras.utils import pad_sequences

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)

(x_train, y_train), _ = imdb.load_data(num_words=10000)
x_train = pad_sequences(x_train, maxlen=500)
y_train = y_train.astype("float32")
if quick:
    x_train, y_train = x_train[:2000, -100:], y_train[:2000]

model = sequential() | embedding(10000, 32) | lstm(32) | dense(1, "sigmoid")
model.summary()
model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])

start = time.perf_counter()
history = model | fit(x_train, y_train, epochs=2 if quick else 10, batch_size=128, validation_split=0.2, verbose=2)
seconds = time.perf_counter() - start

best = int(np.argmax(history.history["val_acc"]))
print(f"\nTraining took {seconds:.1f} s ({seconds / len(history.epoch):.1f} s per epoch).")
print(f"Best validation accuracy: {history.history['val_acc'][best]:.4f} (epoch {best + 1})")
