"""ImageNet inputs and outputs: `preprocess_input` (each family's mode) and `decode_predictions`."""

import json
import os

import numpy as np

from ..backend import floatx
from ..datasets._files import ENV_VAR, ChecksumMismatch, cache_dir, download_file, find_file
from ..errors import ConfigError, DataError, ShapeError
from .base import KERAS_CACHE

CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_MD5 = "c2c37ea517e94d9795004a39431a14cb"
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_class_index = {}


def preprocess_input(x, data_format=None, mode="caffe"):
    """Prepares a batch of RGB images (values 0-255) for an ImageNet application, as Keras does.

    Args:
        x: array (..., 3) for channels_last, (..., 3, height, width) for channels_first. A float array is
            changed in place and returned (as in Keras); an integer array is converted to floatx first.
        data_format: "channels_last" (default) or "channels_first".
        mode: "caffe" (RGB to BGR, minus the ImageNet mean per channel: VGG, ResNet), "tf" (scaled to
            [-1, 1]: ResNetV2, MobileNets, InceptionV3, Xception) or "torch" (scaled to [0, 1], then
            standardized per channel: DenseNet).

    Returns:
        The prepared float array.

    Raises:
        ConfigError: an unknown mode or data_format.

    Example:
        >>> x = imagenet_preprocess_input(images.astype("float32"), mode="caffe")
    """
    if mode not in ("caffe", "tf", "torch"):
        raise ConfigError(f"preprocess_input: mode must be 'caffe', 'tf' or 'torch'; received {mode!r}.")
    data_format = data_format or "channels_last"
    if data_format not in ("channels_first", "channels_last"):
        raise ConfigError("preprocess_input: data_format must be 'channels_first' or 'channels_last'; received "
                          f"{data_format!r}.")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(floatx())
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = -1 if data_format == "channels_last" else (0 if x.ndim == 3 else 1)
    shape = [1] * x.ndim
    shape[axis] = 3
    if mode == "torch":
        x /= 255.0
        x -= np.reshape(np.asarray(_TORCH_MEAN, x.dtype), shape)
        x /= np.reshape(np.asarray(_TORCH_STD, x.dtype), shape)
        return x
    x = np.flip(x, axis=axis)
    x -= np.reshape(np.asarray(_CAFFE_MEAN, x.dtype), shape)
    return x


def _find_class_index(path):
    if path is not None:
        if not os.path.isfile(path):
            raise DataError(f"decode_predictions: class_index={path!r} is not a file.")
        return path
    found = find_file(CLASS_INDEX_FILE, "models")
    keras_copy = os.path.join(os.path.expanduser(KERAS_CACHE), CLASS_INDEX_FILE)
    if found is None and os.path.isfile(keras_copy):
        found = keras_copy
    if found is not None:
        return found
    try:
        return download_file(CLASS_INDEX_URL, os.path.join(cache_dir(), "models", CLASS_INDEX_FILE), CLASS_INDEX_MD5)
    except ChecksumMismatch as error:
        reason = str(error).rstrip(".")
    except Exception as error:  # offline, unreachable, HTTP error, unwritable cache, ...
        reason = (f"it is not on this machine and downloading it from {CLASS_INDEX_URL} failed "
                  f"({type(error).__name__}: {error})")
    raise DataError(
        f"decode_predictions needs ImageNet's class index {CLASS_INDEX_FILE!r}: {reason}. Get it from "
        f"{CLASS_INDEX_URL} (md5 {CLASS_INDEX_MD5}) and pass class_index='<its path>', or put it in "
        f"${ENV_VAR}/models/, {os.path.join(cache_dir(), 'models')}/ or {KERAS_CACHE}/.")


def _load_class_index(path):
    if path not in _class_index:
        with open(path, encoding="utf-8") as f:
            index = json.load(f)
        if not isinstance(index, dict) or any(str(i) not in index for i in range(1000)):
            raise DataError(f"decode_predictions: {path!r} is not ImageNet's class index (a JSON object mapping "
                            '"0" ... "999" to [wordnet id, class name]).')
        _class_index[path] = index
    return _class_index[path]


def decode_predictions(preds, top=5, class_index=None):
    """The `top` ImageNet classes of each prediction, as Keras gives them.

    Args:
        preds: array (samples, 1000) of class probabilities.
        top: how many classes per sample.
        class_index: path of Keras's `imagenet_class_index.json`; by default looked for in
            `$PIPEKERAS_DATASETS/models/`, `~/.pipekeras/datasets/models/` and Keras's cache `~/.keras/models/`,
            else downloaded into `~/.pipekeras/datasets/models/` and checked against Keras's md5.

    Returns:
        One list per sample of (wordnet id, class name, score) tuples, best first.

    Raises:
        ShapeError: `preds` is not (samples, 1000).
        DataError: the class index file is neither found nor downloaded (the message says where to get it) or is
            not one.

    Example:
        >>> imagenet_decode_predictions(model.predict(x), top=3)
    """
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ShapeError("decode_predictions expects a batch of ImageNet predictions, shape (samples, 1000); "
                         f"received shape {preds.shape}.")
    index = _load_class_index(_find_class_index(None if class_index is None else os.fspath(class_index)))
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(index[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


# Model name (Keras's default names of the applications) -> the family's preprocessing mode; V2 ResNets first.
_MODES_BY_NAME = (("resnet50v2", "tf"), ("resnet101v2", "tf"), ("resnet152v2", "tf"), ("vgg", "caffe"),
                  ("resnet", "caffe"), ("mobilenet", "tf"), ("inception_v3", "tf"), ("xception", "tf"),
                  ("densenet", "torch"))


def preprocessing_mode(model):
    """The `preprocess_input` mode of an application model, told by its name (Keras's default names)."""
    name = getattr(model, "name", "")
    for prefix, mode in _MODES_BY_NAME:
        if name.startswith(prefix):
            return mode
    raise ConfigError(f"preprocess_inputs: model {name!r} is not named as a Keras application (vgg16, resnet50, "
                      "mobilenetv2_..., ...), so its preprocessing is unknown; call "
                      "imagenet_preprocess_input(x, mode='caffe' | 'tf' | 'torch') instead.")


def preprocess_inputs_for(model, x, data_format=None):
    """Prepares images for the application `model` with its family's mode (R keras3's
    `application_preprocess_inputs`).

    Args:
        model: an application model (its Keras default name tells the family).
        x: images with values 0-255, as for `preprocess_input`.
        data_format: "channels_last" (default) or "channels_first".

    Returns:
        The prepared float array.

    Raises:
        ConfigError: the model's name is not an application's.

    Example:
        >>> x = application_preprocess_inputs(model, images)
    """
    return preprocess_input(x, data_format, preprocessing_mode(model))


def decode_predictions_for(model, preds, top=5, class_index=None):
    """`decode_predictions` for an application model's predictions (R keras3's `application_decode_predictions`).

    Args:
        model: the application model (any: every ImageNet application shares the class index).
        preds: array (samples, 1000) of class probabilities.
        top: how many classes per sample.
        class_index: path of Keras's `imagenet_class_index.json` (see `decode_predictions`).

    Returns:
        One list per sample of (wordnet id, class name, score) tuples, best first.

    Raises:
        ShapeError: `preds` is not (samples, 1000); DataError: no class index file.

    Example:
        >>> application_decode_predictions(model, model.predict(x), top=3)
    """
    return decode_predictions(preds, top, class_index)
