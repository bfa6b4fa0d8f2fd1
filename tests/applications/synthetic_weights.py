"""Weights that Keras and pipekeras can both compute from a layer's name, a weight's name and its shape, so that
the full-depth applications (whose weight files would be tens of MB) are compared without storing weights:
tests/fixtures/make_application_fixtures.py gives them to the Keras model and stores its predictions, the tests
give them to the pipekeras model by layer and weight name."""

import zlib

import numpy as np


def synthetic_weight(layer_name, weight_name, shape):
    """A deterministic float32 array: kernels ~ U(-sqrt(3 / fan_in), ...), biases and shifts small, scales near 1,
    moving variances in [1, 1.5]."""
    shape = tuple(int(s) for s in shape)
    size = int(np.prod(shape))
    phase = zlib.crc32(f"{layer_name}/{weight_name}".encode()) % 10007 * 1e-3
    wave = np.sin(np.arange(size, dtype=np.float64) * 2.399963 + phase).reshape(shape)
    if weight_name == "moving_variance":
        values = 1.25 + 0.25 * wave
    elif weight_name == "gamma":
        values = 1.0 + 0.2 * wave
    elif weight_name in ("beta", "bias", "moving_mean"):
        values = 0.1 * wave
    else:
        fan_in = int(np.prod(shape[:2])) if weight_name == "depthwise_kernel" else int(np.prod(shape[:-1]))
        values = wave * np.sqrt(3.0 / max(fan_in, 1))
    return values.astype(np.float32)


def weight_name(variable):
    """The last part of a Keras or pipekeras variable's name ("kernel", "moving_mean", ...)."""
    return variable.name.rsplit("/", 1)[-1]
