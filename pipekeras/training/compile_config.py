"""What compile sets up, per output: a loss, its weight and metrics; and what they compute on a batch."""

import copy

from .. import losses as losses_module, metrics as metrics_module
from ..engine.gradients import PreActivationGrad
from ..errors import ConfigError


def per_output(value, output_names, what):
    """Spreads a compile argument over the outputs: one value for all, a list, or a dict by output name.

    Raises:
        ConfigError: for a list of the wrong length or a dict naming an unknown output.
    """
    if isinstance(value, dict):
        unknown = [k for k in value if k not in output_names]
        if unknown:
            raise ConfigError(f"compile: {what} names unknown output(s) {unknown}; outputs are {output_names}.")
        return [value.get(n) for n in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(output_names):
            raise ConfigError(f"compile: {what} has {len(value)} entries for {len(output_names)} outputs "
                              f"{output_names}.")
        return list(value)
    return [value] * len(output_names)


def _metric_list(items):
    """compile's metrics for one output as a list: a single name or metric is a list of one (R passes
    `metrics = "accuracy"`, a vector of length one)."""
    if items is None:
        return []
    if isinstance(items, (list, tuple)):
        return list(items)
    return [items]


class CompileConfig:
    """The losses, loss weights and metrics of a compiled model, one entry per output.

    Args:
        outputs: the model's output tensors.
        loss: name, Loss object, or one per output (list or dict by output name).
        metrics: list of metrics for every output (a single name such as `"accuracy"`, as R's
            `metrics = "accuracy"`, is a list of one), or a dict by output name.
        loss_weights: None, or one weight per output (list or dict by output name).
        fused_activations: per output, the name of the output layer's activation that the loss gradient may
            fuse with (see `losses.Loss.fused_gradient`), or None.

    Attributes:
        losses: one `Loss` per output.
        loss_weights: one float per output.
        metrics: one list of `Metric` objects per output.
        fused_activations: as the argument.
        output_names: the names of the output layers.

    Raises:
        ConfigError: for an unknown loss or metric, or arguments that do not fit the outputs.
    """

    def __init__(self, outputs, loss, metrics, loss_weights, fused_activations):
        self.output_names = [t.node.layer.name for t in outputs]
        self.losses = [losses_module.get(item) for item in per_output(loss, self.output_names, "loss")]
        weights = per_output(1.0 if loss_weights is None else loss_weights, self.output_names, "loss_weights")
        self.loss_weights = [1.0 if w is None else float(w) for w in weights]
        per_metric = per_output(metrics, self.output_names, "metrics") if isinstance(metrics, dict) else \
            [metrics] * len(outputs)
        self.metrics = [[metrics_module.get(m, loss=loss, output_shape=t.shape) for m in _metric_list(items)]
                        for items, loss, t in zip(per_metric, self.losses, outputs)]
        self.fused_activations = list(fused_activations)

    def total_loss(self, y_arrays, outputs, sample_weight):
        """Returns the weighted sum of the outputs' losses on a batch, as a float."""
        total = 0.0
        for loss, weight, y, out in zip(self.losses, self.loss_weights, y_arrays, outputs):
            total += weight * float(loss(y, out, sample_weight))
        return total

    def loss_gradients(self, y_arrays, outputs, sample_weight):
        """Returns, per output, the weighted loss gradient: a `PreActivationGrad` where the loss fuses with the
        output activation, else d(loss)/d(output)."""
        grads = []
        for loss, weight, y, out, fused in zip(self.losses, self.loss_weights, y_arrays, outputs,
                                               self.fused_activations):
            grad = loss.fused_gradient(fused, y, out, sample_weight) if fused else None
            if grad is not None:
                grads.append(PreActivationGrad(grad * weight if weight != 1.0 else grad))
            else:
                grad = loss.gradient(y, out, sample_weight)
                grads.append(grad * weight if weight != 1.0 else grad)
        return grads

    def metrics_names(self):
        """Returns "loss" and the metric names in log order (prefixed by the output name for several)."""
        names = ["loss"]
        multi = len(self.metrics) > 1
        for output, items in zip(self.output_names, self.metrics):
            prefix = f"{output}_" if multi else ""
            if multi:
                names.append(f"{prefix}loss")
            names += [f"{prefix}{m.name}" for m in items]
        return names

    def fresh_metrics(self):
        """Returns reset copies of the metrics, for a pass that must not share their state (evaluate)."""
        metrics = [[copy.deepcopy(metric) for metric in items] for items in self.metrics]
        for metric in (m for items in metrics for m in items):
            metric.reset_state()
        return metrics

    def reset_metrics(self):
        for metric in (m for items in self.metrics for m in items):
            metric.reset_state()

    def update_metrics(self, y_arrays, outputs, sample_weight, metrics=None):
        """Adds a batch to `metrics` (the compiled metrics by default)."""
        for items, y, out in zip(metrics or self.metrics, y_arrays, outputs):
            for metric in items:
                metric.update_state(y, out, sample_weight)

    def logs(self, loss_mean, metrics=None):
        """Returns {"loss": loss_mean, metric name: result, ...} of `metrics` (the compiled ones by default)."""
        logs = {"loss": loss_mean}
        multi = len(self.output_names) > 1
        for output, items in zip(self.output_names, metrics or self.metrics):
            prefix = f"{output}_" if multi else ""
            for metric in items:
                logs[prefix + metric.name] = float(metric.result())
        return logs
