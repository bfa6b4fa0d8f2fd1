"""Keras 3-style training steps: `train_step(self, data)` / `test_step(self, data)` written by the user with a
`GradientTape` and `optimizer.apply_gradients(zip(grads, variables))`, and the fit/evaluate loops that call them.

A model whose `train_step` takes one argument (`data`, the batch: `(x, y)`, or `x` when fit has no targets)
is trained here: fit calls it once per batch and shows what it returns (a dict of floats, or of metric
objects, read through `result()`), averaged over the epoch's batches, in its logs, progress bar, callbacks
and History.
"""

import inspect

import numpy as np

from ..autodiff import value_of
from ..callbacks import CallbackList, History, ProgbarLogger
from ..errors import ArgumentTypeError, DataError
from .epochs import check_batch_size


def takes_data(method):
    """Whether a train_step/test_step is Keras-style: one parameter besides self (`data`)."""
    params = [p for p in inspect.signature(method).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(params) == 2


def _arrays(value, what):
    """User data -> a NumPy array (floats as float32 unless float64) or a list of them."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_arrays(v, what) for v in value]
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise DataError(f"fit: {what} must be numeric arrays, received dtype {array.dtype}.")
    return array.astype(np.float32) if array.dtype.kind == "f" and array.dtype != np.float64 else array


def _rows(value, index):
    return [_rows(v, index) for v in value] if isinstance(value, list) else value[index]


def _count(value):
    return _count(value[0]) if isinstance(value, list) else len(value)


def step_logs(result, where):
    """A step's returned dict as {name: float} (metric objects read through result(), traced values unwrapped)."""
    if not isinstance(result, dict):
        raise ArgumentTypeError(
            f"{where} must return a dict of metric values (e.g. {{'loss': loss}}), it returned a "
            f"{type(result).__name__}."
        )
    logs = {}
    for name, value in result.items():
        value = value.result() if hasattr(value, "result") else value_of(value)
        logs[name] = float(np.asarray(value))
    return logs


def fit_with_steps(model, x, y, batch_size, epochs, verbose, callbacks, shuffle, initial_epoch, validation_data):
    """fit for a model with a Keras-style `train_step(data)`; returns the History."""
    batch_size = check_batch_size(batch_size, "fit")
    x, y = _arrays(x, "x"), _arrays(y, "y")
    n = _count(x)
    steps = -(-n // batch_size)
    verbose = 1 if verbose == "auto" else int(verbose)
    history = History()
    callback_list = CallbackList(
        list(callbacks or []) + ([ProgbarLogger(verbose)] if verbose else []) + [history], model=model,
        params={"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size, "samples": n})
    model.stop_training = False
    model.history = history
    callback_list.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        callback_list.on_epoch_begin(epoch)
        order = np.random.permutation(n) if shuffle else np.arange(n)
        sums, seen, logs = {}, 0, {}
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            index = order[step * batch_size:(step + 1) * batch_size]
            xb = _rows(x, index)
            data = xb if y is None else (xb, _rows(y, index))
            batch_logs = step_logs(model.train_step(data), f"{type(model).__name__}.train_step")
            count = len(index)
            for name, value in batch_logs.items():
                sums[name] = sums.get(name, 0.0) + value * count
            seen += count
            logs = {name: total / seen for name, total in sums.items()}
            callback_list.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        if validation_data is not None:
            val = evaluate_with_steps(model, *validation_data[:2], batch_size=batch_size)
            logs.update({f"val_{k}": v for k, v in val.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return history


def evaluate_with_steps(model, x, y=None, batch_size=32):
    """evaluate through a Keras-style `test_step(data)`: its returned values averaged over the batches."""
    x, y = _arrays(x, "x"), _arrays(y, "y")
    n = _count(x)
    sums = {}
    for start in range(0, n, batch_size):
        index = np.arange(start, min(n, start + batch_size))
        xb = _rows(x, index)
        logs = step_logs(model.test_step(xb if y is None else (xb, _rows(y, index))),
                         f"{type(model).__name__}.test_step")
        for name, value in logs.items():
            sums[name] = sums.get(name, 0.0) + value * len(index)
    return {name: total / n for name, total in sums.items()}


def predict_by_call(model, x, batch_size):
    """predict for a subclassed model (no graph): its call on each batch, the outputs concatenated."""
    x = _arrays(x, "x")
    n = _count(x)
    parts = [model(_rows(x, np.arange(s, min(n, s + batch_size)))) for s in range(0, n, batch_size)]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate(p) for p in zip(*parts)]
    return np.concatenate(parts)
