"""Keras interoperability: Keras 3 `.keras` and `.weights.h5` files, Keras 2 `.h5` model files.

(Work in progress: readers and writers are added below.)
"""

from ..errors import SavingError


def is_keras_config(obj):
    """True for a model config written by Keras (`model.to_json()` or a `.keras` file's config.json)."""
    return isinstance(obj, dict) and ("keras_version" in obj or "module" in obj or obj.get("class_name") == "Functional")


def _not_yet(what):
    raise SavingError(f"Reading {what} is not supported yet.")


def model_from_keras_config(obj, custom_objects=None):
    _not_yet("Keras model configs")


def load_keras_archive(archive, config, source, custom_objects, compile):
    _not_yet("Keras .keras files")


def load_keras_h5(data, source, custom_objects, compile):
    _not_yet("Keras .h5 files")


def read_h5_weight_groups(data, source):
    _not_yet("Keras .h5 weight files")


def save_weights_h5(model, path):
    _not_yet("writing .weights.h5 files")


def save_keras_file(model, path):
    _not_yet("writing .keras files")
