"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization and UnitNormalization.

The first three lay the input out as a 2D array (rows, features) with the normalized feature axis (axes) last and call
the Numba kernels in `compute/normalization.py`. For the default axis=-1 this is a free reshape; other axes
are transposed there and back. GroupNormalization is a layer normalization of each group of channels
(its rows: sample x group) with a per-channel scale and offset.

BatchNormalization in training mode (`training=True` and the layer trainable) normalizes with the batch
mean and the biased batch variance and updates the moving statistics,
`moving = moving * momentum + batch * (1 - momentum)`; in inference mode (`training=False`, or a layer set
`trainable=False`, as Keras 2.x/3 do) it uses the moving statistics and updates nothing.
"""

import numpy as np

from ..engine.weights import DeclaresWeights, Weight
from ..engine.layer import InputSpec, Layer, shape_str
from ..errors import ConfigError, ShapeError
from ..compute.normalization import (batch_norm_backward, batch_norm_forward, column_moments, layer_norm_backward,
                                     layer_norm_forward)


def _number(layer_class, argument, value, low, high, low_open=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{layer_class}: {argument} must be a number, received {value!r}.")
    value = float(value)
    if value < low or value > high or (low_open and value == low):
        bracket = "(" if low_open else "["
        raise ConfigError(f"{layer_class}: {argument} must be in {bracket}{low:g}, {high:g}], received {value!r}.")
    return value


def _axis_argument(layer_class, axis, allow_list):
    """Checks the type of `axis` (an int, or with allow_list a non-empty list of ints); returns it as stored."""
    def is_int(a):
        return isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))
    if is_int(axis):
        return int(axis)
    if allow_list and isinstance(axis, (list, tuple)) and axis and all(is_int(a) for a in axis):
        return [int(a) for a in axis]
    kind = "an int or a non-empty list of ints" if allow_list else "an int"
    raise ConfigError(f"{layer_class}: axis must be {kind} (e.g. -1 for the channels_last feature axis), "
                      f"received {axis!r}.")


def _to_rows(x, axes):
    """Returns (x2, perm, moved_shape): x with `axes` (sorted, positive) moved last, as a contiguous 2D array."""
    rank = x.ndim
    others = [a for a in range(rank) if a not in axes]
    perm = others + list(axes)
    if perm == list(range(rank)):
        moved = np.ascontiguousarray(x)
        perm = None
    else:
        moved = np.ascontiguousarray(np.transpose(x, perm))
    features = int(np.prod([x.shape[a] for a in axes]))
    return moved.reshape(-1, features), perm, moved.shape


def _from_rows(y2, perm, moved_shape):
    y = y2.reshape(moved_shape)
    return y if perm is None else np.ascontiguousarray(np.transpose(y, np.argsort(perm)))


class _Normalization(DeclaresWeights, Layer):
    """Shared argument handling: axes, center/scale weights, their initializers, regularizers, constraints."""

    supports_masking = True
    _allow_axis_list = False
    declared_weights = (
        Weight("gamma", lambda layer, shape: layer.affine_shape(shape), enabled="scale"),
        Weight("beta", lambda layer, shape: layer.affine_shape(shape), enabled="center"),
    )
    takes_activity_regularizer = False
    weight_config_order = ("beta", "gamma", "moving_mean", "moving_variance")  # Keras lists beta first

    def _resolve_axes(self, input_shape):
        """Returns the normalized axes as sorted positive ints for `input_shape`, or raises a ShapeError."""
        rank = len(input_shape)
        given = self.axis if isinstance(self.axis, list) else [self.axis]
        resolved = []
        for axis in given:
            if not -rank <= axis < rank:
                raise self.error(ShapeError, (
                    f"axis {axis} is out of range for an input of rank {rank} (received shape "
                    f"{shape_str(input_shape)}); valid axes are 1..{rank - 1} or -1..-{rank - 1}. "
                    f"For channels_last data the feature axis is -1."))
            positive = axis % rank
            if positive == 0:
                raise self.error(ShapeError, (
                    f"axis {axis} is the batch axis of the input {shape_str(input_shape)}; normalize over a "
                    f"feature axis instead, usually axis=-1 (channels_last)."))
            if positive in resolved:
                raise self.error(ShapeError, f"axis {self.axis} names axis {positive} twice.")
            resolved.append(positive)
        for axis in resolved:
            if input_shape[axis] is None:
                raise self.error(ShapeError, (
                    f"the normalized axis {axis} of the input must have a known size, received "
                    f"{shape_str(input_shape)}."))
        return sorted(resolved)

    def affine_shape(self, input_shape):
        """The shape of gamma and beta for inputs of `input_shape`."""
        raise NotImplementedError

    def _affine_arrays(self, features, dtype):
        gamma = np.ones(features, dtype) if self.gamma is None else self.gamma.value.reshape(-1).astype(dtype)
        beta = np.zeros(features, dtype) if self.beta is None else self.beta.value.reshape(-1).astype(dtype)
        return gamma, beta

    def _add_affine_grads(self, dgamma, dbeta):
        if self.gamma is not None:
            self.add_grad(self.gamma, dgamma.reshape(self.gamma.shape).astype(self.gamma.value.dtype))
        if self.beta is not None:
            self.add_grad(self.beta, dbeta.reshape(self.beta.shape).astype(self.beta.value.dtype))

    def validate_input_shape(self, input_shape):
        self._resolve_axes(input_shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def _affine_config(self):
        return {"center": self.center, "scale": self.scale, **self.weight_config()}


class BatchNormalization(_Normalization):
    """Normalizes each feature with batch statistics in training and moving statistics in inference.

    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`, per feature along `axis`.

    Args:
        axis: the feature axis (default -1, the channels of channels_last data).
        momentum: weight of the old value in the moving averages (default 0.99).
        epsilon: added to the variance (default 1e-3).
        center: learn an offset `beta`.
        scale: learn a factor `gamma`.
        beta_initializer, gamma_initializer: initializers ("zeros", "ones").
        moving_mean_initializer, moving_variance_initializer: initializers ("zeros", "ones").
        beta_regularizer, gamma_regularizer: optional regularizers.
        beta_constraint, gamma_constraint: optional constraints.

    Weights, in Keras order: gamma, beta (trainable), moving_mean, moving_variance (not trainable).

    Example:
        >>> model = model | conv_2d(32, 3) | batch_normalization() | activation("relu")
    """

    uses_learning_phase = True
    declared_weights = _Normalization.declared_weights + (
        Weight("moving_mean", lambda layer, shape: layer.affine_shape(shape), state=True),
        Weight("moving_variance", lambda layer, shape: layer.affine_shape(shape), state=True),
    )

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.axis = _axis_argument(cls, axis, allow_list=False)
        self.momentum = _number(cls, "momentum", momentum, 0.0, 1.0)
        self.epsilon = _number(cls, "epsilon", epsilon, 0.0, np.inf, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.take_weight_arguments(locals())

    def affine_shape(self, input_shape):
        return (input_shape[self._axis],)

    def build(self, input_shape):
        (axis,) = self._resolve_axes(input_shape)
        self._axis = axis
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={axis: input_shape[axis]})

    def call(self, inputs, training=False):
        x2, perm, moved_shape = _to_rows(inputs, [self._axis])
        dtype = x2.dtype
        batch_stats = bool(training) and self.trainable
        if batch_stats:
            mean, var = column_moments(x2)
            self._update_moving(mean, var)
        else:
            mean = self.moving_mean.value.astype(np.float64)
            var = self.moving_variance.value.astype(np.float64)
        inv_std = (1.0 / np.sqrt(var + self.epsilon)).astype(dtype)
        gamma, beta = self._affine_arrays(x2.shape[1], dtype)
        y2, xhat = batch_norm_forward(x2, mean.astype(dtype), inv_std, gamma, beta)
        self.save_for_backward(xhat, gamma, inv_std, batch_stats, perm, moved_shape)
        return _from_rows(y2, perm, moved_shape)

    def _update_moving(self, mean, var):
        m = self.momentum
        for variable, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            updated = variable.value * m + batch * (1.0 - m)
            variable.value[...] = updated.astype(variable.value.dtype)

    def backward(self, grad_output):
        xhat, gamma, inv_std, batch_stats, perm, moved_shape = self.saved_tensors
        dy2, _, _ = _to_rows(np.asarray(grad_output, dtype=xhat.dtype), [self._axis])
        dx2, dgamma, dbeta = batch_norm_backward(dy2, xhat, gamma, inv_std, batch_stats, self.input_grad_needed)
        if self.trainable:
            self._add_affine_grads(dgamma, dbeta)
        return _from_rows(dx2, perm, moved_shape) if self.input_grad_needed else None

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **self._affine_config(),
        }


class LayerNormalization(_Normalization):
    """Normalizes each sample over `axis` (its features), the same in training and inference.

    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`, mean and (biased) variance over `axis` per sample.

    Args:
        axis: int or list of ints, the normalized axes (default -1); gamma and beta have their sizes.
        epsilon: added to the variance (default 1e-3).
        center, scale: learn `beta`, `gamma`.
        beta_initializer, gamma_initializer: initializers ("zeros", "ones").
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: optional.

    Example:
        >>> model = model | dense(64) | layer_normalization()
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.axis = _axis_argument(cls, axis, allow_list=True)
        self.epsilon = _number(cls, "epsilon", epsilon, 0.0, np.inf, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.take_weight_arguments(locals())

    def affine_shape(self, input_shape):
        return tuple(input_shape[a] for a in self._axes)

    def build(self, input_shape):
        self._axes = self._resolve_axes(input_shape)
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={a: input_shape[a] for a in self._axes})

    def call(self, inputs, training=False):
        x2, perm, moved_shape = _to_rows(inputs, self._axes)
        gamma, beta = self._affine_arrays(x2.shape[1], x2.dtype)
        y2, xhat, inv_std = layer_norm_forward(x2, gamma, beta, self.epsilon)
        self.save_for_backward(xhat, gamma, inv_std, perm, moved_shape)
        return _from_rows(y2, perm, moved_shape)

    def backward(self, grad_output):
        xhat, gamma, inv_std, perm, moved_shape = self.saved_tensors
        dy2, _, _ = _to_rows(np.asarray(grad_output, dtype=xhat.dtype), self._axes)
        dx2, dgamma, dbeta = layer_norm_backward(dy2, xhat, gamma, inv_std, self.input_grad_needed)
        if self.trainable:
            self._add_affine_grads(dgamma, dbeta)
        return _from_rows(dx2, perm, moved_shape) if self.input_grad_needed else None

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, **self._affine_config()}


