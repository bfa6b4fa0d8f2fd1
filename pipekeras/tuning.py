"""Trials and folds as Dask tasks: grid and random search over hyperparameters, k-fold cross-validation, and
R tfruns' `tuning_run(file, flags = list(...))` (needs `pip install 'pipekeras[dask]'` for a cluster).

Each trial is one call of your training function with its flags (or its fold), run as one Dask task: on a
local cluster of processes by default, or on any cluster given by its scheduler address
(`"tcp://host:8786"`) or a `distributed.Client`. `client=False` runs the trials one after the other in this
process, with the same seeds, so the results are those of the cluster. The results come back as a
`TuningResults` table, one row per trial; a trial that raised is reported in its row (`error`) and does not
stop the others.

Example:
    >>> def train(flags):
    ...     model = sequential() | dense(flags["units"], "relu", input_shape=784) | dense(10, "softmax")
    ...     model | compile(optimizer=optimizer_rmsprop(flags["lr"]), loss="categorical_crossentropy",
    ...                     metrics="accuracy")
    ...     return model | fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    >>> runs = pk.tuning.grid_search(train, {"units": [64, 128, 256], "lr": [1e-3, 1e-4]})
    >>> print(runs)
"""

import itertools
import os
import runpy
import socket
import time
import traceback

import numpy as np

from . import backend
from .callbacks import History
from .errors import ConfigError
from .utils.metric_logs import MetricLogs

_current_flags = None  # the flags of the trial running in this process (see `flags`)


class TuningResults(list):
    """The trials' rows (dicts), in trial order: `run`, the flags (or `fold`), `history` (per epoch: metric ->
    list), the final metrics (`metric_<name>`: each history metric's last value, as tfruns names them;
    `eval_<name>`: the values of a returned evaluate result), `seconds`, `worker` and `error` (None, or the
    failed trial's error and the last lines of its traceback)."""

    def best(self, metric, mode="min"):
        """Returns the row with the lowest (`mode="min"`) or highest (`"max"`) `metric_<metric>` (or
        `eval_<metric>` for a name starting with "eval_"), failed trials left out.

        Raises:
            ConfigError: for an unknown metric or mode, or when every trial failed.
        """
        if mode not in ("min", "max"):
            raise ConfigError(f"TuningResults.best: mode must be 'min' or 'max', received {mode!r}.")
        key = metric if metric.startswith("eval_") else f"metric_{metric}"
        rows = [row for row in self if row["error"] is None]
        if not rows:
            raise ConfigError("TuningResults.best: every trial failed; see each row's error.")
        if key not in rows[0]:
            names = sorted(k[len("metric_"):] if k.startswith("metric_") else k for k in rows[0]
                           if k.startswith(("metric_", "eval_")))
            raise ConfigError(f"TuningResults.best: no metric {metric!r}; the trials report {names}.")
        pick = min if mode == "min" else max
        return pick(rows, key=lambda row: row[key])

    def columns(self):
        """The column names: every key of the rows except `history`, in first-seen order."""
        names = []
        for row in self:
            names += [k for k in row if k != "history" and k not in names]
        return names

    def to_pandas(self):
        """Returns the table as a pandas DataFrame (needs pandas), `history` left out."""
        import pandas  # optional: only this method needs it
        return pandas.DataFrame([{k: row.get(k) for k in self.columns()} for row in self])

    def __str__(self):
        names = self.columns()
        cells = [[_cell(row.get(name)) for name in names] for row in self]
        widths = [max([len(name)] + [len(line[i]) for line in cells]) for i, name in enumerate(names)]
        lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(line, widths)) for line in cells]
        return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def grid_search(train, flags, client=None, seed=0):
    """Runs `train(flags)` for every combination of the flag values, each as one Dask task.

    Args:
        train: a function of a dict of flags returning a `History`, a dict of metrics (an evaluate result), or
            a (History, dict) pair. It must be picklable (a module-level function; Dask ships it with
            cloudpickle).
        flags: dict flag name -> list of values (a single value is a list of one).
        client: None for a local Dask cluster (2 worker processes, one task at a time each, computing on half
            the cores each; closed afterwards), a scheduler address, a `distributed.Client`, or False to run in
            this process one trial at a time.
        seed: every trial starts with `pk.set_seed(seed)`, so a trial's result does not depend on where or
            after what it ran.

    Returns:
        A `TuningResults` table, one row per combination (the last flag varying fastest).

    Raises:
        ConfigError: for flags that are not a dict of values, or when Dask is needed and not installed.
    """
    names, values = _flag_lists(flags, "grid_search")
    trials = [dict(zip(names, combination)) for combination in itertools.product(*values)]
    return _run([(_flag_trial, (train, trial, seed)) for trial in trials], client)


