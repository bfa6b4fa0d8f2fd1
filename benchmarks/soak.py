"""Soak test: trains the MNIST MLP for many epochs and checks that memory stays flat and speed holds.

One `fit` call runs every epoch (with validation on the test set), as a researcher's long run would; a
callback records each epoch's seconds and the process's resident memory (RSS) at its end. The first
`--warmup` epochs (compilation, first allocations) are left out of the checks:

- memory: the least-squares slope of RSS over the later epochs, and their max minus their first value,
  stay under `--max-slope-mb` per epoch and `--max-growth-mb`;
- speed: the median epoch time of the last third is at most `--max-slowdown` times that of the first third.

    python benchmarks/soak.py                 # 30 epochs on the 60,000 images, writes benchmarks/SOAK.md
    python benchmarks/soak.py --quick         # 8 epochs on 6,000 images, prints only

Data: MNIST from $PIPEKERAS_DATASETS (or ../shared/datasets), through `pipekeras.datasets.mnist`.
Exit status 1 when a check fails.
"""

import argparse
import datetime
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
SHARED_DATASETS = os.path.abspath(os.path.join(HERE, "..", "..", "shared", "datasets"))
os.environ.setdefault("PIPEKERAS_DATASETS", SHARED_DATASETS)

import numpy as np  # noqa: E402

import pipekeras as pk  # noqa: E402


def rss_bytes():
    """The resident memory of this process: psutil, else /proc/self/statm, else the peak from getrusage."""
    try:
        import psutil

        return psutil.Process().memory_info().rss, "psutil"
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"), "/proc/self/statm"
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "getrusage peak (not current)"


class EpochRecorder(pk.Callback):
    """Records seconds, RSS, loss and validation accuracy for every epoch."""

    def __init__(self):
        super().__init__()
        self.rows = []
        self.source = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        rss, self.source = rss_bytes()
        self.rows.append({"epoch": epoch + 1, "seconds": seconds, "rss_mb": rss / 2**20,
                          "loss": logs["loss"], "val_accuracy": logs["val_accuracy"]})
        print(f"epoch {epoch + 1:3d}  {seconds:6.2f} s  RSS {rss / 2**20:7.1f} MB  loss {logs['loss']:.4f}  "
              f"val_accuracy {logs['val_accuracy']:.4f}", flush=True)


def load(quick):
    (x_train, y_train), (x_test, y_test) = pk.datasets.mnist.load_data()
    x_train = x_train.reshape(len(x_train), 784).astype("float32") / 255
    x_test = x_test.reshape(len(x_test), 784).astype("float32") / 255
    y_train, y_test = pk.utils.to_categorical(y_train, 10), pk.utils.to_categorical(y_test, 10)
    if quick:
        return (x_train[:6000], y_train[:6000]), (x_test[:1000], y_test[:1000])
    return (x_train, y_train), (x_test, y_test)


def checks(rows, args):
    """Returns [(name, measured text, passed)] for the memory and speed checks."""
    later = rows[args.warmup:]
    epochs = np.array([r["epoch"] for r in later], float)
    rss = np.array([r["rss_mb"] for r in later])
    slope = float(np.polyfit(epochs, rss, 1)[0]) if len(later) > 1 else 0.0
    growth = float(rss.max() - rss[0])
    third = max(1, len(later) // 3)
    first = statistics.median(r["seconds"] for r in later[:third])
    last = statistics.median(r["seconds"] for r in later[-third:])
    return [
        ("RSS slope", f"{slope:+.3f} MB/epoch (limit {args.max_slope_mb})", abs(slope) <= args.max_slope_mb),
        ("RSS growth", f"{growth:+.1f} MB from epoch {later[0]['epoch']} (limit {args.max_growth_mb})",
         growth <= args.max_growth_mb),
        ("speed", f"median {first:.2f} s/epoch in the first third, {last:.2f} s in the last "
                  f"({last / first:.2f}x, limit {args.max_slowdown}x)", last <= args.max_slowdown * first),
    ]


def markdown(rows, results, args, source, total):
    lines = [
        "# Soak run: MNIST MLP, many epochs",
        "",
        "Written by `benchmarks/soak.py`; what it checks is in its docstring.",
        "",
        f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
        f"total {total / 60:.1f} min",
        f"- Command: `python benchmarks/soak.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"- Model: 784-512-10 dense, rmsprop, batch {args.batch_size}, {args.epochs} epochs in one `fit` on "
        f"{args.samples:,} images, validation on {args.val_samples:,} each epoch",
        f"- Machine: {os.cpu_count()} logical cores, Python {platform.python_version()}, "
        f"pipekeras {pk.__version__}; memory from {source}",
        f"- Checks (after {args.warmup} warm-up epochs): "
        + "; ".join(f"{name} {text}: {'pass' if ok else 'FAIL'}" for name, text, ok in results),
        "",
        "| epoch | seconds | RSS (MB) | loss | val_accuracy |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {r['epoch']} | {r['seconds']:.2f} | {r['rss_mb']:.1f} | {r['loss']:.4f} | {r['val_accuracy']:.4f} |"
              for r in rows]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="6,000 images and 8 epochs unless --epochs is given")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=2, help="epochs left out of the checks")
    parser.add_argument("--max-slope-mb", type=float, default=0.5)
    parser.add_argument("--max-growth-mb", type=float, default=25.0)
    parser.add_argument("--max-slowdown", type=float, default=1.3)
    parser.add_argument("--out", help="markdown file to write (default: benchmarks/SOAK.md, none with --quick)")
    args = parser.parse_args()
    if args.quick and "--epochs" not in sys.argv:
        args.epochs = 8
    if args.epochs < args.warmup + 3:
        parser.error(f"--epochs must be at least {args.warmup + 3} (warm-up plus three to compare)")
    out = args.out or (None if args.quick else os.path.join(HERE, "SOAK.md"))

    pk.set_seed(0)
    (x, y), validation = load(args.quick)
    args.samples, args.val_samples = len(x), len(validation[0])
    model = pk.sequential() | pk.dense(512, "relu", input_shape=784) | pk.dense(10, "softmax")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    recorder = EpochRecorder()
    start = time.perf_counter()
    model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, validation_data=validation, verbose=0,
              callbacks=[recorder])
    total = time.perf_counter() - start

    results = checks(recorder.rows, args)
    for name, text, ok in results:
        print(f"{name}: {text}: {'pass' if ok else 'FAIL'}")
    if out:
        with open(out, "w") as file:
            file.write(markdown(recorder.rows, results, args, recorder.source, total))
        print(f"wrote {out}")
    return 0 if all(ok for _, _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
