"""Activation layers with their own arguments (Keras's keras.layers.ReLU, LeakyReLU, ELU, ThresholdedReLU,
Softmax, PReLU); R names them layer_activation_relu, layer_activation_leaky_relu, ...

The elementwise ones run the activation code table's math (compute/activation_table.py: relu, leaky_relu,
elu, threshold) through `activations.Elementwise`; Softmax runs the softmax kernels; PReLU has a trainable
slope per entry (or per group of entries along `shared_axes`).
"""

import math

import numpy as np

from .. import activations
from ..compute import activations as activation_kernels
from ..engine.layer import InputSpec, Layer
from ..engine.weights import DeclaresWeights, Weight
from ..errors import ConfigError, ShapeError

# What a masked position of a masked softmax holds before the softmax (Keras's value for float32/64)
_MASKED_LOGIT = -1e9


def _non_negative(layer_class, argument, value, allow_none=False):
    """Returns `value` as a float >= 0 (or None when allowed), or raises a ConfigError naming the argument."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < 0:
        hint = " or None" if allow_none else ""
        raise ConfigError(f"{layer_class}: {argument} must be a number >= 0{hint}, received {value!r}.")
    return float(value)


class _ElementwiseActivationLayer(Layer):
    """Applies `self.function`, an `activations.Elementwise` of the code table, to every entry."""

    supports_masking = True
    function = None

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs):
        outputs = self.function(inputs)
        self.save_for_backward(inputs, outputs)
        return outputs

    def backward(self, grad_output):
        inputs, outputs = self.saved_tensors
        return self.function.backward(inputs, outputs, grad_output)


class ReLU(_ElementwiseActivationLayer):
    """Rectified linear unit: `max_value` above it, `x` above `threshold`, `negative_slope * (x - threshold)`
    below.

    Args:
        max_value: float >= 0, the largest output (None: unbounded).
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float >= 0, below it the output is damped.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a negative or non-numeric argument.

    Example:
        >>> model = sequential() | conv_2d(32, 3, input_shape=(32, 32, 3)) | activation_relu(max_value=6.0)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _non_negative("ReLU", "negative_slope", negative_slope)
        self.threshold = _non_negative("ReLU", "threshold", threshold)
        self.function = activations.Elementwise("relu", negative_slope=self.negative_slope,
                                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_ElementwiseActivationLayer):
    """Leaky rectified linear unit: `x` for x > 0, `negative_slope * x` otherwise.

    Args:
        negative_slope: float >= 0 (Keras 3's default 0.3; `alpha`, Keras 2's name, is accepted too).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a negative or non-numeric slope.

    Example:
        >>> model = sequential() | dense(64, input_shape=32) | activation_leaky_relu(negative_slope=0.2)
    """

    def __init__(self, negative_slope=0.3, alpha=None, **kwargs):
        super().__init__(**kwargs)
        if alpha is not None:
            negative_slope = alpha
        self.negative_slope = _non_negative("LeakyReLU", "negative_slope", negative_slope)
        self.function = activations.Elementwise("leaky_relu", negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_ElementwiseActivationLayer):
    """Exponential linear unit: `x` for x > 0, `alpha * (exp(x) - 1)` otherwise.

    Args:
        alpha: float, the scale of the negative part (1.0).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> model = sequential() | dense(64, input_shape=32) | activation_elu(alpha=0.5)
    """

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)) \
                or not math.isfinite(alpha):
            raise ConfigError(f"ELU: alpha must be a finite number, received {alpha!r}.")
        self.alpha = float(alpha)
        self.function = activations.Elementwise("elu", alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class ThresholdedReLU(_ElementwiseActivationLayer):
    """Thresholded rectified linear unit: `x` for x > theta, 0 otherwise.

    Args:
        theta: float >= 0, the threshold (1.0).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a negative or non-numeric theta.

    Example:
        >>> model = sequential() | dense(64, input_shape=32) | activation_thresholded_relu(theta=0.5)
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        self.theta = _non_negative("ThresholdedReLU", "theta", theta)
        self.function = activations.Elementwise("threshold", threshold=self.theta, default_value=0.0)

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


class Softmax(Layer):
    """Softmax over `axis`; with a mask, masked positions get probability 0 and the rest sum to 1.

    A mask the shape of the input's leading axes (a sequence mask from `masking` or `embedding(mask_zero=
    TRUE)`) masks whole rows: their outputs are 0. Any other mask must broadcast to the input as Keras's does
    (each axis, counted from the last, 1 or the input's size).

    Args:
        axis: int or list of ints, the axes normalized over (the last by default).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for an axis that is not an int or a list of ints.
        ShapeError: for an axis outside the input's rank, or a mask that does not broadcast to the input.

    Example:
        >>> model = sequential() | dense(10, input_shape=32) | activation_softmax()
    """

    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)) for a in axes):
            raise ConfigError(f"Softmax: axis must be an int or a list of ints, received {axis!r}.")
        self.axis = [int(a) for a in axis] if isinstance(axis, (list, tuple)) else int(axis)
        self._axes = [int(a) for a in axes]

    def validate_input_shape(self, input_shape):
        rank = len(input_shape)
        bad = [a for a in self._axes if not -rank <= a < rank]
        if bad:
            raise self.error(ShapeError, f"axis {bad[0]} is outside the input of rank {rank} (shape "
                                         f"{input_shape}); give an axis in [{-rank}, {rank - 1}].")

    def compute_output_shape(self, input_shape):
        return input_shape

    def _moved(self, x):
        """x with the softmax axes moved last and merged into one (the kernels' last-axis rows)."""
        axes = sorted({a % x.ndim for a in self._axes})
        order = [i for i in range(x.ndim) if i not in axes] + axes
        moved = np.transpose(x, order)
        return moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,)), order, moved.shape

    @staticmethod
    def _restored(rows, order, moved_shape):
        return np.transpose(rows.reshape(moved_shape), np.argsort(order))

    def _broadcast_mask(self, mask, shape):
        mask = np.asarray(mask)
        if mask.dtype != np.bool_:
            mask = mask > 0.5
        if mask.ndim < len(shape) and mask.shape == tuple(shape[:mask.ndim]):
            mask = mask.reshape(mask.shape + (1,) * (len(shape) - mask.ndim))
        if mask.ndim > len(shape) or any(m not in (1, s) for m, s in zip(mask.shape[::-1], shape[::-1])):
            raise self.error(ShapeError, f"the mask of shape {mask.shape} does not broadcast to the input of shape "
                                         f"{tuple(shape)}; give a mask of the input's shape (or of its leading "
                                         "axes, or with 1 on the axes it is shared along).")
        return np.broadcast_to(mask, shape)

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._broadcast_mask(mask, inputs.shape)
            inputs = np.where(mask, inputs, np.asarray(_MASKED_LOGIT, dtype=inputs.dtype))
        rows, order, moved_shape = self._moved(inputs)
        outputs = self._restored(activation_kernels.softmax(rows), order, moved_shape)
        if mask is not None:
            self.save_for_backward(outputs, mask)
            return np.where(mask, outputs, np.zeros((), dtype=outputs.dtype))
        self.save_for_backward(outputs, None)
        return np.ascontiguousarray(outputs)

    def backward(self, grad_output):
        outputs, mask = self.saved_tensors
        if mask is not None:
            grad_output = np.where(mask, grad_output, np.zeros((), dtype=grad_output.dtype))
        y_rows, order, moved_shape = self._moved(outputs)
        dy_rows, _, _ = self._moved(np.asarray(grad_output, dtype=outputs.dtype))
        grad = self._restored(activation_kernels.softmax_backward(y_rows, dy_rows), order, moved_shape)
        return np.ascontiguousarray(grad if mask is None else np.where(mask, grad, np.zeros((), dtype=grad.dtype)))

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class PReLU(DeclaresWeights, Layer):
    """Parametric rectified linear unit: `x` for x > 0, `alpha * x` otherwise, with `alpha` a trained weight
    of the input's shape (batch axis excluded), shared along `shared_axes`.

    Args:
        alpha_initializer: initializer of the slopes ("zeros").
        alpha_regularizer: optional regularizer of the slopes.
        alpha_constraint: optional constraint of the slopes.
        shared_axes: None, an int or a list of ints >= 1: the input axes along which one slope is shared
            (`shared_axes=c(1, 2)` after a 2-D convolution: one slope per channel).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for a shared axis that is not an int >= 1.
        ShapeError: for a shared axis beyond the input's rank, or an unknown size on a per-entry axis.

    Example:
        >>> model = sequential() | conv_2d(16, 3, input_shape=(28, 28, 1)) | \\
        ...     activation_parametric_relu(shared_axes=c(1, 2))
    """

    supports_masking = True
    takes_activity_regularizer = False
    declared_weights = (Weight("alpha", lambda layer, shape: layer.alpha_shape(shape)),)

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None,
                 **kwargs):
        super().__init__(**kwargs)
        axes = None if shared_axes is None else list(shared_axes) if isinstance(shared_axes, (list, tuple)) \
            else [shared_axes]
        if axes is not None and any(isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)) or a < 1
                                    for a in axes):
            raise ConfigError(f"PReLU: shared_axes must be None or ints >= 1 (input axes, the batch axis being 0), "
                              f"received {shared_axes!r}.")
        self.shared_axes = None if axes is None else [int(a) for a in axes]
        self.take_weight_arguments(locals())

    def alpha_shape(self, input_shape):
        """The slopes' shape for inputs of `input_shape` (batch axis included)."""
        return tuple(1 if axis in (self.shared_axes or ()) else size
                     for axis, size in enumerate(input_shape) if axis > 0)

    def validate_input_shape(self, input_shape):
        shared = self.shared_axes or []
        beyond = [a for a in shared if a >= len(input_shape)]
        if beyond:
            raise self.error(ShapeError, f"shared_axes has axis {beyond[0]}, but the input of shape {input_shape} has "
                                         f"axes 1 to {len(input_shape) - 1}.")
        unknown = [a for a in range(1, len(input_shape)) if a not in shared and input_shape[a] is None]
        if unknown:
            raise self.error(ShapeError, f"axis {unknown[0]} of the input (shape {input_shape}) has no known size, so "
                                         "there is no slope per entry along it; add it to shared_axes.")

    def build(self, input_shape):
        super().build(input_shape)
        shared = self.shared_axes or []
        self.input_spec = InputSpec(ndim=len(input_shape),
                                    axes={a: input_shape[a] for a in range(1, len(input_shape)) if a not in shared})

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs):
        alpha = self.alpha.value
        outputs = np.where(inputs > 0, inputs, alpha * inputs).astype(inputs.dtype, copy=False)
        self.save_for_backward(inputs)
        return outputs

    def backward(self, grad_output):
        (inputs,) = self.saved_tensors
        alpha = self.alpha.value
        if self.trainable and self.alpha.trainable:
            negative = np.where(inputs < 0, inputs, np.zeros((), dtype=inputs.dtype)) * grad_output
            summed = tuple(axis for axis in range(inputs.ndim) if axis == 0 or alpha.shape[axis - 1] == 1)
            self.add_grad(self.alpha, negative.sum(axis=summed, keepdims=True).reshape(alpha.shape)
                          .astype(alpha.dtype, copy=False))
        if not self.input_grad_needed:
            return None
        slope = np.where(inputs > 0, np.ones((), dtype=alpha.dtype), np.where(inputs < 0, alpha, 0))
        return grad_output * slope

    def get_config(self):
        return {**super().get_config(), **self.weight_config(), "shared_axes": self.shared_axes}
