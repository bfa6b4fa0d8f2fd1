"""DenseStack: the weights of a chain of dense layers in one flat array, trained and run by compiled calls.

At small batches on small networks the arithmetic takes microseconds and the per-layer Python of the
layer-by-layer runner (forward, backward and an optimizer call per weight) is most of the step. The stack
takes a chain of layers that each describe themselves as a product, a bias and an activation
(`layers.core.DenseSpec`) with elementwise or last-axis softmax activations, no regularizers or constraints
and float32 weights. Their weights move into one flat array (each Variable's value and grad become views, and
the optimizer's slots views of its flat slots, so get_weights, saving and callbacks see the same numbers), the
layers run in compute/dense_stack.py, and the optimizer updates everything in one call. The loss and the
metrics stay the model's own Python objects, so results match the layer-by-layer runner.

`train_steps` goes further for fit: for the losses whose gradient the kernel computes (those that name a
closed form, see `losses.Loss.closed_form_gradient`) it runs a whole run of consecutive steps, each one
compiled call plus the optimizer's update, and returns the outputs so that fit computes the loss and the
metrics once per run.
"""

import numpy as np

from .. import activations
from ..engine.gradients import PreActivationGrad
from ..compute import dense_stack as compute

class DenseStack:
    """The flat weights, optimizer slots and workspace of one chain of dense layers (see the module docstring).

    Attributes:
        variables: the weights, kernel then bias of each layer, in the order of the flat arrays.
        params, grads: the flat weights and their gradient.
        widths: the input width, then each layer's units.
    """

    @classmethod
    def build(cls, specs):
        """Returns a DenseStack holding the weights of the layers `specs` (`DenseSpec`s, input to output), or
        None if one of them cannot run here."""
        if not all(_supported(spec.activation) for spec in specs):
            return None
        variables = [w for spec in specs for w in (spec.kernel, spec.bias) if w is not None]
        if any(v.regularizer is not None or v.constraint is not None or v.dtype != np.float32 for v in variables):
            return None
        return cls(specs, variables)

    def __init__(self, specs, variables):
        self.variables = variables
        self._offsets = np.cumsum([0] + [v.value.size for v in variables])
        self.params = np.concatenate([v.value.reshape(-1) for v in variables])
        self.grads = np.zeros_like(self.params)
        self._grad_views = [self.grads[start:end].reshape(v.shape) for v, start, end in self._spans()]
        for variable, start, end in self._spans():
            variable.value = self.params[start:end].reshape(variable.shape)
        self.layout, self.options = _layout(specs, variables, self._offsets)
        self.widths = [specs[0].kernel.shape[0]] + [spec.units for spec in specs]
        self._widths_sum = sum(self.widths)
        self._capacity = 0

    def _spans(self):
        return zip(self.variables, self._offsets[:-1], self._offsets[1:])

    def accepts(self, x, max_batch, max_work):
        """Whether `predict` takes `x` as it is: a float32 C-contiguous (batch, features) array with 1 to
        `max_batch` rows (any number when None) and batch x weights <= `max_work`."""
        return type(x) is np.ndarray and x.dtype == np.float32 and x.ndim == 2 and x.flags.c_contiguous and \
            x.shape[1] == self.widths[0] and 0 < len(x) <= (max_batch or len(x)) and \
            len(x) * self.params.size <= max_work

    def predict(self, x):
        """Returns the outputs for a float32 (batch, features) array `x` in a new array (threads may predict at
        once), or None if `x` holds a NaN or Inf."""
        return compute.predict(self.params, self.layout, self.options, x, self._widths_sum)

    def train_step(self, config, optimizer, x, y, sample_weight):
        """One step on a batch with the loss of `config` (a `CompileConfig`) and `optimizer`; returns (loss,
        outputs). `outputs` is valid until the next call."""
        acts, pres = self._workspace(len(x))
        outputs = self._forward(x, acts, pres)
        total = config.total_loss([y], [outputs], sample_weight)
        [grad] = config.loss_gradients([y], [outputs], sample_weight)
        pre_activation = isinstance(grad, PreActivationGrad)
        grad = np.ascontiguousarray(grad.value if pre_activation else grad, dtype=np.float32)
        compute.backward(self.params, self.layout, self.options, acts, pres, len(x),
                         grad.reshape(outputs.shape), pre_activation, self.grads)
        self._expose_grads()
        optimizer.apply_flat(self.params, self.grads, optimizer.flat_slots(self.variables))
        return total, outputs

    def loss_code(self, config):
        """The kernels' code for the loss of `config` (see compute/dense_stack.py), or None for a loss whose
        gradient `train_steps` does not compute."""
        return compute.LOSS_GRADIENTS.get(config.losses[0].closed_form_gradient(config.fused_activations[0]))

    def takes_arrays(self, x, y):
        """Whether `train_steps` takes the inputs `x` and targets `y` (all the samples) as they are."""
        return all(a.dtype == np.float32 and a.ndim == 2 and a.flags.c_contiguous for a in (x, y)) and \
            y.shape[1] == self.widths[-1]

    def train_steps(self, config, optimizer, x, y, rows, batch_size):
        """Runs the steps on the samples x[rows] with targets y[rows], `batch_size` rows at a time.

        Args:
            config: the `CompileConfig` (its loss and loss weight); `loss_code(config)` must not be None.
            optimizer: the optimizer.
            x: (samples, features) float32 C-contiguous inputs; y: (samples, units) float32 targets.
            rows: int64 array of the samples, in step order.
            batch_size: rows per step (the last step takes what is left).

        Returns:
            The outputs for x[rows], each computed before its step's update, shape (len(rows), units).
        """
        code, weight = self.loss_code(config), config.loss_weights[0]
        acts, pres = self._workspace(batch_size)
        grad = np.empty(batch_size * self.widths[-1], np.float32)
        outputs = np.empty((len(rows), self.widths[-1]), np.float32)
        slots = optimizer.flat_slots(self.variables)
        for first in range(0, len(rows), batch_size):
            batch_rows = rows[first:first + batch_size]
            compute.train_batch(self.params, self.layout, self.options, acts, pres, x, y, batch_rows, code,
                                weight / len(batch_rows), grad, self.grads, outputs, first)
            optimizer.apply_flat(self.params, self.grads, slots)
        self._expose_grads()
        return outputs

    def _expose_grads(self):
        """Points each weight's `.grad` at its view of the flat gradient (the layer runner resets them)."""
        for variable, grad_view in zip(self.variables, self._grad_views):
            variable.grad = grad_view

    def _forward(self, x, acts, pres):
        acts[:x.size] = x.reshape(-1)
        compute.forward(self.params, self.layout, self.options, acts, pres, len(x))
        return compute.output_block(acts, self.layout, len(x))

    def _workspace(self, batch):
        """The training workspace, kept between steps (training is one thread's business)."""
        if batch > self._capacity:
            self._capacity = batch
            self._acts = np.empty(batch * sum(self.widths), np.float32)
            self._pres = np.empty(batch * sum(self.widths[1:]), np.float32)
        return self._acts, self._pres


def _supported(activation):
    if isinstance(activation, activations.Softmax):
        return activation.options["axis"] in (-1, 1)  # the last axis of (batch, units)
    return isinstance(activation, activations.Elementwise)


def _layout(specs, variables, offsets):
    """Returns the int64 (layers, 5) layout and float64 (layers, 3) activation options of the kernels."""
    start = {id(v): int(o) for v, o in zip(variables, offsets[:-1])}
    layout, options = [], []
    for spec in specs:
        bias = start[id(spec.bias)] if spec.bias is not None else -1
        layout.append((start[id(spec.kernel)], spec.kernel.shape[0], spec.units, bias, spec.activation.code))
        options.append(spec.activation.params)
    return np.array(layout, np.int64), np.array(options, np.float64)
