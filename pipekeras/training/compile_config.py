"""What compile sets up, per output: a loss, its weight and metrics; and what they compute on a batch."""

import copy
from typing import NamedTuple

import numpy as np

from .. import losses as losses_module, metrics as metrics_module
from ..engine.gradients import PreActivationGrad
from ..errors import ConfigError


class OutputSpec(NamedTuple):
    """An output known by name and shape only (a subclassed model's, seen at its first batch)."""

    name: str
    shape: tuple


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


def masked_weights(sample_weight, mask, for_loss):
    """Folds an output mask into the sample weights, as Keras does.

    Args:
        sample_weight: per-sample weights (batch,), or None.
        mask: the output's mask (batch, ...), or None.
        for_loss: True for the loss, whose mean over all positions becomes a mean over the unmasked ones (each
            unmasked position weighs positions / unmasked positions; a batch without one weighs 0), False
            for the metrics (the mask as 0/1 weights).

    Returns:
        The weights, broadcastable over the output's positions; `sample_weight` itself without a mask.
    """
    if mask is None:
        return sample_weight
    mask = np.asarray(mask, dtype=np.float64)
    if for_loss:
        valid = mask.sum()
        mask = mask * (mask.size / valid if valid else 0.0)
    if sample_weight is None:
        return mask
    w = np.asarray(sample_weight, dtype=np.float64)
    while w.ndim > 1 and w.shape[-1] == 1:
        w = w[..., 0]
    return mask * w.reshape(w.shape + (1,) * (mask.ndim - w.ndim))


def _metric_list(items):
    """compile's metrics for one output as a list: a single name or metric is a list of one (R passes
    `metrics = "accuracy"`, a vector of length one)."""
    if items is None:
        return []
    if isinstance(items, (list, tuple)):
        return list(items)
    return [items]


def _finite_weight(weight, output):
    """A loss weight as a float; a ConfigError unless it is a finite number (NaN would make the loss NaN)."""
    try:
        value = float(weight)
    except (TypeError, ValueError):
        value = None
    if isinstance(weight, bool) or value is None or not np.isfinite(value):
        raise ConfigError(f"compile: loss_weights for output {output!r} must be a finite number, received "
                          f"{weight!r}.")
    return value


