"""What every application shares: checking the arguments as Keras does, the input, Keras's layer names, the
classifier or pooling top, and the weights (a Keras weights file by path; "imagenet" from a local copy or
downloaded from Keras's store)."""

import os

from ..datasets._files import ENV_VAR, ChecksumMismatch, cache_dir, download_file, find_file
from ..engine.input_layer import Input, InputLayer
from ..engine.tensor import SymbolicTensor
from ..errors import ArgumentTypeError, ConfigError, ShapeError
from ..layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D
from ..models.functional import Model

KERAS_STORE = "https://storage.googleapis.com/tensorflow/keras-applications/"
KERAS_CACHE = os.path.join("~", ".keras", "models")
# The md5 checksums Keras's applications give `get_file` for their ImageNet weights files (`_notop`: without the
# classifier). Keras publishes none for the MobileNets' files, which are downloaded unchecked, as Keras does.
IMAGENET_HASHES = {
    "vgg16_weights_tf_dim_ordering_tf_kernels.h5": "64373286793e3c8b2b4e3219cbf3544b",
    "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5": "6d6bbae143d832006294945121d1f1fc",
    "vgg19_weights_tf_dim_ordering_tf_kernels.h5": "cbe5617147190e668d6c5d5026f83318",
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5": "253f8cb515780f3b799900260a226db6",
    "resnet50_weights_tf_dim_ordering_tf_kernels.h5": "2cb95161c43110f7111970584f804107",
    "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5": "4d473c1dd8becc155b73f8504c6f6626",
    "resnet101_weights_tf_dim_ordering_tf_kernels.h5": "f1aeb4b969a6efcfb50fad2f0c20cfc5",
    "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5": "88cf7a10940856eca736dc7b7e228a21",
    "resnet152_weights_tf_dim_ordering_tf_kernels.h5": "100835be76be38e30d865e96f2aaae62",
    "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5": "ee4c566cf9a93f14d82f913c2dc6dd0c",
    "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5": "3ef43a0b657b3be2300d5770ece849e0",
    "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5": "fac2f116257151a9d068a22e544a4917",
    "resnet101v2_weights_tf_dim_ordering_tf_kernels.h5": "6343647c601c52e1368623803854d971",
    "resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5": "c0ed64b8031c3730f411d2eb4eea35b5",
    "resnet152v2_weights_tf_dim_ordering_tf_kernels.h5": "a49b44d1979771252814e80f8ec446f9",
    "resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5": "ed17cf2e0169df9d443503ef94b23b33",
    "inception_v3_weights_tf_dim_ordering_tf_kernels.h5": "9a0d58056eeedaa3f26cb7ebd46da564",
    "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5": "bcbd6486424b2319ff4ef7d526e38f63",
    "xception_weights_tf_dim_ordering_tf_kernels.h5": "0a58e3b7378bc2990ea3b43d5981f1f6",
    "xception_weights_tf_dim_ordering_tf_kernels_notop.h5": "b0042744bf5b25fce3cb969f33bebb97",
    "densenet121_weights_tf_dim_ordering_tf_kernels.h5": "9d60b8095a5708f2dcce2bca79d332c7",
    "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5": "30ee3e1110167f948a6b9946edeeb738",
    "densenet169_weights_tf_dim_ordering_tf_kernels.h5": "d699b8f76981ab1b30698df4c175e90b",
    "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5": "b8c4d4c20dd625c148057b9ff1c1176b",
    "densenet201_weights_tf_dim_ordering_tf_kernels.h5": "1ceb130c1ea1b78c3bf6114dbdfd8807",
    "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5": "c13680b51ded0fb44dff2d8f86ac8bb1",
}


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


