"""Data-parallel scaling: 1 rank vs 2 ranks on this machine (one thread each), and the paper model for N ranks.

python benchmarks/distributed_scaling.py [--measure]

Without --measure it prints the paper model only, from per-step compute times given below (measured on one
thread of this machine; see docs/distributed.md). With --measure it also trains the MNIST MLP and the book's
convnet alone and under `mpiexec -n 2` (tests/distribution/scripts/train_mnist.py) and measures a bare
allreduce of each model's gradient between two ranks, and prints samples/s, the share of step time in the
allreduce and the model's prediction for 2 ranks.

The paper model (ring allreduce of the flat float32 gradient of S bytes over N ranks, link bandwidth beta,
per-message latency alpha): t_step(N) = t_compute(1) / N + 2 (N - 1) (alpha + S / (N beta)).
"""

import os
import pathlib
import subprocess
import sys
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
MPIEXEC = pathlib.Path(sys.executable).parent / "mpiexec"

# name: (weights, global batch, one-thread compute seconds per step at that batch: replaced by a measurement here
# when the script runs with --measure)
SEED_MODELS = {
    "boston_mlp (13-64-64-1)": [5_121, 16, 60e-6],
    "mnist_mlp (784-512-10)": [407_050, 128, 2.0e-3],
    "imdb_mlp (10000-16-16-1)": [160_305, 512, 12e-3],
    "mnist_convnet (book 5.1)": [93_322, 64, 20e-3],
}
NETWORK = {"beta": 10e9 / 8, "alpha": 20e-6}  # 10 Gb/s, 20 us per message (TCP on 10 GbE)


def ring_seconds(weights, ranks, beta, alpha):
    """Seconds of a ring allreduce of `weights` float32 values over `ranks` ranks."""
    return 2 * (ranks - 1) * (alpha + 4 * weights / (ranks * beta))


def paper_table(rank_counts=(2, 4, 8, 16, 32, 64)):
    lines = ["| model | weights | batch | 1 rank step | " + " | ".join(f"N={n}" for n in rank_counts) + " |",
             "| --- | --- | --- | --- | " + " | ".join("---" for _ in rank_counts) + " |"]
    for name, (weights, batch, compute) in SEED_MODELS.items():
        cells = []
        for n in rank_counts:
            reduce = ring_seconds(weights, n, **NETWORK)
            step = compute / n + reduce
            cells.append(f"{compute / step:.1f}x ({reduce / step:.0%} ar)")
        lines.append(f"| {name} | {weights:,} | {batch} | {compute * 1e3:.2f} ms | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                OMP_NUM_THREADS="1")


def bare_allreduce(weights, repeats=200):
    """Median seconds of an allreduce of `weights` float32 values between 2 ranks here."""
    code = ("import time, numpy as np; from mpi4py import MPI; c = MPI.COMM_WORLD; a = np.ones(%d, np.float32); "
            "t = []\nfor _ in range(%d):\n c.Barrier(); s = time.perf_counter(); c.Allreduce(MPI.IN_PLACE, a); "
            "t.append(time.perf_counter() - s)\nif c.rank == 0: print(np.median(t))" % (weights, repeats))
    done = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", code], capture_output=True, text=True,
                          env=_env(), check=True)
    return float(done.stdout.split()[-1])


def measure(kind, samples, epochs):
    script = ROOT / "tests" / "distribution" / "scripts" / "train_mnist.py"
    with tempfile.TemporaryDirectory() as folder:
        out = pathlib.Path(folder) / "run"
        subprocess.run([sys.executable, str(script), kind, "single", f"{out}1", str(samples), str(epochs)],
                       env=_env(), check=True, capture_output=True)
        subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, str(script), kind, "parallel", f"{out}2",
                        str(samples), str(epochs)], env=_env(), check=True, capture_output=True)
        one = np.load(f"{out}1.rank0.npz")
        two = np.load(f"{out}2.rank0.npz")
    return {"one_rate": float(one["samples"]) / float(one["seconds"]),
            "two_rate": float(two["samples"]) / float(two["seconds"]),
            "step": float(two["step"]) / float(two["steps"]), "allreduce": float(two["allreduce"]) / float(two["steps"]),
            "steps": int(two["steps"])}


