"""runtime.jit: processes that share one Numba cache (pytest-xdist workers, data-parallel ranks) may save
different signatures of one function at the same moment; each keeps its own data file and every process
loads the right machine code afterwards.

Two subprocesses compile `twice_plus_one` for int64 and for float64 at once. Each waits inside Numba's save,
after it has picked the data file's name from the index, for the other to get there as well: without a lock
both pick the same name (the race made certain); with pipekeras's lock the second waits outside instead.
"""

import importlib.util
import os
import pickle
import subprocess
import sys

from numba.core import config

from pipekeras.runtime import jit

CHECKOUT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MODULE = """
from pipekeras.runtime.jit import jit


@jit
def twice_plus_one(x):
    return 2 * x + 1
"""

SAVER = """
import importlib.util, pathlib, sys, time
from numba.core import caching
me, other, argument, wait_s, cache, jit_file = sys.argv[1:7]
here, wait_s = pathlib.Path(__file__).parent, float(wait_s)
# runtime/jit.py alone: importing all of pipekeras would take longer than the compilation that races
spec = importlib.util.spec_from_file_location("pipekeras.runtime.jit", jit_file)
sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sys.modules[spec.name])
import racing
if cache == "numba":
    racing.twice_plus_one._cache = caching.FunctionCache(racing.twice_plus_one.py_func)

save_index = caching.IndexDataCacheFile._save_index


def save_index_together(self, overloads):
    (here / ("saving-" + me)).touch()
    deadline = time.monotonic() + wait_s
    while not (here / ("saving-" + other)).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    save_index(self, overloads)


caching.IndexDataCacheFile._save_index = save_index_together
(here / ("ready-" + me)).touch()
while not (here / ("ready-" + other)).exists():  # both compile at the same time
    time.sleep(0.005)
print(racing.twice_plus_one(int(argument) if argument.isdigit() else float(argument)))
"""


def _save_at_once(tmp_path, cache, wait_s):
    (tmp_path / "racing.py").write_text(MODULE)
    (tmp_path / "saver.py").write_text(SAVER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([CHECKOUT, str(tmp_path)]),
           "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    savers = [subprocess.Popen([sys.executable, str(tmp_path / "saver.py"), me, other, argument, str(wait_s),
                                cache, jit.__file__], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for me, other, argument in (("a", "b", "3"), ("b", "a", "2.5"))]
    outputs = [saver.communicate(timeout=120) for saver in savers]
    for saver, (out, err) in zip(savers, outputs):
        assert saver.returncode == 0, err
    assert [out.split() for out, _ in outputs] == [["7"], ["6.0"]]
    (index,) = (tmp_path / "cache").rglob("*.nbi")
    with open(index, "rb") as f:
        pickle.load(f)  # Numba's version
        _, overloads = pickle.loads(f.read())
    return overloads


def test_numbas_own_cache_loses_an_overload_when_two_processes_save_at_once(tmp_path):
    overloads = _save_at_once(tmp_path, "numba", wait_s=60)
    assert len(set(overloads.values())) == 1  # both wrote one data file: the race the lock prevents


def test_two_processes_saving_signatures_at_once_both_load_the_right_overload_afterwards(tmp_path, monkeypatch):
    overloads = _save_at_once(tmp_path, "pipekeras", wait_s=1)
    assert len(overloads) == 2 and len(set(overloads.values())) == 2

    monkeypatch.setattr(config, "CACHE_DIR", str(tmp_path / "cache"))
    spec = importlib.util.spec_from_file_location("racing", tmp_path / "racing.py")
    racing = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "racing", racing)  # Numba finds a cached function's globals by module name
    spec.loader.exec_module(racing)
    assert racing.twice_plus_one(3) == 7 and racing.twice_plus_one(2.5) == 6.0
    stats = racing.twice_plus_one.stats
    assert sum(stats.cache_hits.values()) == 2 and not stats.cache_misses
