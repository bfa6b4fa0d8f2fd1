"""R's saving functions: whole models, weights and architectures, each a pipe step returning the model."""

import os as _os
import pathlib as _pathlib

import pipekeras as _pk
from .. import saving as _saving
from ..pipe import function_step as _function_step
from ..saving.keras2_h5 import save_keras2_h5 as _save_keras2_h5
from ._common import require_model as _model


def _save_model(object, filepath, overwrite=True, include_optimizer=True):
    """R's `save_model(object, filepath)` (keras3) and `save_model_tf`: the whole model in one file.

    Args:
        object: the model.
        filepath: `.keras` (Keras 3), `.h5`/`.hdf5` (Keras 2's HDF5), any other name pipekeras's own format.
        overwrite: when False, an existing file is an error.
        include_optimizer: also save the compile settings and optimizer state.

    Returns:
        The model, so that pipes go on.
    """
    _saving.save_model(_model(object, "save_model"), filepath, include_optimizer=include_optimizer,
                       overwrite=overwrite)
    return object


def _save_model_hdf5(object, filepath, overwrite=True, include_optimizer=True):
    """R keras 2's `save_model_hdf5(object, filepath)`: Keras 2's HDF5 model file (needs h5py), whatever the
    extension; `load_model_hdf5` (or Keras' `load_model`) reads it back.

    Returns:
        The model.

    Raises:
        SavingError: `overwrite` is False and the file exists, or the directory is not writable.
    """
    _model(object, "save_model_hdf5")
    if not overwrite and _os.path.exists(filepath):
        raise _pk.errors.SavingError(f"save_model_hdf5: {filepath!r} exists and overwrite=False.")
    _save_keras2_h5(object, _os.fspath(filepath), include_optimizer=include_optimizer)
    return object


def _save_weights(object, filepath, overwrite=True):
    """R's `save_model_weights_hdf5(object, filepath)` / `save_model_weights` (keras3): the weights only.

    `.h5` writes Keras' HDF5 weights file (needs h5py), `.npz` NumPy's, any other name pipekeras's own.

    Returns:
        The model.
    """
    _saving.save_weights(_model(object, "save_model_weights"), filepath, overwrite=overwrite)
    return object


def _load_weights(object, filepath, by_name=False, skip_mismatch=False):
    """R's `load_model_weights_hdf5(object, filepath)` / `load_model_weights` (keras3).

    Returns:
        The model, with its weights replaced.
    """
    _saving.load_weights(_model(object, "load_model_weights"), filepath, by_name=by_name,
                         skip_mismatch=skip_mismatch)
    return object


def _clone_model(object, custom_objects=None):
    """R's `clone_model(model)`: a new model with the same layers and fresh weights (not compiled)."""
    return _saving.clone_model(_model(object, "clone_model"), custom_objects=custom_objects)


save_model = _function_step("save_model", _save_model)
save_model_tf = _function_step("save_model_tf", _save_model)
save_model_hdf5 = _function_step("save_model_hdf5", _save_model_hdf5)
save_weights = _function_step("save_weights", _save_weights)
save_model_weights = _function_step("save_model_weights", _save_weights)
save_model_weights_hdf5 = _function_step("save_model_weights_hdf5", _save_weights)
save_model_weights_tf = _function_step("save_model_weights_tf", _save_weights)
load_weights = _function_step("load_weights", _load_weights)
load_model_weights = _function_step("load_model_weights", _load_weights)
load_model_weights_hdf5 = _function_step("load_model_weights_hdf5", _load_weights)
load_model_weights_tf = _function_step("load_model_weights_tf", _load_weights)
clone_model = _function_step("clone_model", _clone_model)


load_model = _saving.load_model
load_model_hdf5 = _saving.load_model
load_model_tf = _saving.load_model
model_to_json = _saving.model_to_json
model_from_json = _saving.model_from_json
serialize_model = _saving.serialize_model
unserialize_model = _saving.unserialize_model


def _save_model_config(object, filepath, overwrite=True):
    """keras3's `save_model_config(model, filepath)`: the model's architecture as a JSON file (no weights).

    Returns:
        The model.
    """
    if not overwrite and _os.path.exists(filepath):
        raise _pk.errors.SavingError(f"save_model_config: {filepath!r} exists and overwrite=False.")
    _pathlib.Path(filepath).write_text(_saving.model_to_json(_model(object, "save_model_config")))
    return object


def load_model_config(filepath, custom_objects=None):
    """keras3's `load_model_config(filepath)`: a new model (fresh weights) from `save_model_config`'s file."""
    return _saving.model_from_json(_pathlib.Path(filepath).read_text(), custom_objects=custom_objects)


save_model_config = _function_step("save_model_config", _save_model_config)