class GroupNormalization(_Normalization):
    """Normalizes each sample over groups of channels: the channels along `axis` are split into `groups`
    equal groups, and each group is normalized over its channels and every other non-batch axis.

    `y = gamma * (x - mean) / sqrt(var + epsilon) + beta`, mean and (biased) variance per sample and group,
    gamma and beta per channel. `groups=-1` gives one group per channel (instance normalization), `groups=1`
    a layer normalization over all axes.

    Args:
        groups: a positive int dividing the number of channels, or -1 (32 by default, as Keras).
        axis: the channel axis (default -1).
        epsilon: added to the variance (default 1e-3).
        center, scale: learn `beta`, `gamma`.
        beta_initializer, gamma_initializer: initializers ("zeros", "ones").
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: optional.

    Raises:
        ConfigError: for groups that is not a positive int or -1.
        ShapeError: for a channel count that the groups do not divide.

    Example:
        >>> model = sequential() | conv_2d(32, 3, input_shape=(28, 28, 1)) | group_normalization(groups=8)
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)) or \
                (groups <= 0 and groups != -1):
            raise ConfigError(f"{cls}: groups must be a positive int (or -1 for one group per channel), "
                              f"received {groups!r}.")
        self.groups = int(groups)
        self.axis = _axis_argument(cls, axis, allow_list=False)
        self.epsilon = _number(cls, "epsilon", epsilon, 0.0, np.inf, low_open=True)
        self.center, self.scale = bool(center), bool(scale)
        self.take_weight_arguments(locals())

    def affine_shape(self, input_shape):
        return (input_shape[self.axis],)

    def validate_input_shape(self, input_shape):
        (axis,) = self._resolve_axes(input_shape)
        channels = input_shape[axis]
        groups = channels if self.groups == -1 else self.groups
        if channels % groups:
            raise self.error(ShapeError, (
                f"groups={groups} must divide the {channels} channels of axis {axis} (input "
                f"{shape_str(input_shape)}); give a divisor of {channels}, or -1 for one group per channel."))

    def build(self, input_shape):
        (self._axis,) = self._resolve_axes(input_shape)
        self._groups = input_shape[self._axis] if self.groups == -1 else self.groups
        super().build(input_shape)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self._axis: input_shape[self._axis]})

    def _group_rows(self, x_last):
        """(batch, *spatial, channels) -> rows (batch * groups, spatial * channels / groups)."""
        batch, channels = x_last.shape[0], x_last.shape[-1]
        grouped = x_last.reshape(batch, -1, self._groups, channels // self._groups).transpose(0, 2, 1, 3)
        return np.ascontiguousarray(grouped).reshape(batch * self._groups, -1)

    def _ungroup(self, rows, shape):
        batch, channels = shape[0], shape[-1]
        grouped = rows.reshape(batch, self._groups, -1, channels // self._groups).transpose(0, 2, 1, 3)
        return grouped.reshape(shape)

    def call(self, inputs, training=False):
        x = np.moveaxis(inputs if inputs.dtype.kind == "f" else inputs.astype(self.dtype), self._axis, -1)
        rows = self._group_rows(x)
        ones, zeros = np.ones(rows.shape[1], rows.dtype), np.zeros(rows.shape[1], rows.dtype)
        _, xhat_rows, inv_std = layer_norm_forward(rows, ones, zeros, self.epsilon)
        gamma, beta = self._affine_arrays(x.shape[-1], x.dtype)
        xhat = self._ungroup(xhat_rows, x.shape)
        self.save_for_backward(xhat_rows, xhat, gamma, inv_std)
        return np.ascontiguousarray(np.moveaxis(xhat * gamma + beta, -1, self._axis))

    def backward(self, grad_output):
        xhat_rows, xhat, gamma, inv_std = self.saved_tensors
        dy = np.moveaxis(np.asarray(grad_output, dtype=xhat.dtype), self._axis, -1)
        if self.trainable:
            summed = tuple(range(dy.ndim - 1))
            self._add_affine_grads((dy * xhat).sum(axis=summed), dy.sum(axis=summed))
        if not self.input_grad_needed:
            return None
        ones = np.ones(xhat_rows.shape[1], xhat_rows.dtype)
        dx_rows, _, _ = layer_norm_backward(self._group_rows(dy * gamma), xhat_rows, ones, inv_std, True)
        return np.ascontiguousarray(np.moveaxis(self._ungroup(dx_rows, dy.shape), -1, self._axis))

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                **self._affine_config()}


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: `x / sqrt(sum(x^2))` (the factor capped at 1e12, so an
    all-zero slice stays zero).

    Args:
        axis: int or list of ints, the axes of the norm (default -1).
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        ConfigError: for an axis that is not an int or a list of ints.
        ShapeError: for an axis outside the input or the batch axis.

    Example:
        >>> model = sequential() | dense(16, input_shape=8) | unit_normalization()
    """

    supports_masking = True
    _largest_factor = 1e12  # Keras's 1 / epsilon

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axis_argument(type(self).__name__, axis, allow_list=True)

    def validate_input_shape(self, input_shape):
        rank = len(input_shape)
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if not -rank <= axis < rank or axis % rank == 0:
                raise self.error(ShapeError, (
                    f"axis {axis} is not a feature axis of the input {shape_str(input_shape)}; valid axes are "
                    f"1..{rank - 1} or -1..-{rank - 1}."))

    def compute_output_shape(self, input_shape):
        return input_shape

    def _axes(self, x):
        return tuple(a % x.ndim for a in (self.axis if isinstance(self.axis, list) else [self.axis]))

    def call(self, inputs):
        x = inputs if inputs.dtype.kind == "f" else inputs.astype(self.dtype)
        squares = np.square(x).sum(axis=self._axes(x), keepdims=True)
        with np.errstate(divide="ignore"):
            factor = np.minimum(1.0 / np.sqrt(squares), self._largest_factor).astype(x.dtype)
        self.save_for_backward(x, factor)
        return x * factor

    def backward(self, grad_output):
        x, factor = self.saved_tensors
        capped = factor >= self._largest_factor
        inner = (grad_output * x).sum(axis=self._axes(x), keepdims=True)
        return grad_output * factor - np.where(capped, 0.0, x * factor ** 3 * inner).astype(x.dtype, copy=False)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
