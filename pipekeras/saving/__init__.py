"""Saving and loading models and weights: the native `.pkeras` format, JSON, and Keras files.

`api` holds the verbs and picks the format by file kind; `native` is the model file layout, `weights`
weight files, `model_config` what the formats share (compile state, building a checked model), `safety`
what loading refuses, `keras_files` Keras 3 `.keras` / `.weights.h5` and Keras 2 `.h5`
interoperability, `hdf5_reader` the checked reading of untrusted HDF5, `hdf5_sandbox` the processes that
parse it in safe mode (the default), and
`archive` the bounded reading of zips. Saving builds on the graph core; the core reaches it only through `Model.save` and its
siblings (one import, made when first used).
"""

from .api import (clone_model, load_model, load_weights, model_from_json, save_model, save_weights,
                  unserialize_model)
from ..serializable import get_registered_object, register_keras_serializable
from .model_config import MODEL_FORMAT, MODEL_FORMAT_VERSION
from .native import EXTENSION, model_to_json, serialize_model

__all__ = [
    "get_registered_object", "register_keras_serializable",
    "EXTENSION", "MODEL_FORMAT", "MODEL_FORMAT_VERSION", "clone_model", "load_model", "load_weights",
    "model_from_json", "model_to_json", "save_model", "save_weights", "serialize_model", "unserialize_model",
]
