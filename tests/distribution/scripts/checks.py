"""Synthetic-data checks of DataParallel, run alone (single) or under mpiexec (parallel, disagree).

python checks.py {single,parallel,disagree} OUT
Writes OUT.rank<r>.npz with each model's weights, histories and evaluate results; the files that the writing
callbacks and save_model leave show which ranks wrote.
"""

import sys

import numpy as np

import pipekeras as pk
from pipekeras import batch_normalization, compile, dense, evaluate, fit, sequential

mode, out = sys.argv[1:3]
strategy = None
if mode != "single":
    strategy = pk.distribution.DataParallel(timeout=20)
    pk.distribution.set_distribution(strategy)
rank = strategy.rank if strategy else 0
data = np.random.default_rng(1)
x = data.normal(size=(100, 6)).astype("float32")
y = np.eye(3, dtype="float32")[data.integers(0, 3, 100)]
results = {}

# A model the ranks disagree on (disagree mode only): rank 1 builds 17 units instead of 16.
units = 17 if mode == "disagree" and rank == 1 else 16

# 1. an uneven global batch (33 over 2 ranks: 17 + 16; the epoch's last batch of 1 row leaves rank 1 none)
pk.set_seed(0)
mlp = sequential() | dense(units, "tanh", input_shape=6) | dense(3, "softmax")
mlp | compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = mlp | fit(x, y, batch_size=33, epochs=3, verbose=0)
results["uneven_weights"] = mlp.get_weights()
results["uneven_loss"] = history.history["loss"]
results["uneven_accuracy"] = history.history["accuracy"]

# 2. batch normalization: moving statistics averaged, weights identical on every rank
pk.set_seed(0)
bn = sequential() | dense(8, "relu", input_shape=6) | batch_normalization() | dense(3, "softmax")
bn | compile(optimizer="sgd", loss="categorical_crossentropy")
bn | fit(x, y, batch_size=20, epochs=2, verbose=0)
results["bn_weights"] = bn.get_weights()

# 3. early stopping on validation numbers reduced over the ranks; writing callbacks and saving on rank 0 only
pk.set_seed(0)
stop = sequential() | dense(16, "relu", input_shape=6) | dense(3, "softmax")
stop | compile(optimizer=pk.optimizers.SGD(learning_rate=0.5), loss="categorical_crossentropy", metrics=["accuracy"])
history = stop | fit(x, y, batch_size=10, epochs=30, verbose=1, validation_split=0.3, callbacks=[
    pk.callbacks.EarlyStopping(monitor="val_loss", patience=1),
    pk.callbacks.CSVLogger(f"{out}.rank{rank}.csv")])
results["stop_epochs"] = len(history.epoch)
results["stop_val_loss"] = history.history["val_loss"]
pk.save_model(stop, f"{out}.rank{rank}.pkeras")
scores = stop | evaluate(x, y, batch_size=30, verbose=0)
results["evaluate"] = [scores["loss"], scores["accuracy"]]
results["predict"] = stop.predict(x, batch_size=40)

# 4. a Sequence: every rank reads each batch, trains on its shard
class Batches(pk.utils.Sequence):
    def __len__(self):
        return 4

    def __getitem__(self, index):
        return x[index * 25:(index + 1) * 25], y[index * 25:(index + 1) * 25]


pk.set_seed(0)
seq = sequential() | dense(16, "relu", input_shape=6) | dense(3, "softmax")
seq | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
history = seq | fit(Batches(), epochs=2, verbose=0)
results["sequence_weights"] = seq.get_weights()
results["sequence_loss"] = history.history["loss"]

# 5. a model with its own train_step(data) is refused under data parallelism (its gradients would not be reduced)
class OwnStep(pk.Model):
    def train_step(self, data):
        return {}


own = OwnStep(seq.inputs, seq.outputs)
own | compile(optimizer="sgd")
try:
    own | fit(x, y, verbose=0)
    results["own_step"] = "trained"
except pk.errors.ConfigError as error:
    results["own_step"] = str(error)

# 6. weights changed on one rank only are caught as the epoch ends
class Nudge(pk.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if rank == 1 and batch == 0:
            self.model.weights[0].value[0, 0] += 1.0


try:
    seq | fit(Batches(), epochs=1, verbose=0, callbacks=[Nudge()])
    results["nudged"] = "trained"
except pk.errors.ConfigError as error:
    results["nudged"] = str(error)

np.savez(f"{out}.rank{rank}.npz", **{k: np.array(v, dtype=object) if k.endswith("weights") else np.asarray(v)
                                     for k, v in results.items()})
print(f"rank {rank} done", flush=True)