def random_search(train, flags, trials, client=None, seed=0):
    """Runs `train(flags)` for `trials` combinations drawn at random (without repeats where the grid allows)
    from the flag values; as `grid_search` otherwise.

    Args:
        train, flags, client: as for `grid_search`.
        trials: how many combinations to run (at most the grid's size).
        seed: seeds the draw and, as in `grid_search`, every trial.

    Returns:
        A `TuningResults` table, one row per drawn combination.
    """
    names, values = _flag_lists(flags, "random_search")
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise ConfigError(f"random_search: trials must be a positive integer, received {trials!r}.")
    grid = list(itertools.product(*values))
    picks = np.random.default_rng(seed).choice(len(grid), size=min(int(trials), len(grid)), replace=False)
    return _run([(_flag_trial, (train, dict(zip(names, grid[i])), seed)) for i in picks], client)


def kfold(train, x, y, k=4, client=None, seed=0):
    """k-fold cross-validation as Dask tasks: fold i validates on the i-th of k consecutive parts of the
    samples and trains on the rest (the book's partition, no shuffling).

    Args:
        train: a function `train(x_train, y_train, x_val, y_val)` returning what `grid_search`'s does.
        x, y: the samples (arrays with the samples along the first axis).
        k: the number of folds (2 to the number of samples).
        client, seed: as for `grid_search` (every fold starts with `pk.set_seed(seed)`).

    Returns:
        A `TuningResults` table with one row per fold (`fold` from 0).

    Raises:
        ConfigError: for a bad k or arrays of different lengths.
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ConfigError(f"kfold: x has {len(x)} samples and y {len(y)}; give one target per sample.")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= len(x):
        raise ConfigError(f"kfold: k must be an integer from 2 to the number of samples ({len(x)}), received {k!r}.")
    size = len(x) // k
    tasks = []
    for fold in range(k):
        held = np.arange(fold * size, (fold + 1) * size)
        kept = np.setdiff1d(np.arange(len(x)), held)
        tasks.append((_fold_trial, (train, fold, x[kept], y[kept], x[held], y[held], seed)))
    return _run(tasks, client)


def tuning_run(file, flags=None, client=None, sample=None, seed=0):
    """R tfruns' `tuning_run(file, flags = list(...))`: runs the script `file` once per combination of the
    flag values. The script reads its flags with `pk.tuning.flags(name=default, ...)`; the run's results are
    the last `History` and evaluate results (`MetricLogs`) it leaves in its global variables.

    Args:
        file: the training script's path (read by the workers: give a path they can read).
        flags: dict flag name -> list of values.
        client: as for `grid_search`.
        sample: None for every combination, or a fraction in (0, 1] of them drawn at random (tfruns' `sample`).
        seed: as for `random_search`.

    Returns:
        A `TuningResults` table, one row per run.
    """
    if not os.path.isfile(file):
        raise ConfigError(f"tuning_run: no script at {file!r}.")
    names, values = _flag_lists(flags or {}, "tuning_run")
    grid = [dict(zip(names, combination)) for combination in itertools.product(*values)]
    if sample is not None:
        if not isinstance(sample, (int, float)) or not 0 < sample <= 1:
            raise ConfigError(f"tuning_run: sample must be a fraction in (0, 1], received {sample!r}.")
        picks = np.random.default_rng(seed).choice(len(grid), size=max(1, round(sample * len(grid))), replace=False)
        grid = [grid[i] for i in sorted(picks)]
    return _run([(_script_trial, (os.path.abspath(file), trial, seed)) for trial in grid], client)


def flags(**defaults):
    """Returns the flags of the run: `defaults` overridden by those `tuning_run` gives this run (tfruns'
    `flags()`); outside `tuning_run`, the defaults.

    Raises:
        ConfigError: when the run gives a flag the script does not declare.
    """
    given = dict(_current_flags or {})
    unknown = [name for name in given if name not in defaults]
    if unknown:
        raise ConfigError(f"flags: the run sets {unknown}, which the script does not declare; it declares "
                          f"{sorted(defaults)}.")
    return {**defaults, **given}


def _flag_lists(flags, verb):
    if not isinstance(flags, dict):
        raise ConfigError(f"{verb}: flags must be a dict of flag name -> list of values, received "
                          f"{type(flags).__name__}.")
    names = list(flags)
    values = [list(v) if isinstance(v, (list, tuple, range, np.ndarray)) else [v] for v in flags.values()]
    if any(not v for v in values):
        raise ConfigError(f"{verb}: every flag needs at least one value; empty: "
                          f"{[n for n, v in zip(names, values) if not v]}.")
    return names, values


def _run(tasks, client):
    """Runs the (function, arguments) tasks on `client` (see grid_search) and returns their rows in order."""
    if client is False:
        rows = [function(*arguments) for function, arguments in tasks]
    else:
        own, client = _client(client)
        try:
            futures = [client.submit(function, *arguments, pure=False) for function, arguments in tasks]
            rows = client.gather(futures)
        finally:
            if own:
                cluster = client.cluster
                client.close()
                cluster.close()
    for run, row in enumerate(rows, 1):
        row["run"] = run
    return TuningResults({"run": row.pop("run"), **row} for row in rows)


def _client(client):
    """(whether this call made it, a distributed.Client) for `client` (None, an address or a Client)."""
    try:
        import distributed  # optional: only runs on a cluster need it
    except ImportError:
        raise ConfigError("pipekeras.tuning: running trials on a Dask cluster needs dask.distributed: pip install "
                          "'pipekeras[dask]' (or pass client=False to run them here, one after the other).") from None
    if client is None:
        threads = str(max(1, (os.cpu_count() or 2) // 2))  # each of the 2 workers computes on half the cores
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                           env={"NUMBA_NUM_THREADS": threads, "OMP_NUM_THREADS": threads,
                                                "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads})
        return True, distributed.Client(cluster)
    if isinstance(client, str):
        return False, distributed.Client(client)
    if isinstance(client, distributed.Client):
        return False, client
    raise ConfigError(f"pipekeras.tuning: client must be None (a local cluster), a scheduler address, a "
                      f"distributed.Client or False (this process), received {type(client).__name__}.")


def _flag_trial(train, trial_flags, seed):
    return _trial(dict(trial_flags), lambda: train(dict(trial_flags)), seed)


def _fold_trial(train, fold, x_train, y_train, x_val, y_val, seed):
    return _trial({"fold": fold}, lambda: train(x_train, y_train, x_val, y_val), seed)


def _script_trial(path, trial_flags, seed):
    def run():
        global _current_flags
        _current_flags = trial_flags
        try:
            namespace = runpy.run_path(path, run_name="__main__")
        finally:
            _current_flags = None
        histories = [v for v in namespace.values() if isinstance(v, History)]
        scores = [v for v in namespace.values() if isinstance(v, MetricLogs)]
        return (histories[-1] if histories else None, scores[-1] if scores else None)
    return _trial(dict(trial_flags), run, seed)


def _trial(row, run, seed):
    """Runs one trial; returns its row (see TuningResults), with its error instead of results if it raised."""
    backend.set_seed(seed)
    start = time.perf_counter()
    row.update(history=None, error=None)
    try:
        result = run()
    except Exception as error:  # a failed trial is reported in its row, not raised
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        row["error"] = f"{type(error).__name__}: {error} | {''.join(lines[-3:-1]).strip()}"
        result = None
    history, scores = _split_result(result)
    if history is not None:
        row["history"] = {k: [float(v) for v in values] for k, values in history.history.items()}
        row.update({f"metric_{k}": values[-1] for k, values in row["history"].items() if values})
    if scores is not None:
        row.update({f"eval_{k}": float(v) for k, v in dict(scores).items()})
    row["seconds"] = time.perf_counter() - start
    row["worker"] = _worker_name()
    return row


def _split_result(result):
    if isinstance(result, History):
        return result, None
    if isinstance(result, tuple) and len(result) == 2:
        return result
    if isinstance(result, dict):
        return None, result
    return None, None


def _worker_name():
    try:
        from distributed import get_worker  # optional: present on Dask workers
        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"
