"""Benchmarks pipekeras against PyTorch (CPU) and Keras 3 on JAX; rewrites benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py                 # full run, 3 repeats, 1 and 2 threads
    .venv/bin/python benchmarks/run.py --quick         # fewer samples and steps, 1 repeat (a few minutes)
    .venv/bin/python benchmarks/run.py --workloads mnist_mlp --frameworks pipekeras,torch --threads 1
    .venv/bin/python benchmarks/run.py --quick --busy-cores 1   # each 2-thread cell also beside a busy core
    .venv/bin/python benchmarks/run.py --quick --cold-start     # first fit/predict with empty compile caches

Every framework x workload x thread count runs in its own fresh interpreter (benchmarks/worker.py), so
import time and first-epoch compilation are measured and frameworks cannot interfere with each other.
Within each repeat the frameworks alternate (the starting framework rotates), and the tables report the
median over repeats. See benchmarks/README.md for what each number means.
"""

import argparse
import compileall
import datetime
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from importlib import metadata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from worker import TINY_STEPS  # noqa: E402
from workloads import WORKLOADS, sizes  # noqa: E402

FRAMEWORKS = ["pipekeras", "torch", "keras-jax"]
PEERS = ["torch", "keras-jax"]
# Workloads whose BLAS ceiling (worker.py --framework blas) each repeat measures beside the frameworks.
CEILING_WORKLOADS = ["mnist_mlp"]

# metric key, column title, higher is better, formatter
METRICS = [
    ("train_sps", "train samples/s", True),
    ("train_us_per_step", "train µs/step", False),
    ("infer_sps", "inference samples/s", True),
    ("latency_us", "1-sample predict µs", False),
    ("first_epoch_overhead_s", "first-epoch overhead s", False),
    ("peak_rss_mb", "peak RSS MB", False),
    ("import_s", "import s", False),
]


def child_env(threads):
    env = dict(os.environ)
    n = str(threads)
    env.update(OMP_NUM_THREADS=n, MKL_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, NUMBA_NUM_THREADS=n,
               KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3",
               PYTHONUNBUFFERED="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # `import` is timed with byte code cached, as after a pip install
    # this checkout's pipekeras, whichever one the interpreter has installed (a worktree beside an editable install)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    else:
        env.pop("XLA_FLAGS", None)
    return env


# The load of contention mode: a pure-Python spin on one core that ends by itself after argv[2] seconds (and
# is killed as soon as the child it stands beside has finished).
BUSY_LOOP = """import os, sys, time
os.sched_setaffinity(0, {int(sys.argv[1])})
end = time.monotonic() + float(sys.argv[2])
while time.monotonic() < end:
    pass
"""


def child_cores(threads):
    """The cores worker.py pins a child of `threads` threads to (the first `threads` of this process's)."""
    return sorted(os.sched_getaffinity(0))[:threads]


def start_busy(threads, busy, limit):
    """Starts `busy` spinning processes, each pinned to one of the child's cores (its last ones)."""
    cores = child_cores(threads)[-busy:]
    return [subprocess.Popen([sys.executable, "-c", BUSY_LOOP, str(core), str(limit)]) for core in cores]


def run_child(framework, workload, threads, quick, timeout, log, busy=0, extra_args=(), extra_env=None):
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), "--framework", framework,
           "--workload", workload, "--threads", str(threads)] + (["--quick"] if quick else []) + list(extra_args)
    env = child_env(threads)
    env.update(extra_env or {})
    t0 = time.perf_counter()
    spinners = start_busy(threads, busy, timeout + 30) if busy else []
    try:
        p = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"timed out after {timeout} s", "framework": framework,
                "workload": workload, "threads": threads, "busy": busy, "wall_s": time.perf_counter() - t0}
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()
    res = None
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[len("RESULT "):])
    if res is None:
        tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]
        res = {"status": "error", "reason": f"exit {p.returncode}: {tail[0][:300]}", "framework": framework,
               "workload": workload, "threads": threads}
    if res["status"] == "error" and log:
        with open(log, "a") as f:
            f.write(f"==== {framework} {workload} {threads} busy={busy}\n{p.stderr}\n")
    res["wall_s"] = time.perf_counter() - t0
    res["busy"] = busy
    return res


