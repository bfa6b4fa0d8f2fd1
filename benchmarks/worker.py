"""One benchmark measurement in a fresh interpreter: one framework x one workload x one thread count.

Run by benchmarks/run.py; prints one JSON line (prefixed with "RESULT ") on stdout. By hand:

    .venv/bin/python benchmarks/worker.py --framework pipekeras --workload mnist_mlp --threads 1 --quick

The parent sets the thread environment variables before this interpreter starts; this process pins itself
to its cores before importing anything heavy.
"""

import argparse
import json
import os
import sys
import time
import traceback


# The tiny run of the cold-start mode: this many training steps, in one epoch.
TINY_STEPS = 4


class NotAvailable(Exception):
    """The framework lacks something this workload needs (reported as "n/a: <reason>")."""


def pin(threads):
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < threads:
        raise NotAvailable(f"only {len(cores)} cores available to this process")
    os.sched_setaffinity(0, set(cores[:threads]))
    return sorted(os.sched_getaffinity(0))


# ---------------------------------------------------------------------------------------------- pipekeras
class PipekerasRunner:
    name = "pipekeras"
    latency_call = "model.predict_on_batch(x[:1])"

    def import_framework(self):
        import pipekeras  # noqa: F401  (timed)

    def setup(self, threads):
        import pipekeras as pk
        pk.set_num_threads(threads)
        pk.set_seed(0)
        import numba
        return {"numba_threads": numba.get_num_threads()}

    def _ctor(self, pk, name, modules, cls):
        """pk.<name>, else a constructor for the layer class found in pipekeras.layers or its submodules."""
        f = getattr(pk, name, None)
        if f is not None:
            return f
        import importlib
        for module in ("pipekeras.layers",) + tuple(f"pipekeras.layers.{m}" for m in modules):
            try:
                return pk.layer_constructor(getattr(importlib.import_module(module), cls))
            except (ImportError, AttributeError):
                pass
        raise NotAvailable(f"pipekeras has no {name} / {cls} yet")

    def build(self, spec):
        import pipekeras as pk
        model = pk.sequential()
        if spec["kind"] == "mlp":
            for i, h in enumerate(spec["hidden"]):
                kw = {"input_shape": spec["input_shape"][0]} if i == 0 else {}
                model = model | pk.dense(h, "relu", **kw)
            model = model | (pk.dense(1) if spec["out"] == 0 else
                             pk.dense(spec["out"], "softmax" if spec["out"] > 1 else "sigmoid"))
        elif spec["kind"] == "convnet":
            conv = self._ctor(pk, "conv_2d", ("convolutional",), "Conv2D")
            pool = self._ctor(pk, "max_pooling_2d", ("convolutional", "pooling"), "MaxPooling2D")
            model = (model | conv(32, (3, 3), activation="relu", input_shape=spec["input_shape"])
                     | pool((2, 2)) | conv(64, (3, 3), activation="relu") | pool((2, 2))
                     | conv(64, (3, 3), activation="relu") | pk.flatten()
                     | pk.dense(64, "relu") | pk.dense(spec["out"], "softmax"))
        elif spec["kind"] == "lstm":
            emb = self._ctor(pk, "embedding", ("embedding", "embeddings"), "Embedding")
            lstm = self._ctor(pk, "lstm", ("recurrent",), "LSTM")
            model = (model | emb(spec["vocab"], spec["embed"], input_length=spec["input_shape"][0])
                     | lstm(spec["units"]) | pk.dense(1, "sigmoid"))
        elif spec["kind"] == "transformer":
            model = self._transformer(pk, spec)
        model.compile(optimizer="rmsprop", loss=spec["loss"])
        self.model, self.sparse = model, spec.get("sparse", False)
        return int(model.count_params())

    @staticmethod
    def _transformer(pk, spec):
        maxlen, dim, rate = spec["input_shape"][0], spec["embed"], spec["dropout"]
        inp = pk.Input(shape=spec["input_shape"])
        h = inp | pk.token_and_position_embedding(maxlen, spec["vocab"], dim)
        attended = pk.multi_head_attention(num_heads=spec["heads"], key_dim=dim)(h, h) | pk.dropout(rate)
        h = [h, attended] | pk.add() | pk.layer_normalization(epsilon=1e-6)
        fed = h | pk.dense(spec["ff"], activation="relu") | pk.dense(dim) | pk.dropout(rate)
        h = [h, fed] | pk.add() | pk.layer_normalization(epsilon=1e-6)
        out = (h | pk.global_average_pooling_1d() | pk.dropout(rate) | pk.dense(spec["dense"], activation="relu")
               | pk.dropout(rate) | pk.dense(spec["out"], activation="softmax"))
        return pk.Model(inp, out)

    def convert(self, x, y):
        if not self.sparse:
            return x, y
        import scipy.sparse
        return scipy.sparse.csr_matrix(x), y

    def train_epoch(self, x, y, batch):
        self.model.fit(x, y, epochs=1, batch_size=batch, verbose=0, shuffle=True)

    def predict(self, x, batch):
        return self.model.predict(x, batch_size=batch)

    def prepare_one(self, x):
        return x[:1].copy()

    def predict_one(self, x1):
        return self.model.predict_on_batch(x1)


