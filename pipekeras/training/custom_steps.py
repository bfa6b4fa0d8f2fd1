"""Keras 3-style training steps: `train_step(self, data)` / `test_step(self, data)`, the default ones of a
subclassed model, and the fit/evaluate loops that call them.

A model whose `train_step` takes one argument (`data`, the batch: `(x, y)`, `(x, y, sample_weight)`, or `x`
when fit has no targets) is trained here: fit calls it once per batch and logs what it returns (a dict of
floats, or of metric objects): plain values averaged over the epoch's batches, metric objects (which
accumulate themselves) by their latest `result()`, as Keras does.

A subclassed model (its own `call`, no graph) without its own steps is trained by the default steps
(`default_train_step`, `default_test_step`): its call recorded on a `GradientTape` (the built-in layers in it
enter the recording as one op each with their fused backward), the compiled losses, the losses `add_loss`
added and the weights' regularization penalties differentiated, the optimizer applied, the compiled metrics
updated. The losses and metrics given to `compile` are set up at the first batch, when the outputs are known.
"""

import inspect

import numpy as np

from ..autodiff import GradientTape, Traced, value_of
from ..callbacks import CallbackList, History, ProgbarLogger
from ..errors import ArgumentTypeError, ConfigError, DataError
from .compile_config import CompileConfig, OutputSpec
from .epochs import check_batch_size
from .targets import sample_weights


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


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def step_logs(result, where):
    """A step's returned dict as ({name: float}, the names of metric objects (read through `result()`))."""
    if not isinstance(result, dict):
        raise ArgumentTypeError(
            f"{where} must return a dict of metric values (e.g. {{'loss': loss}}), it returned a "
            f"{type(result).__name__}."
        )
    logs, running = {}, set()
    for name, value in result.items():
        if hasattr(value, "result"):
            running.add(name)
            value = value.result()
        logs[name] = float(np.asarray(value_of(value)))
    return logs, running


class _EpochLogs:
    """The logs of the steps so far: plain values averaged over the samples, metric objects' latest results."""

    def __init__(self):
        self.sums, self.latest, self.seen = {}, {}, 0

    def add(self, logs, running, count):
        self.seen += count
        for name, value in logs.items():
            if name in running:
                self.latest[name] = value
            else:
                self.sums[name] = self.sums.get(name, 0.0) + value * count

    def means(self):
        return {**{name: total / self.seen for name, total in self.sums.items()}, **self.latest}


def step_function(model, name):
    """The model's `train_step`/`test_step` taking `data`: its own, or the default one of a subclassed model.

    Raises:
        ConfigError: for a model with neither (nothing to compute a loss from).
    """
    if model._steps_are_custom(name):
        return getattr(model, name)
    default = default_train_step if name == "train_step" else default_test_step
    return lambda data: default(model, data)


def _unpack(data):
    """Keras's `unpack_x_y_sample_weight`: data -> (x, y or None, sample_weight or None)."""
    if isinstance(data, tuple) and 1 <= len(data) <= 3:
        return (*data, *(None,) * (3 - len(data)))
    return data, None, None


def compiled_for(model, outputs):
    """The model's `CompileConfig` for `outputs` (arrays or traced values), set up from compile's arguments at
    the first batch; None when compile was given no loss (the losses `add_loss` adds may be all there is)."""
    config = model.compile_config
    if config is not None and len(config.losses) == len(outputs):
        return config
    loss, metrics, loss_weights, weighted_metrics = getattr(model, "_compile_arguments", None) or (None,) * 4
    if loss is None:
        return None
    specs = [OutputSpec(f"output_{i + 1}", (None, *np.shape(value_of(o))[1:])) for i, o in enumerate(outputs)]
    model.compile_config = CompileConfig(specs, loss, metrics, loss_weights, [None] * len(specs), weighted_metrics)
    return model.compile_config


