"""The data-parallel runner: every rank takes its shard of each global batch; the gradients meet in one allreduce.

It wraps the runner the model would have alone (see training/runner.py `choose_runner`) and plugs in at the
one point where a step has its whole gradient and has not yet used it: the optimizer. The wrapped runner is
built with a `ReducingOptimizer`, which sums the ranks' gradients (each scaled by its shard's share of the
global batch, so the sum is the global batch's gradient) in one allreduce over one flat buffer, then hands
them to the model's optimizer. The dense-stack runner already keeps its gradient in one flat array, reduced in
place; the layer runner's per-weight gradients, and the moving statistics of layers such as batch
normalization (averaged), are packed into one preallocated buffer.

The step's loss and outputs are then gathered, so the training loop computes the loss and the metrics of the
global batch on every rank: logs, callbacks and early stopping see the same numbers everywhere.
"""

import time
import warnings

import numpy as np


def shard(samples, size, rank):
    """The rows [start, stop) of a batch of `samples` that rank `rank` of `size` takes: consecutive runs, the
    first `samples % size` ranks one row more than the others."""
    base, extra = divmod(samples, size)
    start = rank * base + min(rank, extra)
    return start, start + base + (rank < extra)


class ReducingOptimizer:
    """The model's optimizer, behind an allreduce of the gradients it is given (see the module docstring).

    Args:
        optimizer: the model's optimizer (every other attribute is read from it).
        comm: the `Communicator`.
        statistics: the non-trainable weights of trainable layers (batch normalization's moving mean and
            variance), averaged over the ranks with the gradients.
        timings: the strategy's `Timings`.
    """

    def __init__(self, optimizer, comm, statistics, timings):
        self._optimizer, self._comm, self._statistics, self._timings = optimizer, comm, statistics, timings
        self.scale = 1.0  # this rank's share of the global batch, set before each step
        self._buffer = None

    def __getattr__(self, name):
        return getattr(self._optimizer, name)

    def apply_flat(self, weights, grads, slots):
        """Sums the flat gradient over the ranks in place, then updates (see Optimizer.apply_flat)."""
        grads *= grads.dtype.type(self.scale)
        self._reduce(grads)
        return self._optimizer.apply_flat(weights, grads, slots)

    def apply_gradients(self, variables):
        """Packs the variables' gradients (and the statistics) into the flat buffer, sums it over the ranks,
        unpacks and updates (see Optimizer.apply_gradients)."""
        variables = list(variables)
        buffer = self._flat_buffer(variables)
        offset, scale = 0, buffer.dtype.type(self.scale)
        for variable in variables:
            part = buffer[offset:offset + variable.value.size]
            if variable.grad is None:
                part[:] = 0
            else:
                np.multiply(np.asarray(variable.grad).reshape(-1), scale, out=part, casting="unsafe")
            offset += part.size
        share = buffer.dtype.type(1.0 / self._comm.size)
        for variable in self._statistics:
            np.multiply(variable.value.reshape(-1), share, out=buffer[offset:offset + variable.value.size],
                        casting="unsafe")
            offset += variable.value.size
        self._reduce(buffer)
        offset = 0
        for variable in variables:
            variable.grad = buffer[offset:offset + variable.value.size].reshape(variable.shape).astype(
                variable.dtype, copy=False)
            offset += variable.value.size
        for variable in self._statistics:
            variable.value[...] = buffer[offset:offset + variable.value.size].reshape(variable.shape)
            offset += variable.value.size
        return self._optimizer.apply_gradients(variables)

    def _flat_buffer(self, variables):
        size = sum(v.value.size for v in variables) + sum(v.value.size for v in self._statistics)
        dtype = np.result_type(np.float32, *(v.dtype for v in variables), *(v.dtype for v in self._statistics))
        if self._buffer is None or self._buffer.size != size or self._buffer.dtype != dtype:
            self._buffer = np.empty(size, dtype)
        return self._buffer

    def _reduce(self, buffer):
        start = time.perf_counter()
        self._comm.allreduce(buffer, f"the gradient allreduce of step {self._optimizer.iterations + 1}")
        self._timings.allreduce += time.perf_counter() - start
        self._timings.values += buffer.size