# ---------------------------------------------------------------------------------------------- PyTorch
class TorchRunner:
    name = "torch"
    latency_call = "model(x1) under torch.no_grad(), softmax/sigmoid applied"

    def import_framework(self):
        import torch  # noqa: F401  (timed)

    def setup(self, threads):
        import torch
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        cfg = torch.__config__.show()
        import re
        flags = re.findall(r"\b(BLAS_INFO=\w+|USE_MKLDNN=\w+|USE_OPENMP=\w+)", cfg)
        isa = re.findall(r"CPU capability usage: (\w+)", cfg)
        return {"torch_threads": torch.get_num_threads(),
                "blas": f"torch {torch.__version__}: " + ", ".join(flags + [f"CPU capability {c}" for c in isa])}

    def build(self, spec):
        if spec.get("sparse"):
            raise NotAvailable("imdb_mlp_sparse runs in pipekeras only: compare it with this framework's imdb_mlp")
        import torch
        from torch import nn
        self.torch = torch
        layers = []
        if spec["kind"] == "mlp":
            width = spec["input_shape"][0]
            for h in spec["hidden"]:
                layers += [nn.Linear(width, h), nn.ReLU()]
                width = h
            layers.append(nn.Linear(width, max(spec["out"], 1)))
            net = nn.Sequential(*layers)
        elif spec["kind"] == "convnet":
            # channels-first (N, 1, 28, 28) is PyTorch's native layout; same shapes and parameter count
            net = nn.Sequential(
                nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
                nn.Linear(64 * 3 * 3, 64), nn.ReLU(), nn.Linear(64, spec["out"]))
        elif spec["kind"] == "lstm":
            class LSTMNet(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.emb = nn.Embedding(spec["vocab"], spec["embed"])
                    self.lstm = nn.LSTM(spec["embed"], spec["units"], batch_first=True)
                    self.out = nn.Linear(spec["units"], 1)

                def forward(self, x):
                    _, (h, _) = self.lstm(self.emb(x))
                    return self.out(h[-1])
            net = LSTMNet()
        elif spec["kind"] == "transformer":
            net = _torch_transformer(nn, torch, spec)
        self.net = net
        self.kind = spec["kind"]
        # Losses on logits (PyTorch's idiomatic, fused form); the output activation is applied when predicting.
        if spec["loss"] == "categorical_crossentropy":
            self.loss_fn = nn.CrossEntropyLoss()   # takes class indices
            self.final = lambda z: torch.softmax(z, dim=1)
        elif spec["loss"] == "binary_crossentropy":
            self.loss_fn = nn.BCEWithLogitsLoss()
            self.final = torch.sigmoid
        else:
            self.loss_fn = nn.MSELoss()
            self.final = lambda z: z
        self.sparse = spec["loss"] == "categorical_crossentropy"
        self.opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
        return int(sum(p.numel() for p in net.parameters()))

    def convert(self, x, y):
        import numpy as np
        torch = self.torch
        if self.kind == "convnet":
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        tx = torch.from_numpy(x.astype(np.int64) if self.kind in ("lstm", "transformer") else x)
        ty = None
        if y is not None:
            ty = torch.from_numpy(y.argmax(1)) if self.sparse else torch.from_numpy(y)
        return tx, ty

    def train_epoch(self, x, y, batch):
        torch = self.torch
        self.net.train()
        n = x.shape[0]
        perm = torch.randperm(n)
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.net(xb), yb)
            loss.backward()
            self.opt.step()

    def predict(self, x, batch):
        torch = self.torch
        self.net.eval()
        out = []
        with torch.no_grad():
            for i in range(0, x.shape[0], batch):
                out.append(self.final(self.net(x[i:i + batch])))
        return torch.cat(out).numpy()

    def prepare_one(self, x):
        self.net.eval()
        return x[:1].clone()

    def predict_one(self, x1):
        with self.torch.no_grad():
            return self.final(self.net(x1))


