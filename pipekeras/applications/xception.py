"""Xception (Chollet, 2017), as Keras builds it (its shortcut convolutions are unnamed in Keras: they get the
names a fresh Keras session gives, conv2d, batch_normalization, add, ...)."""

from ..layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, SeparableConv2D
from .base import Names, check_arguments, document_network, finish, image_input, input_shape_for, top, weights_file


def _sep_bn(x, filters, name):
    x = SeparableConv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
    return BatchNormalization(axis=-1, name=f"{name}_bn")(x)


def _shortcut(x, names, filters):
    x = Conv2D(filters, 1, strides=2, padding="same", use_bias=False, name=names("conv2d"))(x)
    return BatchNormalization(axis=-1, name=names("batch_normalization"))(x)


def _entry_block(x, names, filters, block, first_relu):
    residual = _shortcut(x, names, filters)
    if first_relu:
        x = Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep_bn(x, filters, f"block{block}_sepconv1")
    x = Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep_bn(x, filters, f"block{block}_sepconv2")
    x = MaxPooling2D(3, strides=2, padding="same", name=f"block{block}_pool")(x)
    return Add(name=names("add"))([x, residual])


def Xception(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    app = "Xception"
    check_arguments(app, weights, include_top, classes, pooling)
    path = weights_file(app, weights, f"xception_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}"
                        ".h5", "xception/")
    input_shape = input_shape_for(app, input_shape, 299, 71, include_top, weights)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(x)
    x = Activation("relu", name="block1_conv1_act")(BatchNormalization(axis=-1, name="block1_conv1_bn")(x))
    x = Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = Activation("relu", name="block1_conv2_act")(BatchNormalization(axis=-1, name="block1_conv2_bn")(x))
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        x = _entry_block(x, names, filters, block, block > 2)
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = Activation("relu", name=f"block{block}_sepconv{i}_act")(x)
            x = _sep_bn(x, 728, f"block{block}_sepconv{i}")
        x = Add(name=names("add"))([x, residual])
    residual = _shortcut(x, names, 1024)
    x = _sep_bn(Activation("relu", name="block13_sepconv1_act")(x), 728, "block13_sepconv1")
    x = _sep_bn(Activation("relu", name="block13_sepconv2_act")(x), 1024, "block13_sepconv2")
    x = MaxPooling2D(3, strides=2, padding="same", name="block13_pool")(x)
    x = Add(name=names("add"))([x, residual])
    x = Activation("relu", name="block14_sepconv1_act")(_sep_bn(x, 1536, "block14_sepconv1"))
    x = Activation("relu", name="block14_sepconv2_act")(_sep_bn(x, 2048, "block14_sepconv2"))
    x = top(app, x, include_top, pooling, classes, classifier_activation, weights, names, avg_name="avg_pool"
            if include_top else None)
    return finish(inputs, x, name, path)


document_network(Xception, "22,910,480", "tf", size=299, min_size=71)
