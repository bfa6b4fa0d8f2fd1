"""The book's Boston housing regression with K-fold validation (3.6): 64-64-1, mse, MAE metric.

Set PIPEKERAS_QUICK=1 for fewer epochs.
"""

import os
import time

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential
from pipekeras.datasets import boston_housing

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)

(train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()
mean, std = train_data.mean(axis=0), train_data.std(axis=0)
train_data = (train_data - mean) / std
test_data = (test_data - mean) / std


def build_model():
    model = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1)
    return model | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])


k, num_epochs = 4, 20 if quick else 80
fold_size = len(train_data) // k
scores = []
start = time.perf_counter()
for fold in range(k):
    held = slice(fold * fold_size, (fold + 1) * fold_size)
    val_x, val_y = train_data[held], train_targets[held]
    rest_x = np.concatenate([train_data[: fold * fold_size], train_data[(fold + 1) * fold_size:]])
    rest_y = np.concatenate([train_targets[: fold * fold_size], train_targets[(fold + 1) * fold_size:]])
    model = build_model()
    model | fit(rest_x, rest_y, epochs=num_epochs, batch_size=1, verbose=0)
    scores.append((model | evaluate(val_x, val_y, verbose=0))["mae"])
    print(f"fold {fold + 1}: validation MAE {scores[-1]:.3f}")
print(f"\n{k}-fold validation MAE: {np.mean(scores):.3f} (thousands of dollars), "
      f"{time.perf_counter() - start:.1f} s")
