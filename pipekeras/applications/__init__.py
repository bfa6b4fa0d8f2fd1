"""Keras's applications: the ImageNet networks with Keras's architecture and layer names, so that a Keras weights
file of one (`.h5`, `.weights.h5`) loads by path (`weights=`), and the ImageNet pre- and post-processing."""

from .densenet import DenseNet121, DenseNet169, DenseNet201
from .imagenet_utils import decode_predictions, decode_predictions_for, preprocess_input, preprocess_inputs_for
from .inception_v3 import InceptionV3
from .mobilenet import MobileNet
from .mobilenet_v2 import MobileNetV2
from .resnet import ResNet50, ResNet50V2, ResNet101, ResNet101V2, ResNet152, ResNet152V2
from .vgg import VGG16, VGG19
from .xception import Xception

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3", "MobileNet", "MobileNetV2", "ResNet101",
           "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2", "VGG16", "VGG19", "Xception",
           "decode_predictions", "decode_predictions_for", "preprocess_input", "preprocess_inputs_for"]
