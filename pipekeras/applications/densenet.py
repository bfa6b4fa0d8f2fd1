"""DenseNet121/169/201 (Huang et al., 2017), as Keras builds them."""

from ..layers import Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D, \
    ZeroPadding2D
from .base import Names, check_arguments, document_network, finish, image_input, input_shape_for, top, weights_file

_EPSILON = 1.001e-5
_GROWTH = 32


def _bn_relu(x, name):
    x = BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_bn")(x)
    return Activation("relu", name=f"{name}_relu")(x)


def _conv_block(x, name):
    y = _bn_relu(x, f"{name}_0")
    y = Conv2D(4 * _GROWTH, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = _bn_relu(y, f"{name}_1")
    y = Conv2D(_GROWTH, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return Concatenate(axis=3, name=f"{name}_concat")([x, y])


def _transition(x, name):
    x = _bn_relu(x, name)
    x = Conv2D(int(x.shape[3] * 0.5), 1, use_bias=False, name=f"{name}_conv")(x)
    return AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(app, blocks, include_top, weights, input_tensor, input_shape, pooling, classes,
              classifier_activation, name):
    check_arguments(app, weights, include_top, classes, pooling)
    key = app.lower()
    path = weights_file(app, weights, f"{key}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}"
                        ".h5", "densenet/")
    input_shape = input_shape_for(app, input_shape, 224, 32, include_top, weights)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = ZeroPadding2D(((3, 3), (3, 3)), name=names("zero_padding2d"))(x)
    x = Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = ZeroPadding2D(((1, 1), (1, 1)), name=names("zero_padding2d"))(x)
    x = MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        for i in range(1, count + 1):
            x = _conv_block(x, f"conv{stage}_block{i}")
        if stage < 5:
            x = _transition(x, f"pool{stage}")
    x = BatchNormalization(axis=3, epsilon=_EPSILON, name="bn")(x)
    x = Activation("relu", name="relu")(x)
    x = top(app, x, include_top, pooling, classes, classifier_activation, weights, names, "avg_pool", "max_pool")
    return finish(inputs, x, name, path)


def DenseNet121(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet121"):
    return _densenet("DenseNet121", (6, 12, 24, 16), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


def DenseNet169(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet169"):
    return _densenet("DenseNet169", (6, 12, 32, 32), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


def DenseNet201(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="densenet201"):
    return _densenet("DenseNet201", (6, 12, 48, 32), include_top, weights, input_tensor, input_shape, pooling,
                     classes, classifier_activation, name)


for _constructor, _parameters in ((DenseNet121, "8,062,504"), (DenseNet169, "14,307,880"),
                                  (DenseNet201, "20,242,984")):
    document_network(_constructor, _parameters, "torch")
del _constructor, _parameters
