"""Time of one `load_weights` of a `.weights.h5` file with `safe_mode=True` (parsed in a child process) and
`safe_mode=False` (parsed in this process): a small file (the Keras-written dense_net fixture) and a 100 MB
one (one 5000 x 5000 float32 kernel).

    python benchmarks/safe_load_cost.py --repeats 10
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def timings(load, repeats):
    load()  # the first safe load also starts the parsing process; reported separately
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        load()
        times.append(time.perf_counter() - start)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--big-repeats", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, REPO)
    import pipekeras as pk

    small_model = pk.load_model(os.path.join(REPO, "tests", "fixtures", "dense_net.keras"), compile=False)
    small_path = os.path.join(REPO, "tests", "fixtures", "dense_net.weights.h5")
    big_model = pk.sequential() | pk.dense(5000, use_bias=False, input_shape=(5000,))
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        big_path = os.path.join(folder, "big.weights.h5")
        big_model.save_weights(big_path)
        start = time.perf_counter()
        small_model.load_weights(small_path, safe_mode=True)
        results["first safe load (small)"] = time.perf_counter() - start
        for safe in (True, False):
            label = "safe" if safe else "unsafe"
            small = timings(lambda: small_model.load_weights(small_path, safe_mode=safe), args.repeats)
            big = timings(lambda: big_model.load_weights(big_path, safe_mode=safe), args.big_repeats)
            results[f"{label} small ({os.path.getsize(small_path)} B) median"] = statistics.median(small)
            results[f"{label} small min"] = min(small)
            results[f"{label} 100 MB ({os.path.getsize(big_path)} B) median"] = statistics.median(big)
            results[f"{label} 100 MB min"] = min(big)
    print(json.dumps({k: round(v * 1000, 2) for k, v in results.items()}, indent=1), "(ms)")


if __name__ == "__main__":
    main()
