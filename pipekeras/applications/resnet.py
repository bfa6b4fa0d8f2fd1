"""ResNet50/101/152 (He et al., 2015) and ResNet50V2/101V2/152V2 (He et al., 2016), as Keras builds them."""

from ..layers import Activation, Add, BatchNormalization, Conv2D, MaxPooling2D, ZeroPadding2D
from .base import Names, check_arguments, document_network, finish, image_input, input_shape_for, top, weights_file

_BLOCKS = {"50": (3, 4, 6, 3), "101": (3, 4, 23, 3), "152": (3, 8, 36, 3)}
_EPSILON = 1.001e-5


def _bn(x, name):
    return BatchNormalization(axis=3, epsilon=_EPSILON, name=name)(x)


def _block_v1(x, filters, stride, conv_shortcut, name):
    if conv_shortcut:
        shortcut = _bn(Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x), f"{name}_0_bn")
    else:
        shortcut = x
    x = Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = Activation("relu", name=f"{name}_1_relu")(_bn(x, f"{name}_1_bn"))
    x = Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = Activation("relu", name=f"{name}_2_relu")(_bn(x, f"{name}_2_bn"))
    x = _bn(Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x), f"{name}_3_bn")
    x = Add(name=f"{name}_add")([shortcut, x])
    return Activation("relu", name=f"{name}_out")(x)


def _stack_v1(x, filters, blocks, stride, name, names):
    x = _block_v1(x, filters, stride, True, f"{name}_block1")
    for i in range(2, blocks + 1):
        x = _block_v1(x, filters, 1, False, f"{name}_block{i}")
    return x


def _block_v2(x, filters, stride, conv_shortcut, name, names):
    preact = Activation("relu", name=f"{name}_preact_relu")(_bn(x, f"{name}_preact_bn"))
    if conv_shortcut:
        shortcut = Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = MaxPooling2D(1, strides=stride, name=names("max_pooling2d"))(x) if stride > 1 else x
    x = Conv2D(filters, 1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = Activation("relu", name=f"{name}_1_relu")(_bn(x, f"{name}_1_bn"))
    x = ZeroPadding2D(((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = Activation("relu", name=f"{name}_2_relu")(_bn(x, f"{name}_2_bn"))
    x = Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return Add(name=f"{name}_out")([shortcut, x])


def _stack_v2(x, filters, blocks, stride, name, names):
    x = _block_v2(x, filters, 1, True, f"{name}_block1", names)
    for i in range(2, blocks):
        x = _block_v2(x, filters, 1, False, f"{name}_block{i}", names)
    return _block_v2(x, filters, stride, False, f"{name}_block{blocks}", names)


def _resnet(app, depth, v2, include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation, name):
    check_arguments(app, weights, include_top, classes, pooling)
    key = app.lower()
    stem = f"{key}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    path = weights_file(app, weights, stem, "resnet/")
    input_shape = input_shape_for(app, input_shape, 224, 32, include_top, weights)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    x = ZeroPadding2D(((3, 3), (3, 3)), name="conv1_pad")(x)
    x = Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    if not v2:
        x = Activation("relu", name="conv1_relu")(_bn(x, "conv1_bn"))
    x = ZeroPadding2D(((1, 1), (1, 1)), name="pool1_pad")(x)
    x = MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    stack = _stack_v2 if v2 else _stack_v1
    for stage, (filters, blocks) in enumerate(zip((64, 128, 256, 512), _BLOCKS[depth]), start=2):
        if v2:
            stride = 1 if stage == 5 else 2
        else:
            stride = 1 if stage == 2 else 2
        x = stack(x, filters, blocks, stride, f"conv{stage}", names)
    if v2:
        x = Activation("relu", name="post_relu")(_bn(x, "post_bn"))
    x = top(app, x, include_top, pooling, classes, classifier_activation, weights, names, "avg_pool", "max_pool")
    return finish(inputs, x, name, path)


def ResNet50(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="resnet50"):
    return _resnet("ResNet50", "50", False, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet101(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet101"):
    return _resnet("ResNet101", "101", False, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet152(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name="resnet152"):
    return _resnet("ResNet152", "152", False, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet50V2(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
               classifier_activation="softmax", name="resnet50v2"):
    return _resnet("ResNet50V2", "50", True, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet101V2(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet101v2"):
    return _resnet("ResNet101V2", "101", True, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


def ResNet152V2(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="resnet152v2"):
    return _resnet("ResNet152V2", "152", True, include_top, weights, input_tensor, input_shape, pooling, classes,
                   classifier_activation, name)


for _constructor, _parameters, _mode in ((ResNet50, "25,636,712", "caffe"), (ResNet101, "44,707,176", "caffe"),
                                        (ResNet152, "60,419,944", "caffe"), (ResNet50V2, "25,613,800", "tf"),
                                        (ResNet101V2, "44,675,560", "tf"), (ResNet152V2, "60,380,648", "tf")):
    document_network(_constructor, _parameters, _mode)
del _constructor, _parameters, _mode
