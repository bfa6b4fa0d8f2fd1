"""Array functions with Keras 3's `keras.ops` names, on NumPy arrays and on the traced values of a recording.

On NumPy arrays an op returns NumPy arrays (float32 stays float32) and records nothing. Inside a
`GradientTape` (or `grad`), an op on a watched value, or on a value computed from one, returns a `Traced`
value and is recorded with its vector-Jacobian product, so the tape can differentiate through it.

- `math.py`: elementwise math, comparisons, `where`, `clip`.
- `reductions.py`: sum, mean, max, min, prod, var, std, logsumexp, argmax/argmin, any/all, cumsum.
- `linalg.py`: matmul, dot, tensordot, einsum, transpose, norm.
- `reshaping.py`: reshape, expand_dims, squeeze, concatenate, stack, split, indexing, take, one_hot, tile, repeat,
  pad, cast, flip, top_k.
- `nn.py`: softmax, log_softmax, the built-in activations, moments, layer_normalization.
- `convolution.py`: conv, depthwise_conv, separable_conv, conv_transpose, max_pool, average_pool through the
  convolution and pooling kernels, their backward kernels as the gradients.
- `losses.py`: the built-in losses as functions (one value per position, as `pipekeras.losses`).
- `random.py`: normal, uniform, dropout_mask, dropout (seeded by `backend.set_seed` or a `seed`).
- `creation.py`: conversions and constant arrays.
"""

import sys as _sys

from ..autodiff import traced as _traced
from ..autodiff import (GradientTape, Traced, custom_gradient, grad, is_recording, record_op, stop_gradient,
                        value_and_grad)
from .creation import (arange, convert_to_numpy, convert_to_tensor, eye, full, ones, ones_like, shape, zeros,
                       zeros_like)
from .convolution import average_pool, conv, conv_transpose, depthwise_conv, max_pool, separable_conv
from .linalg import dot, einsum, matmul, norm, tensordot, transpose
from .losses import (binary_crossentropy, categorical_crossentropy, categorical_hinge, cosine_similarity, hinge,
                     huber, kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                     mean_squared_error, mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                     squared_hinge)
from .math import (abs, absolute, add, clip, cos, divide, equal, erf, exp, expm1, gelu, greater, greater_equal, less,
                   less_equal, log, log1p, maximum, minimum, multiply, negative, not_equal, power, relu, rsqrt,
                   sigmoid, sign, sin, softplus, sqrt, square, subtract, tanh, where)
from .nn import (elu, exponential, hard_sigmoid, layer_normalization, leaky_relu, linear, log_softmax, mish, moments,
                 relu6, selu, silu, softmax, softsign, swish)
from .random import dropout, dropout_mask, normal, uniform
from .reductions import all, any, argmax, argmin, cumsum, logsumexp, max, mean, min, prod, std, sum, var
from .reshaping import (cast, concatenate, expand_dims, flip, get_item, one_hot, pad, repeat, reshape, slice, split,
                    squeeze, stack, take, take_along_axis, tile, top_k)

_traced.builders.ops = _sys.modules[__name__]  # Traced's operators (a + b, x[i]) compute with these ops