def report(r):
    """Prints one child's result at the end of its progress line."""
    if r["status"] != "ok":
        print(f"{r['status']}: {r['reason']}", flush=True)
    elif r["framework"] == "blas":
        print(f"products alone {r['train_sps']:,.0f}/s ({r['gflops']:.0f} GFLOP/s)", flush=True)
    else:
        print(f"train {r['train_sps']:,.0f}/s  infer {r['infer_sps']:,.0f}/s  "
              f"1-sample {r['latency_us']:.1f} µs  first-epoch {r['first_epoch_overhead_s']:+.2f} s"
              f"  ({r['wall_s']:.0f} s)", flush=True)


def compile_step(workload, threads, cache, timeout):
    """`python -m pipekeras compile --models <workload>` into `cache`, on the cores a child of `threads` threads
    gets, with its environment; returns its wall seconds, or an error string."""
    cores = child_cores(threads)
    env = child_env(threads)
    env["NUMBA_CACHE_DIR"] = cache
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-m", "pipekeras", "compile", "--models", workload], env=env, cwd=ROOT,
                           capture_output=True, text=True, timeout=timeout,
                           preexec_fn=lambda: os.sched_setaffinity(0, cores))
    except subprocess.TimeoutExpired:
        return f"timed out after {timeout} s"
    if p.returncode:
        return f"exit {p.returncode}: {(p.stderr.strip().splitlines() or ['no output'])[-1][:300]}"
    return time.perf_counter() - t0


def cold_start_pair(framework, workload, threads, rep, timeout, log):
    """The cold-start mode's children: with an empty Numba cache (NUMBA_CACHE_DIR a new directory), then
    again on the cache the first filled; for pipekeras a third in a new cache that `python -m pipekeras compile`
    filled first."""
    pair = []
    if framework == "pipekeras":
        with tempfile.TemporaryDirectory(prefix="pipekeras-compiled-") as cache:
            print(f"[{rep + 1}] {workload:15s} threads={threads} {framework:10s} python -m pipekeras compile ... ",
                  end="", flush=True)
            seconds = compile_step(workload, threads, cache, timeout)
            if isinstance(seconds, str):
                print(f"error: {seconds}", flush=True)
                pair.append({"status": "error", "reason": f"python -m pipekeras compile: {seconds}",
                             "framework": framework, "workload": workload, "threads": threads, "repeat": rep,
                             "cache": "compiled"})
            else:
                print(f"{seconds:.1f} s; then ", end="", flush=True)
                r = run_child(framework, workload, threads, True, timeout, log, extra_args=["--cold-start"],
                              extra_env={"NUMBA_CACHE_DIR": cache})
                r.update(repeat=rep, cache="compiled", compile_step_s=seconds)
                print(f"first fit {r['first_fit_s']:.2f} s  first predict {r['first_predict_s']:.2f} s  1-sample "
                      f"{r['first_predict_one_s']:.3f} s" if r["status"] == "ok" else f"{r['status']}: {r['reason']}",
                      flush=True)
                pair.append(r)
    with tempfile.TemporaryDirectory(prefix="pipekeras-cold-") as cache:
        for state in ("cold", "warm"):
            print(f"[{rep + 1}] {workload:15s} threads={threads} {framework:10s} {state} start ... ", end="",
                  flush=True)
            r = run_child(framework, workload, threads, True, timeout, log, extra_args=["--cold-start"],
                          extra_env={"NUMBA_CACHE_DIR": cache})
            r.update(repeat=rep, cache=state)
            if r["status"] == "ok":
                print(f"import {r['import_s']:.2f} s  first fit {r['first_fit_s']:.2f} s (then "
                      f"{r['next_fit_s']:.2f})  first predict {r['first_predict_s']:.2f} s (then "
                      f"{r['next_predict_s']:.3f})", flush=True)
            else:
                print(f"{r['status']}: {r['reason']}", flush=True)
            pair.append(r)
    return pair


COLD_METRICS = ["import_s", "first_fit_s", "next_fit_s", "first_fit_overhead_s", "first_predict_s",
                "first_predict_overhead_s", "first_predict_one_s"]


