"""Layer and model configs: {"class_name": ..., "config": ...}, and rebuilding graphs from them."""

import inspect

from ..errors import ConfigError, did_you_mean
from .input_layer import InputLayer
from .layer import get_layer_class, registered_layer_names


def serialize_layer(layer):
    """Returns `{"class_name": ..., "config": ...}` for a layer or model."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(entry, custom_objects=None):
    """Creates a layer (or model) from `serialize_layer`'s output.

    Args:
        entry: dict with "class_name" and "config".
        custom_objects: optional dict of user classes by name.

    Raises:
        ConfigError: for an unknown class name.
    """
    if not isinstance(entry, dict) or "class_name" not in entry or "config" not in entry:
        raise ConfigError(f"A layer config must be a dict with 'class_name' and 'config', received {entry!r}.")
    name = entry["class_name"]
    cls = (custom_objects or {}).get(name) or get_layer_class(name)
    if cls is None:
        known = registered_layer_names()
        raise ConfigError(
            f"Unknown layer class {name!r}.{did_you_mean(name, known)} pipekeras does not have it; "
            "for your own layers pass custom_objects={'Name': Class}."
        )
    config = dict(entry["config"])
    if "custom_objects" in inspect.signature(cls.from_config).parameters:  # models, which hold other layers
        return cls.from_config(config, custom_objects=custom_objects)
    return cls.from_config(config)


def rebuild_functional(cls, config, custom_objects=None):
    """Replays a functional model's recorded calls and returns the model."""
    layers, produced = {}, {}
    for entry in config["layers"]:
        layers[entry["name"]] = deserialize_layer(entry, custom_objects)
    for name, layer in layers.items():
        if isinstance(layer, InputLayer):
            produced[(name, 0)] = layer.inbound_nodes[0].output_tensors

    pending = [(entry["name"], i, refs) for entry in config["layers"] for i, refs in enumerate(entry["inbound_nodes"])]
    while pending:
        remaining = []
        for name, node_index, refs in pending:
            if all((ref[0], ref[1]) in produced for ref in refs):
                inputs = [produced[(ref[0], ref[1])][ref[2]] for ref in refs]
                outputs = layers[name](inputs if len(refs) > 1 or _takes_list(layers[name]) else inputs[0])
                produced[(name, node_index)] = outputs if isinstance(outputs, list) else [outputs]
            else:
                remaining.append((name, node_index, refs))
        if len(remaining) == len(pending):
            raise ConfigError(f"Model config is inconsistent: cannot rebuild the calls of {[p[0] for p in remaining]}.")
        pending = remaining

    def tensors(refs):
        return [produced[(ref[0], ref[1])][ref[2]] for ref in refs]

    inputs, outputs = tensors(config["input_layers"]), tensors(config["output_layers"])
    return cls(
        inputs if config.get("inputs_are_list", len(inputs) > 1) else inputs[0],
        outputs if config.get("outputs_are_list", len(outputs) > 1) else outputs[0],
        name=config.get("name"),
        trainable=config.get("trainable", True),
    )


def _takes_list(layer):
    return getattr(layer, "takes_list_input", False)
