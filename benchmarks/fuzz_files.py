"""Fuzzes the model and weight file readers: mutated files must give a pipekeras error or a model, never a
crash, a hang or another exception type.

    python benchmarks/fuzz_files.py --count 20000 --formats .weights.h5 .h5          # the big campaign
    python benchmarks/fuzz_files.py --count 40 --mutations flip truncate config --json  # what CI runs

For each format a seed file (the Keras-written fixtures for `.keras`, `.weights.h5`, `.h5`; a model saved by
pipekeras for `.pkeras`) is mutated deterministically from `--seed` and the case index:

- flip: one byte at a random offset set to a random other value;
- hdf5-flip (not in the default set): a flip of the HDF5 content: of the file itself for `.weights.h5` and
  `.h5`, of the `model.weights.h5` inside a `.keras` (rezipped with a valid CRC, so that the flip reaches
  the HDF5 reader instead of the zip's checksum);
- truncate: the file cut at a random length;
- config: one value of the model config (config.json, or the `.h5` file's `model_config` attribute; for
  `.weights.h5` one dataset's shape and dtype) replaced by a hostile one (huge, negative, NaN, wrong type).

A worker process loads the cases one after another (`load_model`, or `load_weights` into the fixture's
model, in safe mode unless `--unsafe`) and prints one outcome per case; this driver restarts it after a
crash (the process died) or a hang (no answer within `--case-timeout` seconds), so every outcome is counted.
Outcomes: `error` (a pipekeras error), `loaded`, `raw` (another exception type: a bug), `crash`, `hang`.
"""

import argparse
import io
import json
import os
import random
import selectors
import subprocess
import sys
import time
import zipfile
from collections import Counter

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
FIXTURES = os.path.join(REPO, "tests", "fixtures")
FORMATS = (".pkeras", ".keras", ".weights.h5", ".h5")
MUTATIONS = ("flip", "truncate", "config")
EXTRA_MUTATIONS = ("hdf5-flip",)
HOSTILE_VALUES = (None, -1, 0, 1 << 40, -(1 << 40), 1e308, float("nan"), float("inf"), "abc", "", True, [],
                  {}, [1, 2], {"class_name": "Lambda", "config": {}}, "../../../../etc/passwd", 1.5, [[[[[]]]]])


# ----- seeds and mutations -----------------------------------------------------------------------------

def seed_bytes(kind):
    """The unmutated file of `kind`."""
    if kind == ".pkeras":
        import pipekeras as pk

        pk.set_seed(0)
        model = (pk.sequential(name="fuzz") | pk.dense(6, "relu", input_shape=(5,)) | pk.dropout(0.2)
                 | pk.dense(3, "softmax"))
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        return pk.serialize_model(model)
    with open(os.path.join(FIXTURES, f"dense_net{kind}"), "rb") as file:
        return file.read()


def _mutate_value(obj, rng):
    """A copy of JSON data with one value (at a random place) replaced by a hostile one."""
    places = []

    def walk(node, path):
        places.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, path + (i,))
    walk(obj, ())
    path = rng.choice(places[1:] or places)
    replacement = rng.choice(HOSTILE_VALUES)
    if not path:
        return replacement
    copy = json.loads(json.dumps(obj))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = replacement
    return copy


def _rezip(data, name, transform):
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, transform(content) if info.filename == name else content)
    return buffer.getvalue()


def _mutate_h5(data, rng):
    import h5py
    import numpy as np

    buffer = io.BytesIO(data)
    with h5py.File(buffer, "a") as file:
        if "model_config" in file.attrs:
            config = json.loads(file.attrs["model_config"])
            file.attrs["model_config"] = json.dumps(_mutate_value(config, rng))
        else:
            names = []
            file.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
            name = rng.choice(names)
            del file[name]
            shape = tuple(rng.choice([0, 1, 3, 7, 1 << 20]) for _ in range(rng.randint(0, 3)))
            dtype = rng.choice(["float32", "float16", "int8", "uint64", "float64"])
            if np.prod(shape, dtype=np.int64) * np.dtype(dtype).itemsize > (1 << 24):
                file.create_dataset(name, shape=shape, dtype=dtype)
            else:
                file.create_dataset(name, data=np.ones(shape, dtype))
    return buffer.getvalue()


def mutate(kind, data, mutation, rng):
    """One mutated copy of `data` (a file of `kind`)."""
    if mutation == "hdf5-flip" and kind == ".keras":
        return _rezip(data, "model.weights.h5", lambda content: mutate(".weights.h5", content, "flip", rng))
    if mutation in ("flip", "hdf5-flip"):
        at = rng.randrange(len(data))
        value = (data[at] + rng.randrange(1, 256)) % 256
        return data[:at] + bytes([value]) + data[at + 1:]
    if mutation == "truncate":
        return data[:rng.randrange(len(data))]
    if kind in (".pkeras", ".keras"):
        return _rezip(data, "config.json", lambda text: json.dumps(_mutate_value(json.loads(text), rng)).encode())
    return _mutate_h5(data, rng)


