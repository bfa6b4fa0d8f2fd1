"""What every model format shares: the compile state as plain data, building a model from a
`{"class_name", "config"}` entry after checking every class name it uses, and the native model format's
name and version (weight files read them too)."""

import math

from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..engine.layer import weight_budget
from ..models.functional import Model
from ..engine.serialization import deserialize_layer
from ..errors import ConfigError, SavingError
from ..serializable import get_registered_object, registered_name
from . import safety

MODEL_FORMAT = "pipekeras-model"
MODEL_FORMAT_VERSION = 1


def check_model(model, verb):
    """Raises SavingError unless `model` is a pipekeras model; `verb` names the caller in the message."""
    if not isinstance(model, Model):
        raise SavingError(f"{verb}: expected a pipekeras model, received {type(model).__name__}.")
    if getattr(model, "_subclassed", False):
        kind = type(model).__name__
        raise SavingError(
            f"{verb}: model {model.name!r} is a subclassed Model ({kind}: its own call, no graph of layers), whose "
            f"architecture is its Python code, so it cannot be saved as a model file. Save its weights with "
            f"model.save_weights(path); to restore, make a new {kind}, call it once on data and load_weights(path).")


def _serialize_loss(loss):
    if isinstance(loss, losses_module.LossFunctionWrapper):
        return {"function": registered_name(loss.fn) or loss.name}
    return losses_module.serialize(loss)


def _deserialize_loss(entry, custom_objects):
    if isinstance(entry, dict) and "function" in entry:
        name = entry["function"]
        function = get_registered_object(name, custom_objects)
        if function is None:
            short = name.split(">")[-1]
            raise ConfigError(f"The saved model was compiled with the loss function {name!r}, which is not "
                              f"saved in the file. Decorate it with @pk.saving.register_keras_serializable() before "
                              f"loading, pass custom_objects={{{short!r}: {short}}} to load_model, or load with "
                              "compile=False.")
        return losses_module.LossFunctionWrapper(function, name.split(">")[-1])
    return losses_module.get(entry, custom_objects)


def _serialize_metric(metric):
    if isinstance(metric, metrics_module.MeanMetricWrapper):
        return {"name": metric.name}
    return metrics_module.serialize(metric)


def _deserialize_metric(entry, loss, output_shape, custom_objects):
    if isinstance(entry, dict) and set(entry) == {"name"}:
        name = entry["name"]
        if name in metrics_module.names():
            return metrics_module.get(name, loss=loss, output_shape=output_shape)
        function = (custom_objects or {}).get(name)
        if function is None:
            raise ConfigError(f"The saved model was compiled with the metric {name!r}, which is not saved in the "
                              f"file. Pass custom_objects={{{name!r}: function}} to load_model, or load with "
                              "compile=False.")
        return metrics_module.get(function, loss=loss, output_shape=output_shape, custom_objects=custom_objects)
    return metrics_module.get(entry, loss=loss, output_shape=output_shape, custom_objects=custom_objects)


def compile_config(model):
    """The compile state as plain data, or None for a model that is not compiled."""
    if not getattr(model, "compiled", False):
        return None
    return {
        "optimizer": optimizers_module.serialize(model.optimizer),
        "loss": [_serialize_loss(loss) for loss in model.loss_functions],
        "metrics": [[_serialize_metric(m) for m in items] for items in model.output_metrics],
        "weighted_metrics": [[_serialize_metric(m) for m in items] for items in model.output_weighted_metrics],
        "loss_weights": [float(w) for w in model.loss_weights],
    }


def check_loss_weights(loss_weights, source):
    """Raises SavingError unless a file's `loss_weights` (None, a list or a dict) holds finite numbers only."""
    values = loss_weights.values() if isinstance(loss_weights, dict) else \
        loss_weights if isinstance(loss_weights, list) else [] if loss_weights is None else [loss_weights]
    for weight in values:
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight):
            raise SavingError(f"{source}: the compile config's loss_weights must be finite numbers, found "
                              f"{loss_weights!r}; the file is corrupted.")


def compile_from_config(model, config, custom_objects=None, source="the file"):
    """Compiles `model` as `compile_config` recorded."""
    n = len(model.outputs)
    if not isinstance(config, dict) or not all(isinstance(config.get(k), list) for k in
                                               ("loss", "metrics", "loss_weights")):
        raise SavingError(f"{source}: the compile config is malformed; the file is corrupted.")
    if not (len(config["loss"]) == len(config["metrics"]) == len(config["loss_weights"]) == n):
        raise SavingError(f"{source}: the compile config lists {len(config['loss'])} losses for a model with {n} "
                          "outputs; the file is corrupted.")
    check_loss_weights(config["loss_weights"], source)
    optimizer = optimizers_module.deserialize(config["optimizer"], custom_objects)
    losses = [_deserialize_loss(entry, custom_objects) for entry in config["loss"]]
    model.compile(optimizer=optimizer, loss=losses if n > 1 else losses[0],
                  loss_weights=[float(w) for w in config["loss_weights"]] if n > 1 else None)
    model.loss_weights = [float(w) for w in config["loss_weights"]]
    model.output_metrics = _metric_lists(model, config["metrics"], custom_objects, source)
    # Files written before weighted metrics were saved have no entry: none were kept.
    weighted = config.get("weighted_metrics", [[] for _ in range(n)])
    if not isinstance(weighted, list) or len(weighted) != n:
        raise SavingError(f"{source}: the compile config's weighted_metrics do not fit a model with {n} outputs; "
                          "the file is corrupted.")
    model.output_weighted_metrics = _metric_lists(model, weighted, custom_objects, source)
    return model


def _metric_lists(model, config_lists, custom_objects, source):
    """One list of metric objects per output from the compile config's entries."""
    lists = []
    for items, loss, tensor in zip(config_lists, model.loss_functions, model.outputs):
        if not isinstance(items, list):
            raise SavingError(f"{source}: the compile config is malformed; the file is corrupted.")
        lists.append([_deserialize_metric(e, loss, tensor.shape, custom_objects) for e in items])
    return lists


def build_model(entry, custom_objects=None, source="the config", weight_bytes=None):
    """Builds a model from `{"class_name", "config"}` after checking every class name it uses.

    `weight_bytes`, when given, bounds the bytes of the weights the config may create: what the file that
    holds the config (and its weights) can hold, so a small file cannot describe gigabytes of weights.
    """
    entry = {"class_name": entry.get("class_name"), "config": entry.get("config")}
    safety.check_model_entry(entry, custom_objects, f"model config in {source}")
    if weight_bytes is None:
        model = deserialize_layer(entry, custom_objects)
    else:
        with weight_budget(weight_bytes, f"{source} ({weight_bytes} bytes of weights at most)"):
            model = deserialize_layer(entry, custom_objects)
    if not isinstance(model, Model):
        raise SavingError(f"{source}: the config describes a {type(model).__name__}, not a model.")
    return model
