"""The native model format, `.pkeras`: one zip file, JSON and `.npy` entries, no pickle.

Layout (format "pipekeras-model", version 1):

    config.json          {"format": "pipekeras-model", "format_version": 1, "pipekeras_version": ...,
                          "class_name": "Sequential", "config": <model.get_config()>,
                          "layers": [{"name", "class_name", "weights": [{"name", "shape", "dtype", "entry"}]}],
                          "compile_config": null | {"optimizer": {"class_name", "config"},
                                                    "loss": [per output], "metrics": [[per output]],
                                                    "loss_weights": [per output]},
                          "optimizer_state": null | [{"shape", "dtype", "entry"}, ...]}
    weights/00000.npy    the model's weights, layer by layer (each layer's `weights` order)
    optimizer/00000.npy  `optimizer.get_weights(model.trainable_weights)`: iterations, extra scalars, slots

Entries are stored uncompressed (the zip's CRC-32 still detects corrupted bytes). Arrays are read with
`np.load(..., allow_pickle=False)` and layer classes are only looked up among pipekeras's own classes and
the user's `custom_objects`, so loading a file never runs code from it.
"""

import os

from .. import losses as losses_module
from .. import metrics as metrics_module
from .. import optimizers as optimizers_module
from ..engine.serialization import deserialize_layer, serialize_layer
from ..errors import ConfigError, PipeKerasError, SavingError
from . import archive as ar
from . import safety
from .weights import assign_weight_groups, check_version, read_weight_groups, weight_entries

MODEL_FORMAT = "pipekeras-model"
MODEL_FORMAT_VERSION = 1
JSON_FORMAT = "pipekeras-model-config"
EXTENSION = ".pkeras"


def _version():
    from .. import __version__

    return __version__


# ----- compile state ------------------------------------------------------------------------------

def _serialize_loss(loss):
    if isinstance(loss, losses_module.LossFunctionWrapper):
        return {"function": loss.name}
    return losses_module.serialize(loss)


def _deserialize_loss(entry, custom_objects):
    if isinstance(entry, dict) and "function" in entry:
        name = entry["function"]
        function = (custom_objects or {}).get(name)
        if function is None:
            raise ConfigError(f"The saved model was compiled with the loss function {name!r}, which is not "
                              f"saved in the file. Pass custom_objects={{{name!r}: {name}}} to load_model, or "
                              "load with compile=False.")
        return losses_module.get(function)
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
        "loss_weights": [float(w) for w in model.loss_weights],
    }


def compile_from_config(model, config, custom_objects=None, source="the file"):
    """Compiles `model` as `compile_config` recorded."""
    n = len(model.outputs)
    if not isinstance(config, dict) or not all(isinstance(config.get(k), list) for k in
                                               ("loss", "metrics", "loss_weights")):
        raise SavingError(f"{source}: the compile config is malformed; the file is corrupted.")
    if not (len(config["loss"]) == len(config["metrics"]) == len(config["loss_weights"]) == n):
        raise SavingError(f"{source}: the compile config lists {len(config['loss'])} losses for a model with {n} "
                          "outputs; the file is corrupted.")
    optimizer = optimizers_module.deserialize(config["optimizer"], custom_objects)
    losses = [_deserialize_loss(entry, custom_objects) for entry in config["loss"]]
    model.compile(optimizer=optimizer, loss=losses if n > 1 else losses[0],
                  loss_weights=[float(w) for w in config["loss_weights"]] if n > 1 else None)
    model.loss_weights = [float(w) for w in config["loss_weights"]]
    output_metrics = []
    for items, loss, tensor in zip(config["metrics"], model.loss_functions, model.outputs):
        if not isinstance(items, list):
            raise SavingError(f"{source}: the compile config is malformed; the file is corrupted.")
        output_metrics.append([_deserialize_metric(e, loss, tensor.shape, custom_objects) for e in items])
    model.output_metrics = output_metrics
    return model