def cold_start_markdown(runs, workloads, threads_list, frameworks):
    """The cold-start mode's section: first fit and predict with empty and with filled compile caches."""
    cells = {}
    for r in runs:
        if r.get("cache") and r["status"] == "ok":
            cells.setdefault((r["framework"], r["workload"], r["threads"], r["cache"]), []).append(r)
    if not cells:
        return ""
    med = {key: {m: median([r[m] for r in rs]) for m in COLD_METRICS + ["compile_step_s"] if m in rs[0]}
           for key, rs in cells.items()}
    L = ["", "## Cold start: the first fit and predict of a tiny run", ""]
    L.append(f"`--cold-start`: each framework in a fresh process with an empty Numba cache (`NUMBA_CACHE_DIR` a "
             f"new directory; JAX and PyTorch keep no compile cache between processes by default), then in a "
             f"second process on the cache the first filled (warm). The tiny run: one `fit` epoch of "
             f"{TINY_STEPS} steps at the workload's batch, `predict` on up to one predict batch of those "
             "samples, one single-sample predict; then the same fit and predict again in the same process "
             "(next). Overhead = first - next. Seconds, medians over repeats.")
    L.append("")
    L.append("| workload | threads | framework | import | cold: first fit | cold: fit overhead | cold: first predict "
             "| cold: 1-sample | warm: first fit | warm: fit overhead | warm: first predict | next fit |")
    L.append("|" + "---|" * 12)
    for w in workloads:
        for t in threads_list:
            for f in frameworks:
                cold, warm = med.get((f, w, t, "cold")), med.get((f, w, t, "warm"))
                if cold is None or warm is None:
                    continue
                L.append(f"| {w} | {t} | {f} | {warm['import_s']:.2f} | {cold['first_fit_s']:.2f} | "
                         f"{cold['first_fit_overhead_s']:.2f} | {cold['first_predict_s']:.2f} | "
                         f"{cold['first_predict_one_s']:.3f} | {warm['first_fit_s']:.2f} | "
                         f"{warm['first_fit_overhead_s']:.2f} | {warm['first_predict_s']:.3f} | "
                         f"{warm['next_fit_s']:.3f} |")
    L.append("")
    compiled = [(w, t, med[("pipekeras", w, t, "compiled")]) for w in workloads for t in threads_list
                if ("pipekeras", w, t, "compiled") in med]
    if compiled:
        L.append("After `python -m pipekeras compile --models <workload>` filled a new cache (the step itself runs "
                 "once, after install; its seconds are in the second column), a fresh process: import, first fit, "
                 "first predict and single-sample predict, as above.")
        L.append("")
        L.append("| workload | threads | compile step | import | first fit | fit overhead | first predict | 1-sample |")
        L.append("|" + "---|" * 8)
        for w, t, c in compiled:
            L.append(f"| {w} | {t} | {c['compile_step_s']:.1f} | {c['import_s']:.2f} | {c['first_fit_s']:.2f} | "
                     f"{c['first_fit_overhead_s']:.2f} | {c['first_predict_s']:.3f} | {c['first_predict_one_s']:.3f} |")
        L.append("")
    pk = {key[1:]: v for key, v in med.items() if key[0] == "pipekeras"}
    if pk:
        def worst(state, m):
            values = [(v[m], w, t) for (w, t, s), v in pk.items() if s == state]
            return max(values) if values else None

        L.append("| target (issue 18 goal 5) | this run (worst cell) | met |")
        L.append("|---|---|---|")
        for what, state, m, limit in (("first `fit`, empty cache, <= 2 s", "cold", "first_fit_s", 2.0),
                                      ("first `predict`, empty cache, <= 0.5 s", "cold", "first_predict_s", 0.5),
                                      ("first `fit` after `python -m pipekeras compile`, <= 2 s", "compiled",
                                       "first_fit_s", 2.0),
                                      ("first `predict` after `python -m pipekeras compile`, <= 0.5 s", "compiled",
                                       "first_predict_s", 0.5),
                                      ("first single-sample predict after `python -m pipekeras compile`, <= 0.5 s",
                                       "compiled", "first_predict_one_s", 0.5),
                                      ("warm first-epoch (first fit) overhead <= 0.3 s", "warm",
                                       "first_fit_overhead_s", 0.3),
                                      ("`import pipekeras` <= 0.3 s", "warm", "import_s", 0.3)):
            found = worst(state, m)
            if found:
                L.append(f"| {what} | {found[0]:.2f} s ({found[1]}, {found[2]} thread(s)) | "
                         f"{'yes' if found[0] <= limit else '**no**'} |")
        L.append("")
    return "\n".join(L)


def median(v):
    v = sorted(v)
    m = len(v) // 2
    return v[m] if len(v) % 2 else 0.5 * (v[m - 1] + v[m])


