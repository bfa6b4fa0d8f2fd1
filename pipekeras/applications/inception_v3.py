"""InceptionV3 (Szegedy et al., 2015), as Keras builds it (its convolutions are unnamed in Keras: they get the
names a fresh Keras session gives, conv2d, conv2d_1, ...)."""

from ..layers import Activation, AveragePooling2D, BatchNormalization, Concatenate, Conv2D, MaxPooling2D
from .base import Names, check_arguments, document_network, finish, image_input, input_shape_for, top, weights_file


def _conv_bn(x, names, filters, rows, cols, padding="same", strides=1):
    x = Conv2D(filters, (rows, cols), strides=strides, padding=padding, use_bias=False, name=names("conv2d"))(x)
    x = BatchNormalization(axis=3, scale=False, name=names("batch_normalization"))(x)
    return Activation("relu", name=names("activation"))(x)


def _avg_branch(x, names, filters):
    x = AveragePooling2D(3, strides=1, padding="same", name=names("average_pooling2d"))(x)
    return _conv_bn(x, names, filters, 1, 1)


def _block_35(x, names, pool_filters, name):
    branch1x1 = _conv_bn(x, names, 64, 1, 1)
    branch5x5 = _conv_bn(_conv_bn(x, names, 48, 1, 1), names, 64, 5, 5)
    branch3x3dbl = _conv_bn(x, names, 64, 1, 1)
    branch3x3dbl = _conv_bn(_conv_bn(branch3x3dbl, names, 96, 3, 3), names, 96, 3, 3)
    branch_pool = _avg_branch(x, names, pool_filters)
    return Concatenate(axis=3, name=name)([branch1x1, branch5x5, branch3x3dbl, branch_pool])


def _block_17(x, names, width, name):
    branch1x1 = _conv_bn(x, names, 192, 1, 1)
    branch7x7 = _conv_bn(x, names, width, 1, 1)
    branch7x7 = _conv_bn(_conv_bn(branch7x7, names, width, 1, 7), names, 192, 7, 1)
    branch7x7dbl = _conv_bn(x, names, width, 1, 1)
    for filters, rows, cols in ((width, 7, 1), (width, 1, 7), (width, 7, 1), (192, 1, 7)):
        branch7x7dbl = _conv_bn(branch7x7dbl, names, filters, rows, cols)
    branch_pool = _avg_branch(x, names, 192)
    return Concatenate(axis=3, name=name)([branch1x1, branch7x7, branch7x7dbl, branch_pool])


def _block_8(x, names, i):
    branch1x1 = _conv_bn(x, names, 320, 1, 1)
    branch3x3 = _conv_bn(x, names, 384, 1, 1)
    branch3x3 = Concatenate(axis=3, name=f"mixed9_{i}")(
        [_conv_bn(branch3x3, names, 384, 1, 3), _conv_bn(branch3x3, names, 384, 3, 1)])
    branch3x3dbl = _conv_bn(_conv_bn(x, names, 448, 1, 1), names, 384, 3, 3)
    branch3x3dbl = Concatenate(axis=3, name=names("concatenate"))(
        [_conv_bn(branch3x3dbl, names, 384, 1, 3), _conv_bn(branch3x3dbl, names, 384, 3, 1)])
    branch_pool = _avg_branch(x, names, 192)
    return Concatenate(axis=3, name=f"mixed{9 + i}")([branch1x1, branch3x3, branch3x3dbl, branch_pool])


def InceptionV3(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="inception_v3"):
    app = "InceptionV3"
    check_arguments(app, weights, include_top, classes, pooling)
    path = weights_file(app, weights, "inception_v3_weights_tf_dim_ordering_tf_kernels"
                        f"{'' if include_top else '_notop'}.h5", "inception_v3/")
    input_shape = input_shape_for(app, input_shape, 299, 75, include_top, weights)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = _conv_bn(x, names, 32, 3, 3, strides=2, padding="valid")
    x = _conv_bn(x, names, 32, 3, 3, padding="valid")
    x = _conv_bn(x, names, 64, 3, 3)
    x = MaxPooling2D(3, strides=2, name=names("max_pooling2d"))(x)
    x = _conv_bn(x, names, 80, 1, 1, padding="valid")
    x = _conv_bn(x, names, 192, 3, 3, padding="valid")
    x = MaxPooling2D(3, strides=2, name=names("max_pooling2d"))(x)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, names, pool_filters, f"mixed{i}")
    branch3x3 = _conv_bn(x, names, 384, 3, 3, strides=2, padding="valid")
    branch3x3dbl = _conv_bn(_conv_bn(x, names, 64, 1, 1), names, 96, 3, 3)
    branch3x3dbl = _conv_bn(branch3x3dbl, names, 96, 3, 3, strides=2, padding="valid")
    branch_pool = MaxPooling2D(3, strides=2, name=names("max_pooling2d"))(x)
    x = Concatenate(axis=3, name="mixed3")([branch3x3, branch3x3dbl, branch_pool])
    for i, width in enumerate((128, 160, 160, 192)):
        x = _block_17(x, names, width, f"mixed{4 + i}")
    branch3x3 = _conv_bn(_conv_bn(x, names, 192, 1, 1), names, 320, 3, 3, strides=2, padding="valid")
    branch7x7x3 = _conv_bn(x, names, 192, 1, 1)
    branch7x7x3 = _conv_bn(_conv_bn(branch7x7x3, names, 192, 1, 7), names, 192, 7, 1)
    branch7x7x3 = _conv_bn(branch7x7x3, names, 192, 3, 3, strides=2, padding="valid")
    branch_pool = MaxPooling2D(3, strides=2, name=names("max_pooling2d"))(x)
    x = Concatenate(axis=3, name="mixed8")([branch3x3, branch7x7x3, branch_pool])
    for i in range(2):
        x = _block_8(x, names, i)
    x = top(app, x, include_top, pooling, classes, classifier_activation, weights, names, avg_name="avg_pool"
            if include_top else None)
    return finish(inputs, x, name, path)


document_network(InceptionV3, "23,851,784", "tf", size=299, min_size=75)
