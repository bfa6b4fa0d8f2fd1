"""A training script as R's tfruns runs them: it reads its flags, and its History and evaluate results are the run's."""

import numpy as np

import pipekeras as pk
from pipekeras import compile, dense, evaluate, fit, sequential

FLAGS = pk.tuning.flags(units=4, lr=0.1)
data = np.random.default_rng(0)
x = data.normal(size=(40, 3)).astype("float32")
y = x.sum(axis=1, keepdims=True)
model = sequential() | dense(FLAGS["units"], input_shape=3) | dense(1)
model | compile(optimizer=pk.optimizers.SGD(learning_rate=FLAGS["lr"]), loss="mse")
history = model | fit(x, y, epochs=2, batch_size=10, verbose=0)
score = model | evaluate(x, y, verbose=0)
