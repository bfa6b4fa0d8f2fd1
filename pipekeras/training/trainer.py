"""The training and inference verbs every model has: compile, fit, evaluate, predict and the *_on_batch methods.

fit is a loop over the batches of an epoch source (epochs.py) that calls the model's runner (runner.py):
`train_step` one batch at a time, or `train_run` for a run of consecutive steps where the runner can take one.
"""

import contextlib
import threading
import warnings

import numpy as np

from .. import losses, optimizers
from ..activations import serialize as serialize_activation
from ..callbacks import CallbackList, History, LivePlot, ProgbarLogger
from ..callbacks.base import needs_every_batch
from ..distribution import distribution, is_dask_array, predict_dask
from ..errors import ConcurrencyError, ConfigError, DataError, NotBuiltError, did_you_mean
from ..utils.metric_logs import MetricLogs
from .compile_config import CompileConfig
from .custom_steps import evaluate_with_steps, fit_with_steps, predict_by_call, takes_data
from .custom_steps import train_on_batch as custom_train_on_batch
from .data import prepare_inputs, take_rows
from .epochs import ArrayEpochs, check_batch_size, hold_out
from .fit_arguments import check_fit_arguments
from .interrupt import deferred_interrupt
from .sources import evaluate_source, input_source, is_source, predict_source, training_source
from .runner import choose_runner, infers_as_built, runner_version, same_version
from .targets import prepare_data, prepare_validation

_TRAINING_OWNER_LOCK = threading.Lock()  # guards every model's _training_thread
_RUNNER_LOCK = threading.Lock()  # one thread at a time chooses a model's runner


