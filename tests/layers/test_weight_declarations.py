"""Weights declared once (engine/weights.py): the declarations take the constructor arguments, create the
weights in build and give the config entries, in Keras' order."""

import pathlib
import re

import numpy as np

import pipekeras as pk
from pipekeras.engine.layer import Layer
from pipekeras.engine.weights import DeclaresWeights, Weight


class Scale(DeclaresWeights, Layer):
    """y = x * scale + offset, per feature: a layer written with declarations only."""

    declared_weights = (
        Weight("scale", lambda layer, shape: (shape[-1],)),
        Weight("offset", lambda layer, shape: (shape[-1],), enabled="use_offset"),
        Weight("count", lambda layer, shape: (1,), state=True),
    )

    def __init__(self, use_offset=True, scale_initializer="ones", offset_initializer="zeros",
                 count_initializer="zeros", scale_regularizer=None, offset_regularizer=None,
                 activity_regularizer=None, scale_constraint=None, offset_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.use_offset = use_offset
        self.take_weight_arguments(locals())

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs, training=False):
        return inputs * self.scale.value + (0 if self.offset is None else self.offset.value)

    def get_config(self):
        return {**super().get_config(), "use_offset": self.use_offset, **self.weight_config()}


def test_declarations_create_the_weights_in_order():
    layer = Scale(scale_regularizer="l2", offset_constraint="non_neg", name="scale")
    assert layer.scale is None and layer.offset is None  # until build
    layer(np.ones((2, 3), "float32"))
    assert [w.name for w in layer.weights] == ["scale/scale", "scale/offset", "scale/count"]
    assert [w.shape for w in layer.weights] == [(3,), (3,), (1,)]
    assert [w.trainable for w in layer.weights] == [True, True, False]
    np.testing.assert_array_equal(layer.scale.value, np.ones(3))
    assert layer.scale.regularizer is layer.scale_regularizer is not None
    assert layer.offset.constraint is layer.offset_constraint is not None


def test_a_disabled_weight_is_not_created():
    layer = Scale(use_offset=False, name="plain")
    layer(np.ones((2, 3), "float32"))
    assert layer.offset is None and [w.name for w in layer.weights] == ["plain/scale", "plain/count"]


def test_config_lists_initializers_regularizers_activity_constraints_then_state():
    config = Scale(name="s").get_config()
    keys = [k for k in config if k.endswith(("_initializer", "_regularizer", "_constraint"))]
    assert keys == ["scale_initializer", "offset_initializer", "scale_regularizer", "offset_regularizer",
                    "activity_regularizer", "scale_constraint", "offset_constraint", "count_initializer"]
    again = Scale.from_config(config)
    assert again.get_config() == config


def test_keras_config_order_of_the_library_layers():
    dense = pk.dense(3).get_config()
    assert [k for k in dense if k not in ("name", "trainable", "dtype", "activation", "units", "use_bias")] == [
        "kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "bias_constraint"]
    batch_norm = pk.batch_normalization().get_config()
    assert [k for k in batch_norm if k.endswith("_initializer")] == [
        "beta_initializer", "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer"]
    lstm = pk.lstm(2).get_config()
    assert [k for k in lstm if k.endswith("_regularizer")] == [
        "kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer"]


def test_batch_normalization_creates_gamma_beta_then_moving_statistics():
    layer = pk.batch_normalization()
    layer(np.ones((2, 3), "float32"))
    assert [w.name.split("/")[1] for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.trainable for w in layer.weights] == [True, True, False, False]


def test_no_layer_module_reads_weight_arguments_by_hand():
    layers = pathlib.Path(pk.__file__).parent / "layers"
    pattern = re.compile(r"\b(initializers|regularizers|constraints)\.(get|serialize)\(")
    offenders = [str(path.relative_to(layers)) for path in layers.rglob("*.py") if pattern.search(path.read_text())]
    assert offenders == []
