"""The layer-by-layer runner: any model, one layer at a time through the graph (see runner.py)."""

import contextlib

import numpy as np

from ..engine.layer import recording
from ..engine.sparse_rows import SparseRows
from ..runtime import tuning
from ..runtime.threads import training_step


class LayerRunner:
    """Runs a model layer by layer: forward with the tape, the loss gradients, backward, the optimizer update.

    Args:
        model: the model (its graph runs forward and backward).
        config: its `CompileConfig`, or None for a model that is not compiled (inference only).
        optimizer: its optimizer, or None.
        weights: the model's (variable, layer trainable) pairs.
    """

    def __init__(self, model, config, optimizer, weights):
        self.model, self.config, self.optimizer = model, config, optimizer
        self.weights = [v for v, _ in weights]
        self.trainable = [v for v, layer_trainable in weights if layer_trainable and v.trainable]
        self._output_floats = _output_floats(model)

    def train_step(self, x_arrays, y_arrays, sample_weight, batch_size):
        """One optimizer step on one batch; returns (loss before the update with the penalties, outputs, output
        masks)."""
        for variable in self.weights:
            variable.grad = None
        # A step on sparse rows is a few milliseconds of small loops; in the training pool its loops (the
        # optimizer's on the 10,000-row IMDB kernel) run parallel from POOL_MIN_WORK and waited for threads
        # (34k vs 200k samples/s at 2 threads, NOTES.md): it keeps the default thresholds, as the dense stack.
        scope = contextlib.nullcontext() if isinstance(x_arrays[0], SparseRows) else training_step(self)
        with scope:
            outputs, masks, total = self._forward_backward_update(x_arrays, y_arrays, sample_weight)
        for variable in self.trainable:
            if variable.constraint is not None:
                variable.value[...] = variable.constraint(variable.value)
        return total, outputs, masks

    def _forward_backward_update(self, x_arrays, y_arrays, sample_weight):
        with recording():
            outputs, masks, tape = self.model.run_forward(x_arrays, training=True)
            total = self.config.total_loss(y_arrays, outputs, sample_weight, masks) + self._activity_penalty()
        self.model.run_backward(tape, self.config.loss_gradients(y_arrays, outputs, sample_weight, masks))
        total += self._apply_regularizers()
        self.optimizer.apply_gradients(self.trainable)
        return outputs, masks, total

    def _activity_penalty(self):
        return sum(layer.activity_penalty for layer in self.model.flat_layers() if layer.activity_penalty)

    def _apply_regularizers(self):
        """Adds each regularizer's gradient to its weight's; returns the penalties' sum."""
        penalty = 0.0
        for variable in self.trainable:
            if variable.regularizer is not None:
                penalty += float(variable.regularizer(variable.value))
                grad = variable.regularizer.gradient(variable.value)
                variable.grad = grad if variable.grad is None else variable.grad + grad
        return penalty

    def steps_per_run(self, x_arrays, y_arrays, batch_size):
        """1: this runner takes one step per call."""
        return 1

    def infer(self, x_arrays, with_masks=False):
        """Returns the output arrays for one batch in inference mode, in forward passes of `inference_chunk`;
        with `with_masks`, (the output arrays, the output masks (None where an output has none))."""
        n = len(x_arrays[0])
        chunk = self.inference_chunk(n)
        if n <= chunk:
            outputs, masks, _ = self.model.run_forward(x_arrays, training=False)
        else:
            parts = [self.model.run_forward([a[s:s + chunk] for a in x_arrays], training=False)[:2]
                     for s in range(0, n, chunk)]
            outputs = [np.concatenate(items) for items in zip(*(p[0] for p in parts))]
            masks = [None if items[0] is None else np.concatenate(items) for items in zip(*(p[1] for p in parts))]
        return (outputs, masks) if with_masks else outputs

    def inference_chunk(self, n):
        """Samples per forward pass when inferring on `n`: about INFER_CHUNK_BYTES of layer outputs, so that
        layer outputs and scratch stay in cache and are reused instead of being fresh arrays of hundreds of MB.
        Stateful layers and shapes unknown before the data keep the whole batch."""
        min_chunk = tuning.get("MIN_INFER_CHUNK")
        if n <= min_chunk or self._output_floats is None:
            return n
        return max(min_chunk, tuning.get("INFER_CHUNK_BYTES") // max(4 * self._output_floats, 1))

    def predict_direct(self, x, max_batch):
        """None: this runner has no shortcut past the checks of the data."""
        return None

    def holds_weights(self):
        """True: this runner computes with whatever arrays the weights hold."""
        return True


def _output_floats(model):
    """The floats of all layer outputs for one sample, or None when inference must keep whole batches
    (stateful layers, or output shapes known only from the data)."""
    if any(getattr(layer, "stateful", False) for layer in model.flat_layers()):
        return None
    floats = 0
    for node in model.iter_nodes():
        for tensor in node.output_tensors:
            if any(d is None for d in tensor.shape[1:]):
                return None
            floats += int(np.prod(tensor.shape[1:]))
    return floats
