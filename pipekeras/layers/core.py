"""Core layers: Dense, Activation, Dropout."""

from typing import NamedTuple

import numpy as np

from .. import backend
from ..engine.layer import InputSpec, Layer
from ..engine.weights import DeclaresWeights, Weight
from ..errors import ShapeError
from ..compute.dense import column_sums, dense_backward, dense_forward
from ..compute.sparse_dense import sparse_kernel_grad, sparse_times
from ..engine.sparse_rows import SparseRows
from .activated import ActivatedLayer
from .validation import boolean, positive_int, rate_in_unit_interval
from .validation import noise_shape as validate_noise_shape


class DenseSpec(NamedTuple):
    """A Dense layer as runners of fused dense stacks take it: `activation(x @ kernel + bias)`."""

    units: int
    activation: object
    kernel: object  # Variable
    bias: object  # Variable or None


class Dense(DeclaresWeights, ActivatedLayer):
    """Densely connected layer: `output = activation(dot(input, kernel) + bias)`.

    On inputs of rank > 2 it acts on the last axis (as Keras 2 and 3 do): (batch, t, d) -> (batch, t, units).
    As a model's first layer it also takes sparse rows (a SciPy sparse matrix or lists of ids given to fit,
    evaluate or predict): it then sums the kernel rows of each row's ids.

    Args:
        units: positive integer, size of the output.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.
        **kwargs: name, trainable, input_shape, batch_input_shape, input_dim, dtype.

    Example:
        >>> model = sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax")
    """

    supports_masking = True  # per position: a sequence mask passes on, as in Keras 3
    takes_sparse_rows = True  # see training/sparse_inputs.py
    declared_weights = (
        Weight("kernel", lambda layer, shape: (shape[-1], layer.units)),
        Weight("bias", lambda layer, shape: (layer.units,), enabled="use_bias"),
    )

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        self.units = positive_int("Dense", "units", units)
        self.use_bias = boolean("Dense", "use_bias", use_bias)
        self.take_weight_arguments(locals())
        self.input_spec = InputSpec(min_ndim=2)

    def validate_input_shape(self, input_shape):
        if input_shape[-1] is None:
            raise self.error(ShapeError, f"the last axis of the input must be known, received {input_shape}.")

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def dense_spec(self):
        """Returns this built layer as a `DenseSpec`, or None when it computes more (an activity regularizer,
        a subclass): fused dense-stack runners take the layers that return one."""
        if type(self) is not Dense or self.activity_regularizer is not None:
            return None
        return DenseSpec(self.units, self.activation, self.kernel, self.bias)

    def call(self, inputs, training=False):
        if isinstance(inputs, SparseRows):
            return self._call_sparse(inputs)
        x = inputs.reshape(-1, inputs.shape[-1])
        z = dense_forward(x, self.kernel.value)
        y = self.add_bias_and_activate(z, None if self.bias is None else self.bias.value)
        self.save_for_backward(x, z, y, inputs.shape)
        return y.reshape(inputs.shape[:-1] + (self.units,))

    def _call_sparse(self, rows):
        """Forward on `SparseRows` (ids checked by the training data checks): the sum of the ids' kernel rows,
        times their values, then the bias and the activation."""
        kernel = self.kernel.value
        if rows.width != kernel.shape[0]:
            raise self.error(ShapeError, f"sparse rows of width {rows.width} given to a kernel of {kernel.shape[0]} "
                                         "input features.")
        z = sparse_times(rows.indptr, rows.indices, rows.value_array().astype(kernel.dtype, copy=False), kernel)
        y = self.add_bias_and_activate(z, None if self.bias is None else self.bias.value)
        self.save_for_backward(rows, z, y, rows.shape)
        return y

    def backward(self, grad_output):
        x, z, y, input_shape = self.saved_tensors
        grad = grad_output if not hasattr(grad_output, "reshape") else grad_output.reshape(z.shape)
        dz = self.pre_activation_grad(grad, z, y).reshape(z.shape)
        if isinstance(x, SparseRows):
            return self._backward_sparse(x, np.ascontiguousarray(dz))
        dx, dkernel, dbias = dense_backward(x, self.kernel.value, dz, need_dx=self.input_grad_needed,
                                            need_dkernel=self.trainable, has_bias=self.bias is not None)
        if dkernel is not None:
            self.add_grad(self.kernel, dkernel)
            if dbias is not None:
                self.add_grad(self.bias, dbias)
        return None if dx is None else dx.reshape(input_shape)

    def _backward_sparse(self, rows, dz):
        """The weights' gradients for sparse rows (scattered into the ids' kernel rows); no input gradient."""
        if self.input_grad_needed:
            raise self.error(ShapeError, "sparse rows have no input gradient: give them only as the model's input.")
        if self.trainable:
            kernel = self.kernel.value
            values = rows.value_array().astype(kernel.dtype, copy=False)
            self.add_grad(self.kernel, sparse_kernel_grad(rows.indptr, rows.indices, values, dz, kernel.shape[0]))
            if self.bias is not None:
                self.add_grad(self.bias, column_sums(dz))
        return None

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            **self.weight_config(),
        }


class Activation(ActivatedLayer):
    """Applies an activation function to its input.

    Args:
        activation: name (`"relu"`, `"softmax"`, ...) or activation function.

    Example:
        >>> model = sequential() | dense(32, input_shape=784) | activation("relu")
    """

    supports_masking = True
    takes_shape_changing_activation = True

    def __init__(self, activation, **kwargs):
        super().__init__(activation=activation, **kwargs)

    def compute_output_shape(self, input_shape):
        return self.activation.output_shape(input_shape)

    def call(self, inputs, training=False):
        y = self.activate(inputs)
        self.save_for_backward(inputs, y)
        return y

    def backward(self, grad_output):
        x, y = self.saved_tensors
        return self.pre_activation_grad(grad_output, x, y)


class Dropout(Layer):
    """Sets a fraction `rate` of inputs to 0 in training and scales the rest by 1 / (1 - rate).

    Args:
        rate: fraction of inputs to drop, in [0, 1).
        noise_shape: optional shape of the binary mask (1 where the mask is shared, e.g. (None, 1, features)).
        seed: optional integer seed.

    Example:
        >>> model = sequential() | dense(512, "relu", input_shape=784) | dropout(0.5) | dense(10, "softmax")
    """

    supports_masking = True
    uses_learning_phase = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate_in_unit_interval("Dropout", "rate", rate)
        self.noise_shape = validate_noise_shape(type(self).__name__, noise_shape)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    def compute_output_shape(self, input_shape):
        return input_shape

    def _mask_shape(self, shape):
        if self.noise_shape is None:
            return shape
        return tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))

    def call(self, inputs, training=False):
        if not training or self.rate == 0.0:
            self.save_for_backward(None)
            return inputs
        generator = self._generator or backend.rng()
        keep = generator.random(self._mask_shape(inputs.shape), dtype=np.float64) >= self.rate
        scale = np.asarray(1.0 / (1.0 - self.rate), dtype=inputs.dtype)
        mask = keep.astype(inputs.dtype) * scale
        self.save_for_backward(mask)
        return inputs * mask

    def backward(self, grad_output):
        (mask,) = self.saved_tensors
        return grad_output if mask is None else grad_output * mask

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
