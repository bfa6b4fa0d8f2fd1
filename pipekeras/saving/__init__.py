"""Saving and loading models and weights: the native `.pkeras` format, JSON, and Keras files.

See `native` for the model file layout, `weights` for weight files, `safety` for what loading refuses,
and `keras_files` for Keras 3 `.keras` / `.weights.h5` and Keras 2 `.h5` interoperability.
"""

from .native import (EXTENSION, MODEL_FORMAT, MODEL_FORMAT_VERSION, clone_model, load_model, model_from_json,
                     model_to_json, save_model, serialize_model, unserialize_model)
from .weights import load_weights, save_weights

__all__ = [
    "EXTENSION", "MODEL_FORMAT", "MODEL_FORMAT_VERSION", "clone_model", "load_model", "load_weights",
    "model_from_json", "model_to_json", "save_model", "save_weights", "serialize_model", "unserialize_model",
]
