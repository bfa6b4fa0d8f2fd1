"""The dense-stack runner: a chain of dense layers through `DenseStack`'s compiled calls (see runner.py).

Batches too large for the stack, steps it cannot take (a frozen layer, per-weight `clipnorm`) and sparse rows
(a first Dense layer summing kernel rows, see training/sparse_inputs.py) go to the layer-by-layer runner it
holds.
"""

import numpy as np

from ..runtime import tuning
from .dense_stack import DenseStack


def _max_work():
    """The most batch x weights the stack takes (runtime table: DENSE_STACK_MAX_FLOPS, 2 flops each)."""
    return tuning.get("DENSE_STACK_MAX_FLOPS") // 2


def dense_chain(model):
    """Returns the `DenseSpec`s of `model`'s layers, input to output, when the model is one chain of distinct
    layers that each give one (see `layers.core.Dense.dense_spec`) from one float32 2D input; else None."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return None
    source = model.inputs[0]
    if len(source.shape) != 2 or np.dtype(source.dtype) != np.float32:
        return None
    specs, seen, tensor = [], set(), model.outputs[0]
    while tensor is not source:
        node = tensor.node
        describe = getattr(node.layer, "dense_spec", None)
        spec = describe() if describe is not None else None
        if spec is None or len(node.input_tensors) != 1 or id(node.layer) in seen:
            return None
        seen.add(id(node.layer))
        specs.append(spec)
        tensor = node.input_tensors[0]
    return specs[::-1] or None


class DenseStackRunner:
    """Trains and infers through a `DenseStack` the batches it takes; the layer runner `fallback` the others.

    Args:
        stack: the model's `DenseStack`.
        config: the model's `CompileConfig`, or None (inference only).
        optimizer: the model's optimizer, or None.
        trains: whether steps may run on the stack (every stack weight trainable, no per-weight clipnorm).
        fallback: the model's `LayerRunner`.
    """

    @classmethod
    def build(cls, model, config, optimizer, fallback):
        """Returns the runner for `model`, or None when its layers do not form a dense stack."""
        specs = dense_chain(model)
        stack = DenseStack.build(specs) if specs else None
        if stack is None:
            return None
        trains = optimizer is not None and optimizer.clipnorm is None and \
            [id(v) for v in fallback.trainable] == [id(v) for v in stack.variables]
        return cls(stack, config, optimizer, trains, fallback)

    def __init__(self, stack, config, optimizer, trains, fallback):
        self.stack, self.config, self.optimizer = stack, config, optimizer
        self.trains, self.fallback = trains, fallback

    def takes_batch(self, batch):
        """Whether the stack takes batches of `batch` samples (batch x weights <= DENSE_STACK_MAX_FLOPS / 2)."""
        return batch * self.stack.params.size <= _max_work()

    def train_step(self, x_arrays, y_arrays, sample_weight, batch_size):
        """One optimizer step on one batch; returns (loss before the update, outputs, output masks: none here)."""
        if not (self.trains and self.takes_batch(batch_size)) or type(x_arrays[0]) is not np.ndarray:
            return self.fallback.train_step(x_arrays, y_arrays, sample_weight, batch_size)
        total, outputs = self.stack.train_step(self.config, self.optimizer, x_arrays[0], y_arrays[0], sample_weight)
        return total, [outputs], [None]

    def steps_per_run(self, x_arrays, y_arrays, batch_size):
        """How many steps of `batch_size` one `train_run` call takes on these arrays: about DENSE_STACK_RUN_FLOPS'
        worth when the stack computes the loss gradient itself, else 1 (one step per call)."""
        if not (self.trains and self.takes_batch(batch_size)) or self.stack.loss_code(self.config) is None or \
                type(x_arrays[0]) is not np.ndarray or not self.stack.takes_arrays(x_arrays[0], y_arrays[0]):
            return 1
        return max(1, tuning.get("DENSE_STACK_RUN_FLOPS") // (2 * batch_size * self.stack.params.size))

    def train_run(self, x_arrays, y_arrays, rows, batch_size):
        """Trains on the samples `rows` (an int array, in step order), `batch_size` at a time; returns the
        outputs of each sample before its step's update."""
        return [self.stack.train_steps(self.config, self.optimizer, x_arrays[0], y_arrays[0], rows, batch_size)]

    def infer(self, x_arrays, with_masks=False):
        """Returns the output arrays for one batch in inference mode (with `with_masks`, and their masks: none
        here)."""
        if self.takes_batch(len(x_arrays[0])) and type(x_arrays[0]) is np.ndarray:
            outputs = [self.stack.predict(x_arrays[0])]
            return (outputs, [None]) if with_masks else outputs
        return self.fallback.infer(x_arrays, with_masks)

    def predict_direct(self, x, max_batch):
        """The outputs for `x` as the user gave it when the stack takes it as it is (see `DenseStack.accepts`)
        and it holds only finite values, and the stack still holds the weights; None otherwise (the data is then
        checked, converted and inferred)."""
        stack = self.stack
        if stack.accepts(x, max_batch, _max_work()) and self.holds_weights():
            return stack.predict(x)
        return None

    def holds_weights(self):
        """Whether every weight's array is still the stack's view (`check_gradients`, say, swaps them)."""
        params = self.stack.params
        for variable in self.stack.variables:  # a loop: this runs on every predict call
            if variable.value.base is not params:
                return False
        return True
