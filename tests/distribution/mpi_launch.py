"""Runs the scripts of tests/distribution/scripts alone or under `mpiexec -n 2`, one thread per process."""

import os
import pathlib
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPTS = pathlib.Path(__file__).resolve().parent / "scripts"
MPIEXEC = pathlib.Path(sys.executable).parent / "mpiexec"


def environment(**extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.update(extra)
    return env


def require_mpi():
    """Skips the test, saying why, when MPI cannot start two ranks here."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        pytest.skip("mpi4py is not installed (pip install 'pipekeras[mpi]')")
    if not MPIEXEC.exists():
        pytest.skip(f"no mpiexec next to the Python interpreter ({MPIEXEC}); the mpich wheel brings one")
    probe = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", "from mpi4py import MPI; MPI.COMM_WORLD.Barrier()"],
                           capture_output=True, text=True, timeout=60, env=environment())
    if probe.returncode:
        pytest.skip(f"mpiexec cannot start 2 ranks here: {probe.stderr.strip()[-300:]}")


def run(script, *args, ranks=None, timeout=120, **env):
    """Runs `script` with `args` (under mpiexec with `ranks` ranks, else alone); returns (completed process,
    seconds)."""
    command = [sys.executable, str(SCRIPTS / script), *map(str, args)]
    if ranks:
        command = [str(MPIEXEC), "-n", str(ranks)] + command
    start = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=environment(**env))
    return done, time.monotonic() - start