# ----- the model file ---------------------------------------------------------------------------------

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
    _check_model(model, "serialize_model")
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
        "pipekeras_version": _version(),
        **model_entry(model),
        "layers": layers,
        "compile_config": cc,
        "optimizer_state": state_rows,
    }
    return ar.zip_bytes({"config.json": ar.dumps(manifest, "model config").encode("utf-8"), **entries})


def save_model(model, path, include_optimizer=True, overwrite=True):
    """Saves a model to one file: `.pkeras` (native, any extension but the two below), `.keras` (Keras 3).

    The write is atomic: a temporary file in the same directory replaces `path` only once complete, so an
    error or an interrupt leaves the previous file as it was.

    Args:
        model: a Sequential or functional model.
        path: the file; `.keras` writes Keras 3's format (needs h5py), `.h5` is refused (legacy Keras 2).
        include_optimizer: also save the compile state and the optimizer's slots, so `fit` resumes exactly.
        overwrite: when False, an existing file is an error.

    Returns:
        The path written.

    Raises:
        SavingError: for a directory that does not exist or is not writable, or a config that is not plain
            data.

    Example:
        >>> save_model(model, "mnist.pkeras")
    """
    path = os.fspath(path)
    _check_model(model, "save_model")
    if not overwrite and os.path.exists(path):
        raise SavingError(f"save_model: {path!r} exists and overwrite=False.")
    lower = path.lower()
    if lower.endswith(".keras"):
        from .keras_files import save_keras_file

        return save_keras_file(model, path)
    if lower.endswith(".h5") or lower.endswith(".hdf5"):
        raise SavingError(f"save_model: {path!r}: pipekeras does not write legacy Keras 2 .h5 model files. "
                          f"Use '{EXTENSION}' (native) or '.keras' (Keras 3); save_weights writes .weights.h5.")
    return ar.write_file(path, serialize_model(model, include_optimizer))


def _check_model(model, verb):
    from ..engine.functional import Model

    if not isinstance(model, Model):
        raise SavingError(f"{verb}: expected a pipekeras model, received {type(model).__name__}.")


def load_model(path, custom_objects=None, compile=True):
    """Loads a model saved by `save_model` (or a Keras 3 `.keras` / Keras 2 `.h5` file).

    Returns:
        The model, compiled as it was saved when `compile` is True and the file holds a compile state.

    Args:
        path: the file.
        custom_objects: dict of the user's layer classes, losses and metrics by name.
        compile: compile the model as it was saved and restore the optimizer's state.

    Raises:
        SavingError: missing, truncated, corrupted or foreign file; a file from a newer format version.
        ConfigError: a config naming layer classes pipekeras does not have, or a `Lambda` layer.
        ShapeError: weights whose shapes do not fit the architecture.

    Example:
        >>> model = load_model("mnist.pkeras")
    """
    data = ar.read_file(path)
    return _load(data, repr(os.fspath(path)), custom_objects, compile)


