"""Checks a model config before anything is built from it: loading a file never runs code.

A config names layer classes; pipekeras only ever looks those names up among its registered layer classes
(and the user's `custom_objects`). This module walks the whole config first, so that every unknown class
is reported at once, and so that a Keras `Lambda` layer (whose config carries Python bytecode or source) is
refused with an explanation instead of being half-built.
"""

from ..engine.layer import get_layer_class, registered_layer_names
from ..errors import ConfigError, did_you_mean
from ..serializable import get_registered_object

# Layer classes of Keras 3 (names only), to tell "Keras has it, pipekeras does not" from "unknown".
KERAS_LAYER_NAMES = frozenset("""
Activation ActivityRegularization Add AdditiveAttention AlphaDropout Attention Average AveragePooling1D
AveragePooling2D AveragePooling3D BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate
Conv1D Conv1DTranspose Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D
Cropping1D Cropping2D Cropping3D Dense DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU
EinsumDense Embedding Flatten FlaxLayer GaussianDropout GaussianNoise GlobalAveragePooling1D
GlobalAveragePooling2D GlobalAveragePooling3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
GroupNormalization GroupQueryAttention GRU GRUCell HashedCrossing Hashing Identity InputLayer InputSpec
IntegerLookup JaxLayer Lambda LayerNormalization LeakyReLU LSTM LSTMCell Masking Maximum MaxPooling1D
MaxPooling2D MaxPooling3D Minimum MultiHeadAttention Multiply Normalization Permute PReLU RandomBrightness
RandomContrast RandomCrop RandomFlip RandomHeight RandomRotation RandomTranslation RandomWidth RandomZoom
ReLU RepeatVector Rescaling Reshape Resizing RNN SeparableConv1D SeparableConv2D SimpleRNN SimpleRNNCell
Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D SpectralNormalization StackedRNNCells
StringLookup Subtract TextVectorization TFSMLayer TimeDistributed TorchModuleWrapper UnitNormalization
UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D
Functional Sequential Model
""".split())

# Keras classes that hold Python code in their config; pipekeras never loads them.
CODE_LAYER_NAMES = frozenset({"Lambda", "TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"})


def lambda_error(name, where=""):
    return ConfigError(
        f"The model config contains a {name!r} layer{where}. Its config holds Python code (a function's "
        "bytecode or source), and pipekeras never loads or runs code from a file, because a model file may "
        "come from anyone. Rewrite the layer as a registered custom layer class and pass it with "
        "custom_objects={'MyLayer': MyLayer}, or rebuild the model in code and load only its weights."
    )


def check_layer_classes(layer_entries, custom_objects=None, where="model config"):
    """Raises ConfigError naming every class in `layer_entries` that pipekeras cannot build.

    Args:
        layer_entries: iterable of `{"class_name": ..., "config": ...}` dicts (nested models are walked).
        custom_objects: the user's classes by name.
    """
    custom_objects = custom_objects or {}
    unknown, code = [], []

    def visit(entry, path):
        if not isinstance(entry, dict):
            raise ConfigError(f"The {where} is malformed: expected a layer entry (a dict), found {entry!r:.80}.")
        name = entry.get("class_name")
        if not isinstance(name, str):
            raise ConfigError(f"The {where} is malformed: a layer entry has no class_name ({path}).")
        if name in custom_objects:
            return
        config = entry.get("config")
        function = config.get("function") if name == "Lambda" and isinstance(config, dict) else None
        if isinstance(function, str):  # pipekeras's Lambda: a registered function's name, never code
            if get_registered_object(function, custom_objects) is None:
                unknown.append(f"{function} (the function of Lambda layer {path})")
            return
        if name in CODE_LAYER_NAMES:
            code.append((name, path))
            return
        if get_layer_class(name) is None:
            unknown.append(name)
            return
        config = entry.get("config")
        if isinstance(config, dict) and isinstance(config.get("layers"), list):
            for i, child in enumerate(config["layers"]):
                label = child.get("config", {}).get("name") if isinstance(child, dict) and \
                    isinstance(child.get("config"), dict) else None
                visit(child, f"{path} > {label or i}")
        for key in ("layer", "cell", "forward_layer", "backward_layer"):
            if isinstance(config, dict) and isinstance(config.get(key), dict) and "class_name" in config[key]:
                visit(config[key], f"{path} > {key}")

    for i, entry in enumerate(layer_entries):
        label = entry.get("config", {}).get("name") if isinstance(entry, dict) and \
            isinstance(entry.get("config"), dict) else None
        visit(entry, str(label or i))
    if code:
        name, path = code[0]
        raise lambda_error(name, f" ({path})")
    if unknown:
        unknown = sorted(set(unknown))
        keras_only = [n for n in unknown if n in KERAS_LAYER_NAMES]
        other = [n for n in unknown if n not in KERAS_LAYER_NAMES]
        parts = []
        if keras_only:
            parts.append(f"Keras has {keras_only} but pipekeras does not implement {'it' if len(keras_only) == 1 else 'them'} yet.")
        if other:
            hints = "".join(did_you_mean(n, registered_layer_names()) for n in other)
            parts.append(f"{other} {'is' if len(other) == 1 else 'are'} neither a pipekeras nor a Keras layer.{hints}"
                         " For your own layers and functions, define them and decorate them with "
                         "@pk.saving.register_keras_serializable() before loading, or pass custom_objects={'Name': obj}.")
        raise ConfigError(f"The {where} uses unknown layer class(es) {unknown}: " + " ".join(parts))


def check_model_entry(entry, custom_objects=None, where="model config"):
    """Checks a top-level `{"class_name": ..., "config": ...}` model entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str) or \
            not isinstance(entry.get("config"), dict):
        raise ConfigError(f"The {where} must be a dict with 'class_name' and 'config'.")
    check_layer_classes([entry], custom_objects, where)
