"""Callback: hooks into fit, evaluate and predict, as Keras defines them."""


class Callback:
    """Base class for callbacks; override the hooks you need.

    Attributes:
        model: the model being trained (set by fit).
        params: dict with "epochs", "steps", "verbose", "batch_size", "samples".

    Example:
        >>> class PrintLoss(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         print(epoch + 1, logs["loss"])
        >>> history = model | fit(x, y, epochs=3, callbacks=[PrintLoss()])
    """

    # Whether the batch hooks may be called once for a run of several batches, with the run's last batch
    # number and the logs so far; fit trains small dense models in such runs (see
    # DenseStackRunner.steps_per_run). A callback that overrides a batch hook sees every batch unless it sets this.
    batch_hooks_take_runs = False

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        """Called once when fit starts."""

    def on_train_end(self, logs=None):
        """Called once when fit ends (also after an early stop or an interrupt)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of each epoch (0-based)."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of each epoch with the epoch's loss, metrics and val_* values."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before each training batch."""

    def on_train_batch_end(self, batch, logs=None):
        """Called after each training batch with the running loss and metrics."""

    def on_test_begin(self, logs=None):
        """Called when evaluation starts."""

    def on_test_end(self, logs=None):
        """Called when evaluation ends."""

    def on_test_batch_begin(self, batch, logs=None):
        """Called before each evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after each evaluation batch."""

    def on_predict_begin(self, logs=None):
        """Called when prediction starts."""

    def on_predict_end(self, logs=None):
        """Called when prediction ends."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before each prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after each prediction batch."""

    # Keras 2 names.
    def on_batch_begin(self, batch, logs=None):
        """Alias of on_train_batch_begin."""

    def on_batch_end(self, batch, logs=None):
        """Alias of on_train_batch_end."""


_TRAIN_BATCH_HOOKS = ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end")


def needs_every_batch(callback):
    """Whether fit must call `callback`'s batch hooks for every batch (it defines one and takes no runs)."""
    if getattr(callback, "batch_hooks_take_runs", False):
        return False
    return any(getattr(getattr(callback, hook, None), "__func__", None) is not getattr(Callback, hook)
               for hook in _TRAIN_BATCH_HOOKS)


class CallbackList:
    """Calls a hook on every callback in order."""

    def __init__(self, callbacks, model=None, params=None):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(dict(params or {}))

    def _each(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def on_train_begin(self, logs=None):
        self._each("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._each("on_train_end", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._each("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._each("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._each("on_train_batch_begin", batch, logs)
        self._each("on_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._each("on_train_batch_end", batch, logs)
        self._each("on_batch_end", batch, logs)