def _losses_of(model, config, y, values, added, sample_weight, where):
    """(the compiled losses' total, their gradients per output) on a batch: (0.0, []) without compiled losses.

    Raises:
        ConfigError: when there is no loss at all; DataError: for targets that do not fit the outputs.
    """
    if config is None:
        if not added:
            raise ConfigError(
                f"{where}: model {model.name!r} ({type(model).__name__}) has no loss: give compile a loss (e.g. "
                "model.compile(optimizer='adam', loss='mse')), add losses in call with self.add_loss(...), or "
                "write a train_step(self, data) of its own.")
        return 0.0, []
    ys = [np.asarray(t) for t in _as_list(y)] if y is not None else []
    if len(ys) != len(values):
        raise DataError(f"{where}: the model returned {len(values)} output(s) but y holds {len(ys)} target "
                        "array(s); give one target array per output (the loss given to compile needs them).")
    return config.total_loss(ys, values, sample_weight), config.loss_gradients(ys, values, sample_weight)


def default_train_step(model, data):
    """One optimizer step of a subclassed model on `data`, recorded on a `GradientTape`; returns the logs
    ({"loss": this batch's loss, metric name: the compiled metric (accumulating over the epoch)})."""
    x, y, sample_weight = _unpack(data)
    weights = model.trainable_weights
    with GradientTape() as tape:
        outputs = _as_list(model(x, training=True))
        added = model.added_losses()
    values = [value_of(o) for o in outputs]
    config = compiled_for(model, outputs)
    loss, seeds = _losses_of(model, config, y, values, added, sample_weight, "fit")
    loss += sum(float(value_of(a)) for a in added)
    pairs = [(t, g) for t, g in zip(outputs + added, seeds + [1.0] * len(added)) if isinstance(t, Traced)]
    grads = tape.gradient([t for t, _ in pairs], weights, output_gradients=[g for _, g in pairs]) if pairs else \
        [None] * len(weights)
    for i, variable in enumerate(weights):
        if variable.regularizer is not None:
            loss += float(variable.regularizer(variable.value))
            grad = variable.regularizer.gradient(variable.value)
            grads[i] = grad if grads[i] is None else grads[i] + grad
    model.optimizer.apply_gradients(zip(grads, weights))
    for variable in weights:
        if variable.constraint is not None:
            variable.value[...] = variable.constraint(variable.value)
    return _logs(config, loss, y, values, sample_weight)


def default_test_step(model, data):
    """The loss and compiled metrics of a subclassed model on `data`, without training."""
    x, y, sample_weight = _unpack(data)
    values = [value_of(o) for o in _as_list(model(x))]
    added = model.added_losses()
    config = compiled_for(model, values)
    loss, _ = _losses_of(model, config, y, values, added, sample_weight, "evaluate")
    loss += sum(float(value_of(a)) for a in added)
    loss += sum(float(v.regularizer(v.value)) for v in model.trainable_weights if v.regularizer is not None)
    return _logs(config, loss, y, values, sample_weight)


def _logs(config, loss, y, values, sample_weight):
    logs = {"loss": loss}
    if config is not None and y is not None:
        ys = _as_list(y)
        config.update_metrics(ys, values, sample_weight)
        for labelled in config._labelled():
            logs.update({label: metric for label, metric, _ in labelled})
    return logs


def _reset_metrics(model):
    if model.compile_config is not None:
        model.compile_config.reset_metrics()


def _weights_of(model, y, sample_weight, class_weight, n):
    """fit's sample_weight and class_weight as one weight per sample (or None)."""
    if class_weight is not None and y is None:
        raise ConfigError("fit: class_weight needs targets y (the class of each sample).")
    y_arrays = None if y is None else _as_list(y)
    return sample_weights(y_arrays, sample_weight, class_weight, n, np.float32,
                          2 if y is None else np.ndim(y_arrays[0]))


