"""What every application shares: checking the arguments as Keras does, the input, Keras's layer names, the
classifier or pooling top, and the weights (a Keras weights file by path; "imagenet" from a local copy)."""

import os

from ..datasets._files import ENV_VAR, cache_dir, find_file
from ..engine.input_layer import Input, InputLayer
from ..engine.tensor import SymbolicTensor
from ..errors import ArgumentTypeError, ConfigError, ShapeError
from ..layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D
from ..models.functional import Model

KERAS_STORE = "https://storage.googleapis.com/tensorflow/keras-applications/"
KERAS_CACHE = os.path.join("~", ".keras", "models")


class Names:
    """Keras's names for the layers an application leaves unnamed, as a fresh Keras session gives them
    (`conv2d`, `conv2d_1`, ...), counted per application so that they never depend on what was built before."""

    def __init__(self):
        self.counts = {}

    def __call__(self, kind, name=None):
        if name is not None:
            return name
        n = self.counts.get(kind, 0)
        self.counts[kind] = n + 1
        return kind if n == 0 else f"{kind}_{n}"


def check_arguments(app, weights, include_top, classes, pooling):
    """Keras's checks of `weights`, `classes` and `pooling`, naming the application."""
    if not (weights is None or weights == "imagenet" or isinstance(weights, (str, os.PathLike))):
        raise ArgumentTypeError(f"{app}: weights must be None, 'imagenet' or the path of a Keras weights file "
                                f"(.h5 / .weights.h5); received {type(weights).__name__}.")
    if weights not in (None, "imagenet") and not os.path.isfile(os.fspath(weights)):
        raise ConfigError(f"{app}: weights={os.fspath(weights)!r} is not a file. Pass None (random weights), "
                          "'imagenet', or the path of a Keras weights file (.h5 / .weights.h5).")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ConfigError(f"{app}: with weights='imagenet' and include_top=True, classes must be 1000; "
                          f"received classes={classes}.")
    if pooling not in (None, "avg", "max"):
        raise ConfigError(f"{app}: pooling must be None, 'avg' or 'max'; received {pooling!r}.")


def input_shape_for(app, input_shape, default_size, min_size, include_top, weights):
    """Keras's `obtain_input_shape` for channels_last images: the default (size, size, 3) with a classifier
    top (which needs a fixed size), (None, None, 3) without; a given shape is checked against `min_size`."""
    default = (default_size, default_size, 3)
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ShapeError(f"{app}: input_shape must be (height, width, channels); received {input_shape}.")
        if weights != "imagenet":
            default = (default_size, default_size, input_shape[-1])
    if weights == "imagenet" and include_top:
        if input_shape is not None and input_shape != default:
            raise ShapeError(f"{app}: with include_top=True and weights='imagenet', input_shape must be {default}; "
                             f"received {input_shape}.")
        return default
    if input_shape is None:
        return default if include_top else (None, None, 3)
    if input_shape[-1] != 3 and weights == "imagenet":
        raise ShapeError(f"{app}: ImageNet weights need 3 input channels; received input_shape={input_shape}.")
    if any(size is not None and size < min_size for size in input_shape[:2]):
        raise ShapeError(f"{app}: the input must be at least {min_size}x{min_size}; received "
                         f"input_shape={input_shape}.")
    if include_top and None in input_shape:
        raise ShapeError(f"{app}: include_top=True needs a fixed input_shape; received {input_shape}.")
    return input_shape


def image_input(app, input_tensor, input_shape, names):
    """(the tensor the application starts from, the model's inputs): a new Input, or `input_tensor` and the
    Inputs it comes from."""
    if input_tensor is None:
        tensor = Input(shape=input_shape, name=names("input_layer"))
        return tensor, tensor
    if not isinstance(input_tensor, SymbolicTensor):
        raise ArgumentTypeError(f"{app}: input_tensor must be a tensor of a model graph (from Input() or a layer "
                                f"called on one); received {type(input_tensor).__name__}.")
    sources = source_inputs(input_tensor)
    return input_tensor, sources[0] if len(sources) == 1 else sources


def source_inputs(tensor):
    """The Input tensors `tensor` is computed from, in the order they are first reached."""
    found, seen, todo = [], set(), [tensor]
    while todo:
        current = todo.pop()
        node = current.node
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node.layer, InputLayer):
            found.append(node.output_tensors[0])
        else:
            todo.extend(reversed(node.input_tensors))
    return found


def check_classifier_activation(app, classifier_activation, weights):
    """Keras: pretrained weights go with a softmax or a linear classifier only."""
    if weights is not None and classifier_activation not in (None, "softmax", "linear"):
        raise ConfigError(f"{app}: with pretrained weights, classifier_activation must be None or 'softmax'; "
                          f"received {classifier_activation!r}.")


def top(app, x, include_top, pooling, classes, classifier_activation, weights, names, avg_name=None,
        max_name=None):
    """The classifier (global average pooling and a Dense "predictions" layer) or the optional pooling."""
    if include_top:
        x = GlobalAveragePooling2D(name=names("global_average_pooling2d", avg_name))(x)
        check_classifier_activation(app, classifier_activation, weights)
        return Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return GlobalAveragePooling2D(name=names("global_average_pooling2d", avg_name))(x)
    if pooling == "max":
        return GlobalMaxPooling2D(name=names("global_max_pooling2d", max_name))(x)
    return x


def imagenet_file(app, file_name, md5=None, folder=""):
    """The local path of Keras's published ImageNet weights file `file_name`, or an error saying where to get
    it: pipekeras downloads no weights. Looked for in `$PIPEKERAS_DATASETS/models/`,
    `~/.pipekeras/datasets/models/` and Keras's own cache `~/.keras/models/`."""
    found = find_file(file_name, "models")
    keras_copy = os.path.join(os.path.expanduser(KERAS_CACHE), file_name)
    if found is None and os.path.isfile(keras_copy):
        found = keras_copy
    if found is not None:
        return found
    checksum = f" (md5 {md5})" if md5 else ""
    raise ConfigError(
        f"{app}: weights='imagenet' needs Keras's published file {file_name!r}, which pipekeras does not "
        f"download. Get it from {KERAS_STORE}{folder}{file_name}{checksum} and pass weights='<its path>', or put "
        f"it in ${ENV_VAR}/models/, {os.path.join(cache_dir(), 'models')}/ or {KERAS_CACHE}/.")


def weights_file(app, weights, imagenet_name, md5=None, folder=""):
    """The path to load weights from, found before anything is built: None, the given file, or the local copy
    of Keras's ImageNet file `imagenet_name`."""
    if weights is None:
        return None
    if weights == "imagenet":
        return imagenet_file(app, imagenet_name, md5, folder)
    return os.fspath(weights)


def finish(inputs, outputs, name, weights_path):
    """The model, with the weights of the Keras weights file at `weights_path` (if not None)."""
    model = Model(inputs, outputs, name=name)
    if weights_path is not None:
        model.load_weights(weights_path)
    return model
