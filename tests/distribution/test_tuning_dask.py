"""Trials and folds on a local Dask cluster of 2 worker processes: the book's Boston 4-fold validation equals
its serial run, and a 6-point grid over the MNIST MLP returns its table. Real data and a cluster start: slow."""

import cloudpickle
import numpy as np
import pytest

import pipekeras as pk

import tuning_tasks

pytestmark = pytest.mark.slow
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pipekeras[dask])")
cloudpickle.register_pickle_by_value(tuning_tasks)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with distributed.Client(cluster) as connected:
        yield connected
    cluster.close()


def test_boston_four_folds_on_two_workers_equal_the_serial_folds(client):
    x, y = tuning_tasks.boston()
    parallel = pk.tuning.kfold(tuning_tasks.boston_fold, x, y, k=4, client=client)
    serial = pk.tuning.kfold(tuning_tasks.boston_fold, x, y, k=4, client=False)
    assert [row["fold"] for row in parallel] == [0, 1, 2, 3]
    assert all(row["error"] is None for row in parallel)
    assert len({row["worker"] for row in parallel}) == 2  # both workers took folds
    for ours, reference in zip(parallel, serial):
        assert ours["history"] == reference["history"]
        assert ours["eval_mae"] == reference["eval_mae"] == pytest.approx(ours["metric_val_mae"], rel=1e-6)
    print("\n" + str(parallel))


def test_a_six_point_grid_over_the_mnist_mlp_returns_its_table(client):
    runs = pk.tuning.grid_search(tuning_tasks.mnist_mlp, {"units": [32, 64, 128], "lr": [1e-3, 1e-2]}, client=client)
    assert [(row["units"], row["lr"]) for row in runs] == [(32, 1e-3), (32, 1e-2), (64, 1e-3), (64, 1e-2),
                                                           (128, 1e-3), (128, 1e-2)]
    assert all(row["error"] is None and 0.0 <= row["metric_val_accuracy"] <= 1.0 for row in runs)
    assert set(runs.columns()) >= {"run", "units", "lr", "metric_loss", "metric_accuracy", "metric_val_loss",
                                   "metric_val_accuracy", "seconds", "worker", "error"}
    best = runs.best("val_accuracy", mode="max")
    assert best["metric_val_accuracy"] == max(row["metric_val_accuracy"] for row in runs)
    assert "metric_val_accuracy" in str(runs).splitlines()[0]
    print("\n" + str(runs))


def test_predict_on_a_dask_array_computes_block_by_block_on_the_workers(client):
    import dask.array as da
    model = pk.sequential() | pk.dense(4, "relu", input_shape=3) | pk.dense(2, "softmax")
    x = np.random.default_rng(0).normal(size=(50, 3)).astype("float32")
    lazy = model | pk.predict(da.from_array(x, chunks=(20, 3)))
    assert isinstance(lazy, da.Array) and lazy.chunks == ((20, 20, 10), (2,))
    np.testing.assert_allclose(lazy.compute(), model.predict(x), rtol=1e-6)