class CompileConfig:
    """The losses, loss weights and metrics of a compiled model, one entry per output.

    Args:
        outputs: the model's output tensors (or `OutputSpec`s).
        loss: name, Loss object, or one per output (list or dict by output name).
        metrics: list of metrics for every output (a single name such as `"accuracy"`, as R's
            `metrics = "accuracy"`, is a list of one), or a dict by output name; they ignore sample weights.
        loss_weights: None, or one weight per output (list or dict by output name).
        fused_activations: per output, the name of the output layer's activation that the loss gradient may
            fuse with (see `losses.Loss.fused_gradient`), or None.
        weighted_metrics: as `metrics`, for metrics weighted by the sample and class weights (Keras's
            `weighted_metrics`); one with the name of an unweighted one is logged as "weighted_<name>".

    Attributes:
        losses: one `Loss` per output.
        loss_weights: one float per output.
        metrics: one list of `Metric` objects per output (not weighted by the sample weights).
        weighted_metrics: one list per output of the metrics weighted by the sample and class weights.
        fused_activations: as the argument.
        output_names: the names of the output layers.

    Raises:
        ConfigError: for an unknown loss or metric, or arguments that do not fit the outputs.
    """

    def __init__(self, outputs, loss, metrics, loss_weights, fused_activations, weighted_metrics=None):
        self.output_names = [t.name if isinstance(t, OutputSpec) else t.node.layer.name for t in outputs]
        self.losses = [losses_module.get(item) for item in per_output(loss, self.output_names, "loss")]
        weights = per_output(1.0 if loss_weights is None else loss_weights, self.output_names, "loss_weights")
        self.loss_weights = [1.0 if w is None else _finite_weight(w, name)
                             for w, name in zip(weights, self.output_names)]
        self.metrics = self._metric_lists(metrics, outputs, "metrics")
        self.weighted_metrics = self._metric_lists(weighted_metrics, outputs, "weighted_metrics")
        self.fused_activations = list(fused_activations)

    def _metric_lists(self, metrics, outputs, what):
        per_metric = per_output(metrics, self.output_names, what) if isinstance(metrics, dict) else \
            [metrics] * len(outputs)
        return [[metrics_module.get(m, loss=loss, output_shape=t.shape) for m in _metric_list(items)]
                for items, loss, t in zip(per_metric, self.losses, outputs)]

    def total_loss(self, y_arrays, outputs, sample_weight, masks=None):
        """Returns the weighted sum of the outputs' losses on a batch, as a float; an output's mask (`masks`,
        one per output or None) restricts its loss to the unmasked positions."""
        total = 0.0
        for loss, weight, y, out, mask in zip(self.losses, self.loss_weights, y_arrays, outputs,
                                              masks or [None] * len(outputs)):
            total += weight * float(loss(y, out, masked_weights(sample_weight, mask, True)))
        return total

    def loss_gradients(self, y_arrays, outputs, sample_weight, masks=None):
        """Returns, per output, the weighted loss gradient: a `PreActivationGrad` where the loss fuses with the
        output activation, else d(loss)/d(output)."""
        grads = []
        for loss, weight, y, out, fused, mask in zip(self.losses, self.loss_weights, y_arrays, outputs,
                                                     self.fused_activations, masks or [None] * len(outputs)):
            position_weights = masked_weights(sample_weight, mask, True)
            grad = loss.fused_gradient(fused, y, out, position_weights) if fused else None
            if grad is not None:
                grads.append(PreActivationGrad(grad * weight if weight != 1.0 else grad))
            else:
                grad = loss.gradient(y, out, position_weights)
                grads.append(grad * weight if weight != 1.0 else grad)
        return grads

    def _labelled(self, metrics=None):
        """Per output, [(log name, metric, weighted)] in log order: the metrics, then the weighted ones (named
        "weighted_<name>" where the name is taken, as Keras does); names prefixed by the output's for several."""
        plain, weighted = metrics or (self.metrics, self.weighted_metrics)
        multi = len(self.output_names) > 1
        taken, result = set(), []
        for output, items, weighted_items in zip(self.output_names, plain, weighted):
            prefix = f"{output}_" if multi else ""
            labelled = [(prefix + m.name, m, False) for m in items]
            taken.update(label for label, _, _ in labelled)
            for metric in weighted_items:
                label = prefix + metric.name
                label = prefix + "weighted_" + metric.name if label in taken else label
                taken.add(label)
                labelled.append((label, metric, True))
            result.append(labelled)
        return result

    def metrics_names(self):
        """Returns "loss" and the metric names in log order (prefixed by the output name for several)."""
        names = ["loss"]
        multi = len(self.output_names) > 1
        for output, labelled in zip(self.output_names, self._labelled()):
            if multi:
                names.append(f"{output}_loss")
            names += [label for label, _, _ in labelled]
        return names

    def fresh_metrics(self):
        """Returns reset copies of the (metrics, weighted metrics), for a pass that must not share their state
        (evaluate)."""
        metrics = tuple([[copy.deepcopy(metric) for metric in items] for items in group]
                        for group in (self.metrics, self.weighted_metrics))
        for metric in (m for group in metrics for items in group for m in items):
            metric.reset_state()
        return metrics

    def reset_metrics(self):
        for metric in (m for group in (self.metrics, self.weighted_metrics) for items in group for m in items):
            metric.reset_state()

    def update_metrics(self, y_arrays, outputs, sample_weight, metrics=None, masks=None):
        """Adds a batch to `metrics` ((metrics, weighted metrics); the compiled ones by default): the sample
        weights weight only the weighted metrics, as in Keras; an output's mask (`masks`) keeps all its metrics
        to the unmasked positions."""
        for labelled, y, out, mask in zip(self._labelled(metrics), y_arrays, outputs, masks or [None] * len(outputs)):
            plain_weight, weight = masked_weights(None, mask, False), masked_weights(sample_weight, mask, False)
            for _, metric, weighted in labelled:
                metric.update_state(y, out, weight if weighted else plain_weight)

    def logs(self, loss_mean, metrics=None):
        """Returns {"loss": loss_mean, metric name: result, ...} of `metrics` ((metrics, weighted metrics); the
        compiled ones by default)."""
        logs = {"loss": loss_mean}
        for labelled in self._labelled(metrics):
            for label, metric, _ in labelled:
                logs[label] = float(metric.result())
        return logs