def aggregate(runs):
    """(framework, workload, threads) -> {"status", metric medians, "n_runs", "reason"}."""
    cells = {}
    for r in runs:
        cells.setdefault((r["framework"], r["workload"], r["threads"]), []).append(r)
    agg = {}
    for key, rs in cells.items():
        ok = [r for r in rs if r["status"] == "ok"]
        if not ok:
            agg[key] = {"status": rs[-1]["status"], "reason": rs[-1].get("reason", "")}
            continue
        a = {"status": "ok", "n_runs": len(ok), "params": ok[0].get("params"),
             "failed_runs": len(rs) - len(ok),
             "load": median([0.5 * (r["load1_start"] + r["load1_end"]) for r in ok])}
        for m in [m for m, _, _ in METRICS] + ["gflops"]:  # gflops: the BLAS ceiling's
            vals = [r[m] for r in ok if r.get(m) is not None]
            if vals:
                a[m] = median(vals)
                a[m + "_range"] = (min(vals), max(vals))
        agg[key] = a
    return agg


# ------------------------------------------------------------------------------------------- machine info
def machine_info():
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        info["cpu"] = platform.processor() or "unknown"
    info["logical_cores"] = os.cpu_count()
    info["cores_available"] = len(os.sched_getaffinity(0))
    try:
        with open("/proc/meminfo") as f:
            info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 ** 2, 1)
    except (OSError, ValueError, IndexError):
        pass
    info["python"] = platform.python_version()
    info["platform"] = platform.platform()
    versions = {}
    for pkg in ["pipekeras", "numpy", "numba", "llvmlite", "scipy", "torch", "keras", "jax", "jaxlib"]:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    info["versions"] = versions
    try:
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info
        blas = [f"{d.get('internal_api')} {d.get('version')} ({d.get('threading_layer', '?')} threading, "
                f"{d.get('architecture', '?')}; {os.path.basename(d.get('filepath', ''))})"
                for d in threadpool_info() if d.get("user_api") == "blas"]
        info["numpy_blas"] = "; ".join(blas) or "none found by threadpoolctl"
    except Exception as e:  # informational only
        info["numpy_blas"] = f"unknown ({e})"
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                            capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "pipekeras"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        info["pipekeras_tree"] = "uncommitted changes in pipekeras/" if dirty else "clean"
    except OSError:
        pass
    return info


# ------------------------------------------------------------------------------------------- markdown
def fmt(m, v):
    if v is None:
        return "–"
    if m in ("train_sps", "infer_sps"):
        return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if m in ("train_us_per_step", "latency_us"):
        return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if m == "peak_rss_mb":
        return f"{v:,.0f}"
    return f"{v:.2f}"


def ratio(m, higher, pk, peer):
    """How many times better pipekeras is than the peer (>1: pipekeras ahead), for any metric."""
    if pk is None or peer is None or pk <= 0 or peer <= 0:
        return None
    return pk / peer if higher else peer / pk


def best_peer(agg, w, t, m, higher):
    vals = [(agg[(p, w, t)][m], p) for p in PEERS
            if agg.get((p, w, t), {}).get("status") == "ok" and agg[(p, w, t)].get(m) is not None]
    if not vals:
        return None, None
    return (max(vals) if higher else min(vals))


def cell_text(agg, f, w, t, m="train_sps"):
    a = agg.get((f, w, t))
    if a is None:
        return "not run"
    if a["status"] != "ok":
        return f"{a['status']}: {a['reason']}"
    return fmt(m, a.get(m))


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}×"


def _pk_ratio(agg, w, t, m, higher):
    """(pipekeras vs best peer ratio or None, peer name) for one cell."""
    pk = agg.get(("pipekeras", w, t), {})
    bp, who = best_peer(agg, w, t, m, higher)
    return (ratio(m, higher, pk.get(m), bp) if pk.get("status") == "ok" else None), who


def _pk_values(agg, workloads, threads_list, m):
    return [agg[("pipekeras", w, t)][m] for w in workloads for t in threads_list
            if agg.get(("pipekeras", w, t), {}).get("status") == "ok" and agg[("pipekeras", w, t)].get(m) is not None]