def case(kind, mutations, seed, index):
    """The mutation kind and bytes of case `index`; the same arguments always give the same bytes."""
    rng = random.Random(f"{seed}:{kind}:{index}")
    mutation = mutations[index % len(mutations)]
    return mutation, mutate(kind, seed_bytes_cached(kind), mutation, rng)


_SEEDS = {}


def seed_bytes_cached(kind):
    if kind not in _SEEDS:
        _SEEDS[kind] = seed_bytes(kind)
    return _SEEDS[kind]


# ----- the worker: loads cases, prints one outcome per line -------------------------------------------------

def worker(kind, mutations, seed, start, stop, safe_mode):
    import warnings

    import pipekeras as pk
    from pipekeras.errors import PipeKerasError

    warnings.simplefilter("ignore")
    target = None
    if kind in (".weights.h5",):
        target = pk.load_model(os.path.join(FIXTURES, "dense_net.keras"), compile=False)
    folder = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pipekeras-fuzz-{os.getpid()}")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"case{kind}")
    for index in range(start, stop):
        mutation, data = case(kind, mutations, seed, index)
        with open(path, "wb") as file:
            file.write(data)
        try:
            if target is not None:
                target.load_weights(path, safe_mode=safe_mode)
            else:
                pk.load_model(path, safe_mode=safe_mode)
            outcome = "loaded"
        except PipeKerasError as error:
            outcome = "error"
            detail = type(error).__name__
        except BaseException as error:  # noqa: BLE001 - what the campaign looks for
            outcome = "raw"
            detail = f"{type(error).__name__}: {error}"[:300]
        print(json.dumps({"index": index, "mutation": mutation, "outcome": outcome,
                          "detail": detail if outcome != "loaded" else ""}), flush=True)
    os.remove(path)
    os.rmdir(folder)


def _write_progress(path, kind, done, counts, examples, start_time):
    with open(path, "w") as file:
        json.dump({"format": kind, "done": done, "counts": dict(counts), "examples": examples,
                   "seconds": round(time.monotonic() - start_time, 1)}, file)


# ----- the driver: runs workers, restarts them after a crash or a hang -----------------------------------

def campaign(kind, count, mutations=MUTATIONS, seed=0, safe_mode=True, case_timeout=60.0, progress=None):
    """Outcome counts (and examples of each failure) of `count` cases of `kind`; every 200 cases the counts
    so far are written to the file `progress` (if given), so an interrupted campaign still says what ran."""
    counts, examples, index = Counter(), {}, 0
    start_time = time.monotonic()
    while index < count:
        command = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--seed", str(seed), "--start",
                   str(index), "--count", str(count), "--mutations", *mutations]
        if not safe_mode:
            command.append("--unsafe")
        process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        # The first case also waits for the worker to import pipekeras.
        deadline = time.monotonic() + case_timeout + 120
        while index < count:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                process.kill()
                counts["hang"] += 1
                examples.setdefault("hang", index)
                index += 1
                break
            line = process.stdout.readline()
            if not line:
                process.wait()
                counts["crash"] += 1
                examples.setdefault("crash", (index, process.returncode))
                index += 1
                break
            row = json.loads(line)
            counts[row["outcome"]] += 1
            if row["outcome"] == "raw":
                examples.setdefault("raw", []).append((row["index"], row["mutation"], row["detail"]))
            index = row["index"] + 1
            deadline = time.monotonic() + case_timeout
            if progress and index % 200 == 0:
                _write_progress(progress, kind, index, counts, examples, start_time)
        process.kill()
        process.wait()
        process.stdout.close()
    return {"format": kind, "cases": count, "counts": dict(counts), "examples": examples,
            "seconds": round(time.monotonic() - start_time, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--count", type=int, default=200, help="cases per format")
    parser.add_argument("--mutations", nargs="+", default=list(MUTATIONS), choices=MUTATIONS + EXTRA_MUTATIONS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--unsafe", action="store_true", help="load with safe_mode=False")
    parser.add_argument("--case-timeout", type=float, default=60.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--progress", help="a file to write the counts so far to, every 200 cases")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.mutations, args.seed, args.start, args.count, not args.unsafe)
    results = [campaign(kind, args.count, args.mutations, args.seed, not args.unsafe, args.case_timeout,
                        args.progress)
               for kind in args.formats]
    if args.json:
        print(json.dumps(results))
        return
    for result in results:
        print(f"{result['format']:12s} {result['cases']} cases in {result['seconds']} s: {result['counts']}")
        for name, example in result["examples"].items():
            print(f"    {name}: {example if name != 'raw' else example[:5]}")


if __name__ == "__main__":
    sys.path.insert(0, REPO)
    main()