def _torch_transformer(nn, torch, spec):
    """The transformer workload as an nn.Module: Keras's MultiHeadAttention written with explicit projections
    (embed -> heads x key_dim for query, key and value; heads x key_dim -> embed for the output), so the shapes
    and the parameter count are Keras's (nn.MultiheadAttention would split embed_dim across the heads)."""
    import torch.nn.functional as F

    maxlen, dim, heads, rate = spec["input_shape"][0], spec["embed"], spec["heads"], spec["dropout"]
    inner = heads * dim

    class TransformerNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.tokens = nn.Embedding(spec["vocab"], dim)
            self.positions = nn.Embedding(maxlen, dim)
            self.query, self.key, self.value = nn.Linear(dim, inner), nn.Linear(dim, inner), nn.Linear(dim, inner)
            self.attention_out = nn.Linear(inner, dim)
            self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
            self.ff = nn.Sequential(nn.Linear(dim, spec["ff"]), nn.ReLU(), nn.Linear(spec["ff"], dim))
            self.head = nn.Sequential(nn.Dropout(rate), nn.Linear(dim, spec["dense"]), nn.ReLU(), nn.Dropout(rate),
                                      nn.Linear(spec["dense"], spec["out"]))
            self.dropout = nn.Dropout(rate)

        def _split(self, t):
            return t.view(t.shape[0], t.shape[1], heads, dim).transpose(1, 2)   # (batch, heads, steps, key_dim)

        def forward(self, x):
            h = self.tokens(x) + self.positions(torch.arange(x.shape[1], device=x.device))
            q, k, v = self._split(self.query(h)), self._split(self.key(h)), self._split(self.value(h))
            a = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(x.shape[0], x.shape[1], inner)
            h = self.norm1(h + self.dropout(self.attention_out(a)))
            h = self.norm2(h + self.dropout(self.ff(h)))
            return self.head(h.mean(dim=1))

    return TransformerNet()