class Trainer:
    """Mixin for Model: the training and inference verbs.

    Attributes:
        optimizer: the compiled optimizer.
        compile_config: the compiled losses, loss weights and metrics (a `CompileConfig`), or None.
    """

    compiled = False
    _subclassed = False  # a subclassed model: its own call, no graph; trained through its Keras-style steps
    stop_training = False
    optimizer = None
    compile_config = None
    _runner = None  # (runner_version, runner): see _current_runner
    _training_thread = None  # ident of the thread running fit or train_on_batch, see _training

    # ----- compile -------------------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, weighted_metrics=None,
                **unknown):
        """Configures the model for training.

        Args:
            optimizer: name (`"rmsprop"`) or optimizer object.
            loss: name, Loss object, or one per output (list or dict by output name).
            metrics: list of metric names/objects (applied to every output), or a dict by output name; they
                ignore sample and class weights, as in Keras.
            loss_weights: optional list or dict weighting each output's loss.
            weighted_metrics: as `metrics`, for metrics weighted by the sample and class weights.

        Returns:
            The model (so `model | compile(...)` keeps piping).

        Raises:
            ConfigError: for an unknown optimizer, loss or metric, or a missing loss.
        """
        if unknown:
            bad = next(iter(unknown))
            valid = ["optimizer", "loss", "metrics", "loss_weights", "weighted_metrics"]
            raise ConfigError(f"compile: unknown argument {bad!r}.{did_you_mean(bad, valid)} Valid: {valid}.")
        if self._subclassed:  # losses and metrics are set up at the first batch (custom_steps.compiled_for)
            items = loss.values() if isinstance(loss, dict) else loss if isinstance(loss, (list, tuple)) else [loss]
            for item in items:
                if item is not None:
                    losses.get(item)  # an unknown loss is named now, not at the first batch
            self.optimizer = optimizers.get(optimizer)
            self._compile_arguments = (loss, metrics, loss_weights, weighted_metrics)
            self.compile_config = None
            self.compiled = True
            return self
        if self._steps_are_custom("train_step") and (loss is None or not self.built):
            self.optimizer = optimizers.get(optimizer)  # the model's own train_step computes its losses
            self.compiled = True
            return self
        if not self.built:
            raise NotBuiltError(
                f"compile: model {self.name!r} has no input shape yet. Give the first layer input_shape= "
                "(e.g. dense(64, input_shape=784)) or call model.build((None, features))."
            )
        if loss is None:
            raise ConfigError("compile: give a loss, e.g. loss='categorical_crossentropy' or loss='mse'.")
        self.optimizer = optimizers.get(optimizer)
        self.compile_config = CompileConfig(self.outputs, loss, metrics, loss_weights,
                                            [self._fusable_activation(t) for t in self.outputs], weighted_metrics)
        self.compiled = True
        return self

    def _takes_data(self, method):
        """Whether `method` ("train_step" or "test_step") runs Keras 3's way: the model's own one taking `data`,
        or the default one of a subclassed model (custom_steps.py)."""
        return self._subclassed or self._steps_are_custom(method)

    def _steps_are_custom(self, method):
        """Whether the model's class overrides `method` ("train_step" or "test_step") Keras 3's way, taking one
        `data` argument (see custom_steps.py)."""
        own = getattr(type(self), method, None)
        return own is not None and own is not getattr(Trainer, method, None) and takes_data(own)

    def _fusable_activation(self, tensor):
        """The name of the activation of the layer giving `tensor` when the loss gradient may fuse with it."""
        layer = tensor.node.layer
        consumers = sum(t is tensor for node in self.iter_nodes() for t in node.input_tensors)
        if consumers or layer.activity_regularizer is not None or \
                not getattr(layer, "accepts_pre_activation_grad", False):
            return None
        name = serialize_activation(layer.activation)
        return name if isinstance(name, str) else None  # softmax over another axis does not fuse

    def _require_compiled(self, verb):
        if not self.compiled:
            raise NotBuiltError(
                f"{verb}: model {self.name!r} is not compiled. Pipe compile first, e.g. "
                "model | compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])."
            )

    @property
    def loss_functions(self):
        """One `Loss` per output."""
        return self.compile_config.losses

    @property
    def loss_weights(self):
        """One weight per output."""
        return self.compile_config.loss_weights

    @loss_weights.setter
    def loss_weights(self, weights):
        self.compile_config.loss_weights = list(weights)

    @property
    def output_metrics(self):
        """One list of metrics per output."""
        return self.compile_config.metrics

    @output_metrics.setter
    def output_metrics(self, metrics):
        self.compile_config.metrics = metrics

    @property
    def output_weighted_metrics(self):
        """One list of weighted metrics (compile's `weighted_metrics`) per output."""
        return self.compile_config.weighted_metrics

    @output_weighted_metrics.setter
    def output_weighted_metrics(self, metrics):
        self.compile_config.weighted_metrics = metrics

    @property
    def metrics_names(self):
        return self.compile_config.metrics_names()

    # ----- the runner ----------------------------------------------------------------------------

    def _current_runner(self, training=True):
        """Returns the model's runner (see runner.py), chosen again when its version changed (for inference,
        when its graph or weights' arrays changed)."""
        held = self._runner
        if not training and held is not None and infers_as_built(*held, self):
            return held[1]
        weights = self._all_weights()
        if held is not None and same_version(held[0], runner_version(self, self.compile_config, self.optimizer,
                                                                     weights)):
            return held[1]
        with _RUNNER_LOCK:
            runner = choose_runner(self, self.compile_config, self.optimizer, weights)
            # after the choice: a dense stack makes the weights' arrays views of its own
            self._runner = (runner_version(self, self.compile_config, self.optimizer, weights), runner)
        return runner

    def train_step(self, x_arrays, y_arrays, sample_weight=None, batch_size=None):
        """One optimizer step on one batch; updates the compiled metrics.

        fit calls it for every step unless the runner takes runs of steps; a subclass that overrides it is
        always called, one batch at a time.

        Args:
            x_arrays: one input array per model input; y_arrays: one target array per output.
            sample_weight: per-sample weights, or None.
            batch_size: fit's batch size (the batch may be an epoch's smaller last one); None for the batch's
                own size.

        Returns:
            (the loss before the update, the number of samples).

        A subclass may instead override it Keras 3's way, `train_step(self, data)` (and `test_step(self,
        data)`), computing its losses with a `GradientTape`, updating with `self.optimizer.apply_gradients(
        zip(grads, variables))` and returning a dict of values that fit logs (see custom_steps.py).
        """
        samples = len(x_arrays[0])
        loss, outputs, masks = self._current_runner().train_step(x_arrays, y_arrays, sample_weight,
                                                                 batch_size or samples)
        self.compile_config.update_metrics(y_arrays, outputs, sample_weight, masks=masks)
        return loss, samples

    def _steps_per_run(self, data, callback_list):
        """Returns how many steps fit hands the runner per call: 1 (`train_step`, also whenever a subclass
        overrides it, the samples are weighted or a callback needs every batch) or the runner's run length."""
        if type(self).train_step is not Trainer.train_step or not isinstance(data, ArrayEpochs) or \
                data.sample_weight is not None or \
                any(needs_every_batch(c) for c in callback_list.callbacks):
            return 1
        return self._current_runner().steps_per_run(data.x_arrays, data.y_arrays, data.batch_size)

    def _train_run(self, data, index):
        """Trains on the samples `index` in one runner call; returns (mean loss, samples, first bad batch), the
        last being None or, when the loss is not finite, (its first non-finite batch in the run, its loss)."""
        rows = data.rows(index)
        [outputs] = self._current_runner().train_run(data.x_arrays, data.y_arrays, rows, data.batch_size)
        targets = take_rows(data.y_arrays, rows)
        self.compile_config.update_metrics(targets, [outputs], None)
        loss, weight = self.loss_functions[0], self.loss_weights[0]
        total = weight * loss(targets[0], outputs)
        if np.isfinite(total):
            return total, len(rows), None
        batch = int(np.argmin(np.isfinite(loss.values(targets[0], outputs)))) // data.batch_size
        part = slice(batch * data.batch_size, (batch + 1) * data.batch_size)
        return total, len(rows), (batch, weight * loss(targets[0][part], outputs[part]))

    def _infer(self, x_arrays, with_masks=False):
        """Returns the output arrays for one batch in inference mode (and their masks, with `with_masks`)."""
        return self._current_runner(training=False).infer(x_arrays, with_masks=with_masks)

    # ----- fit -----------------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_batch_size=None, validation_steps=None,
            view_metrics=False):
        """Trains the model for a number of epochs.

        Args:
            x: input array (or list/dict of arrays for several inputs), or a data source yielding batches
                `(x, y)` or `(x, y, sample_weight)`: a generator or other iterable, or a `pk.utils.Sequence`.
            y: target array (or list/dict for several outputs); none with a data source.
            batch_size: samples per gradient step (32 by default); none with a data source.
            epochs: index of the last epoch to train.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch ("auto" is 1).
            callbacks: list of `Callback` objects.
            validation_split: fraction in [0, 1) of the data, taken from the end before shuffling,
                held out for validation.
            validation_data: (x_val, y_val) or (x_val, y_val, sample_weight_val), or a data source.
            shuffle: shuffle the training samples before each epoch.
            class_weight: dict class index -> weight of its samples in the loss.
            sample_weight: array of per-sample weights.
            initial_epoch: epoch to start at (for resuming).
            steps_per_epoch: optional cap on the batches per epoch; with a generator, the batches per epoch.
            validation_batch_size: batch size for validation (defaults to batch_size).
            validation_steps: batches of a `validation_data` source to validate on (all of a `Sequence`).
            view_metrics: plot loss and metrics as each epoch ends (R keras's `view_metrics = TRUE`): one
                figure updated in a Jupyter notebook, elsewhere `training.png` rewritten (needs matplotlib);
                `callbacks.LivePlot` for other files or options.

        Returns:
            A `History` whose `.history` maps "loss", metrics and "val_*" to per-epoch values (also kept as
            `model.history`). Ctrl-C stops fit after the current step (for a small dense model trained in
            runs of steps, after the current run, a few milliseconds): the History then lists the completed
            epochs and `history.interrupted` is True. No step is ever applied in part.

        Raises:
            NotBuiltError: if the model is not compiled.
            DataError, ShapeError: for data that does not fit the model or the loss.
            ConcurrencyError: if another thread is training the model.
            KeyboardInterrupt: on a second Ctrl-C, as soon as the current step ends.
        """
        if self._takes_data("train_step"):
            if distribution() is not None:
                distribution().refuse_custom_steps(self)
            self._require_compiled("fit")
            epochs, initial_epoch, verbose, callbacks = check_fit_arguments(epochs, initial_epoch, verbose, callbacks)
            with self._training("fit"):
                return fit_with_steps(self, x, y, batch_size, epochs, verbose, callbacks, shuffle, initial_epoch,
                                      validation_data, validation_split, sample_weight, class_weight)
        self._require_compiled("fit")
        if is_source(x):
            if validation_split:
                raise ConfigError("fit: validation_split cannot be used with a data source: its samples come batch "
                                  "by batch, so there is no end to hold out. Give validation_data= instead.")
            if batch_size is not None:
                raise ConfigError("fit: batch_size cannot be given with a data source: its batches have their own "
                                  "size.")
        elif x is None or y is None:
            raise DataError("fit: give both x (inputs) and y (targets).")
        if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
            raise ConfigError(f"fit: validation_split must be in [0, 1), received {validation_split!r}.")
        batch_size = None if is_source(x) else check_batch_size(batch_size, "fit")
        epochs, initial_epoch, verbose, callbacks = check_fit_arguments(epochs, initial_epoch, verbose, callbacks)
        if distribution() is not None:  # off rank 0: silent, no writing callbacks
            verbose, callbacks, view_metrics = distribution().fit_settings(verbose, callbacks, view_metrics)
        validation = None
        if is_source(validation_data):
            validation = training_source(self, validation_data, None, None, None, validation_steps, "fit",
                                         "validation_steps")
        elif validation_data is not None:
            validation = prepare_validation(self, self.loss_functions, validation_data)
        if is_source(x):
            data = training_source(self, x, y, sample_weight, class_weight, steps_per_epoch, "fit", "steps_per_epoch")
        else:
            train = prepare_data(self, self.loss_functions, x, y, sample_weight, class_weight)
            if validation_split and validation is None:
                train, validation = hold_out(*train, validation_split)
            data = ArrayEpochs(*train, batch_size, steps_per_epoch)
        history = History()
        live = [LivePlot()] if view_metrics else []
        callback_list = CallbackList(
            callbacks + live + ([ProgbarLogger(verbose)] if verbose else []) + [history],
            model=self,
            params={"epochs": epochs, "steps": data.steps, "verbose": verbose, "batch_size": batch_size,
                    "samples": data.samples},
        )
        with self._training("fit"), deferred_interrupt() as interrupts:
            self.stop_training = False
            self.history = history
            first_step = self.optimizer.iterations
            callback_list.on_train_begin()
            warned = False  # the first NaN/Inf loss is reported; the ones after it follow from it
            for epoch in range(initial_epoch, epochs):
                if interrupts.requested:
                    break
                logs, warned = self._fit_epoch(epoch, data, shuffle, callback_list, interrupts, warned)
                if interrupts.requested:
                    break  # the History lists completed epochs only
                if validation is not None:
                    val = evaluate_source(self, validation) if not isinstance(validation, tuple) else \
                        self._evaluate_arrays(*validation, validation_batch_size or batch_size or 32)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end()
        if interrupts.requested:
            history.interrupted = True
            steps = self.optimizer.iterations - first_step  # this fit's steps, not the optimizer's lifetime
            print(f"\nInterrupted: fit stopped after {steps} steps; the history holds the "
                  f"{len(history.epoch)} completed epoch(s).")
        return history

    def _fit_epoch(self, epoch, data, shuffle, callback_list, interrupts, warned):
        """Trains one epoch of `data`; returns (the epoch's logs, whether a non-finite loss was reported)."""
        self.compile_config.reset_metrics()
        callback_list.on_epoch_begin(epoch)
        loss_sum, seen, logs = 0.0, 0, {}
        run = self._steps_per_run(data, callback_list)
        for steps in data.batches(shuffle, run):
            if interrupts.requested:
                break
            callback_list.on_train_batch_begin(steps.first)
            with interrupts:  # Ctrl-C never splits a step
                if run > 1:
                    batch_loss, count, first_bad = self._train_run(data, steps.index)
                else:
                    batch_loss, count = self.train_step(*data.take(steps.index), batch_size=data.batch_size)
                    first_bad = (0, batch_loss)
            loss_sum += batch_loss * count
            seen += count
            logs = self.compile_config.logs(loss_sum / seen)
            logs["batch_loss"] = batch_loss
            callback_list.on_train_batch_end(steps.last, logs)
            if not np.isfinite(batch_loss) and not self.stop_training and not warned:
                _warn_non_finite(epoch, steps.first + first_bad[0], first_bad[1])
                warned = True
            if self.stop_training:
                break
        logs.pop("batch_loss", None)
        return logs, warned

    @contextlib.contextmanager
    def _training(self, verb):
        """Marks the model as training in this thread for the block (nested calls in the same thread are fine).

        Raises:
            ConcurrencyError: if another thread is training the model.
        """
        me = threading.get_ident()
        with _TRAINING_OWNER_LOCK:
            owner = self._training_thread
            if owner not in (None, me):
                raise ConcurrencyError(
                    f"{verb}: the model {self.name!r} is training in another thread; a model trains in one thread "
                    "at a time (predict and evaluate may run in several). Wait for that call to return, or train "
                    "a copy made with clone_model.")
            self._training_thread = me
        try:
            yield
        finally:
            if owner is None:
                self._training_thread = None

    # ----- evaluate and predict ------------------------------------------------------------------

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=True,
                 steps=None):
        """Returns the loss and metrics of the model on test data.

        Args:
            x: inputs, or a data source yielding `(x, y)` or `(x, y, sample_weight)` batches (see `fit`).
            y: targets (none with a data source).
            batch_size: samples per batch (32 by default).
            verbose: 0 silent, 1 (or "auto") prints the results.
            sample_weight: optional per-sample weights.
            return_dict: return {"loss": ..., metric: ...} (default) or a list in `metrics_names` order.
            steps: batches of a data source to evaluate (all of a `Sequence` or a source with a length).

        Returns:
            A `MetricLogs` (a dict) of loss and metrics, also read as attributes (`results.accuracy`, R's
            `results$accuracy`) and under a metric's other spelling (`results["acc"]`).
        """
        if self._takes_data("test_step"):
            logs = evaluate_with_steps(self, x, y, sample_weight, check_batch_size(batch_size, "evaluate"))
            if verbose in (1, "auto"):
                print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
            return MetricLogs(logs) if return_dict else list(logs.values())
        self._require_compiled("evaluate")
        if is_source(x):
            logs = evaluate_source(self, training_source(self, x, y, sample_weight, None, steps, "evaluate", "steps"))
        else:
            batch_size = check_batch_size(batch_size, "evaluate")
            logs = self._evaluate_arrays(*prepare_data(self, self.loss_functions, x, y, sample_weight), batch_size)
        if verbose in (1, "auto"):
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return MetricLogs(logs) if return_dict else list(logs.values())

    def _evaluate_arrays(self, x_arrays, y_arrays, weights, batch_size):
        n = len(x_arrays[0])
        config = self.compile_config
        metrics = config.fresh_metrics()  # evaluate calls in several threads must not share metric state
        loss_sum = 0.0
        for start in range(0, n, batch_size):
            index = slice(start, min(n, start + batch_size))
            xb, yb = [a[index] for a in x_arrays], [a[index] for a in y_arrays]
            wb = None if weights is None else weights[index]
            outputs, masks = self._infer(xb, with_masks=True)
            loss_sum += config.total_loss(yb, outputs, wb, masks) * len(xb[0])
            config.update_metrics(yb, outputs, wb, metrics, masks)
        return config.logs(loss_sum / n + self._regularization_penalty(), metrics)

    def _regularization_penalty(self):
        return sum(float(v.regularizer(v.value)) for v in self.trainable_weights if v.regularizer is not None)

    def predict(self, x, batch_size=None, verbose=0, steps=None):
        """Returns the model's outputs for `x`, computed in batches.

        Args:
            x: inputs (array, or list/dict for several inputs), or a data source yielding batches of inputs
                (targets in them are ignored; see `fit`), or a Dask array (the result is then a Dask array
                computed block by block).
            batch_size: samples per batch (32 by default).
            verbose: ignored (kept for Keras compatibility).
            steps: batches of a data source to predict (all of a `Sequence` or a source with a length).

        Returns:
            An array (or a list of arrays for several outputs).
        """
        if is_source(x):
            return self._pick(predict_source(self, input_source(self, x, steps)), self._outputs_are_list)
        batch_size = check_batch_size(batch_size, "predict")
        if is_dask_array(x):
            return predict_dask(self, x, batch_size)
        if not self.outputs:  # a subclassed model: its own call, batch by batch
            return predict_by_call(self, x, batch_size)
        outputs = self._predict_direct(x, batch_size)
        if outputs is not None:
            return outputs
        x_arrays = prepare_inputs(self, x, "x")
        n = len(x_arrays[0])
        if n <= batch_size:
            outputs = self._infer(x_arrays)
        else:
            chunks = [self._infer([a[s:s + batch_size] for a in x_arrays]) for s in range(0, n, batch_size)]
            outputs = [np.concatenate(parts) for parts in zip(*chunks)]
        return self._pick(outputs, self._outputs_are_list)

    def predict_on_batch(self, x):
        """Returns the outputs for one batch (no batching).

        Args:
            x: inputs (array, or list/dict for several inputs).

        Returns:
            An array (or a list of arrays for several outputs).
        """
        if self._subclassed:
            return predict_by_call(self, x, None)
        outputs = self._predict_direct(x, None)
        if outputs is not None:
            return outputs
        return self._pick(self._infer(prepare_inputs(self, x, "x")), self._outputs_are_list)

    def _predict_direct(self, x, max_batch):
        """The runner's outputs for `x` as given, without checking and converting it, when the runner takes it
        so (see Runner.predict_direct); None otherwise, and for a model not built yet. The runner held for an
        unchanged graph answers without the version check: it checks its own arrays (single-sample predict)."""
        held = self._runner
        if held is not None and held[0][0] is self.outputs:
            return held[1].predict_direct(x, max_batch)
        return self._current_runner(training=False).predict_direct(x, max_batch) if self.built else None

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, return_dict=False):
        """Runs one optimizer step on one batch.

        Args:
            x: inputs; y: targets.
            sample_weight: optional per-sample weights.
            class_weight: optional dict class index -> weight of its samples in the loss.
            return_dict: return {"loss": ..., metric: ...} instead of the loss (or [loss, metrics...]).

        Returns:
            The loss, or [loss, metrics...] when the model has metrics, or a dict with return_dict.

        Raises:
            NotBuiltError: if the model is not compiled.
            ConcurrencyError: if another thread is training the model.
        """
        self._require_compiled("train_on_batch")
        if self._takes_data("train_step"):
            with self._training("train_on_batch"):
                logs = custom_train_on_batch(self, x, y, sample_weight, class_weight)
            return logs if return_dict else (logs["loss"] if len(logs) == 1 else list(logs.values()))
        x_arrays, y_arrays, weights = prepare_data(self, self.loss_functions, x, y, sample_weight, class_weight)
        with self._training("train_on_batch"):
            self.compile_config.reset_metrics()
            loss, _ = self.train_step(x_arrays, y_arrays, weights)
            logs = self.compile_config.logs(loss)
        return logs if return_dict else (loss if len(logs) == 1 else list(logs.values()))

    def test_on_batch(self, x, y, sample_weight=None, return_dict=False):
        """Returns the loss and metrics on one batch, without training.

        Args:
            x: inputs; y: targets.
            sample_weight: optional per-sample weights.
            return_dict: return {"loss": ..., metric: ...} instead of the loss (or [loss, metrics...]).

        Returns:
            The loss, or [loss, metrics...] when the model has metrics, or a dict with return_dict.

        Raises:
            NotBuiltError: if the model is not compiled.
        """
        self._require_compiled("test_on_batch")
        if self._takes_data("test_step"):
            logs = evaluate_with_steps(self, x, y, sample_weight, batch_size=None)
            return logs if return_dict else (logs["loss"] if len(logs) == 1 else list(logs.values()))
        x_arrays, y_arrays, weights = prepare_data(self, self.loss_functions, x, y, sample_weight)
        logs = self._evaluate_arrays(x_arrays, y_arrays, weights, len(x_arrays[0]))
        return logs if return_dict else (logs["loss"] if len(logs) == 1 else list(logs.values()))


def _warn_non_finite(epoch, step, value):
    warnings.warn(
        f"fit: the loss became {value} at epoch {epoch + 1}, batch {step + 1} (later batches are not reported). "
        "The learning rate may be too high or the data too large in scale; add TerminateOnNaN() to stop "
        "training when this happens.",
        RuntimeWarning, stacklevel=4,
    )
