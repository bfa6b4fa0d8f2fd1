"""Saving and loading, by file kind: each function looks at the path or the bytes and hands the work to the
native format (`native`, `weights`) or to Keras's (`keras_files`)."""

import os

import numpy as np

from ..distribution import distribution
from ..errors import ConfigError, PipeKerasError, SavingError
from . import archive as ar
from .keras2_h5 import save_keras2_h5
from .keras_files import (is_keras_config, load_h5_weights, load_keras_archive, load_keras_h5, model_from_keras_config,
                          save_keras_file, save_weights_h5)
from .model_config import MODEL_FORMAT, MODEL_FORMAT_VERSION, build_model, check_model
from .native import EXTENSION, JSON_FORMAT, load_native, model_entry, serialize_model
from .weights import (HDF5_SIGNATURE, assign_flat, assign_weight_groups, check_version, read_groups_from_bytes,
                      weights_bytes)


# ----- models -------------------------------------------------------------------------------------------

def save_model(model, path, include_optimizer=True, overwrite=True):
    """Saves a model to one file: `.pkeras` (native, any extension but the two below), `.keras` (Keras 3).

    The write is atomic: a temporary file in the same directory replaces `path` only once complete, so an
    error or an interrupt leaves the previous file as it was.

    Args:
        model: a Sequential or functional model.
        path: the file; `.keras` writes Keras 3's format (needs h5py), `.h5` / `.hdf5`
            Keras 2's HDF5 model file (needs h5py; R's `save_model_hdf5`), without the optimizer's slots.
        include_optimizer: also save the compile state and the optimizer's slots, so `fit` resumes exactly.
        overwrite: when False, an existing file is an error.

    Returns:
        The path written (under data parallelism, by rank 0 only: the other ranks write nothing).

    Raises:
        SavingError: for a directory that does not exist or is not writable, or a config that is not plain
            data.

    Example:
        >>> save_model(model, "mnist.pkeras")
    """
    path = os.fspath(path)
    check_model(model, "save_model")
    if distribution() is not None and not distribution().writes():
        return path  # under data parallelism rank 0 writes; every rank holds the same weights
    if not overwrite and os.path.exists(path):
        raise SavingError(f"save_model: {path!r} exists and overwrite=False.")
    lower = path.lower()
    if lower.endswith(".keras"):
        return save_keras_file(model, path)
    if lower.endswith(".h5") or lower.endswith(".hdf5"):
        return save_keras2_h5(model, path, include_optimizer)
    return ar.write_file(path, serialize_model(model, include_optimizer))