# ---------------------------------------------------------------------------------------------- Keras 3 / JAX
class KerasRunner:
    name = "keras-jax"
    latency_call = "model.predict_on_batch(x[:1])"

    def import_framework(self):
        os.environ["KERAS_BACKEND"] = "jax"
        import keras  # noqa: F401  (timed; imports jax)

    def setup(self, threads):
        import keras
        if keras.backend.backend() != "jax":
            raise NotAvailable(f"keras backend is {keras.backend.backend()}, not jax")
        keras.utils.set_random_seed(0)
        import jax
        return {"jax_devices": [str(d) for d in jax.devices()], "XLA_FLAGS": os.environ.get("XLA_FLAGS", "")}

    def build(self, spec):
        if spec.get("sparse"):
            raise NotAvailable("imdb_mlp_sparse runs in pipekeras only: compare it with this framework's imdb_mlp")
        import keras
        from keras import layers
        if spec["kind"] == "mlp":
            inp = keras.Input(shape=spec["input_shape"])
            h = inp
            for w in spec["hidden"]:
                h = layers.Dense(w, activation="relu")(h)
            out = (layers.Dense(1)(h) if spec["out"] == 0 else
                   layers.Dense(spec["out"], activation="softmax" if spec["out"] > 1 else "sigmoid")(h))
        elif spec["kind"] == "convnet":
            inp = keras.Input(shape=spec["input_shape"])
            h = layers.Conv2D(32, 3, activation="relu")(inp)
            h = layers.MaxPooling2D(2)(h)
            h = layers.Conv2D(64, 3, activation="relu")(h)
            h = layers.MaxPooling2D(2)(h)
            h = layers.Conv2D(64, 3, activation="relu")(h)
            h = layers.Flatten()(h)
            h = layers.Dense(64, activation="relu")(h)
            out = layers.Dense(spec["out"], activation="softmax")(h)
        elif spec["kind"] == "lstm":
            inp = keras.Input(shape=spec["input_shape"], dtype="int32")
            h = layers.Embedding(spec["vocab"], spec["embed"])(inp)
            h = layers.LSTM(spec["units"])(h)
            out = layers.Dense(1, activation="sigmoid")(h)
        elif spec["kind"] == "transformer":
            inp, out = _keras_transformer(keras, spec)
        model = keras.Model(inp, out)
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3, rho=0.9, epsilon=1e-7),
                      loss=spec["loss"])
        self.model = model
        return int(model.count_params())

    def train_epoch(self, x, y, batch):
        self.model.fit(x, y, epochs=1, batch_size=batch, verbose=0, shuffle=True)

    def predict(self, x, batch):
        return self.model.predict(x, batch_size=batch, verbose=0)

    def prepare_one(self, x):
        return x[:1].copy()

    def predict_one(self, x1):
        return self.model.predict_on_batch(x1)


def _keras_transformer(keras, spec):
    """The transformer workload in Keras 3 (the "Text classification with Transformer" example's layers)."""
    from keras import layers, ops

    maxlen, dim, rate = spec["input_shape"][0], spec["embed"], spec["dropout"]

    class TokenAndPositionEmbedding(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.tokens = layers.Embedding(spec["vocab"], dim)
            self.positions = layers.Embedding(maxlen, dim)

        def call(self, x):
            return self.tokens(x) + self.positions(ops.arange(0, ops.shape(x)[-1]))

    inp = keras.Input(shape=spec["input_shape"], dtype="int32")
    h = TokenAndPositionEmbedding()(inp)
    attended = layers.Dropout(rate)(layers.MultiHeadAttention(num_heads=spec["heads"], key_dim=dim)(h, h))
    h = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([h, attended]))
    fed = layers.Dense(spec["ff"], activation="relu")(h)
    fed = layers.Dropout(rate)(layers.Dense(dim)(fed))
    h = layers.LayerNormalization(epsilon=1e-6)(layers.Add()([h, fed]))
    h = layers.Dropout(rate)(layers.GlobalAveragePooling1D()(h))
    h = layers.Dropout(rate)(layers.Dense(spec["dense"], activation="relu")(h))
    return inp, layers.Dense(spec["out"], activation="softmax")(h)


RUNNERS = {"pipekeras": PipekerasRunner, "torch": TorchRunner, "keras-jax": KerasRunner}


def median(v):
    v = sorted(v)
    m = len(v) // 2
    return v[m] if len(v) % 2 else 0.5 * (v[m - 1] + v[m])


