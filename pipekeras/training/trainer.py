"""compile, fit, evaluate, predict and the *_on_batch methods every model has."""

import contextlib
import copy
import threading

import numpy as np

from .. import backend
from ..errors import ConcurrencyError, ConfigError, DataError, NotBuiltError
from ..kernels.parallel import one_pool
from .data import as_float, prepare_inputs, take_rows, to_array
from .dense_stack import RUN_WORK, DenseStack
from .interrupt import deferred_interrupt
from .layer import recording

_TRAINING_OWNER_LOCK = threading.Lock()  # guards every model's _training_thread


class PreActivationGrad:
    """A gradient with respect to a layer's pre-activation (softmax/sigmoid fused with the loss)."""

    def __init__(self, value):
        self.value = value


def _per_output(value, outputs, what):
    """Spreads a compile argument over the outputs: one value for all, a list, or a dict by name."""
    names = [t.node.layer.name for t in outputs]
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ConfigError(f"compile: {what} names unknown output(s) {unknown}; outputs are {names}.")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(outputs):
            raise ConfigError(f"compile: {what} has {len(value)} entries for {len(outputs)} outputs {names}.")
        return list(value)
    return [value] * len(outputs)


def _check_class_weight(class_weight):
    """Raises a DataError unless `class_weight` maps class indices to finite weights."""
    if not isinstance(class_weight, dict):
        raise DataError(f"class_weight must be a dict class index -> weight, received {type(class_weight).__name__}.")
    for key, weight in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or not isinstance(key, (int, np.integer)) or key < 0:
            raise DataError(f"class_weight keys must be class indices (ints >= 0), received {key!r}.")
        if not isinstance(weight, (int, float, np.number)) or not np.isfinite(weight):
            raise DataError(f"class_weight[{key}] must be a finite number, received {weight!r}.")


# Inference splits a batch into forward passes of about this many bytes of layer outputs (see
# Trainer._inference_chunk), never fewer than MIN_INFER_CHUNK samples.
INFER_CHUNK_BYTES = 8 << 20
MIN_INFER_CHUNK = 32


