"""`python -m pipekeras compile` (pipekeras/seed_compile.py): the seed models' kernels compiled ahead of time."""

import os
import subprocess
import sys

import pytest

from pipekeras.seed_compile import SEED_MODELS, compile_seed_models, run_seed_model

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs a seed model in a fresh process and prints the pipekeras functions Numba compiled for it (none when the
# disk cache has them all).
_COMPILES_OF_SEED_MODEL = """
import sys
from numba.core import event
compiled = []

class Listener(event.Listener):
    def on_start(self, ev):
        pass

    def on_end(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__module__ + "." + ev.data["dispatcher"].py_func.__name__)

event.register("numba:compile", Listener())
from pipekeras.seed_compile import run_seed_model
run_seed_model(sys.argv[1])
print("COMPILED", sorted(name for name in compiled if name.startswith("pipekeras")))
"""


def _run(args, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), NUMBA_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join([ROOT] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    return subprocess.run([sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=1200)


def test_unknown_seed_model_and_thread_count_are_named():
    with pytest.raises(ValueError, match="unknown seed model 'mnist'.*mnist_mlp"):
        run_seed_model("mnist")
    with pytest.raises(ValueError, match="unknown seed model 'nope'"):
        compile_seed_models(["boston_mlp_b1", "nope"])
    with pytest.raises(ValueError, match="positive integers, received 0"):
        compile_seed_models(["boston_mlp_b1"], threads=[0])


def test_command_line_reports_a_bad_model_without_a_traceback(tmp_path):
    done = _run(["-m", "pipekeras", "compile", "--models", "nope"], tmp_path)
    assert done.returncode == 2
    assert "unknown seed model 'nope'" in done.stderr and "Traceback" not in done.stderr


def test_seed_models_cover_the_benchmark_workloads():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        from workloads import WORKLOADS
    finally:
        sys.path.remove(os.path.join(ROOT, "benchmarks"))
    assert set(WORKLOADS) <= set(SEED_MODELS)


@pytest.mark.slow
def test_after_the_compile_step_a_seed_model_compiles_nothing(tmp_path):
    step = _run(["-m", "pipekeras", "compile", "--models", "boston_mlp_b16", "--threads", "1"], tmp_path)
    assert step.returncode == 0, step.stderr
    assert "boston_mlp_b16" in step.stdout
    after = _run(["-c", _COMPILES_OF_SEED_MODEL, "boston_mlp_b16"], tmp_path)
    assert after.returncode == 0, after.stderr
    assert "COMPILED []" in after.stdout, after.stdout