def fit_with_steps(model, x, y, batch_size, epochs, verbose, callbacks, shuffle, initial_epoch, validation_data,
                   validation_split=0.0, sample_weight=None, class_weight=None):
    """fit for a model with a Keras-style `train_step(data)` (its own or a subclassed model's default);
    returns the History."""
    batch_size = check_batch_size(batch_size, "fit")
    train_step = step_function(model, "train_step")
    x, y = _arrays(x, "x"), _arrays(y, "y")
    n = _count(x)
    weights = _weights_of(model, y, sample_weight, class_weight, n)
    if validation_split and validation_data is None:
        kept = int(n * (1.0 - validation_split))
        rest = np.arange(kept, n)
        validation_data = (_rows(x, rest), None if y is None else _rows(y, rest),
                           None if weights is None else weights[rest])
        x, y, weights = _rows(x, np.arange(kept)), None if y is None else _rows(y, np.arange(kept)), \
            None if weights is None else weights[:kept]
        n = kept
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
        _reset_metrics(model)
        callback_list.on_epoch_begin(epoch)
        order = np.random.permutation(n) if shuffle else np.arange(n)
        epoch_logs, logs = _EpochLogs(), {}
        for step in range(steps):
            callback_list.on_train_batch_begin(step)
            index = order[step * batch_size:(step + 1) * batch_size]
            data = _batch(x, y, weights, index)
            epoch_logs.add(*step_logs(train_step(data), f"{type(model).__name__}.train_step"), len(index))
            logs = epoch_logs.means()
            callback_list.on_train_batch_end(step, logs)
            if model.stop_training:
                break
        if validation_data is not None:
            val = evaluate_with_steps(model, *validation_data[:3], batch_size=batch_size)
            logs.update({f"val_{k}": v for k, v in val.items()})
        callback_list.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return history


def _batch(x, y, weights, index):
    """The `data` a step receives: x, (x, y) or (x, y, sample_weight)."""
    xb = _rows(x, index)
    if y is None and weights is None:
        return xb
    yb = None if y is None else _rows(y, index)
    return (xb, yb) if weights is None else (xb, yb, weights[index])


def evaluate_with_steps(model, x, y=None, sample_weight=None, batch_size=32):
    """evaluate through a Keras-style `test_step(data)`: plain values averaged over the batches, metric objects
    by their result after the last batch (one batch for a batch_size of None)."""
    test_step = step_function(model, "test_step")
    x, y = _arrays(x, "x"), _arrays(y, "y")
    n = _count(x)
    batch_size = batch_size or n
    weights = None if sample_weight is None else _weights_of(model, y, sample_weight, None, n)
    _reset_metrics(model)
    epoch_logs = _EpochLogs()
    for start in range(0, n, batch_size):
        index = np.arange(start, min(n, start + batch_size))
        epoch_logs.add(*step_logs(test_step(_batch(x, y, weights, index)), f"{type(model).__name__}.test_step"),
                       len(index))
    return epoch_logs.means()


def train_on_batch(model, x, y, sample_weight, class_weight):
    """train_on_batch through a Keras-style `train_step(data)`: one step on the whole batch; its logs."""
    x, y = _arrays(x, "x"), _arrays(y, "y")
    weights = _weights_of(model, y, sample_weight, class_weight, _count(x))
    _reset_metrics(model)
    return step_logs(step_function(model, "train_step")(_batch(x, y, weights, slice(None))),
                     f"{type(model).__name__}.train_step")[0]


def predict_by_call(model, x, batch_size):
    """predict for a subclassed model (no graph): its call on each batch (the whole of `x` for a batch_size of
    None), the outputs concatenated."""
    x = _arrays(x, "x")
    n = _count(x)
    batch_size = batch_size or n
    parts = [model(_rows(x, np.arange(s, min(n, s + batch_size)))) for s in range(0, n, batch_size)]
    if isinstance(parts[0], (list, tuple)):
        return [np.concatenate(p) for p in zip(*parts)]
    return np.concatenate(parts)
