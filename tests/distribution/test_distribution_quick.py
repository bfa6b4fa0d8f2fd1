"""The parts of pipekeras.distribution and pipekeras.tuning that need no MPI job or Dask cluster: how batches
split over ranks, the errors naming the extra to install, and trials run in this process (client=False)."""

import builtins
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.r as r
from pipekeras.errors import ConfigError

import tuning_tasks

SCRIPT = pathlib.Path(__file__).resolve().parent / "scripts" / "tuned_script.py"


def test_shards_are_consecutive_runs_the_first_ranks_one_row_longer():
    assert [pk.distribution.shard(10, 3, rank) for rank in range(3)] == [(0, 4), (4, 7), (7, 10)]
    assert [pk.distribution.shard(1, 2, rank) for rank in range(2)] == [(0, 1), (1, 1)]


def _without(monkeypatch, module):
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == module or name.startswith(module + "."):
            raise ImportError(f"No module named {module!r}")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake)


def test_missing_mpi4py_names_the_mpi_extra(monkeypatch):
    _without(monkeypatch, "mpi4py")
    with pytest.raises(ConfigError, match=r"pip install 'pipekeras\[mpi\]'"):
        pk.distribution.DataParallel()


def test_missing_dask_names_the_dask_extra(monkeypatch):
    _without(monkeypatch, "distributed")
    with pytest.raises(ConfigError, match=r"pip install 'pipekeras\[dask\]'"):
        pk.tuning.grid_search(tuning_tasks.linear, {"units": [1]})


def test_bad_distribution_arguments_are_errors():
    with pytest.raises(ConfigError, match="timeout must be a positive number"):
        pk.distribution.DataParallel(timeout=0)
    with pytest.raises(ConfigError, match="expected a DataParallel or None"):
        pk.distribution.set_distribution("mpi")


def test_a_failed_trial_is_reported_in_its_row_and_the_others_run():
    runs = pk.tuning.grid_search(tuning_tasks.linear, {"units": [0, 2], "lr": 0.05}, client=False)
    assert [row["units"] for row in runs] == [0, 2] and [row["run"] for row in runs] == [1, 2]
    assert runs[0]["error"].startswith("ValueError: units must be positive, received 0")
    assert runs[1]["error"] is None and len(runs[1]["history"]["loss"]) == 2
    assert runs.best("loss") is runs[1]
    assert "error" in str(runs).splitlines()[0]


def test_trials_are_seeded_so_a_rerun_gives_the_same_numbers():
    first = pk.tuning.random_search(tuning_tasks.linear, {"units": [1, 2, 3], "lr": [0.01, 0.05]}, trials=3,
                                    client=False, seed=5)
    again = pk.tuning.random_search(tuning_tasks.linear, {"units": [1, 2, 3], "lr": [0.01, 0.05]}, trials=3,
                                    client=False, seed=5)
    assert len(first) == 3 and len({(row["units"], row["lr"]) for row in first}) == 3
    assert [row["history"] for row in first] == [row["history"] for row in again]


def test_kfold_partitions_consecutive_parts():
    seen = []

    def train(x_train, y_train, x_val, y_val):
        seen.append((len(x_train), x_val[:, 0].tolist()))
        return {"val": float(y_val.sum())}
    x = np.arange(8, dtype="float32").reshape(8, 1)
    runs = pk.tuning.kfold(train, x, x[:, 0], k=4, client=False)
    assert seen == [(6, [0.0, 1.0]), (6, [2.0, 3.0]), (6, [4.0, 5.0]), (6, [6.0, 7.0])]
    assert [row["eval_val"] for row in runs] == [1.0, 5.0, 9.0, 13.0]
    with pytest.raises(ConfigError, match="k must be an integer from 2"):
        pk.tuning.kfold(train, x, x[:, 0], k=1, client=False)


def test_r_tuning_run_runs_the_script_once_per_flag_combination():
    runs = r.tuning_run(str(SCRIPT), flags={"units": [2, 3], "lr": [0.05]}, client=False)
    assert [(row["units"], row["lr"]) for row in runs] == [(2, 0.05), (3, 0.05)]
    assert all(row["error"] is None and "eval_loss" in row and len(row["history"]["loss"]) == 2 for row in runs)
    failed = r.tuning_run(str(SCRIPT), flags={"dropout": [0.1]}, client=False)
    assert "the run sets ['dropout'], which the script does not declare" in failed[0]["error"]
    assert r.flags(units=4) == {"units": 4}


def test_predict_on_a_dask_array_in_this_process():
    da = pytest.importorskip("dask.array", reason="dask is not installed (pipekeras[dask])")
    model = pk.sequential() | pk.dense(2, input_shape=3)
    x = np.arange(12, dtype="float32").reshape(4, 3)
    lazy = model | pk.predict(da.from_array(x, chunks=(3, 3)))
    np.testing.assert_allclose(lazy.compute(scheduler="synchronous"), model.predict(x), rtol=1e-6)


@pytest.mark.slow  # a Python process of its own
def test_one_rank_data_parallel_trains_as_one_process_and_rebuilds_the_runner():
    pytest.importorskip("mpi4py", reason="mpi4py is not installed (pipekeras[mpi])")
    # in a process of its own: MPI initialised here would stay for the rest of the test session
    done = subprocess.run([sys.executable, str(SCRIPT.parent / "one_rank.py")], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(SCRIPT.parents[3])))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "1", "rebuilt", "equal"]
