"""The bounds-checked builds start as soon as the session knows it will run them.

test_boundscheck.py and test_recurrent_split.py's last test run a script in a subprocess with NUMBA_BOUNDSCHECK=1
and an empty Numba cache of their own: minutes of one core compiling every kernel afresh, sharing nothing with
the tests around them. Started when collection ends, they compile on the second core while the other tests
run; their tests run last and wait for the scripts' results. The two scripts run one after the other in one cache
directory (both with the checks on), so the second loads the recurrent kernels the first compiled.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time

import pytest

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = {  # test id -> the script its subprocess runs, in the order they run
    "tests/compute/test_boundscheck.py::test_kernels_run_under_bounds_checking": "test_boundscheck.py",
    "tests/compute/test_recurrent_split.py::test_split_kernels_run_under_bounds_checking": "test_recurrent_split.py",
}
TIMEOUT_S = 1800  # per script: a guard against a hang; the scripts share the cores with the whole session


class BoundsCheckedRuns:
    """Runs the wanted scripts one after another in a background thread, each in its own subprocess."""

    def __init__(self, scripts):
        self.scripts = list(scripts)
        self.cache_dir = tempfile.TemporaryDirectory(prefix="bounds-checked-numba-cache-")
        self.env = {**os.environ, "NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": self.cache_dir.name,
                    "PYTHONPATH": CHECKOUT}
        self.results = {}
        self.seconds = {}
        self.done = {script: threading.Event() for script in self.scripts}
        self.process = None
        self.stopped = False
        self.lock = threading.Lock()  # a subprocess starts only while the runs are not stopped
        self.thread = threading.Thread(target=self._run_all, name="bounds-checked builds", daemon=True)
        self.thread.start()

    def _run_all(self):
        for script in self.scripts:
            try:
                with self.lock:
                    if self.stopped:
                        continue
                    start = time.perf_counter()
                    self.process = subprocess.Popen([sys.executable, os.path.join(HERE, script)], env=self.env,
                                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                try:
                    out, err = self.process.communicate(timeout=TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    out, err = self.process.communicate()
                    err += f"\n(killed after {TIMEOUT_S} s)"
                self.results[script] = subprocess.CompletedProcess(self.process.args, self.process.returncode,
                                                                   out, err)
                self.seconds[script] = time.perf_counter() - start
            finally:
                self.done[script].set()

    def result(self, script):
        """The finished subprocess of `script` (waits for it) and its seconds."""
        self.done[script].wait(TIMEOUT_S * len(self.scripts))
        assert script in self.results, f"{script} did not run"
        return self.results[script], self.seconds[script]

    def stop(self):
        """Kills a subprocess still running (the session ends before its test) and removes the cache."""
        with self.lock:
            self.stopped = True
            if self.process is not None and self.process.poll() is None:
                self.process.kill()
        self.thread.join(60)
        self.cache_dir.cleanup()


_runs = {}


def _start(session):
    if "runs" not in _runs:
        ids = {item.nodeid for item in session.items}
        _runs["runs"] = BoundsCheckedRuns(script for test, script in SCRIPTS.items() if test in ids)
    return _runs["runs"]


def pytest_collection_modifyitems(items):
    """The tests that wait for the background runs go last, so that every other test overlaps with them."""
    items[:] = [item for item in items if item.nodeid not in SCRIPTS] + \
        [item for item in items if item.nodeid in SCRIPTS]


def pytest_collection_finish(session):
    selected = any(item.nodeid in SCRIPTS for item in session.items)
    if selected and not os.environ.get("PYTEST_XDIST_WORKER"):  # a worker may not get the test: start on request
        _start(session)


def pytest_sessionfinish(session):
    if "runs" in _runs:
        _runs.pop("runs").stop()


@pytest.fixture(scope="session")
def bounds_checked(request):
    """The background runs of the bounds-checked scripts; `.result(script)` waits for one."""
    return _start(request.session)