class Trainer:
    """Mixin for Model: the training and inference verbs."""

    compiled = False
    stop_training = False
    _dense_stack = None  # DenseStack, False (the model does not qualify) or None (not known yet)
    _training_thread = None  # ident of the thread running fit or train_on_batch, see _training

    # ----- compile -------------------------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None, **unknown):
        """Configures the model for training.

        Args:
            optimizer: name (`"rmsprop"`) or optimizer object.
            loss: name, Loss object, or one per output (list or dict by output name).
            metrics: list of metric names/objects (applied to every output), or a dict by output name.
            loss_weights: optional list or dict weighting each output's loss.

        Returns:
            The model (so `model | compile(...)` keeps piping).

        Raises:
            ConfigError: for an unknown optimizer, loss or metric, or a missing loss.
        """
        from .. import losses, metrics as metrics_module, optimizers

        if unknown:
            from ..errors import did_you_mean

            bad = next(iter(unknown))
            valid = ["optimizer", "loss", "metrics", "loss_weights"]
            raise ConfigError(f"compile: unknown argument {bad!r}.{did_you_mean(bad, valid)} Valid: {valid}.")
        if not self.built:
            raise NotBuiltError(
                f"compile: model {self.name!r} has no input shape yet. Give the first layer input_shape= "
                "(e.g. dense(64, input_shape=784)) or call model.build((None, features))."
            )
        if loss is None:
            raise ConfigError("compile: give a loss, e.g. loss='categorical_crossentropy' or loss='mse'.")
        self.optimizer = optimizers.get(optimizer)
        self.loss_functions = [losses.get(item) for item in _per_output(loss, self.outputs, "loss")]
        weights = _per_output(loss_weights if loss_weights is not None else 1.0, self.outputs, "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        per_output = _per_output(metrics, self.outputs, "metrics") if isinstance(metrics, dict) else \
            [metrics] * len(self.outputs)
        self.output_metrics = [
            [metrics_module.get(m, loss=lf, output_shape=t.shape) for m in (items or [])]
            for items, lf, t in zip(per_output, self.loss_functions, self.outputs)
        ]
        self._fused_activation = [self._fusable_activation(t) for t in self.outputs]
        self.compiled = True
        return self

    def _fusable_activation(self, tensor):
        layer = tensor.node.layer
        consumers = sum(t is tensor for node in self._nodes for t in node.input_tensors)
        if consumers or layer.activity_regularizer is not None or \
                not getattr(layer, "accepts_pre_activation_grad", False):
            return None
        from ..activations import serialize

        name = serialize(layer.activation)
        return name if isinstance(name, str) else None  # softmax over another axis does not fuse

    def _require_compiled(self, verb):
        if not self.compiled:
            raise NotBuiltError(
                f"{verb}: model {self.name!r} is not compiled. Pipe compile first, e.g. "
                "model | compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])."
            )

    @property
    def metrics_names(self):
        names = ["loss"]
        multi = len(self.outputs) > 1
        for tensor, items in zip(self.outputs, self.output_metrics):
            prefix = f"{tensor.node.layer.name}_" if multi else ""
            if multi:
                names.append(f"{prefix}loss")
            names += [f"{prefix}{m.name}" for m in items]
        return names

    # ----- data ----------------------------------------------------------------------------------

    def _prepare_targets(self, y, n_samples):
        from ..losses import validate_targets

        if len(self.outputs) == 1:
            targets = [y]
        elif isinstance(y, dict):
            targets = [y[t.node.layer.name] for t in self.outputs]
        else:
            if not isinstance(y, (list, tuple)) or len(y) != len(self.outputs):
                raise DataError(f"y: the model has {len(self.outputs)} outputs; give a list of that many arrays.")
            targets = list(y)
        prepared = []
        for i, (tensor, loss, target) in enumerate(zip(self.outputs, self.loss_functions, targets)):
            what = "y" if len(self.outputs) == 1 else f"y[{i}]"
            array = to_array(target, what)
            if array.shape[0] != n_samples:
                raise DataError(
                    f"x and {what} have different numbers of samples: {n_samples} and {array.shape[0]}. "
                    "Each sample needs one target."
                )
            array = as_float(array, self.dtype, what) if array.dtype.kind == "f" else array
            validate_targets(loss, array, tensor.shape)
            if array.ndim == len(tensor.shape) - 1 and tensor.shape[-1] == 1 and "sparse" not in loss.name:
                array = array.reshape(array.shape + (1,))
            prepared.append(array)
        return prepared

    def _sample_weights(self, y_arrays, sample_weight, class_weight, n_samples):
        if sample_weight is None and class_weight is None:
            return None
        weights = np.ones(n_samples, dtype=self.dtype)
        if sample_weight is not None:
            sample_weight = to_array(sample_weight, "sample_weight")
            sample_weight = as_float(sample_weight, self.dtype, "sample_weight").reshape(-1)
            if sample_weight.shape[0] != n_samples:
                raise DataError(f"sample_weight has {sample_weight.shape[0]} entries for {n_samples} samples.")
            weights *= sample_weight
        if class_weight is not None:
            _check_class_weight(class_weight)
            y = y_arrays[0]
            classes = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else np.round(y.reshape(-1)).astype(int)
            lookup = np.array([class_weight.get(int(c), 1.0) for c in range(int(classes.max()) + 1)], dtype=self.dtype)
            weights *= lookup[classes]
        return weights

    # ----- steps ---------------------------------------------------------------------------------

    def _step_variables(self):
        """Returns (all weights, trainable weights), looked up once per step."""
        pairs = self._all_weights()
        return [v for v, _ in pairs], [v for v, layer_trainable in pairs if layer_trainable and v.trainable]

    def _forward_loss(self, x_arrays, y_arrays, sample_weight, training):
        if training:
            outputs, _, tape = self.run_forward(x_arrays, training=True)
        else:
            outputs, tape = self._infer(x_arrays), None
        total = 0.0
        for loss, weight, y, out in zip(self.loss_functions, self.loss_weights, y_arrays, outputs):
            total += weight * float(loss(y, out, sample_weight))
        return outputs, tape, total

    def _infer(self, x_arrays):
        """Returns the output arrays for one batch in inference mode."""
        n = len(x_arrays[0])
        stack = self._small_dense_stack(n)
        if stack is not None:
            return [stack.predict(x_arrays[0])]
        chunk = self._inference_chunk(n)
        if n <= chunk:
            return self.run_forward(x_arrays, training=False)[0]
        parts = [self.run_forward([a[s:s + chunk] for a in x_arrays], training=False)[0] for s in range(0, n, chunk)]
        return [np.concatenate(outputs) for outputs in zip(*parts)]

    def _inference_chunk(self, n):
        """Samples per forward pass when inferring on `n`: about INFER_CHUNK_BYTES of layer outputs, so that
        layer outputs and scratch stay in cache and are reused instead of being fresh arrays of hundreds of MB
        (MNIST convnet, predict batches of 1,024: 6,700 -> 9,300 samples/s in chunks of 64). Stateful layers
        and shapes unknown before the data keep the whole batch."""
        if n <= MIN_INFER_CHUNK or any(getattr(layer, "stateful", False) for layer in self._flat_layers()):
            return n
        floats = 0
        for node in self._nodes:
            for tensor in node.output_tensors:
                if any(d is None for d in tensor.shape[1:]):
                    return n
                floats += int(np.prod(tensor.shape[1:]))
        return max(MIN_INFER_CHUNK, INFER_CHUNK_BYTES // max(4 * floats, 1))

    def train_step(self, x_arrays, y_arrays, sample_weight=None):
        """One optimizer step on one batch; returns the loss (before the update)."""
        everything, variables = self._step_variables()
        stack = self._small_dense_stack(len(x_arrays[0]))
        if stack is not None and stack.can_train(variables, self.optimizer):
            total, outputs = stack.train_step(self, x_arrays[0], y_arrays[0], sample_weight)
            self._update_metrics(y_arrays, [outputs], sample_weight)
            return total, len(x_arrays[0])
        for variable in everything:
            variable.grad = None
        with one_pool():
            outputs, total = self._forward_backward_update(x_arrays, y_arrays, sample_weight, variables)
        for variable in variables:
            if variable.constraint is not None:
                variable.value[...] = variable.constraint(variable.value)
        self._update_metrics(y_arrays, outputs, sample_weight)
        return total, len(x_arrays[0])

    def _forward_backward_update(self, x_arrays, y_arrays, sample_weight, variables):
        """The layer-by-layer training step: forward with the tape, loss gradients, backward, optimizer update.
        Returns (outputs, loss with the regularization penalties)."""
        with recording():
            outputs, tape, total = self._forward_loss(x_arrays, y_arrays, sample_weight, training=True)
            total += self._total_activity_penalty()
        grads = []
        for loss, weight, y, out, fused in zip(self.loss_functions, self.loss_weights, y_arrays, outputs,
                                               self._fused_activation):
            grad = loss.fused_gradient(fused, y, out, sample_weight) if fused else None
            if grad is not None:
                grads.append(PreActivationGrad(grad * weight if weight != 1.0 else grad))
            else:
                grad = loss.gradient(y, out, sample_weight)
                grads.append(grad * weight if weight != 1.0 else grad)
        self.run_backward(tape, grads)
        total += self._apply_regularizers(variables)
        self.optimizer.apply_gradients(variables)
        return outputs, total

    def _steps_per_run(self, x_arrays, y_arrays, weights, batch_size, callback_list):
        """Returns how many steps fit runs per call: 1 (train_step), or for a model whose DenseStack computes
        its loss gradient (see DenseStack.train_steps), when no sample weights and no callback needs every
        batch, about RUN_WORK multiply-adds' worth of steps."""
        from ..callbacks.base import needs_every_batch

        if weights is not None or any(needs_every_batch(c) for c in callback_list.callbacks):
            return 1
        stack = self._small_dense_stack(batch_size)
        if stack is None or not stack.can_train_steps(self, x_arrays[0], y_arrays[0]) or \
                not stack.can_train(self._step_variables()[1], self.optimizer):
            return 1
        return max(1, RUN_WORK // (batch_size * stack.params.size))

    def _train_run(self, x_arrays, y_arrays, index, batch_size):
        """Trains on the samples `index` (a slice or an index array), `batch_size` at a time, in one
        DenseStack call (see _steps_per_run); returns (mean loss, samples, first bad batch), the last being
        None or, when the loss is not finite, (its first non-finite batch in the run, that batch's loss)."""
        rows = np.arange(index.start, index.stop) if isinstance(index, slice) else index
        outputs = self._small_dense_stack(batch_size).train_steps(self, x_arrays[0], y_arrays[0], rows, batch_size)
        targets = take_rows(y_arrays, rows)
        self._update_metrics(targets, [outputs], None)
        loss, weight = self.loss_functions[0], self.loss_weights[0]
        total = weight * loss(targets[0], outputs)
        if np.isfinite(total):
            return total, len(rows), None
        batch = int(np.argmin(np.isfinite(loss.values(targets[0], outputs)))) // batch_size
        part = slice(batch * batch_size, (batch + 1) * batch_size)
        return total, len(rows), (batch, weight * loss(targets[0][part], outputs[part]))

    def _small_dense_stack(self, batch):
        """Returns the model's DenseStack when the model qualifies and takes batches of `batch`, else None.
        The stack is built once, and again when a Sequential's layers or their weights change."""
        stack = self._dense_stack
        if stack is None or (stack and not stack.current()):
            stack = self._dense_stack = DenseStack.build(self) or False
        return stack if stack and stack.takes_batch(batch) else None

    def _predict_small_dense(self, x, max_batch=None):
        """The outputs for `x` through the model's DenseStack when the stack is built and takes `x` as it is
        (see DenseStack.accepts) and `x` holds only finite values; None otherwise (the general path then
        checks and converts the data and reports what is wrong)."""
        stack = self._dense_stack
        if stack and self.built and stack.accepts(x, max_batch) and stack.current():
            return stack.predict(x)
        return None

    def _total_activity_penalty(self):
        return sum(layer._activity_penalty for layer in self._flat_layers() if layer._activity_penalty)

    def _apply_regularizers(self, variables):
        penalty = 0.0
        for variable in variables:
            if variable.regularizer is not None:
                penalty += float(variable.regularizer(variable.value))
                grad = variable.regularizer.gradient(variable.value)
                variable.grad = grad if variable.grad is None else variable.grad + grad
        return penalty

    def _update_metrics(self, y_arrays, outputs, sample_weight, output_metrics=None):
        for items, y, out in zip(output_metrics or self.output_metrics, y_arrays, outputs):
            for metric in items:
                metric.update_state(y, out, sample_weight)

    def _all_metrics(self):
        return [m for items in self.output_metrics for m in items]

    def _reset_metrics(self):
        for metric in self._all_metrics():
            metric.reset_state()

    def _metric_logs(self, loss_mean, output_metrics=None):
        logs = {"loss": loss_mean}
        multi = len(self.outputs) > 1
        for tensor, items in zip(self.outputs, output_metrics or self.output_metrics):
            prefix = f"{tensor.node.layer.name}_" if multi else ""
            for metric in items:
                logs[prefix + metric.name] = float(metric.result())
        return logs

    # ----- fit -----------------------------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_batch_size=None):
        """Trains the model for a number of epochs.

        Args:
            x: input array (or list/dict of arrays for several inputs).
            y: target array (or list/dict for several outputs).
            batch_size: samples per gradient step (32 by default).
            epochs: index of the last epoch to train.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch ("auto" is 1).
            callbacks: list of `Callback` objects.
            validation_split: fraction in [0, 1) of the data, taken from the end before shuffling,
                held out for validation.
            validation_data: (x_val, y_val) or (x_val, y_val, sample_weight_val).
            shuffle: shuffle the training samples before each epoch.
            class_weight: dict class index -> weight of its samples in the loss.
            sample_weight: array of per-sample weights.
            initial_epoch: epoch to start at (for resuming).
            steps_per_epoch: optional cap on the batches per epoch.
            validation_batch_size: batch size for validation (defaults to batch_size).

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
        from ..callbacks import CallbackList, History, ProgbarLogger

        self._require_compiled("fit")
        if x is None or y is None:
            raise DataError("fit: give both x (inputs) and y (targets).")
        if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
            raise ConfigError(f"fit: validation_split must be in [0, 1), received {validation_split!r}.")
        batch_size = self._check_batch_size(batch_size, "fit")
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ConfigError(f"fit: epochs must be a non-negative integer, received {epochs!r}.")
        x_arrays = prepare_inputs(self, x, "x")
        n = len(x_arrays[0])
        y_arrays = self._prepare_targets(y, n)
        weights = self._sample_weights(y_arrays, sample_weight, class_weight, n)
        validation = None
        if validation_data is not None:
            validation = self._prepare_validation(validation_data)
        elif validation_split:
            split = int(n * (1.0 - validation_split))
            if split == 0 or split == n:
                raise DataError(
                    f"fit: validation_split={validation_split} of {n} samples leaves "
                    f"{'no training' if split == 0 else 'no validation'} samples."
                )
            validation = ([a[split:] for a in x_arrays], [a[split:] for a in y_arrays],
                          None if weights is None else weights[split:])
            x_arrays, y_arrays = [a[:split] for a in x_arrays], [a[:split] for a in y_arrays]
            weights = None if weights is None else weights[:split]
            n = split

        steps = -(-n // batch_size)
        if steps_per_epoch is not None:
            if isinstance(steps_per_epoch, (bool, np.bool_)) or not isinstance(steps_per_epoch, (int, np.integer)) \
                    or steps_per_epoch < 1:
                raise ConfigError(f"fit: steps_per_epoch must be a positive integer or None, received "
                                  f"{steps_per_epoch!r}.")
            steps = min(steps, int(steps_per_epoch))
        verbose = 1 if verbose == "auto" else int(verbose)
        history = History()
        callback_list = CallbackList(
            list(callbacks or []) + ([ProgbarLogger(verbose)] if verbose else []) + [history],
            model=self,
            params={"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size,
                    "samples": n},
        )
        warned_non_finite = False  # the first NaN/Inf loss is reported; the ones after it follow from it
        with self._training("fit"), deferred_interrupt() as interrupts:
            self.stop_training = False
            self.history = history
            callback_list.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                if interrupts.requested:
                    break
                self._reset_metrics()
                callback_list.on_epoch_begin(epoch)
                order = backend.rng().permutation(n) if shuffle else None
                loss_sum, seen = 0.0, 0
                logs = {}
                run = self._steps_per_run(x_arrays, y_arrays, weights, batch_size, callback_list)
                step = 0
                while step < steps and not interrupts.requested:
                    last = min(steps, step + run) - 1
                    index = slice(step * batch_size, min(n, (last + 1) * batch_size))
                    if order is not None:
                        index = order[index]
                    callback_list.on_train_batch_begin(step)
                    with interrupts:  # Ctrl-C never splits a step
                        if run > 1:
                            batch_loss, count, first_bad = self._train_run(x_arrays, y_arrays, index, batch_size)
                        else:
                            batch_loss, count = self.train_step(
                                take_rows(x_arrays, index), take_rows(y_arrays, index),
                                None if weights is None else weights[index],
                            )
                            first_bad = (0, batch_loss)
                    loss_sum += batch_loss * count
                    seen += count
                    logs = self._metric_logs(loss_sum / seen)
                    logs["batch_loss"] = batch_loss
                    callback_list.on_train_batch_end(last, logs)
                    if not np.isfinite(batch_loss) and not self.stop_training and not warned_non_finite:
                        self._warn_non_finite(epoch, step + first_bad[0], first_bad[1])
                        warned_non_finite = True
                    if self.stop_training:
                        break
                    step = last + 1
                if interrupts.requested:
                    break  # the History lists completed epochs only
                logs.pop("batch_loss", None)
                if validation is not None:
                    val = self._evaluate_arrays(*validation, validation_batch_size or batch_size)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end()
        if interrupts.requested:
            history.interrupted = True
            print(f"\nInterrupted: fit stopped after {self.optimizer.iterations} steps; the history holds the "
                  f"{len(history.epoch)} completed epoch(s).")
        return history

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

    def _warn_non_finite(self, epoch, step, value):
        import warnings

        warnings.warn(
            f"fit: the loss became {value} at epoch {epoch + 1}, batch {step + 1} (later batches are not reported). "
            "The learning rate may be too high or the data too large in scale; add TerminateOnNaN() to stop "
            "training when this happens.",
            RuntimeWarning, stacklevel=3,
        )

    def _prepare_validation(self, validation):
        if not isinstance(validation, (list, tuple)) or len(validation) not in (2, 3):
            raise DataError("fit: validation_data must be (x_val, y_val) or (x_val, y_val, sample_weight_val).")
        x_val = prepare_inputs(self, validation[0], "validation x")
        y_val = self._prepare_targets(validation[1], len(x_val[0]))
        weights = validation[2] if len(validation) == 3 else None
        return x_val, y_val, self._sample_weights(y_val, weights, None, len(x_val[0]))

    def _check_batch_size(self, batch_size, verb):
        if batch_size is None:
            return 32
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ConfigError(f"{verb}: batch_size must be a positive integer, received {batch_size!r}.")
        return int(batch_size)

    # ----- evaluate and predict ------------------------------------------------------------------

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=True):
        """Returns the loss and metrics of the model on test data.

        Args:
            x: inputs; y: targets.
            batch_size: samples per batch (32 by default).
            verbose: 0 silent, 1 (or "auto") prints the results.
            sample_weight: optional per-sample weights.
            return_dict: return {"loss": ..., metric: ...} (default) or a list in `metrics_names` order.

        Returns:
            dict of loss and metrics.
        """
        self._require_compiled("evaluate")
        batch_size = self._check_batch_size(batch_size, "evaluate")
        x_arrays = prepare_inputs(self, x, "x")
        y_arrays = self._prepare_targets(y, len(x_arrays[0]))
        weights = self._sample_weights(y_arrays, sample_weight, None, len(x_arrays[0]))
        logs = self._evaluate_arrays(x_arrays, y_arrays, weights, batch_size)
        if verbose in (1, "auto"):
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        return logs if return_dict else list(logs.values())

    def _evaluate_arrays(self, x_arrays, y_arrays, weights, batch_size):
        n = len(x_arrays[0])
        # Fresh copies of the metrics: evaluate calls in several threads must not share their state.
        output_metrics = [[copy.deepcopy(metric) for metric in items] for items in self.output_metrics]
        for metric in (m for items in output_metrics for m in items):
            metric.reset_state()
        loss_sum = 0.0
        for start in range(0, n, batch_size):
            index = slice(start, min(n, start + batch_size))
            xb, yb = [a[index] for a in x_arrays], [a[index] for a in y_arrays]
            wb = None if weights is None else weights[index]
            outputs, _, total = self._forward_loss(xb, yb, wb, training=False)
            loss_sum += total * len(xb[0])
            self._update_metrics(yb, outputs, wb, output_metrics)
        return self._metric_logs(loss_sum / n + self._regularization_penalty(), output_metrics)

    def _regularization_penalty(self):
        return sum(float(v.regularizer(v.value)) for v in self.trainable_weights if v.regularizer is not None)

    def predict(self, x, batch_size=None, verbose=0):
        """Returns the model's outputs for `x`, computed in batches.

        Args:
            x: inputs (array, or list/dict for several inputs).
            batch_size: samples per batch (32 by default).
            verbose: ignored (kept for Keras compatibility).

        Returns:
            An array (or a list of arrays for several outputs).
        """
        batch_size = self._check_batch_size(batch_size, "predict")
        outputs = self._predict_small_dense(x, batch_size)
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
        outputs = self._predict_small_dense(x)
        if outputs is not None:
            return outputs
        return self._pick(self._infer(prepare_inputs(self, x, "x")), self._outputs_are_list)

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
        x_arrays = prepare_inputs(self, x, "x")
        y_arrays = self._prepare_targets(y, len(x_arrays[0]))
        weights = self._sample_weights(y_arrays, sample_weight, class_weight, len(x_arrays[0]))
        with self._training("train_on_batch"):
            self._reset_metrics()
            loss, _ = self.train_step(x_arrays, y_arrays, weights)
            logs = self._metric_logs(loss)
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
        x_arrays = prepare_inputs(self, x, "x")
        y_arrays = self._prepare_targets(y, len(x_arrays[0]))
        weights = self._sample_weights(y_arrays, sample_weight, None, len(x_arrays[0]))
        logs = self._evaluate_arrays(x_arrays, y_arrays, weights, len(x_arrays[0]))
        return logs if return_dict else (logs["loss"] if len(logs) == 1 else list(logs.values()))
