"""MobileNet (Howard et al., 2017), as Keras builds it."""

import warnings

from ..errors import ConfigError
from ..layers import Activation, BatchNormalization, Conv2D, DepthwiseConv2D, Dropout, GlobalAveragePooling2D, \
    ReLU, Reshape, ZeroPadding2D
from .base import Names, check_arguments, check_classifier_activation, finish, image_input, input_shape_for, \
    top, weights_file

_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
# (pointwise filters, strides) of the 13 depthwise separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1),
           (512, 1), (1024, 2), (1024, 1))


def relu6(x, name):
    """min(max(x, 0), 6) as Keras's `ReLU(6.0)` layer `name`."""
    return ReLU(6.0, name=name)(x)


def _default_size(input_shape, sizes):
    if input_shape is not None and input_shape[0] == input_shape[1] and input_shape[0] in sizes:
        return input_shape[0]
    return 224


def imagenet_rows(app, alpha, alphas, rows, cols, sizes):
    """Keras's checks for ImageNet weights of a MobileNet: a published alpha; the input size (224 when the
    input is not one of the published square sizes, as Keras then loads the 224 file)."""
    if alpha not in alphas:
        raise ConfigError(f"{app}: ImageNet weights exist for alpha in {list(alphas)} only; received alpha={alpha}.")
    if rows == cols and rows in sizes:
        return rows
    warnings.warn(f"{app}: the input is not one of the square sizes {list(sizes)} ImageNet weights exist for; the "
                  "weights for 224x224 are loaded.", UserWarning, stacklevel=3)
    return 224


def _depthwise_block(x, filters, alpha, depth_multiplier, stride, block_id):
    filters = int(filters * alpha)
    if stride != 1:
        x = ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = DepthwiseConv2D(3, padding="same" if stride == 1 else "valid", depth_multiplier=depth_multiplier,
                        strides=stride, use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = relu6(BatchNormalization(axis=-1, name=f"conv_dw_{block_id}_bn")(x), f"conv_dw_{block_id}_relu")
    x = Conv2D(filters, 1, padding="same", use_bias=False, name=f"conv_pw_{block_id}")(x)
    return relu6(BatchNormalization(axis=-1, name=f"conv_pw_{block_id}_bn")(x), f"conv_pw_{block_id}_relu")


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True, weights=None,
              input_tensor=None, pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """The MobileNet network, with Keras's layers and layer names (4,253,864 parameters at alpha 1 with its top).

    Args:
        input_shape: (height, width, 3), at least 32x32; (224, 224, 3) with the top, (None, None, 3) without,
            when not given.
        alpha: width multiplier: each layer's filters times alpha (Keras publishes weights for 0.25, 0.5,
            0.75 and 1.0).
        depth_multiplier: depthwise convolutions' channel multiplier.
        dropout: dropout rate before the classifier.
        include_top: keep the classifier on top (a 1x1 convolution "conv_preds" over the pooled features).
        weights: None (random), the path of a Keras weights file of this architecture (`.h5`, `.weights.h5`),
            or "imagenet" (Keras's published file: a local copy, else downloaded from Keras's store).
        input_tensor: a model tensor to build on instead of a new Input.
        pooling: without the top, None (the last block's 4D output), "avg" or "max" (global pooling).
        classes: number of classes of the top.
        classifier_activation: activation of the "predictions" layer (None gives logits).
        name: the model's name (Keras's `mobilenet_<alpha>_<rows>` by default).

    Returns:
        A functional Model. Its inputs take images prepared by `imagenet_preprocess_input(x, mode="tf")`.

    Raises:
        ConfigError: a weights file that does not exist, "imagenet" neither found nor downloaded, or an argument Keras
            refuses; ShapeError: an input shape Keras refuses or a weights file of another architecture.

    Example:
        >>> model = MobileNet(input_shape=(128, 128, 3), alpha=0.25, classes=10)
    """
    app = "MobileNet"
    check_arguments(app, weights, include_top, classes, pooling)
    input_shape = input_shape_for(app, input_shape, _default_size(input_shape, (128, 160, 192, 224)), 32,
                                  include_top, weights)
    rows = input_shape[0]
    path = None
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ConfigError(f"{app}: ImageNet weights need depth_multiplier=1; received {depth_multiplier}.")
        rows = imagenet_rows(app, alpha, _ALPHA_TEXT, input_shape[0], input_shape[1], (128, 160, 192, 224))
        file_name = f"mobilenet_{_ALPHA_TEXT[alpha]}_{rows}_tf{'' if include_top else '_no_top'}.h5"
        path = weights_file(app, weights, file_name, "mobilenet/")
    elif weights is not None:
        path = weights_file(app, weights, None)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = Conv2D(int(32 * alpha), 3, padding="same", use_bias=False, strides=2, name="conv1")(x)
    x = relu6(BatchNormalization(axis=-1, name="conv1_bn")(x), "conv1_relu")
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_block(x, filters, alpha, depth_multiplier, stride, block_id)
    if include_top:
        x = GlobalAveragePooling2D(keepdims=True, name=names("global_average_pooling2d"))(x)
        x = Dropout(dropout, name="dropout")(x)
        x = Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = Reshape((classes,), name="reshape_2")(x)
        check_classifier_activation(app, classifier_activation, weights)
        x = Activation(classifier_activation, name="predictions")(x)
    else:
        x = top(app, x, False, pooling, classes, classifier_activation, weights, names)
    return finish(inputs, x, name or f"mobilenet_{alpha:0.2f}_{rows}", path)
