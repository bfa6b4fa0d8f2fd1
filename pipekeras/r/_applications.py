"""R's names of the pre-trained applications (`application_*`) and their ImageNet helpers."""

from .. import applications as _applications
from ..pipe import function_step as _function_step


application_vgg16 = _applications.VGG16
application_vgg19 = _applications.VGG19
application_resnet50 = _applications.ResNet50
application_resnet101 = _applications.ResNet101
application_resnet152 = _applications.ResNet152
application_resnet50_v2 = _applications.ResNet50V2
application_resnet101_v2 = _applications.ResNet101V2
application_resnet152_v2 = _applications.ResNet152V2
application_mobilenet = _applications.MobileNet
application_mobilenet_v2 = _applications.MobileNetV2
application_inception_v3 = _applications.InceptionV3
application_xception = _applications.Xception
application_densenet121 = _applications.DenseNet121
application_densenet169 = _applications.DenseNet169
application_densenet201 = _applications.DenseNet201
imagenet_preprocess_input = _applications.preprocess_input
imagenet_decode_predictions = _applications.decode_predictions
application_preprocess_inputs = _function_step("application_preprocess_inputs",
                                               _applications.preprocess_inputs_for)
application_decode_predictions = _function_step("application_decode_predictions",
                                                _applications.decode_predictions_for)