def targets(agg, workloads, threads_list):
    """Rows (target, measured, met) for issue 8's targets that this run measures."""
    rows = []
    train = [(w, t) + _pk_ratio(agg, w, t, "train_sps", True) for w in workloads for t in threads_list]
    train = [row for row in train if row[2] is not None]
    if train:
        below = [f"{w} {t}t {r:.2f}×" for w, t, r, _ in train if r < 1.0]
        worst = min(train, key=lambda row: row[2])
        rows.append(("training throughput >= the best peer, every workload, 1 and 2 threads",
                     f"{len(train) - len(below)} of {len(train)} cells; below: {', '.join(below) or 'none'}; "
                     f"lowest {worst[2]:.2f}× ({worst[0]}, {worst[1]} thread(s))", not below))
    sparse = []
    for t in threads_list:
        cell = agg.get(("pipekeras", "imdb_mlp_sparse", t), {})
        peer, who = best_peer(agg, "imdb_mlp", t, "train_sps", True)
        if cell.get("status") == "ok" and peer is not None:
            sparse.append((cell["train_sps"] / peer, who))
    if sparse:
        rows.append(("sparse IMDB MLP training >= 5× the best peer's dense imdb_mlp",
                     " / ".join(f"{r:.1f}× ({who})" for r, who in sparse) + " (by thread count)",
                     min(r for r, _ in sparse) >= 5.0))
    for m, what in (("train_sps", "boston_mlp_b1 training step"), ("latency_us", "single-sample predict (Boston)")):
        cells = [_pk_ratio(agg, "boston_mlp_b1", t, m, m == "train_sps")[0] for t in threads_list]
        cells = [c for c in cells if c is not None]
        if cells:
            rows.append((f">= 5× the best peer at batch 1: {what}", " / ".join(f"{c:.1f}×" for c in cells)
                         + " (1 / 2 threads)", min(cells) >= 5.0))
    latency = [agg.get(("pipekeras", "mnist_mlp", t), {}).get("latency_us") for t in threads_list]
    latency = [v for v in latency if v is not None]
    if latency:
        rows.append(("MNIST MLP single-sample predict < 20 µs", " / ".join(f"{v:.1f} µs" for v in latency),
                     max(latency) < 20.0))
    for m, limit, what in (("first_epoch_overhead_s", 1.0, "first epoch < 1 s more than the next (warm cache)"),
                           ("import_s", 0.5, "`import pipekeras` < 0.5 s")):
        values = _pk_values(agg, workloads, threads_list, m)
        if values:
            rows.append((what, f"at most {max(values):.2f} s", max(values) < limit))
    shares = [(agg[("pipekeras", "mnist_mlp", t)]["train_sps"] / agg[("blas", "mnist_mlp", t)]["train_sps"],
               agg[("blas", "mnist_mlp", t)]["gflops"]) for t in threads_list
              if all(agg.get((f, "mnist_mlp", t), {}).get("status") == "ok" for f in ("pipekeras", "blas"))]
    if shares:
        rows.append(("MNIST MLP training >= 60% of the BLAS ceiling (its products alone on NumPy's BLAS)",
                     " / ".join(f"{share:.0%}" for share, _ in shares) + " (ceiling "
                     + " / ".join(f"{gflops:.0f}" for _, gflops in shares) + " GFLOP/s)",
                     min(share for share, _ in shares) >= 0.6))
    rss = [_pk_ratio(agg, "mnist_mlp", t, "peak_rss_mb", False) for t in threads_list]
    rss = [(r, who) for r, who in rss if r is not None and who == "torch"]
    if rss:
        rows.append(("peak RSS training the MNIST MLP <= PyTorch's", " / ".join(f"{r:.2f}× less" for r, _ in rss),
                     min(r for r, _ in rss) >= 1.0))
    return rows