def imagenet_file(app, file_name, folder=""):
    """The local path of Keras's published ImageNet weights file `file_name`: a copy found in
    `$PIPEKERAS_DATASETS/models/`, `~/.pipekeras/datasets/models/` or Keras's own cache `~/.keras/models/`, else
    downloaded from Keras's store (`folder` under it) into `~/.pipekeras/datasets/models/` and checked against
    the checksum Keras publishes for it (`IMAGENET_HASHES`); if that fails, an error saying where to get it."""
    found = find_file(file_name, "models")
    keras_copy = os.path.join(os.path.expanduser(KERAS_CACHE), file_name)
    if found is None and os.path.isfile(keras_copy):
        found = keras_copy
    if found is not None:
        return found
    url = f"{KERAS_STORE}{folder}{file_name}"
    md5 = IMAGENET_HASHES.get(file_name)
    try:
        return download_file(url, os.path.join(cache_dir(), "models", file_name), md5)
    except ChecksumMismatch as error:
        reason = str(error).rstrip(".")
    except Exception as error:  # offline, unreachable, HTTP error, unwritable cache, ...
        reason = f"it is not on this machine and downloading it from {url} failed ({type(error).__name__}: {error})"
    checksum = f" (md5 {md5})" if md5 else ""
    raise ConfigError(
        f"{app}: weights='imagenet' needs Keras's published file {file_name!r}: {reason}. Get it from "
        f"{url}{checksum} and pass weights='<its path>', or put it in ${ENV_VAR}/models/, "
        f"{os.path.join(cache_dir(), 'models')}/ or {KERAS_CACHE}/.")


def weights_file(app, weights, imagenet_name, folder=""):
    """The path to load weights from, found before anything is built: None, the given file, or the local (or
    downloaded) copy of Keras's ImageNet file `imagenet_name`, published in `folder` of Keras's store."""
    if weights is None:
        return None
    if weights == "imagenet":
        return imagenet_file(app, imagenet_name, folder)
    return os.fspath(weights)


def finish(inputs, outputs, name, weights_path):
    """The model, with the weights of the Keras weights file at `weights_path` (if not None)."""
    model = Model(inputs, outputs, name=name)
    if weights_path is not None:
        model.load_weights(weights_path)
    return model


_NETWORK_DOC = """The {app} network, with Keras's layers and layer names ({parameters} parameters with its top).

    Args:
        include_top: keep the classifier on top ({top};
            the input is then {size}x{size}x3 by default).
        weights: None (random), the path of a Keras weights file of this architecture (`.h5`, `.weights.h5`),
            or "imagenet" (Keras's published file: a local copy, else downloaded and checked against its md5).
        input_tensor: a model tensor to build on instead of a new Input.
        input_shape: (height, width, 3), at least {min_size}x{min_size}; (None, None, 3) without the top when not
            given.
        pooling: without the top, None (the last block's 4D output), "avg" or "max" (global pooling).
        classes: number of classes of the top.
        classifier_activation: activation of the top's "predictions" layer (None gives logits).
        name: the model's name.

    Returns:
        A functional Model. Its inputs take images prepared by `imagenet_preprocess_input(x, mode="{mode}")`.

    Raises:
        ConfigError: a weights file that does not exist, "imagenet" neither found nor downloaded, or an argument Keras
            refuses; ShapeError: an input shape Keras refuses or a weights file of another architecture.

    Example:
        >>> conv_base = {app}(include_top=False, input_shape=(150, 150, 3){pooling})
    """


def document_network(constructor, parameters, mode, size=224, min_size=32,
                     top='global average pooling and a Dense "predictions" layer', example_pooling="avg"):
    """Gives an application constructor of the common signature (include_top, weights, input_tensor,
    input_shape, pooling, classes, classifier_activation, name) its docstring: one text for every family."""
    constructor.__doc__ = _NETWORK_DOC.format(
        app=constructor.__name__, parameters=parameters, mode=mode, size=size, min_size=min_size, top=top,
        pooling=f", pooling={example_pooling!r}".replace("'", '"') if example_pooling else "")
    return constructor