def unserialize_model(data, custom_objects=None, compile=True):
    """Inverse of `serialize_model`: a model from bytes.

    Args:
        data: the bytes `serialize_model` returned.
        custom_objects: dict of the user's layer classes, losses and metrics by name.
        compile: compile the model as it was saved and restore the optimizer's state.

    Returns:
        The model.

    Raises:
        SavingError: `data` is not bytes, or not a serialized model.

    Example:
        >>> same = unserialize_model(serialize_model(model))
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise SavingError(f"unserialize_model: expected bytes, received {type(data).__name__}.")
    return _load(data, "the serialized model", custom_objects, compile)


def _load(data, source, custom_objects, compile):
    try:
        return _load_unchecked(data, source, custom_objects, compile)
    except PipeKerasError:
        raise
    except (Exception, RecursionError) as error:  # a corrupted file must never leak another error type
        raise SavingError(f"{source}: cannot load the model ({type(error).__name__}: {error}); the file is "
                          "corrupted or not a model file.") from None


def _load_unchecked(data, source, custom_objects, compile):
    from .weights import HDF5_SIGNATURE

    if data[:8] == HDF5_SIGNATURE:
        from .keras_files import load_keras_h5

        return load_keras_h5(data, source, custom_objects, compile)
    archive = ar.Archive(data, source)
    if "config.json" not in archive:
        if "weights.json" in archive:
            raise SavingError(f"{source} holds only weights; build the model in code and call "
                              "model.load_weights() on it.")
        raise SavingError(f"{source} is not a model file (no config.json entry).")
    manifest = archive.read_json("config.json")
    if not isinstance(manifest, dict):
        raise SavingError(f"{source}: config.json is not an object; the file is corrupted.")
    if manifest.get("format") != MODEL_FORMAT:
        if "model.weights.h5" in archive:
            from .keras_files import load_keras_archive

            return load_keras_archive(archive, manifest, source, custom_objects, compile)
        raise SavingError(f"{source} is not a pipekeras or Keras model file.")
    check_version(manifest, MODEL_FORMAT_VERSION, source)
    model = build_model(manifest, custom_objects, source)
    groups = read_weight_groups(archive, manifest.get("layers"))
    assign_weight_groups(model, groups, source=source)
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


def build_model(entry, custom_objects=None, source="the config"):
    """Builds a model from `{"class_name", "config"}` after checking every class name it uses."""
    entry = {"class_name": entry.get("class_name"), "config": entry.get("config")}
    safety.check_model_entry(entry, custom_objects, f"model config in {source}")
    model = deserialize_layer(entry, custom_objects)
    from ..engine.functional import Model

    if not isinstance(model, Model):
        raise SavingError(f"{source}: the config describes a {type(model).__name__}, not a model.")
    return model


# ----- JSON and cloning -----------------------------------------------------------------------------

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
    _check_model(model, "model_to_json")
    obj = {"format": JSON_FORMAT, "format_version": MODEL_FORMAT_VERSION, "pipekeras_version": _version(),
           **model_entry(model)}
    if json_kwargs:
        import json

        return json.dumps(json.loads(ar.dumps(obj, "model config")), **json_kwargs)
    return ar.dumps(obj, "model config")


def model_from_json(json_string, custom_objects=None):
    """A new (untrained) model from `model_to_json`'s text, or from Keras' `model.to_json()`.

    Args:
        json_string: the JSON text.
        custom_objects: dict of the user's layer classes by name.

    Returns:
        The model, with freshly initialized weights.

    Raises:
        ConfigError: invalid JSON, an unknown layer class (named), or a `Lambda` layer.
        SavingError: JSON from a newer pipekeras.

    Example:
        >>> same_architecture = model_from_json(model_to_json(model))
    """
    if not isinstance(json_string, (str, bytes)):
        raise ConfigError(f"model_from_json: expected JSON text, received {type(json_string).__name__}.")
    try:
        obj = ar.loads(json_string, "model_from_json")
    except SavingError as error:
        raise ConfigError(str(error)) from None
    if not isinstance(obj, dict):
        raise ConfigError("model_from_json: the JSON is not an object with 'class_name' and 'config'.")
    try:
        if obj.get("format") == JSON_FORMAT:
            check_version(obj, MODEL_FORMAT_VERSION, "model_from_json")
            return build_model(obj, custom_objects, "the JSON")
        from .keras_files import is_keras_config, model_from_keras_config

        if is_keras_config(obj):
            return model_from_keras_config(obj, custom_objects)
        return build_model(obj, custom_objects, "the JSON")
    except PipeKerasError:
        raise
    except (Exception, RecursionError) as error:
        raise ConfigError(f"model_from_json: cannot build the model ({type(error).__name__}: {error}).") from None


def clone_model(model, custom_objects=None):
    """A new model with the same architecture and freshly initialized weights (not compiled).

    Args:
        model: a Sequential or functional model.
        custom_objects: dict of the user's layer classes by name.

    Returns:
        The new model.

    Example:
        >>> fresh = clone_model(model)
        >>> fresh | compile(optimizer="adam", loss="mse")
    """
    _check_model(model, "clone_model")
    entry = ar.loads(ar.dumps(model_entry(model), "model config"), "clone_model")
    return build_model(entry, custom_objects, "clone_model")