def markdown(agg, args, info, workloads, threads_list, frameworks, started, elapsed, loads, command):
    L = []
    L.append("# Benchmark results: pipekeras vs PyTorch and Keras 3 (JAX) on the CPU")
    L.append("")
    L.append("Written by `benchmarks/run.py`; do not edit by hand. What each number means: "
             "[README.md](README.md). Memory and speed over a long run: [SOAK.md](SOAK.md) "
             "(`benchmarks/soak.py`).")
    L.append("")
    mode = "QUICK mode (reduced samples and steps; indicative only)" if args.quick else "full"
    L.append(f"- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}, total {elapsed / 60:.1f} min")
    L.append(f"- Command: `{command}`")
    L.append(f"- Mode: {mode}; {args.repeats} repeat(s); medians over repeats; frameworks alternate")
    L.append(f"- Machine: {info.get('cpu')}, {info.get('logical_cores')} logical cores "
             f"({info.get('cores_available')} available), {info.get('memory_gb')} GB RAM, "
             f"Python {info.get('python')}, {info.get('platform')}")
    v = info["versions"]
    L.append("- Versions: " + ", ".join(f"{k} {v[k]}" for k in v))
    L.append(f"- NumPy BLAS (threadpoolctl): {info.get('numpy_blas')}")
    if info.get("torch_blas"):
        L.append(f"- PyTorch build: {info['torch_blas']}")
    L.append(f"- pipekeras source: commit {info.get('git_commit')} ({info.get('pipekeras_tree')})")
    L.append(f"- Load average (1 min) at start / end: {loads[0]:.2f} / {loads[1]:.2f} "
             "(the machine is shared; other processes add noise)")
    L.append("- `load` column: the 1-minute load average around each child (median over repeats); with 2 cores, "
             "a load above the thread count means the run shared its cores with other work")
    L.append("- Threads: 1 = child pinned to one core (`os.sched_setaffinity`) with OMP/MKL/OPENBLAS/NUMBA "
             "thread variables = 1, `XLA_FLAGS=--xla_cpu_multi_thread_eigen=false "
             "intra_op_parallelism_threads=1`, `torch.set_num_threads(1)`, `pk.set_num_threads(1)`; "
             "2 = two cores, the same variables = 2")
    L.append("- Ratio columns: how many times better pipekeras is than the best peer on that metric "
             "(pipekeras/peer for throughput, peer/pipekeras for times and memory; > 1 means pipekeras leads)")
    L.append("")
    L.append("## Training throughput (samples/s, steady state)")
    L.append("")
    head = "| workload | threads | " + " | ".join(frameworks) + " | pipekeras vs best peer |"
    L.append(head)
    L.append("|" + "---|" * (3 + len(frameworks)))
    for w in workloads:
        for t in threads_list:
            row = [w, str(t)] + [cell_text(agg, f, w, t) for f in frameworks]
            pk = agg.get(("pipekeras", w, t), {})
            bp, who = best_peer(agg, w, t, "train_sps", True)
            r = ratio("train_sps", True, pk.get("train_sps"), bp) if pk.get("status") == "ok" else None
            row.append(f"{fmt_ratio(r)} ({who})" if r is not None else "–")
            L.append("| " + " | ".join(row) + " |")
    L.append("")
    rows = targets(agg, workloads, threads_list)
    if rows:
        L.append("## Targets (issue 8) measured by this run")
        L.append("")
        L.append("| target | this run | met |")
        L.append("|---|---|---|")
        for target, measured, met in rows:
            L.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
        L.append("")
        L.append("Not measured here: cold-cache compile time (< 15 s per seed model; see NOTES.md). The BLAS ceiling "
                 "is `worker.py --framework blas`: the MNIST MLP's products per training step (209 MFLOP at batch "
                 "128) alone, timed on NumPy's BLAS in the same run. Where a target is not met, the profile of what "
                 "remains and why: [NOTES.md, What remains](NOTES.md#what-remains).")
        L.append("")
    for w in workloads:
        spec = WORKLOADS[w]
        n, epochs, n_pred = sizes(spec, args.quick)
        L.append(f"## {w}")
        L.append("")
        L.append(f"{spec['model']}. {n:,} training samples, batch {spec['batch']}, RMSprop, float32; "
                 f"steady state = median of {epochs} epochs after the first; inference on {n_pred:,} samples "
                 f"at batch {spec['predict_batch']}.")
        L.append("")
        L.append("| framework | threads | " + " | ".join(t for _, t, _ in METRICS) + " | params | runs | load |")
        L.append("|" + "---|" * (len(METRICS) + 5))
        for t in threads_list:
            for f in frameworks:
                a = agg.get((f, w, t))
                if a is None or a["status"] != "ok":
                    txt = "not run" if a is None else f"{a['status']}: {a['reason']}"
                    L.append(f"| {f} | {t} | {txt} |" + " |" * (len(METRICS) + 2))
                    continue
                cells = []
                for m, _, _ in METRICS:
                    c = fmt(m, a.get(m))
                    if m == "train_sps" and a["n_runs"] > 1:
                        lo, hi = a[m + "_range"]
                        c += f" ({fmt(m, lo)}–{fmt(m, hi)})"
                    cells.append(c)
                runs = str(a["n_runs"]) + (f" ({a['failed_runs']} failed)" if a.get("failed_runs") else "")
                L.append(f"| {f} | {t} | " + " | ".join(cells) + f" | {a.get('params', '–'):,} | {runs} | {a['load']:.1f} |")
            pk = agg.get(("pipekeras", w, t), {})
            cells = []
            for m, _, higher in METRICS:
                bp, who = best_peer(agg, w, t, m, higher)
                r = ratio(m, higher, pk.get(m), bp) if pk.get("status") == "ok" else None
                cells.append(fmt_ratio(r) + (f" ({who})" if r is not None else ""))
            L.append(f"| **pipekeras vs best peer** | {t} | " + " | ".join(cells) + " | | | |")
        L.append("")
    L.append("Single-sample predict calls: pipekeras `model.predict_on_batch(x[:1])`; PyTorch `model(x1)` under "
             "`torch.no_grad()` with the softmax/sigmoid applied; Keras `model.predict_on_batch(x[:1])`.")
    L.append("Raw per-run numbers: `benchmarks/results.json`.")
    L.append("")
    return "\n".join(L)


