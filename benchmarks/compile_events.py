"""Where a cold first fit and predict spend their compile time: Numba's compile events, per function and signature.

Runs the cold-start mode's tiny run of one workload (`worker.py --cold-start`: one `fit` epoch of a few steps,
`predict`, one single-sample predict) in this process, with a listener on Numba's "numba:compile" events, and
prints, per phase, each compiled specialisation with its own (exclusive) seconds: a function's compile
includes the compiles of the functions it calls first, which are counted once, under their own name.

    NUMBA_CACHE_DIR=$(mktemp -d) NUMBA_NUM_THREADS=2 .venv/bin/python benchmarks/compile_events.py \
        --workload boston_mlp_b16 --threads 2 [--json out.json]

With a filled cache a specialisation loaded from disk raises no compile event, so an empty `NUMBA_CACHE_DIR` (a
new directory) is what shows the cold compile.
"""

import argparse
import json
import os
import sys
import time

# this checkout's pipekeras (as run.py gives its children), then the benchmark's own modules
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.dirname(os.path.abspath(__file__))]


class CompileRecorder:
    """Records every Numba compile (a dispatcher and its argument types) with its inclusive and exclusive seconds."""

    def __init__(self):
        from numba.core import event
        self.records, self._stack, self.phase = [], [], None

        recorder = self

        class Listener(event.Listener):
            def on_start(self, ev):
                recorder._stack.append([time.perf_counter(), 0.0])

            def on_end(self, ev):
                start, children = recorder._stack.pop()
                seconds = time.perf_counter() - start
                if recorder._stack:
                    recorder._stack[-1][1] += seconds
                dispatcher = ev.data["dispatcher"]
                py_func = dispatcher.py_func
                recorder.records.append({
                    "phase": recorder.phase, "function": f"{py_func.__module__}.{py_func.__qualname__}",
                    "signature": str(ev.data["args"]), "parallel": bool(dispatcher.targetoptions.get("parallel")),
                    "seconds": seconds, "exclusive_s": seconds - children})

        event.register("numba:compile", Listener())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="also write the records here")
    a = ap.parse_args()
    import worker
    worker.pin(a.threads)
    t = time.perf_counter()
    import pipekeras  # noqa: F401
    import_s = time.perf_counter() - t
    recorder = CompileRecorder()
    runner = worker.PipekerasRunner()
    runner.setup(a.threads)
    from workloads import WORKLOADS, make_data
    spec = WORKLOADS[a.workload]
    x, y = make_data(a.workload, quick=True)
    runner.build(spec)
    rows = min(len(x), worker.TINY_STEPS * spec["batch"])
    x, y = runner.convert(x[:rows], y[:rows])
    xp = x[:min(rows, spec["predict_batch"])]
    phases = {}
    for phase, call in (("fit", lambda: runner.train_epoch(x, y, spec["batch"])),
                        ("predict", lambda: runner.predict(xp, spec["predict_batch"])),
                        ("predict_one", lambda: runner.predict_one(runner.prepare_one(x)))):
        recorder.phase = phase
        t = time.perf_counter()
        call()
        phases[phase] = time.perf_counter() - t
    print(f"{a.workload}, {a.threads} thread(s), load {os.getloadavg()[0]:.1f}: import {import_s:.2f} s, "
          + ", ".join(f"{p} {s:.2f} s" for p, s in phases.items()))
    for phase in phases:
        rows = sorted((r for r in recorder.records if r["phase"] == phase), key=lambda r: -r["exclusive_s"])
        total = sum(r["exclusive_s"] for r in rows)
        print(f"\n{phase}: {len(rows)} compiles, {total:.2f} s compiling "
              f"({sum(r['exclusive_s'] for r in rows if r['parallel']):.2f} s of it parallel=True)")
        for r in rows:
            print(f"  {r['exclusive_s']:6.2f} {'P' if r['parallel'] else ' '} {r['function']} {r['signature']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"workload": a.workload, "threads": a.threads, "import_s": import_s, "phases": phases,
                       "records": recorder.records}, f, indent=1)


if __name__ == "__main__":
    main()
