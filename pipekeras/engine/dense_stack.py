"""DenseStack: a small Sequential of dense layers trained through compiled calls.

At small batches on small networks (Boston housing at batch 1) the arithmetic takes microseconds and the
per-layer Python of the generic engine (forward, backward and an optimizer call per weight) is most of the
step. A model qualifies when it is a Sequential of `Dense` layers with elementwise or last-axis softmax
activations, no regularizers, constraints or activity regularizers, float32 weights, one input and one
output, and an optimizer without per-weight `clipnorm`. Its weights and optimizer slots then move into flat
arrays (each Variable's value, grad and slots become views, so get_weights, saving and callbacks see the
same numbers), the layers run in kernels/dense_stack.py, and the optimizer updates everything in one call. The
loss, its gradient and the metrics stay the model's own Python objects, so results match the generic path.

`train_steps` goes further for fit: for the losses whose gradient the kernel computes (mse, mae, and the
cross-entropies fused with their sigmoid or softmax output) it runs a whole run of consecutive steps, each
one compiled call plus the optimizer's update, and returns the outputs so that fit computes the loss and the
metrics once per run (Boston housing at batch 1: ~60 -> ~15 us per step).
"""

import numpy as np

from .. import activations
from ..kernels import dense_stack as kernels

# The stack is used when batch * weights is at most this: above it the products dominate and the generic
# path, which runs large products on several BLAS threads, is as fast or faster.
MAX_WORK = 1 << 21

# fit runs up to this many multiply-adds (steps x batch x weights) in one `train_steps` call: about 10-20 ms,
# so that Ctrl-C and the progress bar still answer quickly (Boston housing: a whole epoch per call).
RUN_WORK = 1 << 25


