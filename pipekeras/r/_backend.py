"""R keras3's `op_<name>` for every pipekeras.ops function, R keras's backend `k_<name>`, and the session,
seed and configuration functions. Axes count from 0 as in Python (`op_sum(x, axis=0)`): pipekeras.r
scripts are Python, and arrays are indexed from 0 in them."""

import pipekeras as _pk
from .. import backend as _backend
from .. import ops as _ops


GradientTape = _ops.GradientTape  # R's tf$GradientTape


op_abs = _ops.abs
op_absolute = _ops.absolute
op_add = _ops.add
op_all = _ops.all
op_any = _ops.any
op_arange = _ops.arange
op_argmax = _ops.argmax
op_argmin = _ops.argmin
op_binary_crossentropy = _ops.binary_crossentropy
op_cast = _ops.cast
op_categorical_crossentropy = _ops.categorical_crossentropy
op_categorical_hinge = _ops.categorical_hinge
op_clip = _ops.clip
op_concatenate = _ops.concatenate
op_convert_to_numpy = _ops.convert_to_numpy
op_convert_to_tensor = _ops.convert_to_tensor
op_cos = _ops.cos
op_cosine_similarity = _ops.cosine_similarity
op_cumsum = _ops.cumsum
op_custom_gradient = _ops.custom_gradient
op_divide = _ops.divide
op_dot = _ops.dot
op_dropout = _ops.dropout
op_dropout_mask = _ops.dropout_mask
op_einsum = _ops.einsum
op_elu = _ops.elu
op_equal = _ops.equal
op_erf = _ops.erf
op_exp = _ops.exp
op_expand_dims = _ops.expand_dims
op_expm1 = _ops.expm1
op_exponential = _ops.exponential
op_eye = _ops.eye
op_flip = _ops.flip
op_full = _ops.full
op_gelu = _ops.gelu
op_get_item = _ops.get_item
op_greater = _ops.greater
op_greater_equal = _ops.greater_equal
op_hard_sigmoid = _ops.hard_sigmoid
op_hinge = _ops.hinge
op_huber = _ops.huber
op_kl_divergence = _ops.kl_divergence
op_layer_normalization = _ops.layer_normalization
op_leaky_relu = _ops.leaky_relu
op_less = _ops.less
op_less_equal = _ops.less_equal
op_linear = _ops.linear
op_log = _ops.log
op_log1p = _ops.log1p
op_log_cosh = _ops.log_cosh
op_log_softmax = _ops.log_softmax
op_logsumexp = _ops.logsumexp
op_matmul = _ops.matmul
op_max = _ops.max
op_maximum = _ops.maximum
op_average_pool = _ops.average_pool
op_conv = _ops.conv
op_conv_transpose = _ops.conv_transpose
op_depthwise_conv = _ops.depthwise_conv
op_max_pool = _ops.max_pool
op_separable_conv = _ops.separable_conv
op_mean = _ops.mean
op_mean_absolute_error = _ops.mean_absolute_error
op_mean_absolute_percentage_error = _ops.mean_absolute_percentage_error
op_mean_squared_error = _ops.mean_squared_error
op_mean_squared_logarithmic_error = _ops.mean_squared_logarithmic_error
op_min = _ops.min
op_minimum = _ops.minimum
op_mish = _ops.mish
op_moments = _ops.moments
op_multiply = _ops.multiply
op_negative = _ops.negative
op_norm = _ops.norm
op_normal = _ops.normal
op_not_equal = _ops.not_equal
op_one_hot = _ops.one_hot
op_ones = _ops.ones
op_ones_like = _ops.ones_like
op_pad = _ops.pad
op_poisson = _ops.poisson
op_power = _ops.power
op_prod = _ops.prod
op_relu = _ops.relu
op_relu6 = _ops.relu6
op_repeat = _ops.repeat
op_reshape = _ops.reshape
op_rsqrt = _ops.rsqrt
op_selu = _ops.selu
op_shape = _ops.shape
op_sigmoid = _ops.sigmoid
op_sign = _ops.sign
op_silu = _ops.silu
op_sin = _ops.sin
op_slice = _ops.slice
op_softmax = _ops.softmax
op_softplus = _ops.softplus
op_softsign = _ops.softsign
op_sparse_categorical_crossentropy = _ops.sparse_categorical_crossentropy
op_split = _ops.split
op_sqrt = _ops.sqrt
op_square = _ops.square
op_squared_hinge = _ops.squared_hinge
op_squeeze = _ops.squeeze
op_stack = _ops.stack
op_std = _ops.std
op_stop_gradient = _ops.stop_gradient
op_subtract = _ops.subtract
op_sum = _ops.sum
op_swish = _ops.swish
op_take = _ops.take
op_take_along_axis = _ops.take_along_axis
op_tanh = _ops.tanh
op_tensordot = _ops.tensordot
op_tile = _ops.tile
op_top_k = _ops.top_k
op_transpose = _ops.transpose
op_uniform = _ops.uniform
op_var = _ops.var
op_where = _ops.where
op_zeros = _ops.zeros
op_zeros_like = _ops.zeros_like
k_abs = _ops.abs
k_all = _ops.all
k_any = _ops.any
k_argmin = _ops.argmin
k_cast = _ops.cast
k_clip = _ops.clip
k_concatenate = _ops.concatenate
k_cos = _ops.cos
k_cumsum = _ops.cumsum
k_dot = _ops.dot
k_elu = _ops.elu
k_equal = _ops.equal
k_exp = _ops.exp
k_expand_dims = _ops.expand_dims
k_flip = _ops.flip
k_greater = _ops.greater
k_greater_equal = _ops.greater_equal
k_hard_sigmoid = _ops.hard_sigmoid
k_less = _ops.less
k_less_equal = _ops.less_equal
k_log = _ops.log
k_logsumexp = _ops.logsumexp
k_max = _ops.max
k_maximum = _ops.maximum
k_conv = _ops.conv
k_conv_transpose = _ops.conv_transpose
k_depthwise_conv = _ops.depthwise_conv
k_separable_conv = _ops.separable_conv
k_mean = _ops.mean
k_min = _ops.min
k_minimum = _ops.minimum
k_not_equal = _ops.not_equal
k_one_hot = _ops.one_hot
k_ones = _ops.ones
k_ones_like = _ops.ones_like
k_prod = _ops.prod
k_relu = _ops.relu
k_reshape = _ops.reshape
k_sigmoid = _ops.sigmoid
k_sign = _ops.sign
k_sin = _ops.sin
k_softmax = _ops.softmax
k_softplus = _ops.softplus
k_softsign = _ops.softsign
k_sqrt = _ops.sqrt
k_square = _ops.square
k_squeeze = _ops.squeeze
k_stack = _ops.stack
k_std = _ops.std
k_stop_gradient = _ops.stop_gradient
k_sum = _ops.sum
k_tanh = _ops.tanh
k_tile = _ops.tile
k_transpose = _ops.transpose
k_var = _ops.var
k_zeros = _ops.zeros
k_zeros_like = _ops.zeros_like
k_binary_crossentropy = _ops.binary_crossentropy
k_categorical_crossentropy = _ops.categorical_crossentropy
k_sparse_categorical_crossentropy = _ops.sparse_categorical_crossentropy
k_arange = _ops.arange
k_shape = _ops.shape
k_pow = _ops.power
k_constant = _ops.convert_to_tensor
k_epsilon = _pk.backend.epsilon
k_random_normal = _ops.normal
k_random_uniform = _ops.uniform


def k_argmax(x, axis=-1):
    """R keras's `k_argmax`: the index of the largest entry along `axis` (last by default; 0-based)."""
    return _ops.argmax(x, axis=axis)


def k_gather(reference, indices):
    """R keras's `k_gather`: the rows `indices` (0-based) of `reference`."""
    return _ops.take(reference, indices, axis=0)


def k_int_shape(x):
    """R keras's `k_int_shape`: the shape of `x` as a tuple of ints."""
    return tuple(_ops.shape(x))


# ----- session, seeds and configuration

set_random_seed = _backend.set_seed
use_session_with_seed = _backend.set_seed  # R keras 2's older name
clear_session = _pk.clear_session
k_clear_session = _pk.clear_session
config_floatx = _backend.floatx
config_set_floatx = _backend.set_floatx
config_epsilon = _backend.epsilon