class DataParallelRunner:
    """Runs the steps of a model on this rank's shard of each global batch (see the module docstring).

    Args:
        inner: the one-process runner, built with the `ReducingOptimizer` `reducer`.
        reducer: that optimizer, or None for a model that is not compiled (inference only).
        comm: the `Communicator`.
        timings: the strategy's `Timings`.
    """

    def __init__(self, inner, reducer, comm, timings):
        self.inner, self.reducer, self.comm, self.timings = inner, reducer, comm, timings
        self._warned = False

    def train_step(self, x_arrays, y_arrays, sample_weight, batch_size):
        """One step on this rank's shard of the global batch; returns the global batch's (loss, outputs, output
        masks), the same on every rank."""
        start_time = time.perf_counter()
        samples = len(x_arrays[0])
        self._warn_uneven(batch_size)
        start, stop = shard(samples, self.comm.size, self.comm.rank)
        rows = slice(start, stop) if stop > start else slice(0, 1)  # no rows here: one row, weighing nothing
        weights = None if sample_weight is None else sample_weight[rows]
        self.reducer.scale = (stop - start) / samples
        total, outputs, masks = self.inner.train_step([a[rows] for a in x_arrays], [a[rows] for a in y_arrays],
                                                      weights, -(-batch_size // self.comm.size))
        loss, outputs, masks = self._gather(total * self.reducer.scale, outputs, masks, start, stop, samples,
                                            "the loss and outputs of a training step")
        self.timings.steps += 1
        self.timings.step += time.perf_counter() - start_time
        return loss, outputs, masks

    def _warn_uneven(self, batch_size):
        if batch_size % self.comm.size and not self._warned and self.comm.rank == 0:
            warnings.warn(
                f"DataParallel: batch_size={batch_size} does not divide over {self.comm.size} ranks: each global "
                f"batch is split into consecutive runs of rows, the first {batch_size % self.comm.size} ranks "
                f"taking {batch_size // self.comm.size + 1} rows and the others {batch_size // self.comm.size}; "
                "the gradients are weighted by rows, so the step equals the global batch's. Ranks with fewer rows "
                "wait for the others: a multiple of the rank count uses them fully.", RuntimeWarning, stacklevel=5)
        self._warned = True

    def _gather(self, loss_part, outputs, masks, start, stop, samples, what):
        """Returns (the summed loss parts, the outputs and masks of all `samples` rows) from each rank's rows
        [start, stop), in one allreduce of a float64 buffer in which each rank fills its own rows."""
        shapes = [(samples,) + out.shape[1:] for out in outputs]
        sizes = [int(np.prod(shape)) for shape in shapes]
        has_mask = [m is not None for m in masks]
        buffer = np.zeros(1 + sum(sizes) + sum(s for s, m in zip(sizes, has_mask) if m), np.float64)
        buffer[0] = loss_part
        offset, parts = 1, []
        for out, mask, shape, size in zip(outputs, masks, shapes, sizes):
            for array in (out, mask) if mask is not None else (out,):
                block = buffer[offset:offset + size].reshape(shape)
                if stop > start:
                    block[start:stop] = array
                parts.append(block)
                offset += size
        self.comm.allreduce(buffer, what)
        gathered, gathered_masks, index = [], [], 0
        for out, mask in zip(outputs, masks):
            gathered.append(parts[index].astype(out.dtype))
            gathered_masks.append(parts[index + 1] > 0.5 if mask is not None else None)
            index += 2 if mask is not None else 1
        return float(buffer[0]), gathered, gathered_masks

    def steps_per_run(self, x_arrays, y_arrays, batch_size):
        """1: every step meets the other ranks."""
        return 1

    def infer(self, x_arrays, with_masks=False):
        """The outputs for one batch, each rank inferring its shard (a collective: every rank calls it)."""
        samples = len(x_arrays[0])
        start, stop = shard(samples, self.comm.size, self.comm.rank)
        rows = slice(start, stop) if stop > start else slice(0, 1)
        outputs, masks = self.inner.infer([a[rows] for a in x_arrays], with_masks=True)
        _, outputs, masks = self._gather(0.0, outputs, masks, start, stop, samples, "the outputs of inference")
        return (outputs, masks) if with_masks else outputs

    def predict_direct(self, x, max_batch):
        """None: prediction goes through `infer`, shard by shard."""
        return None

    def holds_weights(self):
        return self.inner.holds_weights()
