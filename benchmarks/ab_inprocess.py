"""A/B of two pipekeras trees in ONE process, alternating: for comparisons on a shared (loaded) machine.

Separate processes started at different times see different loads; here both packages run the same models
with the same weights in one process, in alternating blocks (before, after, after, before, ...), and each
cell reports medians of CPU time (the calling thread's for single-sample predict, the process's for batch
inference and training), which load inflates less than wall time. BLAS thread counts are process-wide, so
both packages share them (each sets them through its own `set_num_threads`).

The "before" tree is imported under another name: copy its package first, e.g. for commit be8b738

    git worktree add --detach /tmp/before be8b738
    mkdir -p /tmp/ab && cp -r /tmp/before/pipekeras /tmp/ab/pipekeras_base

(pipekeras imports itself relatively, so the copy works under that name), then from this checkout's root:

    .venv/bin/python benchmarks/ab_inprocess.py --before-dir /tmp/ab --threads 1 --rounds 8 \
        --workloads mnist_mlp,imdb_mlp,boston_mlp_b1,boston_mlp_b16,mnist_convnet,imdb_lstm [--train]

It prints one Markdown table row per workload (before / after and the ratio before/after: above 1 means
the checkout is faster).
"""

import argparse
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def build(pk, spec):
    """The workload's model (as worker.py builds it for pipekeras), compiled."""
    model = pk.sequential()
    if spec["kind"] == "mlp":
        for i, units in enumerate(spec["hidden"]):
            model = model | pk.dense(units, "relu", **({"input_shape": spec["input_shape"][0]} if i == 0 else {}))
        model = model | (pk.dense(1) if spec["out"] == 0 else
                         pk.dense(spec["out"], "softmax" if spec["out"] > 1 else "sigmoid"))
    elif spec["kind"] == "convnet":
        model = (model | pk.conv_2d(32, (3, 3), activation="relu", input_shape=spec["input_shape"])
                 | pk.max_pooling_2d((2, 2)) | pk.conv_2d(64, (3, 3), activation="relu") | pk.max_pooling_2d((2, 2))
                 | pk.conv_2d(64, (3, 3), activation="relu") | pk.flatten() | pk.dense(64, "relu")
                 | pk.dense(spec["out"], "softmax"))
    elif spec["kind"] == "lstm":
        model = (model | pk.embedding(spec["vocab"], spec["embed"], input_length=spec["input_shape"][0])
                 | pk.lstm(spec["units"]) | pk.dense(1, "sigmoid"))
    else:
        raise SystemExit(f"ab_inprocess: workload kind {spec['kind']!r} is not built here")
    model.compile(optimizer="rmsprop", loss=spec["loss"])
    return model


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before-dir", required=True, help="folder holding the before tree as pipekeras_base")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workloads", default="mnist_mlp,imdb_mlp,boston_mlp_b1,boston_mlp_b16,mnist_convnet,"
                                               "imdb_lstm")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--train", action="store_true", help="time quick training epochs instead of inference")
    args = parser.parse_args()
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:args.threads]))
    sys.path[:0] = [str(ROOT), args.before_dir, str(ROOT / "benchmarks")]
    import numpy as np

    import pipekeras as after
    import pipekeras_base as before
    from workloads import WORKLOADS, make_data, sizes

    packages = {"before": before, "after": after}
    for pk in packages.values():
        pk.set_num_threads(args.threads)
    if args.train:
        print("| workload | threads | train samples/s (CPU) before / after | ratio | load |")
    else:
        print("| workload | threads | 1-sample predict CPU µs before / after | ratio | batch inference CPU ms "
              "before / after | ratio | load |")
    print("|---|---|---|---|---|" if args.train else "|---|---|---|---|---|---|---|")
    for workload in args.workloads.split(","):
        spec = WORKLOADS[workload]
        x, y = make_data(workload, True)
        n_train, _, n_predict = sizes(spec, True)
        warm = n_train if args.train else min(len(x), max(2 * spec["batch"], 256))
        models = {}
        for name, pk in packages.items():
            pk.set_seed(0)
            models[name] = build(pk, spec)
            models[name].fit(x[:warm], y[:warm], epochs=1, batch_size=spec["batch"], verbose=0)
        models["after"].set_weights(models["before"].get_weights())
        one, batch, batch_size = x[:1].copy(), x[:n_predict], spec["predict_batch"]
        calls = 200 if spec["kind"] == "mlp" else 20
        for model in models.values():
            for _ in range(10):
                model.predict_on_batch(one)
            model.predict(batch, batch_size=batch_size)
        single, bulk = {name: [] for name in models}, {name: [] for name in models}
        for r in range(args.rounds):
            for name in ("before", "after") if r % 2 == 0 else ("after", "before"):
                model = models[name]
                if args.train:
                    start = time.process_time()
                    model.fit(x[:n_train], y[:n_train], epochs=1, batch_size=spec["batch"], verbose=0)
                    bulk[name].append(time.process_time() - start)
                    continue
                start = time.thread_time_ns()
                for _ in range(calls):
                    model.predict_on_batch(one)
                single[name].append((time.thread_time_ns() - start) / calls / 1e3)
                start = time.process_time()
                model.predict(batch, batch_size=batch_size)
                bulk[name].append(time.process_time() - start)
        b, a = median(bulk["before"]), median(bulk["after"])
        load = os.getloadavg()[0]
        if args.train:
            print(f"| {workload} | {args.threads} | {n_train / b:,.0f} / {n_train / a:,.0f} | {b / a:.2f}x | "
                  f"{load:.1f} |", flush=True)
        else:
            sb, sa = median(single["before"]), median(single["after"])
            print(f"| {workload} | {args.threads} | {sb:.1f} / {sa:.1f} | {sb / sa:.2f}x | {b * 1e3:.1f} / "
                  f"{a * 1e3:.1f} | {b / a:.2f}x | {load:.1f} |", flush=True)
        np.testing.assert_allclose(models["before"].predict_on_batch(one), models["after"].predict_on_batch(one),
                                   rtol=1e-3, atol=1e-5)


if __name__ == "__main__":
    main()
