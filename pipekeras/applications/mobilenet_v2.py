"""MobileNetV2 (Sandler et al., 2018), as Keras builds it."""

from ..layers import Add, BatchNormalization, Conv2D, DepthwiseConv2D, ZeroPadding2D
from .base import Names, check_arguments, finish, image_input, input_shape_for, top, weights_file
from .mobilenet import imagenet_rows, relu6

_ALPHAS = (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of the 17 inverted residual blocks.
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
           (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
           (320, 1, 6))


def make_divisible(value, divisor=8):
    """`value` rounded to a multiple of `divisor`, never more than 10% below it (Keras's `_make_divisible`)."""
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def _correct_pad(size, kernel=3):
    """Keras's `correct_pad`: the zero padding before a stride-2 'valid' convolution."""
    half = kernel // 2
    adjust = [1 if s is None else 1 - s % 2 for s in size]
    return (half - adjust[0], half), (half - adjust[1], half)


def _bn(x, name):
    return BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=name)(x)


def _inverted_block(x, expansion, stride, alpha, filters, block_id):
    in_channels = x.shape[-1]
    pointwise_filters = make_divisible(int(filters * alpha))
    inputs = x
    prefix = f"block_{block_id}_"
    if block_id:
        x = Conv2D(expansion * in_channels, 1, padding="same", use_bias=False, name=f"{prefix}expand")(x)
        x = relu6(_bn(x, f"{prefix}expand_BN"), f"{prefix}expand_relu")
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = ZeroPadding2D(_correct_pad(x.shape[1:3]), name=f"{prefix}pad")(x)
    x = DepthwiseConv2D(3, strides=stride, use_bias=False, padding="same" if stride == 1 else "valid",
                        name=f"{prefix}depthwise")(x)
    x = relu6(_bn(x, f"{prefix}depthwise_BN"), f"{prefix}depthwise_relu")
    x = Conv2D(pointwise_filters, 1, padding="same", use_bias=False, name=f"{prefix}project")(x)
    x = _bn(x, f"{prefix}project_BN")
    if in_channels == pointwise_filters and stride == 1:
        return Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights=None, input_tensor=None, pooling=None,
                classes=1000, classifier_activation="softmax", name=None):
    """The MobileNetV2 network, with Keras's layers and layer names (3,538,984 parameters at alpha 1 with its
    top).

    Args:
        input_shape: (height, width, 3), at least 32x32; (224, 224, 3) with the top, (None, None, 3) without,
            when not given.
        alpha: width multiplier (Keras publishes weights for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4).
        include_top: keep the classifier on top (global average pooling and a Dense "predictions" layer).
        weights: None (random), the path of a Keras weights file of this architecture (`.h5`, `.weights.h5`),
            or "imagenet" (Keras's published file: a local copy, else downloaded from Keras's store).
        input_tensor: a model tensor to build on instead of a new Input.
        pooling: without the top, None (the last block's 4D output), "avg" or "max" (global pooling).
        classes: number of classes of the top.
        classifier_activation: activation of the "predictions" layer (None gives logits).
        name: the model's name (Keras's `mobilenetv2_<alpha>_<rows>` by default).

    Returns:
        A functional Model. Its inputs take images prepared by `imagenet_preprocess_input(x, mode="tf")`.

    Raises:
        ConfigError: a weights file that does not exist, "imagenet" neither found nor downloaded, or an argument Keras
            refuses; ShapeError: an input shape Keras refuses or a weights file of another architecture.

    Example:
        >>> model = MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, classes=10)
    """
    app = "MobileNetV2"
    check_arguments(app, weights, include_top, classes, pooling)
    if input_shape is None and input_tensor is not None:
        default_size = input_tensor.shape[1] if input_tensor.shape[1] == input_tensor.shape[2] and \
            input_tensor.shape[1] in _SIZES else 224
    elif input_shape is not None and input_shape[0] == input_shape[1] and input_shape[0] in _SIZES:
        default_size = input_shape[0]
    else:
        default_size = 224
    input_shape = input_shape_for(app, input_shape, default_size, 32, include_top, weights)
    rows = input_shape[0]
    path = None
    if weights == "imagenet":
        rows = imagenet_rows(app, alpha, _ALPHAS, input_shape[0], input_shape[1], _SIZES)
        file_name = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                     f"{'' if include_top else '_no_top'}.h5")
        path = weights_file(app, weights, file_name, "mobilenet_v2/")
    elif weights is not None:
        path = weights_file(app, weights, None)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = Conv2D(make_divisible(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="Conv1")(x)
    x = relu6(_bn(x, "bn_Conv1"), "Conv1_relu")
    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_block(x, expansion, stride, alpha, filters, block_id)
    last_filters = make_divisible(1280 * alpha) if alpha > 1.0 else 1280
    x = Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = relu6(_bn(x, "Conv_1_bn"), "out_relu")
    x = top(app, x, include_top, pooling, classes, classifier_activation, weights, names)
    return finish(inputs, x, name or f"mobilenetv2_{alpha:0.2f}_{rows}", path)