def measure(framework, workload, threads, quick):
    res = {"framework": framework, "workload": workload, "threads": threads, "quick": quick}
    res["cores"] = pin(threads)
    res["load1_start"] = os.getloadavg()[0]
    runner = RUNNERS[framework]()
    t0 = time.perf_counter()
    try:
        runner.import_framework()
    except ImportError as e:
        raise NotAvailable(f"{framework} is not installed ({e})") from None
    res["import_s"] = time.perf_counter() - t0
    res["thread_info"] = runner.setup(threads)

    import numpy as np
    from workloads import WORKLOADS, make_data, sizes
    spec = WORKLOADS[workload]
    n, epochs, n_pred = sizes(spec, quick)
    x_np, y_np = make_data(workload, quick)
    try:
        res["params"] = runner.build(spec)
    except NotAvailable:
        raise
    except (AttributeError, ImportError, NotImplementedError, TypeError) as e:
        raise NotAvailable(f"{type(e).__name__} while building the model: {e}") from None
    if hasattr(runner, "convert"):
        x, y = runner.convert(x_np, y_np)
    else:
        x, y = x_np, y_np
    batch = spec["batch"]

    # Training: first epoch (compilation, caches, allocator warm-up) then steady epochs.
    t = time.perf_counter()
    runner.train_epoch(x, y, batch)
    first = time.perf_counter() - t
    steady = []
    for _ in range(epochs):
        t = time.perf_counter()
        runner.train_epoch(x, y, batch)
        steady.append(time.perf_counter() - t)
    res.update(n_train=n, batch=batch, steady_epochs=epochs, first_epoch_s=first, steady_epoch_s=steady)
    res["train_sps"] = n / median(steady)
    res["train_us_per_step"] = median(steady) / -(-n // batch) * 1e6
    res["first_epoch_overhead_s"] = first - median(steady)

    # Inference on the set with a large batch: one warm-up call (compiles the predict path), then timed calls.
    xp = x[:n_pred]
    pb = spec["predict_batch"]
    t = time.perf_counter()
    p = runner.predict(xp, pb)
    res["first_predict_s"] = time.perf_counter() - t
    if not np.all(np.isfinite(np.asarray(p))):
        res["warning"] = "non-finite predictions"
    times = []
    for _ in range(1 if quick else 3):
        t = time.perf_counter()
        runner.predict(xp, pb)
        times.append(time.perf_counter() - t)
    res.update(n_predict=n_pred, predict_batch=pb, predict_s=times, infer_sps=n_pred / median(times))

    # Single-sample latency: median of many individually timed calls after a warm-up.
    x1 = runner.prepare_one(x)
    for _ in range(20):
        runner.predict_one(x1)
    calls = 200 if quick else 1000
    lat = []
    pc = time.perf_counter_ns
    for _ in range(calls):
        t = pc()
        runner.predict_one(x1)
        lat.append(pc() - t)
    res["latency_us"] = median(lat) / 1e3
    res["latency_p90_us"] = sorted(lat)[int(0.9 * calls)] / 1e3
    res["latency_call"] = runner.latency_call

    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    res["peak_rss_mb"] = ru.ru_maxrss / 1024.0
    res["cpu_s"] = ru.ru_utime + ru.ru_stime
    res["load1_end"] = os.getloadavg()[0]
    return res


def cold_start(framework, workload, threads):
    """The first fit and predict of a tiny run in this fresh process (its compile caches as the parent left
    them: empty for the cold child, filled by it for the warm one), and the same calls again."""
    res = {"framework": framework, "workload": workload, "threads": threads, "cores": pin(threads),
           "load1_start": os.getloadavg()[0]}
    runner = RUNNERS[framework]()
    t0 = time.perf_counter()
    try:
        runner.import_framework()
    except ImportError as e:
        raise NotAvailable(f"{framework} is not installed ({e})") from None
    res["import_s"] = time.perf_counter() - t0
    res["thread_info"] = runner.setup(threads)
    from workloads import WORKLOADS, make_data
    spec = WORKLOADS[workload]
    x, y = make_data(workload, quick=True)
    res["params"] = runner.build(spec)
    batch = spec["batch"]
    rows = min(len(x), TINY_STEPS * batch)
    x, y = runner.convert(x[:rows], y[:rows]) if hasattr(runner, "convert") else (x[:rows], y[:rows])
    xp = x[:min(rows, spec["predict_batch"])]
    times = {}
    for key, call in (("first_fit_s", lambda: runner.train_epoch(x, y, batch)),
                      ("first_predict_s", lambda: runner.predict(xp, spec["predict_batch"])),
                      ("first_predict_one_s", lambda: runner.predict_one(runner.prepare_one(x))),
                      ("next_fit_s", lambda: runner.train_epoch(x, y, batch)),
                      ("next_predict_s", lambda: runner.predict(xp, spec["predict_batch"]))):
        t = time.perf_counter()
        call()
        times[key] = time.perf_counter() - t
    res.update(times, tiny_rows=rows, batch=batch, load1_end=os.getloadavg()[0],
               NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR"))
    res["first_fit_overhead_s"] = times["first_fit_s"] - times["next_fit_s"]
    res["first_predict_overhead_s"] = times["first_predict_s"] - times["next_predict_s"]
    return res


def blas_ceiling(workload, threads):
    """The BLAS ceiling of an MLP workload's training: its matrix products alone (per layer x @ W, the kernel
    gradient x.T @ dz and, after the first layer, the input gradient dz @ W.T), float32, on NumPy's BLAS with
    `threads` threads. Reported as the training samples/s those products alone allow, and their GFLOP/s."""
    res = {"cores": pin(threads), "load1_start": os.getloadavg()[0]}
    import numpy as np
    from threadpoolctl import threadpool_limits
    from workloads import WORKLOADS

    spec = WORKLOADS[workload]
    if spec["kind"] != "mlp":
        raise NotAvailable("the BLAS ceiling is measured for the MLP workloads")
    widths = [spec["input_shape"][0], *spec["hidden"], max(spec["out"], 1)]
    batch, rng = spec["batch"], np.random.default_rng(0)
    products = []
    for layer, (fan_in, units) in enumerate(zip(widths, widths[1:])):
        x, w = rng.random((batch, fan_in), dtype=np.float32), rng.random((fan_in, units), dtype=np.float32)
        dz = rng.random((batch, units), dtype=np.float32)
        products += [(x, w), (x.T, dz)] + ([(dz, w.T)] if layer else [])
    products = [(a, b, np.empty((a.shape[0], b.shape[1]), np.float32)) for a, b in products]
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b, _ in products)
    with threadpool_limits(threads, user_api="blas"):
        step_times = []
        for _ in range(21):  # the first block of ten steps warms up
            t = time.perf_counter()
            for _ in range(10):
                for a, b, out in products:
                    np.matmul(a, b, out=out)
            step_times.append((time.perf_counter() - t) / 10)
    step = median(step_times[1:])
    res.update(batch=batch, flops_per_step=flops, step_s=step, train_sps=batch / step, gflops=flops / step / 1e9,
               load1_end=os.getloadavg()[0])
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", required=True, choices=sorted(RUNNERS) + ["blas"],
                    help="a framework, or blas: the BLAS ceiling of an MLP workload's training")
    ap.add_argument("--workload", required=True)
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cold-start", action="store_true",
                    help="time the first fit and predict of a tiny run (the caches as the environment leaves them)")
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    try:
        if a.framework == "blas":
            res = blas_ceiling(a.workload, a.threads)
        elif a.cold_start:
            res = cold_start(a.framework, a.workload, a.threads)
        else:
            res = measure(a.framework, a.workload, a.threads, a.quick)
        res["status"] = "ok"
    except NotAvailable as e:
        res = {"status": "n/a", "reason": str(e)}
    except Exception as e:  # a crash is reported, not hidden
        traceback.print_exc()
        res = {"status": "error", "reason": f"{type(e).__name__}: {e}".splitlines()[0][:300]}
    res.update(framework=a.framework, workload=a.workload, threads=a.threads)
    sys.stdout.flush()
    print("RESULT " + json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
