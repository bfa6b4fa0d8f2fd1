"""VGG16 and VGG19 (Simonyan and Zisserman, 2015), as Keras builds them."""

from ..layers import Conv2D, Dense, Flatten, MaxPooling2D
from .base import Names, check_arguments, check_classifier_activation, document_network, finish, image_input, \
    input_shape_for, top, weights_file

def _vgg(app, convs_per_block, include_top, weights, input_tensor, input_shape, pooling, classes,
         classifier_activation, name):
    check_arguments(app, weights, include_top, classes, pooling)
    stem = f"{app.lower()}_weights_tf_dim_ordering_tf_kernels"
    path = weights_file(app, weights, f"{stem}.h5" if include_top else f"{stem}_notop.h5", f"{app.lower()}/")
    input_shape = input_shape_for(app, input_shape, 224, 32, include_top, weights)
    names = Names()
    x, inputs = image_input(app, input_tensor, input_shape, names)
    for block, (filters, convs) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), start=1):
        for i in range(1, convs + 1):
            x = Conv2D(filters, 3, activation="relu", padding="same", name=f"block{block}_conv{i}")(x)
        x = MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    if include_top:
        x = Flatten(name="flatten")(x)
        x = Dense(4096, activation="relu", name="fc1")(x)
        x = Dense(4096, activation="relu", name="fc2")(x)
        check_classifier_activation(app, classifier_activation, weights)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = top(app, x, False, pooling, classes, classifier_activation, weights, names)
    return finish(inputs, x, name, path)


def VGG16(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg16"):
    return _vgg("VGG16", (2, 2, 3, 3, 3), include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


def VGG19(include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None, classes=1000,
          classifier_activation="softmax", name="vgg19"):
    return _vgg("VGG19", (2, 2, 4, 4, 4), include_top, weights, input_tensor, input_shape, pooling, classes,
                classifier_activation, name)


document_network(VGG16, "138,357,544", "caffe", top="three fully connected layers", example_pooling=None)
document_network(VGG19, "143,667,240", "caffe", top="three fully connected layers", example_pooling=None)