def kept_fraction(agg, loaded, f, w, t):
    """(loaded t-thread / quiet 1-thread, loaded t-thread / quiet t-thread) training throughput, None if unmeasured."""
    def sps(table, threads):
        cell = table.get((f, w, threads), {})
        return cell.get("train_sps") if cell.get("status") == "ok" else None

    under, alone, quiet = sps(loaded, t), sps(agg, 1), sps(agg, t)
    return (under / alone if under and alone else None), (under / quiet if under and quiet else None)


def contention_markdown(agg, loaded, workloads, threads_list, frameworks, busy):
    """The contention mode's section: quiet and loaded training throughput and the fraction kept."""
    L = ["", f"## Under load: beside {busy} busy core(s)", ""]
    L.append(f"Each cell of more than {busy} thread(s) ran a second time right after its quiet run, beside {busy} "
             "pure-Python busy loop(s) pinned to the child's last core(s) (`--busy-cores`); samples/s, medians over "
             "repeats. **kept** = loaded / quiet 1-thread throughput (issue 18 goal 4: >= 90%, and never below "
             "1.00 = one thread alone); loaded / quiet = what the load took from the same thread count.")
    L.append("")
    L.append("| workload | threads | framework | quiet 1 thread | quiet | loaded | kept (loaded / quiet 1t) "
             "| loaded / quiet | load |")
    L.append("|" + "---|" * 9)
    rows = []
    for w in workloads:
        for t in [t for t in threads_list if t > busy]:
            for f in frameworks:
                cell = loaded.get((f, w, t))
                if cell is None:
                    continue
                if cell["status"] != "ok":
                    L.append(f"| {w} | {t} | {f} | {cell['status']}: {cell['reason']} | | | | | |")
                    continue
                kept, share = kept_fraction(agg, loaded, f, w, t)
                rows.append((w, t, f, kept, cell["train_sps"]))
                L.append(f"| {w} | {t} | {f} | {cell_text(agg, f, w, 1)} | {cell_text(agg, f, w, t)} | "
                         f"{fmt('train_sps', cell['train_sps'])} | "
                         f"{'–' if kept is None else f'{kept:.0%}'} | {'–' if share is None else f'{share:.0%}'} | "
                         f"{cell['load']:.1f} |")
    L.append("")
    pk = [(w, t, kept) for w, t, f, kept, _ in rows if f == "pipekeras" and kept is not None]
    if pk:
        L.append("| target (issue 18 goal 4) | this run | met |")
        L.append("|---|---|---|")
        worst = min(pk, key=lambda row: row[2])
        L.append(f"| pipekeras keeps >= 90% of its quiet 1-thread throughput beside a busy core, every workload | "
                 f"lowest {worst[2]:.0%} ({worst[0]}, {worst[1]} threads) | {'yes' if worst[2] >= 0.9 else '**no**'} |")
        ahead = []
        for w, t, _ in pk:
            mine = loaded[("pipekeras", w, t)]["train_sps"]
            peers = [sps for w2, t2, f, _, sps in rows if (w2, t2) == (w, t) and f != "pipekeras"]
            if peers:
                ahead.append((w, t, mine / max(peers)))
        if ahead:
            behind = [f"{w} {t}t {r:.2f}×" for w, t, r in ahead if r < 1.0]
            L.append(f"| pipekeras ahead of both peers under the same load | "
                     + ", ".join(f"{w} {t}t {r:.2f}×" for w, t, r in ahead)
                     + f" | {'**no**' if behind else 'yes'} |")
        L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer samples and steps, 1 repeat by default")
    ap.add_argument("--repeats", type=int, default=None, help="repeats per cell (default 3; 1 with --quick)")
    ap.add_argument("--workloads", default=",".join(WORKLOADS), help="comma-separated subset")
    ap.add_argument("--frameworks", default=",".join(FRAMEWORKS), help="comma-separated subset")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per child (default 1800; 300 quick)")
    ap.add_argument("--busy-cores", type=int, default=0,
                    help="contention mode: run every cell of more threads than this again beside this many "
                         "busy-looping processes pinned to the child's cores")
    ap.add_argument("--cold-start", action="store_true",
                    help="cold-start mode: first fit and predict of a tiny run with empty compile caches, then "
                         "warm; writes its own tables (see README.md)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="markdown output")
    ap.add_argument("--json", default=None, help="raw results (default: results.json next to --out)")
    args = ap.parse_args()
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    timeout = args.timeout or (300 if args.quick else 1800)
    workloads = [w for w in args.workloads.split(",") if w]
    frameworks = [f for f in args.frameworks.split(",") if f]
    threads_list = [int(t) for t in args.threads.split(",") if t]
    for w in workloads:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w!r}; known: {', '.join(WORKLOADS)}")
    for f in frameworks:
        if f not in FRAMEWORKS:
            ap.error(f"unknown framework {f!r}; known: {', '.join(FRAMEWORKS)}")
    json_path = args.json or os.path.join(os.path.dirname(os.path.abspath(args.out)), "results.json")
    log = os.path.join(os.path.dirname(os.path.abspath(args.out)), "errors.log")
    if os.path.exists(log):
        os.remove(log)
    command = "python benchmarks/run.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])

    # pip compiles a package's byte code when it installs it (the peers' is); an editable checkout run with
    # PYTHONDONTWRITEBYTECODE would otherwise compile pipekeras's sources at every timed import.
    compileall.compile_dir(os.path.join(ROOT, "pipekeras"), quiet=1)
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.perf_counter()
    loads = [os.getloadavg()[0]]
    info = machine_info()
    runs = []
    skip = {}   # cell -> reason (n/a or error: not retried in later repeats)
    dead = {}   # framework -> reason (not installed)
    for rep in range(args.repeats):
        for wi, w in enumerate(workloads):
            for t in threads_list:
                k = (rep + wi) % len(frameworks)
                order = frameworks[k:] + frameworks[:k] + (["blas"] if w in CEILING_WORKLOADS else [])
                for f in order:
                    cell = (f, w, t)
                    if f in dead or cell in skip:
                        continue
                    print(f"[{rep + 1}/{args.repeats}] {w:15s} threads={t} {f:10s} ... ", end="", flush=True)
                    r = run_child(f, w, t, args.quick, timeout, log)
                    r["repeat"] = rep
                    runs.append(r)
                    report(r)
                    if r["status"] == "ok" and f == "torch" and r.get("thread_info", {}).get("blas"):
                        info["torch_blas"] = r["thread_info"]["blas"]
                    if r["status"] != "ok":
                        if "not installed" in r.get("reason", ""):
                            dead[f] = r["reason"]
                        skip[cell] = r["reason"]
                    elif args.busy_cores and t > args.busy_cores and f != "blas":
                        # the same cell again, at once, beside busy cores: quiet and loaded interleaved
                        print(f"[{rep + 1}/{args.repeats}] {w:15s} threads={t} {f:10s} "
                              f"beside {args.busy_cores} busy core(s) ... ", end="", flush=True)
                        r = run_child(f, w, t, args.quick, timeout, log, busy=args.busy_cores)
                        r["repeat"] = rep
                        runs.append(r)
                        report(r)
                if args.cold_start:
                    for f in [f for f in order if f != "blas" and f not in dead and (f, w, t) not in skip]:
                        runs += cold_start_pair(f, w, t, rep, timeout, log)
    # a framework found missing later in the run is reported as such everywhere
    for f, reason in dead.items():
        for w in workloads:
            for t in threads_list:
                if not any(r["framework"] == f and r["workload"] == w and r["threads"] == t for r in runs):
                    runs.append({"status": "n/a", "reason": reason, "framework": f, "workload": w, "threads": t})
    loads.append(os.getloadavg()[0])
    elapsed = time.perf_counter() - t_start
    agg = aggregate([r for r in runs if not r.get("busy") and not r.get("cache")])
    loaded = aggregate([r for r in runs if r.get("busy")])
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(json_path, "w") as f:
        json.dump({"date": started.isoformat(), "command": command, "quick": args.quick,
                   "repeats": args.repeats, "machine": info, "load_average": loads, "runs": runs}, f, indent=1)
    md = markdown(agg, args, info, workloads, threads_list, frameworks, started, elapsed, loads, command)
    if loaded:
        md += contention_markdown(agg, loaded, workloads, threads_list, frameworks, args.busy_cores)
    if args.cold_start:
        md += cold_start_markdown(runs, workloads, threads_list, frameworks)
    with open(args.out, "w") as f:
        f.write(md)
    print(f"\nwrote {args.out} and {json_path} ({elapsed / 60:.1f} min)")
    if os.path.exists(log):
        print(f"child errors: {log}")


if __name__ == "__main__":
    main()