class DenseStack:
    """The flat weights, optimizer slots and workspace of one qualifying model (see the module docstring)."""

    @classmethod
    def build(cls, model):
        """Returns a DenseStack holding `model`'s weights, or None if the model does not qualify."""
        layers = _dense_layers(model)
        if layers is None:
            return None
        variables = [w for layer in layers for w in (layer.kernel, layer.bias) if w is not None]
        if any(v.regularizer is not None or v.constraint is not None or v.dtype != np.float32 for v in variables):
            return None
        return cls(layers, variables)

    def __init__(self, layers, variables):
        self._owners = [(layer, layer.kernel, layer.bias) for layer in layers]
        self.variables = variables
        self._offsets = np.cumsum([0] + [v.value.size for v in variables])
        self.params = np.concatenate([v.value.reshape(-1) for v in variables])
        self.grads = np.zeros_like(self.params)
        self._grad_views = [self.grads[start:end].reshape(v.shape) for v, start, end in self._spans()]
        for variable, start, end in self._spans():
            variable.value = self.params[start:end].reshape(variable.shape)
        self.slots, self._slot_table = None, None
        self.layout, self.options = _layout(layers, variables, self._offsets)
        self.widths = [layers[0].kernel.shape[0]] + [layer.units for layer in layers]
        self._capacity = 0

    def _spans(self):
        return zip(self.variables, self._offsets[:-1], self._offsets[1:])

    def current(self):
        """Whether this stack still holds its layers' weights (none rebuilt or replaced since)."""
        for layer, kernel, bias in self._owners:
            if layer.kernel is not kernel or layer.bias is not bias:
                return False
        for variable in self.variables:
            if variable.value.base is not self.params:
                return False
        return True

    def can_train(self, variables, optimizer):
        """Whether steps on `variables` (the trainable weights) with `optimizer` can run here."""
        return optimizer.clipnorm is None and len(variables) == len(self.variables) and all(
            a is b for a, b in zip(variables, self.variables))

    def accepts(self, x, max_batch=None):
        """Whether `predict` takes `x` as it is: a float32 C-contiguous (batch, features) array with 1 to
        `max_batch` rows (any number when None) and batch x weights <= MAX_WORK."""
        return type(x) is np.ndarray and x.dtype == np.float32 and x.ndim == 2 and x.flags.c_contiguous and \
            x.shape[1] == self.widths[0] and 0 < len(x) <= (max_batch or len(x)) and self.takes_batch(len(x))

    def takes_batch(self, batch):
        """Whether batches of `batch` samples are small enough for the stack (batch x weights <= MAX_WORK)."""
        return batch * self.params.size <= MAX_WORK

    def predict(self, x):
        """Returns the outputs for a float32 (batch, features) array `x` in a new array (threads may predict at
        once), or None if `x` holds a NaN or Inf."""
        return kernels.predict(self.params, self.layout, self.options, x, sum(self.widths))

    def train_step(self, model, x, y, sample_weight):
        """One step on a batch; returns (loss, outputs). `outputs` is valid until the next call."""
        acts, pres = self._workspace(len(x))
        outputs = self._forward(x, acts, pres)
        loss, weight, fused = model.loss_functions[0], model.loss_weights[0], model._fused_activation[0]
        total = weight * float(loss(y, outputs, sample_weight))
        grad = loss.fused_gradient(fused, y, outputs, sample_weight) if fused else None
        pre_activation = grad is not None
        if not pre_activation:
            grad = loss.gradient(y, outputs, sample_weight)
        grad = np.ascontiguousarray(grad * weight if weight != 1.0 else grad, dtype=np.float32)
        kernels.backward(self.params, self.layout, self.options, acts, pres, len(x),
                         grad.reshape(outputs.shape), pre_activation, self.grads)
        self._expose_grads()
        model.optimizer.apply_flat(self.params, self.grads, self._slots_of(model.optimizer))
        return total, outputs

    def loss_code(self, model):
        """The kernels' code for the model's loss (see kernels/dense_stack.py), or None for a loss whose
        gradient `train_steps` does not compute."""
        from .. import losses

        loss, fused = model.loss_functions[0], model._fused_activation[0]
        if type(loss) is losses.MeanSquaredError:
            return kernels.MSE
        if type(loss) is losses.MeanAbsoluteError:
            return kernels.MAE
        plain = not getattr(loss, "from_logits", True) and not getattr(loss, "label_smoothing", 1.0)
        if type(loss) is losses.BinaryCrossentropy and plain and fused == "sigmoid":
            return kernels.SIGMOID_CROSSENTROPY
        if type(loss) is losses.CategoricalCrossentropy and plain and fused == "softmax":
            return kernels.SOFTMAX_CROSSENTROPY
        return None

    def can_train_steps(self, model, x, y):
        """Whether `train_steps` can train `model` on inputs `x` and targets `y` (all the samples)."""
        return self.loss_code(model) is not None and all(
            a.dtype == np.float32 and a.ndim == 2 and a.flags.c_contiguous for a in (x, y)) and \
            y.shape[1] == self.widths[-1]

    def train_steps(self, model, x, y, rows, batch_size):
        """Runs the steps on the samples x[rows] with targets y[rows], `batch_size` rows at a time.

        Args:
            model: the model (its loss, loss weight and optimizer); `loss_code(model)` must not be None.
            x: (samples, features) float32 C-contiguous inputs; y: (samples, units) float32 targets.
            rows: int64 array of the samples, in step order.
            batch_size: rows per step (the last step takes what is left).

        Returns:
            The outputs for x[rows], each computed before its step's update, shape (len(rows), units).
        """
        code, weight, optimizer = self.loss_code(model), model.loss_weights[0], model.optimizer
        acts, pres = self._workspace(batch_size)
        grad = np.empty(batch_size * self.widths[-1], np.float32)
        outputs = np.empty((len(rows), self.widths[-1]), np.float32)
        slots = self._slots_of(optimizer)
        for first in range(0, len(rows), batch_size):
            batch_rows = rows[first:first + batch_size]
            kernels.train_batch(self.params, self.layout, self.options, acts, pres, x, y, batch_rows, code,
                                weight / len(batch_rows), grad, self.grads, outputs, first)
            optimizer.apply_flat(self.params, self.grads, slots)
        self._expose_grads()
        return outputs

    def _expose_grads(self):
        """Points each weight's `.grad` at its view of the flat gradient (the generic engine resets them)."""
        for variable, grad_view in zip(self.variables, self._grad_views):
            variable.grad = grad_view

    def _forward(self, x, acts, pres):
        acts[:x.size] = x.reshape(-1)
        kernels.forward(self.params, self.layout, self.options, acts, pres, len(x))
        return kernels.output_block(acts, self.layout, len(x))

    def _slots_of(self, optimizer):
        """The optimizer's slots as flat arrays, adopted (and its per-weight slots made views of them) when the
        optimizer or its state changed."""
        if optimizer._slots is not self._slot_table:
            per_variable = [optimizer._slots_of(v) for v in self.variables]
            self.slots = [np.concatenate([slots[i] for slots in per_variable])
                          for i in range(len(optimizer.slot_names))]
            for variable, start, end in self._spans():
                optimizer._slots[id(variable)] = (variable, [s[start:end] for s in self.slots])
            self._slot_table = optimizer._slots
        return self.slots

    def _workspace(self, batch):
        """The training workspace, kept between steps (training is one thread's business)."""
        if batch > self._capacity:
            self._capacity = batch
            self._acts, self._pres = self._new_workspace(batch)
        return self._acts, self._pres

    def _new_workspace(self, batch):
        return np.empty(batch * sum(self.widths), np.float32), np.empty(batch * sum(self.widths[1:]), np.float32)


def _dense_layers(model):
    """Returns the model's layers if it is a Sequential of plain Dense layers on 2D inputs, else None."""
    from ..layers.core import Dense
    from .sequential import Sequential

    if not isinstance(model, Sequential) or len(model.inputs) != 1 or len(model.inputs[0].shape) != 2:
        return None
    layers = model.layers
    for layer in layers:
        if type(layer) is not Dense or layer.activity_regularizer is not None or not _supported(layer.activation):
            return None
    return layers or None


def _supported(activation):
    if isinstance(activation, activations.Softmax):
        return activation.options["axis"] in (-1, 1)  # the last axis of (batch, units)
    return isinstance(activation, activations.Elementwise)


def _layout(layers, variables, offsets):
    """Returns the int64 (layers, 5) layout and float64 (layers, 3) activation options of the kernels."""
    start = {id(v): int(o) for v, o in zip(variables, offsets[:-1])}
    layout, options = [], []
    for layer in layers:
        bias = start[id(layer.bias)] if layer.bias is not None else -1
        layout.append((start[id(layer.kernel)], layer.kernel.shape[0], layer.units, bias, layer.activation.code))
        options.append(layer.activation.params)
    return np.array(layout, np.int64), np.array(options, np.float64)
