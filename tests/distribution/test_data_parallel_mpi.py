"""DataParallel under `mpiexec -n 2`: the same weights as one process on the same global batches, identical weights
on every rank, and the bad cases (a rank killed or stopped, ranks that build different models).

Each test starts MPI jobs of a few seconds, so they run in `make test`'s second group (marked slow).
"""

import re

import numpy as np
import pytest

from mpi_launch import require_mpi, run

pytestmark = pytest.mark.slow


def _load(prefix, rank):
    return np.load(f"{prefix}.rank{rank}.npz", allow_pickle=True)


def _weights(npz):
    return [npz[f"arr_{i}"] for i in range(sum(k.startswith("arr_") for k in npz.files))]


@pytest.mark.parametrize("kind, samples", [("mlp", 2048), ("convnet", 1024)])
def test_two_ranks_train_the_weights_of_one_process(tmp_path, kind, samples):
    require_mpi()
    single, _ = run("train_mnist.py", kind, "single", tmp_path / "single", samples)
    assert single.returncode == 0, single.stderr
    parallel, _ = run("train_mnist.py", kind, "parallel", tmp_path / "parallel", samples, ranks=2)
    assert parallel.returncode == 0, parallel.stderr
    alone, ranks = _load(tmp_path / "single", 0), [_load(tmp_path / "parallel", r) for r in (0, 1)]
    for ours, theirs in zip(_weights(ranks[0]), _weights(ranks[1])):
        assert np.array_equal(ours, theirs)  # bit-identical on every rank
    for ours, reference in zip(_weights(ranks[0]), _weights(alone)):
        np.testing.assert_allclose(ours, reference, rtol=1e-4, atol=1e-6)  # float32 rounding of the sums
    assert float(ranks[0]["accuracy"]) == pytest.approx(float(alone["accuracy"]), abs=1e-3)
    np.testing.assert_allclose(ranks[0]["loss"], alone["loss"], rtol=1e-5)
    assert int(ranks[0]["steps"]) == -(-samples // (128 if kind == "mlp" else 64))


def test_uneven_batches_batch_normalization_callbacks_saving_and_sequences(tmp_path):
    require_mpi()
    single, _ = run("checks.py", "single", tmp_path / "single")
    assert single.returncode == 0, single.stderr
    parallel, _ = run("checks.py", "parallel", tmp_path / "parallel", ranks=2)
    assert parallel.returncode == 0, parallel.stderr
    assert "batch_size=33 does not divide over 2 ranks" in parallel.stderr
    alone, zero, one = _load(tmp_path / "single", 0), _load(tmp_path / "parallel", 0), _load(tmp_path / "parallel", 1)
    assert str(alone["nudged"]) == "trained"
    assert "after epoch 1 the weights of rank(s) [1] differ from rank 0's" in str(zero["nudged"])
    for key in set(zero.files) - {"own_step"}:
        pairs = zip(zero[key], one[key]) if key.endswith("weights") else [(zero[key], one[key])]
        assert all(np.array_equal(a, b) for a, b in pairs), key  # every rank the same
    for key in ("uneven_weights", "uneven_loss", "uneven_accuracy", "stop_epochs", "stop_val_loss", "evaluate",
                "predict", "sequence_weights", "sequence_loss"):
        pairs = zip(zero[key], alone[key]) if key.endswith("weights") else [(zero[key], alone[key])]
        for ours, reference in pairs:
            np.testing.assert_allclose(np.asarray(ours, np.float64), np.asarray(reference, np.float64),
                                       rtol=1e-5, atol=1e-6, err_msg=key)
    assert str(alone["own_step"]) == "trained"
    assert "trains with its own train_step(data), whose optimizer.apply_gradients is not reduced" in \
        str(zero["own_step"])
    assert (tmp_path / "parallel.rank0.csv").exists() and (tmp_path / "parallel.rank0.pkeras").exists()
    assert not (tmp_path / "parallel.rank1.csv").exists() and not (tmp_path / "parallel.rank1.pkeras").exists()
    assert parallel.stdout.count("Epoch 1/30") == 1  # one progress bar: rank 0's


def test_ranks_building_different_models_stop_with_an_error(tmp_path):
    require_mpi()
    done, seconds = run("checks.py", "disagree", tmp_path / "d", ranks=2)
    assert done.returncode != 0 and seconds < 60
    assert "rank 1's model differs from rank 0's" in done.stderr
    assert "dense/kernel (6, 16) float32 on rank 0, dense/kernel (6, 17) float32 there" in done.stderr


def test_a_killed_rank_stops_the_job_within_a_minute(tmp_path):
    require_mpi()
    done, seconds = run("train_mnist.py", "mlp", "parallel", tmp_path / "k", 2048, 5, 1, ranks=2, timeout=90)
    pid = re.search(r"rank 1 pid (\d+) stops itself", done.stdout).group(1)
    assert done.returncode != 0 and seconds < 60
    # mpiexec sees the rank die and stops the job, naming the process
    assert "BAD TERMINATION" in done.stdout + done.stderr and f"PID {pid}" in done.stdout + done.stderr
    assert not (tmp_path / "k.rank0.npz").exists()


def test_a_stopped_rank_is_named_by_the_watchdog(tmp_path):
    require_mpi()
    done, seconds = run("train_mnist.py", "mlp", "parallel", tmp_path / "s", 2048, 5, -1, ranks=2, timeout=90,
                        PK_TIMEOUT="5")
    pid = re.search(r"rank 1 pid (\d+) stops itself", done.stdout).group(1)
    assert done.returncode != 0 and seconds < 60
    assert f"rank 1 (pid {pid} on " in done.stderr and "stopped" in done.stderr
    assert "rank 0 waited 5 s in the gradient allreduce of step" in done.stderr