def _seed_model(name):
    import pipekeras as pk
    from pipekeras import compile, conv_2d, dense, flatten, max_pooling_2d, sequential
    if name.startswith("boston"):
        model, shape, out, loss = sequential() | dense(64, "relu", input_shape=13) | dense(64, "relu") | dense(1), \
            (13,), 1, "mse"
    elif name.startswith("mnist_mlp"):
        model, shape, out, loss = sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax"), (784,), \
            10, "categorical_crossentropy"
    elif name.startswith("imdb"):
        model, shape, out, loss = (sequential() | dense(16, "relu", input_shape=10000) | dense(16, "relu")
                                   | dense(1, "sigmoid")), (10000,), 1, "binary_crossentropy"
    else:
        model = (sequential() | conv_2d(32, (3, 3), activation="relu", input_shape=(28, 28, 1)) | max_pooling_2d((2, 2))
                 | conv_2d(64, (3, 3), activation="relu") | max_pooling_2d((2, 2))
                 | conv_2d(64, (3, 3), activation="relu") | flatten() | dense(64, "relu") | dense(10, "softmax"))
        shape, out, loss = (28, 28, 1), 10, "categorical_crossentropy"
    model | compile(optimizer="rmsprop", loss=loss)
    pk.set_seed(0)
    return model, shape, out


def compute_step(name, steps=20):
    """Seconds per step of fit on one thread in this process (random data, the model's global batch)."""
    import time
    weights, batch, _ = SEED_MODELS[name]
    model, shape, out = _seed_model(name)
    data = np.random.default_rng(0)
    x = data.random((batch * steps,) + shape, dtype=np.float32)
    y = np.eye(out, dtype=np.float32)[data.integers(0, out, batch * steps)] if out > 1 else \
        data.integers(0, 2, (batch * steps, 1)).astype(np.float32)
    model.fit(x[:batch * 2], y[:batch * 2], batch_size=batch, verbose=0)  # compile
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch, epochs=1, verbose=0, shuffle=False)
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def main():
    if "--measure" in sys.argv:
        for name in SEED_MODELS:
            SEED_MODELS[name][2] = compute_step(name)
    print("Paper model, 10 Gb/s ring allreduce, strong scaling at a fixed global batch "
          "(speed-up over one rank, share of the step in the allreduce):\n")
    print(paper_table())
    if "--measure" not in sys.argv:
        return
    print("\nMeasured here (1 thread per rank), with the model's prediction for 2 ranks from the one-rank step "
          "(the one-thread step above) and a bare allreduce of the same size measured here:\n")
    print("| model | 1 rank samples/s | 2 ranks samples/s | 2-rank step | of which allreduce | bare allreduce | "
          "predicted 2 ranks samples/s (here) | predicted (10 Gb/s) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kind, name, samples, epochs in (("mlp", "mnist_mlp (784-512-10)", 12_000, 1),
                                        ("convnet", "mnist_convnet (book 5.1)", 2_048, 1)):
        weights, batch, _ = SEED_MODELS[name]
        found = measure(kind, samples, epochs)
        bare = bare_allreduce(weights)
        compute = SEED_MODELS[name][2]
        here = batch / (compute / 2 + bare)
        paper = batch / (compute / 2 + ring_seconds(weights, 2, **NETWORK))
        print(f"| {name} | {found['one_rate']:,.0f} | {found['two_rate']:,.0f} | {found['step'] * 1e3:.2f} ms | "
              f"{found['allreduce'] * 1e3:.2f} ms ({found['allreduce'] / found['step']:.0%}) | {bare * 1e3:.3f} ms | "
              f"{here:,.0f} | {paper:,.0f} |")


if __name__ == "__main__":
    main()