def load_model(path, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved by `save_model` (or a Keras 3 `.keras` / Keras 2 `.h5` file).

    Returns:
        The model, compiled as it was saved when `compile` is True and the file holds a compile state.

    Args:
        path: the file.
        custom_objects: dict of the user's layer classes, losses and metrics by name.
        compile: compile the model as it was saved and restore the optimizer's state.
        safe_mode: parse HDF5 content (`.h5`, `.keras`) in a child process under a memory and time limit, so
            that corrupted or hostile bytes that crash or hang the HDF5 library cannot crash or hang this
            process. False parses in this process: use it only for files you trust. Either way the file is
            checked (no external storage, links or virtual datasets; sizes within the file) and never runs
            code.

    Raises:
        SavingError: missing, truncated, corrupted, hostile or foreign file; a file from a newer format
            version.
        ConfigError: a config naming layer classes pipekeras does not have, or a `Lambda` layer.
        ShapeError: weights whose shapes do not fit the architecture.

    Example:
        >>> model = load_model("mnist.pkeras")
    """
    data = ar.read_file(path)
    return _load(data, repr(os.fspath(path)), custom_objects, compile, safe_mode)


def unserialize_model(data, custom_objects=None, compile=True, safe_mode=True):
    """Inverse of `serialize_model`: a model from bytes.

    Args:
        data: the bytes `serialize_model` returned.
        custom_objects: dict of the user's layer classes, losses and metrics by name.
        compile: compile the model as it was saved and restore the optimizer's state.
        safe_mode: as for `load_model`.

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
    return _load(data, "the serialized model", custom_objects, compile, safe_mode)


def _load(data, source, custom_objects, compile, safe_mode):
    try:
        return _load_unchecked(data, source, custom_objects, compile, safe_mode)
    except PipeKerasError:
        raise
    except (Exception, RecursionError) as error:  # a corrupted file must never leak another error type
        raise SavingError(f"{source}: cannot load the model ({type(error).__name__}: {error}); the file is "
                          "corrupted or not a model file.") from None


def _load_unchecked(data, source, custom_objects, compile, safe_mode):
    if data[:8] == HDF5_SIGNATURE:
        return load_keras_h5(data, source, custom_objects, compile, safe_mode)
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
            return load_keras_archive(archive, manifest, source, custom_objects, compile, safe_mode)
        raise SavingError(f"{source} is not a pipekeras or Keras model file.")
    return load_native(archive, manifest, source, custom_objects, compile)


# ----- weights ------------------------------------------------------------------------------------------

def _kind_for_path(path):
    name = os.fspath(path).lower()
    if name.endswith(".h5") or name.endswith(".hdf5"):
        return "h5"
    if name.endswith(".npz"):
        return "npz"
    return "native"


def save_weights(model, path, overwrite=True):
    """Saves the model's weights (format chosen by the extension, see the module doc); atomic.

    Args:
        model: the model whose weights are saved.
        path: the file: `.h5` / `.hdf5` (Keras, needs h5py), `.npz`, or any other name (native).
        overwrite: when False, an existing file is an error.

    Returns:
        The path written.

    Raises:
        SavingError: for a missing or read-only directory (the old file, if any, is unchanged).

    Example:
        >>> save_weights(model, "mnist.weights.h5")
    """
    path = os.fspath(path)
    if distribution() is not None and not distribution().writes():
        return path  # under data parallelism rank 0 writes
    if not overwrite and os.path.exists(path):
        raise SavingError(f"save_weights: {path!r} exists and overwrite=False.")
    kind = _kind_for_path(path)
    if kind == "h5":
        return save_weights_h5(model, path)
    if kind == "npz":
        arrays = model.get_weights()
        entries = {f"arr_{i}.npy": ar.array_bytes(a) for i, a in enumerate(arrays)}
        return ar.write_file(path, ar.zip_bytes(entries))
    return ar.write_file(path, weights_bytes(model))


def load_weights(model, path, by_name=False, skip_mismatch=False, safe_mode=True):
    """Loads weights saved by `save_weights` (or from a `.pkeras` / Keras `.keras` / `.h5` file).

    Args:
        model: the model to fill.
        path: the weights file.
        by_name: match layers by name instead of by order; layers absent from the file are left as they are.
        skip_mismatch: skip (with a warning) layers whose weight count or shapes differ, instead of raising.
        safe_mode: as for `load_model`: HDF5 content is parsed in a child process unless False.

    Returns:
        The model.

    Raises:
        SavingError: unreadable, corrupted or foreign file.
        ShapeError: layer count or weight shapes that do not fit the model (the model is unchanged).

    Example:
        >>> load_weights(model, "mnist.weights.h5")
    """
    data = ar.read_file(path)
    source = repr(os.fspath(path))
    if data[:8] == HDF5_SIGNATURE:
        return load_h5_weights(model, data, by_name, skip_mismatch, source, safe_mode)
    archive = ar.Archive(data, source)
    if "model.weights.h5" in archive and "weights.json" not in archive:
        return load_h5_weights(model, archive.read("model.weights.h5"), by_name, skip_mismatch, source, safe_mode)
    groups = read_groups_from_bytes(data, source)
    if isinstance(groups, list) and groups and isinstance(groups[0], np.ndarray):
        return assign_flat(model, groups, by_name, source)
    return assign_weight_groups(model, groups, by_name, skip_mismatch, source)


# ----- JSON and cloning -----------------------------------------------------------------------------

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
    check_model(model, "clone_model")
    entry = ar.loads(ar.dumps(model_entry(model), "model config"), "clone_model")
    return build_model(entry, custom_objects, "clone_model")
