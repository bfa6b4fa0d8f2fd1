"""Fuzzing every file format in CI: byte flips, truncations and config mutations (benchmarks/fuzz_files.py,
fixed seed). Loads run in worker processes, so a crash or a hang is counted and fails the test instead of
killing pytest. The case counts keep the whole file to about half a minute on two cores; the big campaign (20,000
mutations per HDF5 format) is run by hand, see docs/reliability.md."""

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("h5py")

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# Cases per format: each HDF5 load forks a parser of the parsing server (tens of ms), each worker starts one.
CASES = {".pkeras": 300, ".keras": 60, ".weights.h5": 45, ".h5": 45}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_mutated_files_give_a_pipekeras_error_or_a_model(kind):
    command = [sys.executable, os.path.join(REPO, "benchmarks", "fuzz_files.py"), "--formats", kind,
               "--count", str(CASES[kind]), "--seed", "17", "--case-timeout", "60", "--json"]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    (report,) = json.loads(result.stdout)
    counts = report["counts"]
    assert set(counts) <= {"error", "loaded"}, report
    assert sum(counts.values()) == CASES[kind]
    assert counts.get("error", 0) > 0  # the mutations do reach the checks
