"""The native model format, `.pkeras`: one zip file, JSON and `.npy` entries, no pickle.

Layout (format "pipekeras-model", version 1):

    config.json          {"format": "pipekeras-model", "format_version": 1, "pipekeras_version": ...,
                          "class_name": "Sequential", "config": <model.get_config()>,
                          "layers": [{"name", "class_name", "weights": [{"name", "shape", "dtype", "entry"}]}],
                          "compile_config": null | {"optimizer": {"class_name", "config"},
                                                    "loss": [per output], "metrics": [[per output]],
                                                    "weighted_metrics": [[per output]] (absent: none),
                                                    "loss_weights": [per output]},
                          "optimizer_state": null | [{"shape", "dtype", "entry"}, ...]}
    weights/00000.npy    the model's weights, layer by layer (each layer's `weights` order)
    optimizer/00000.npy  `optimizer.get_weights(model.trainable_weights)`: iterations, extra scalars, slots

Entries are stored uncompressed (the zip's CRC-32 still detects corrupted bytes). Arrays are read with
`np.load(..., allow_pickle=False)` and layer classes are only looked up among pipekeras's own classes and
the user's `custom_objects`, so loading a file never runs code from it.
"""

import json

from ..errors import SavingError
from ..version import __version__
from . import archive as ar
from .model_config import (MODEL_FORMAT, MODEL_FORMAT_VERSION, build_model, check_model, compile_config,
                           compile_from_config)
from .weights import assign_weight_groups, check_version, read_weight_groups, weight_entries

JSON_FORMAT = "pipekeras-model-config"
EXTENSION = ".pkeras"


def model_entry(model):
    return {"class_name": type(model).__name__, "config": model.get_config()}


def serialize_model(model, include_optimizer=True):
    """Returns the model (architecture, weights, compile state) as the bytes of a `.pkeras` file.

    The R keras `serialize_model`: keep a model in memory or in a database, `unserialize_model` gives it back.

    Args:
        model: a Sequential or functional model.
        include_optimizer: also keep the compile state and the optimizer's slots.

    Returns:
        bytes.

    Raises:
        SavingError: if `model` is not a pipekeras model.

    Example:
        >>> data = serialize_model(model)
        >>> same = unserialize_model(data)
    """
    check_model(model, "serialize_model")
    layers, entries = weight_entries(model, "weights/")
    cc = compile_config(model) if include_optimizer else None
    state_rows = None
    if cc is not None:
        state_rows = []
        for i, array in enumerate(model.optimizer.get_weights(model.trainable_weights)):
            entry = f"optimizer/{i:05d}.npy"
            entries[entry] = ar.array_bytes(array)
            state_rows.append({"shape": list(array.shape), "dtype": array.dtype.name, "entry": entry})
    manifest = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "pipekeras_version": __version__,
        **model_entry(model),
        "layers": layers,
        "compile_config": cc,
        "optimizer_state": state_rows,
    }
    return ar.zip_bytes({"config.json": ar.dumps(manifest, "model config").encode("utf-8"), **entries})


def load_native(archive, manifest, source, custom_objects, compile):
    """The model of a `.pkeras` archive whose `config.json` is `manifest` (format checked by the caller)."""
    check_version(manifest, MODEL_FORMAT_VERSION, source)
    model = build_model(manifest, custom_objects, source, weight_bytes=archive.declared_bytes)
    groups = read_weight_groups(archive, manifest.get("layers"))
    # By name when the file names the model's layers (its own file): files written while a branching model's
    # layers were listed in another order still load; else by order.
    named = {g.name for g in groups if g.arrays} == {layer.name for layer in model.layers if layer.weights}
    assign_weight_groups(model, groups, by_name=named, source=source)
    cc = manifest.get("compile_config")
    if compile and cc is not None:
        compile_from_config(model, cc, custom_objects, source)
        rows = manifest.get("optimizer_state")
        if isinstance(rows, list):
            arrays = []
            for row in rows:
                if not isinstance(row, dict) or not isinstance(row.get("entry"), str):
                    raise SavingError(f"{source}: the optimizer state manifest is malformed.")
                arrays.append(archive.read_array(row["entry"], row.get("shape"), row.get("dtype")))
            model.optimizer.set_weights(model.trainable_weights, arrays)
    return model


def model_to_json(model, **json_kwargs):
    """The model's architecture (no weights) as JSON text; `model_from_json` rebuilds it.

    Args:
        model: a Sequential or functional model.
        **json_kwargs: passed to `json.dumps` (e.g. `indent=2`).

    Returns:
        A str.

    Example:
        >>> text = model_to_json(model, indent=2)
    """
    check_model(model, "model_to_json")
    obj = {"format": JSON_FORMAT, "format_version": MODEL_FORMAT_VERSION, "pipekeras_version": __version__,
           **model_entry(model)}
    if json_kwargs:
        return json.dumps(json.loads(ar.dumps(obj, "model config")), **json_kwargs)
    return ar.dumps(obj, "model config")
