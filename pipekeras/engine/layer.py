"""Layer: the contract every layer keeps (R keras's "About Keras layers").

A subclass implements `build(input_shape)`, `compute_output_shape(input_shape)`, `call(inputs, training)`
and `backward(grad_output)`. Everything else here — naming, building on first call, nodes, weights,
configs, the `_at` accessors — is shared.
"""

import contextlib
import contextvars
import functools
import inspect
import math
import os
import re
import threading
import traceback

import numpy as np

from .. import autodiff, backend, initializers
from ..errors import ArgumentTypeError, ConfigError, NotBuiltError, PipeKerasError, ShapeError, did_you_mean
from ..registry import Registry
from .node import Node
from .pipe_step import PipeStep
from .tensor import SymbolicTensor, is_symbolic, normalize_shape
from .variable import Variable

_LAYER_CLASSES = Registry("layer class")
_NAME_COUNTS = {}
_recording = threading.local()

# What data of each rank means (the seed lecture's table), used in error hints.
RANK_MEANING = {
    2: "(samples, features): vector data, as `dense` takes",
    3: "(samples, timesteps, features): sequence data, as recurrent and 1D convolution layers take",
    4: "(samples, height, width, channels): image data, as 2D convolution layers take",
}


def get_layer_class(class_name):
    """Returns the registered layer class called `class_name`, or None."""
    return _LAYER_CLASSES.find(class_name)


def registered_layer_names():
    return _LAYER_CLASSES.class_names()


def to_snake_case(name):
    """`MaxPooling2D` -> `max_pooling2d`, `LSTM` -> `lstm`, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """Returns `base`, then `base_1`, `base_2`, ... on later calls (Keras' automatic names)."""
    count = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session():
    """Resets automatic layer names, so the next `dense` is called `dense` again.

    Example:
        >>> clear_session()
        >>> dense(4).name   # 'dense'
    """
    _NAME_COUNTS.clear()


def is_recording():
    """True while a training step records what backward needs."""
    return getattr(_recording, "on", False)


class recording:
    """Context manager: layer calls inside it save tensors for `backward`."""

    def __enter__(self):
        self._previous = is_recording()
        _recording.on = True

    def __exit__(self, *exc):
        _recording.on = self._previous


def shape_str(shape):
    if isinstance(shape, list):
        return "[" + ", ".join(shape_str(s) for s in shape) + "]"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class InputSpec:
    """What a layer accepts: rank bounds and fixed sizes of some axes.

    Args:
        ndim: exact rank, or None.
        min_ndim: smallest rank, or None.
        max_ndim: largest rank, or None.
        axes: dict axis -> required size (e.g. `{-1: 784}` once a dense layer is built).

    Example:
        >>> layer.input_spec = InputSpec(ndim=3, axes={-1: 8})   # inputs (batch, steps, 8)
    """

    def __init__(self, ndim=None, min_ndim=None, max_ndim=None, axes=None):
        self.ndim = ndim
        self.min_ndim = min_ndim
        self.max_ndim = max_ndim
        self.axes = dict(axes or {})

    def mismatch(self, shape):
        """Returns what is wrong with `shape`, or None."""
        rank = len(shape)
        if self.ndim is not None and rank != self.ndim:
            return f"rank {self.ndim}", True
        if self.min_ndim is not None and rank < self.min_ndim:
            return f"rank >= {self.min_ndim}", True
        if self.max_ndim is not None and rank > self.max_ndim:
            return f"rank <= {self.max_ndim}", True
        for axis, size in self.axes.items():
            if size is not None and shape[axis] is not None and shape[axis] != size:
                return f"size {size} on axis {axis}", False
        return None

    def __repr__(self):
        parts = {k: v for k, v in vars(self).items() if v}
        return f"InputSpec({', '.join(f'{k}={v}' for k, v in parts.items())})"


def _is_array_input(value):
    if isinstance(value, np.ndarray):
        return True
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, np.ndarray) for v in value)


def _naming_the_layer(init):
    """Wraps a layer class's `__init__` so that the library errors it raises name the layer class.

    Argument lookups shared with other code (`activations.get("relx")`, initializer, regularizer and
    constraint names) do not know which layer asked; this puts `Dense: ` in front of their message.
    """

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs):
        try:
            init(self, *args, **kwargs)
        except PipeKerasError as error:
            layer_class = type(self).__name__
            if layer_class in str(error):
                raise
            raise type(error)(f"{layer_class}: {error}") from None

    return wrapped



# Bytes that layers may still allocate for weights, and what sets the bound (None: no bound).
_weight_budget = contextvars.ContextVar("pipekeras_weight_budget", default=None)


@contextlib.contextmanager
def weight_budget(nbytes, what):
    """Within the block, layers may create weights of at most `nbytes` bytes in all; a larger weight is a
    ConfigError raised before it is allocated. A loader sets it to what its file can hold, so that a small
    file naming one huge layer cannot make it allocate gigabytes.

    Args:
        nbytes: the bound.
        what: what sets it, for the message (e.g. "the file 'm.pkeras' (6,144 bytes)").
    """
    token = _weight_budget.set([nbytes, what])
    try:
        yield
    finally:
        _weight_budget.reset(token)


def _dtype_name(layer_class, dtype, accepted):
    """The name of `dtype` if it is one of `accepted`; a ConfigError naming the layer otherwise."""
    try:
        name = np.dtype(dtype).name
    except (TypeError, ValueError, SyntaxError):
        name = None
    if name not in accepted:
        raise ConfigError(f"{layer_class}: dtype must be one of {list(accepted)}, received {dtype!r}.")
    return name


class Layer(PipeStep):
    """Base class of every layer (and of models, which are layers too).

    Args:
        name: unique name within a model; generated (`dense`, `dense_1`, ...) when omitted.
        trainable: whether the layer's weights are updated in training.
        input_shape: shape of one sample (no batch axis), for the first layer of a Sequential model.
        batch_input_shape: full input shape with the batch axis (needed by stateful RNNs).
        batch_size: fixed batch size, combined with `input_shape`.
        input_dim: `input_shape=(input_dim,)`, as Keras 2 accepted for dense layers.
        dtype: weight dtype, `backend.floatx()` by default.

    Example:
        >>> class Double(Layer):
        ...     def compute_output_shape(self, input_shape):
        ...         return input_shape
        ...     def call(self, inputs, training=False):
        ...         return 2 * inputs
        ...     def backward(self, grad_output):
        ...         return 2 * grad_output
        >>> model = sequential() | dense(4, input_shape=3) | Double()
    """

    # The dtypes a layer's weights and computations may have: those of the compiled kernels.
    accepted_dtypes = ("float32", "float64")

    supports_masking = False
    uses_learning_phase = False
    activity_regularizer = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _LAYER_CLASSES.register()(cls)
        if "__init__" in cls.__dict__:
            cls.__init__ = _naming_the_layer(cls.__init__)
        params = inspect.signature(cls.call).parameters
        cls._call_takes_training = "training" in params
        cls._call_takes_mask = "mask" in params
        cls._differentiates_call = _call_is_newer_than_backward(cls)
        if not cls.__module__.startswith("pipekeras."):
            cls.__setattr__ = _tracking_setattr

    def __init__(self, name=None, trainable=True, input_shape=None, batch_input_shape=None,
                 batch_size=None, input_dim=None, dtype=None, **unknown):
        if unknown:
            self._reject_arguments(unknown)
        if name is not None and (not isinstance(name, str) or not name):
            raise ConfigError(f"{type(self).__name__}: name must be a non-empty string, received {name!r}.")
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self.dtype = _dtype_name(type(self).__name__, dtype or backend.floatx(), self.accepted_dtypes)
        self.built = False
        self.input_spec = None
        self.inbound_nodes = []
        self.outbound_nodes = []
        self._own_weights = []
        self._sublayers = []
        self._ctx = None
        self._activity_penalty = 0.0
        self.input_grad_needed = True
        self._batch_input_shape = self._batch_shape_from(input_shape, batch_input_shape, batch_size, input_dim)
        self._build_input_shape = None

    # ----- construction helpers -------------------------------------------------------------

    def _reject_arguments(self, unknown):
        valid = [p for p in inspect.signature(type(self).__init__).parameters if p not in ("self", "kwargs")]
        valid += ["name", "trainable", "input_shape", "batch_input_shape", "batch_size", "input_dim", "dtype"]
        bad = next(iter(unknown))
        raise ConfigError(
            f"{type(self).__name__}: unknown argument {bad!r}.{did_you_mean(bad, valid)} "
            f"Valid arguments: {', '.join(sorted(set(valid)))}."
        )

    def _batch_shape_from(self, input_shape, batch_input_shape, batch_size, input_dim):
        if batch_input_shape is not None:
            return normalize_shape(batch_input_shape, f"{type(self).__name__}: batch_input_shape")
        if input_shape is None and input_dim is not None:
            input_shape = (input_dim,)
        if input_shape is None:
            return None
        return (batch_size,) + normalize_shape(input_shape, f"{type(self).__name__}: input_shape")

    def error(self, error_class, message):
        """Builds an error whose message starts with this layer's name and class."""
        return error_class(f"Layer {self.name!r} ({type(self).__name__}): {message}")

    def add_weight(self, name, shape, initializer="zeros", regularizer=None, constraint=None,
                   trainable=True):
        """Creates a weight, initializes it and tracks it.

        Args:
            name: short name (`"kernel"`); the variable is named `"<layer>/<name>"`.
            shape: tuple of ints.
            initializer: name or initializer object.
            regularizer: None or a regularizer.
            constraint: None or a constraint.
            trainable: False for state such as moving averages.

        Returns:
            The `Variable`.

        Raises:
            ConfigError: when the weight does not fit in memory (a units or filters argument far too large),
                or exceeds the `weight_budget` in force.
        """
        budget = _weight_budget.get()
        if budget is not None:
            size = math.prod(int(d) for d in shape) * np.dtype(self.dtype).itemsize
            if size > budget[0]:
                raise self.error(ConfigError, f"its weight {name!r} of shape {tuple(shape)} needs {size} bytes, more "
                                 f"than {budget[1]} can hold; the config does not match the file's weights "
                                 "(a corrupted or hostile file).")
            budget[0] -= size
        try:
            # asarray(order="C") rather than ascontiguousarray, which makes a scalar weight (shape ()) 1-D
            value = np.asarray(initializers.get(initializer)(tuple(shape), dtype=self.dtype), dtype=self.dtype,
                               order="C")
        except MemoryError:
            message = (f"its weight {name!r} of shape {tuple(shape)} does not fit in memory. Check the layer's "
                       "size arguments (units, filters, input_dim, ...).")
            raise self.error(ConfigError, message) from None
        variable = Variable(value, f"{self.name}/{name}", trainable, regularizer, constraint)
        self._own_weights.append(variable)
        return variable

    def track_layer(self, layer):
        """Registers a sublayer whose weights belong to this layer (wrappers, nested models)."""
        self._sublayers.append(layer)
        return layer

    @property
    def sublayers(self):
        """The layers nested directly in this one (`track_layer`'s), whose weights belong to it."""
        return list(self._sublayers)

    @property
    def batch_input_shape(self):
        """The input shape given at construction (`input_shape=`, `batch_input_shape=`), batch axis first,
        or None."""
        return self._batch_input_shape

    @property
    def build_input_shape(self):
        """The input shape the layer was built for (batch axis first), or None before it is built."""
        return self._build_input_shape

    # ----- the parts a subclass writes --------------------------------------------------------

    def build(self, input_shape):
        """Creates the weights for inputs of `input_shape` (batch axis included, may be None)."""

    def compute_output_shape(self, input_shape):
        """Returns the output shape for `input_shape`, by running `call` on zeros by default."""
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        dummies = [np.zeros(tuple(1 if d is None else d for d in s), dtype=self.dtype) for s in shapes]
        outputs = self._invoke(dummies if isinstance(input_shape, list) else dummies[0], False, None)
        as_shape = lambda a: (input_shape[0][0] if isinstance(input_shape, list) else input_shape[0],) + a.shape[1:]
        return [as_shape(o) for o in outputs] if isinstance(outputs, (list, tuple)) else as_shape(outputs)

    def call(self, inputs, training=False):
        raise self.error(
            NotImplementedError,
            "has no call(inputs): a layer subclass must define call(self, inputs) returning its output (an array, "
            "or a list of arrays), written with pipekeras.ops so that it trains without a backward().",
        )

    def backward(self, grad_output):
        """The gradient of the inputs from the gradient of the outputs (`add_grad` for the weights).

        A layer that does not define it is differentiated through its `call` (written with `pipekeras.ops`):
        training records `call` on a `GradientTape` and runs the recording's reverse pass.
        """
        return self._backward_from_recording(grad_output)

    def compute_mask(self, inputs, mask=None):
        """Returns the output mask: the input mask for layers that support masking, else None."""
        return mask if self.supports_masking else None

    def get_config(self):
        """Returns the constructor arguments that rebuild this layer (without weights)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from `get_config()`'s output."""
        return cls(**config)

    def reset_states(self):
        """Resets the states of a stateful layer; stateless layers have none."""
        for layer in self._sublayers:
            layer.reset_states()

    # ----- saving state for backward -----------------------------------------------------------

    def save_for_backward(self, *tensors):
        """Keeps what `backward` needs (only while a training step is recording)."""
        if is_recording():
            self._ctx = tensors

    @property
    def saved_tensors(self):
        if self._ctx is None:
            raise self.error(NotBuiltError, "backward() called without a recorded forward pass.")
        return self._ctx

    def add_grad(self, variable, grad):
        """Adds `grad` to `variable.grad` (sums over the calls of a shared layer)."""
        if not (variable.trainable and self.trainable):
            return
        variable.grad = grad if variable.grad is None else variable.grad + grad

    # ----- calling --------------------------------------------------------------------------

    def __call__(self, inputs, training=False, mask=None):
        """Calls the layer on symbolic tensors (records a node) or on arrays (runs it).

        Args:
            inputs: a SymbolicTensor, a NumPy array, or a list of either for merge layers.
            training: run in training mode (dropout active, batch statistics).
            mask: optional boolean mask for sequence inputs.

        Returns:
            SymbolicTensor(s) for symbolic inputs, arrays for arrays.
        """
        if is_symbolic(inputs):
            return self._call_symbolic(inputs)
        return self._call_eager(inputs, training, mask)

    def _input_shapes(self, inputs):
        if isinstance(inputs, (list, tuple)):
            return [tuple(x.shape) for x in inputs]
        return tuple(inputs.shape)

    def _call_symbolic(self, inputs):
        as_list = isinstance(inputs, (list, tuple))
        tensors = list(inputs) if as_list else [inputs]
        shapes = [t.shape for t in tensors]
        self.ensure_built(shapes if as_list else shapes[0])
        out_shape = self.compute_output_shape(shapes if as_list else shapes[0])
        multi_out = isinstance(out_shape, list)
        out_shapes = out_shape if multi_out else [out_shape]
        index = len(self.inbound_nodes)
        suffix = "" if index == 0 else f"_{index}"
        outputs = [SymbolicTensor(s, self._output_dtype(), name=f"{self.name}{suffix}/out{i}" if multi_out else
                                  f"{self.name}{suffix}") for i, s in enumerate(out_shapes)]
        in_mask = [t.mask for t in tensors] if as_list else tensors[0].mask
        out_mask = self.compute_mask(inputs, in_mask)
        for tensor, m in zip(outputs, out_mask if isinstance(out_mask, list) else [out_mask] * len(outputs)):
            tensor.mask = m
        Node(self, tensors, outputs, as_list)
        return outputs if multi_out else outputs[0]

    def _output_dtype(self):
        return self.dtype

    def _call_eager(self, inputs, training, mask):
        if autodiff.is_recording():
            return self._call_recorded(inputs, training, mask)
        if isinstance(inputs, (list, tuple)):
            inputs = [self._as_array(x) for x in inputs]
        else:
            inputs = self._as_array(inputs)
        self.ensure_built(self._input_shapes(inputs), batch_known=True)
        return self._invoke(inputs, training, mask)

    def _as_array(self, x):
        array = np.asarray(x)
        if array.dtype.kind not in "biuf":
            raise self.error(ArgumentTypeError, f"expected a numeric array, received dtype {array.dtype}.")
        if array.dtype.kind == "f" and array.dtype != self.dtype and self._own_weights:
            array = array.astype(self.dtype)
        return array

    def _invoke(self, inputs, training, mask):
        kwargs = {}
        if self._call_takes_training:
            kwargs["training"] = training
        if self._call_takes_mask:
            kwargs["mask"] = mask
        return self.call(inputs, **kwargs)

    def _call_recorded(self, inputs, training, mask):
        """Calls the layer on arrays or traced values inside a user's `GradientTape`.

        A layer without `backward` runs `call` on the traced values (its ops record themselves); a layer with
        its own backward runs its forward unrecorded and enters the recordings as one op whose VJP is that
        backward (its weights' gradients included).
        """
        as_list = isinstance(inputs, (list, tuple))
        values = [autodiff.value_of(x) for x in inputs] if as_list else autodiff.value_of(inputs)
        self.ensure_built(self._input_shapes(values), batch_known=True)
        if self._differentiates_call:
            return self._checked_call(inputs, training, mask)
        with autodiff.suspended(), recording():
            outputs, _, ctx = self.forward_node(values, training, mask)
        weights = self.trainable_weights if self.trainable else []

        def vjp(grad):
            kept = [v.grad for v in weights]
            for v in weights:
                v.grad = None
            try:
                with autodiff.suspended():
                    grads = self.backward_node(ctx, list(grad) if isinstance(grad, tuple) else grad, True)
                weight_grads = [v.grad for v in weights]
            finally:
                for v, grad_before in zip(weights, kept):
                    v.grad = grad_before
            return (list(grads) if as_list else [grads]) + weight_grads

        return autodiff.record_op(self.name, (list(inputs) if as_list else [inputs]) + weights, outputs, vjp)

    def _checked_call(self, inputs, training, mask):
        """`call` on traced values: errors name the layer (and the line of `call` for a lost gradient), and the
        result must be an array or a list/tuple of arrays."""
        try:
            outputs = self._invoke(inputs, training, mask)
        except ArgumentTypeError as error:
            if "gradient would be lost" not in str(error):
                raise
            raise self.error(ArgumentTypeError, f"{_user_line(error.__traceback__)}{error}") from None
        for output in outputs if isinstance(outputs, (list, tuple)) else [outputs]:
            if not isinstance(output, (np.ndarray, autodiff.Traced, Variable)):
                raise self.error(
                    ArgumentTypeError,
                    f"call() returned a {type(output).__name__}; it must return an array (a pipekeras.ops result) "
                    "or a list/tuple of them.",
                )
        return outputs

    def _forward_recorded(self, inputs, training, mask):
        """Runs `call` on a tape of its own (for training a layer without backward); returns (outputs, ctx)."""
        with autodiff.GradientTape() as tape:
            watched = tape.watch(list(inputs) if isinstance(inputs, (list, tuple)) else inputs)
            outputs = self._checked_call(watched, training, mask)
        several = isinstance(outputs, (list, tuple))
        values = [autodiff.value_of(o) for o in outputs] if several else autodiff.value_of(outputs)
        return values, (tape, watched, outputs)

    def _backward_from_recording(self, grad_output):
        """`backward` of a layer without one: the reverse pass of the tape `_forward_recorded` kept."""
        ctx = self.saved_tensors
        if not (isinstance(ctx, tuple) and len(ctx) == 3 and isinstance(ctx[0], autodiff.GradientTape)):
            raise self.error(
                NotImplementedError,
                "has no backward() and its forward pass was not recorded. Write call() with pipekeras.ops (it is "
                "then differentiated automatically), or implement backward(grad_output).",
            )
        tape, watched, outputs = ctx
        several = isinstance(outputs, (list, tuple))
        targets = list(outputs) if several else [outputs]
        seeds = list(grad_output) if several else [grad_output]
        pairs = [(t, g) for t, g in zip(targets, seeds) if isinstance(t, autodiff.Traced) and g is not None]
        inputs = list(watched) if isinstance(watched, list) else [watched]
        wanted = [x for x in inputs if self.input_grad_needed and x.is_float]
        weights = self.trainable_weights if self.trainable else []
        if not pairs:
            return None
        grads = tape.gradient([t for t, _ in pairs], wanted + weights, output_gradients=[g for _, g in pairs])
        for variable, grad in zip(weights, grads[len(wanted):]):
            if grad is not None:
                self.add_grad(variable, grad)
        if not self.input_grad_needed:
            return None
        by_input = dict(zip(map(id, wanted), grads[:len(wanted)]))
        input_grads = [by_input.get(id(x)) for x in inputs]
        input_grads = [np.zeros(x.shape, x.dtype) if g is None and x.is_float else g
                       for g, x in zip(input_grads, inputs)]
        return input_grads if isinstance(watched, list) else input_grads[0]

    def forward_node(self, inputs, training, mask):
        """Runs `call` for one node; returns (outputs, output mask, saved context)."""
        self._ctx = None
        if self._differentiates_call and is_recording():
            outputs, ctx = self._forward_recorded(inputs, training, mask)
        else:
            outputs = self._invoke(inputs, training, mask)
            ctx = self._ctx
        out_mask = self.compute_mask(inputs, mask)
        self._ctx = None  # the node's tape entry holds the context; the layer keeps no batch after the step
        if self.activity_regularizer is not None and is_recording():
            self._activity_penalty = float(self.activity_regularizer(outputs)) / len(outputs)
            ctx = (ctx, outputs)
        return outputs, out_mask, ctx

    def backward_node(self, ctx, grad_output, input_grad_needed=True):
        """Runs `backward` for one node, with that node's saved context swapped in."""
        if self.activity_regularizer is not None:
            ctx, outputs = ctx
            grad_output = grad_output + self.activity_regularizer.gradient(outputs) / len(outputs)
        self._ctx = ctx
        self.input_grad_needed = input_grad_needed
        try:
            return self.backward(grad_output)
        finally:
            self._ctx = None

    def ensure_built(self, input_shape, batch_known=False):
        """Checks `input_shape` against the layer's spec and builds the layer if needed."""
        self.check_input_shape(input_shape)
        if not self.built:
            self.validate_input_shape(input_shape)
            self.build(input_shape)
            self.built = True
            self._build_input_shape = input_shape

    def validate_input_shape(self, input_shape):
        """Hook for layer-specific checks before `build` (raise ShapeError with a hint)."""

    def check_input_shape(self, input_shape):
        """Raises a ShapeError naming the layer when `input_shape` breaks `input_spec`."""
        specs = self.input_spec
        if specs is None:
            return
        if isinstance(input_shape, list):
            specs = specs if isinstance(specs, list) else [specs] * len(input_shape)
            shapes = input_shape
        else:
            specs, shapes = [specs], [input_shape]
        for spec, shape in zip(specs, shapes):
            problem = spec.mismatch(shape)
            if problem:
                expected, is_rank = problem
                raise self.error(ShapeError, self.describe_mismatch(expected, is_rank, spec, shape))

    def describe_mismatch(self, expected, is_rank, spec, shape):
        message = f"expected input with {expected}, received shape {shape_str(shape)}."
        if is_rank and spec.ndim in RANK_MEANING:
            message += f" It needs {RANK_MEANING[spec.ndim]}."
            if spec.ndim == 3:
                message += " An `embedding` or a `reshape` usually comes first."
            elif spec.ndim == 4:
                message += " Reshape the data, e.g. x.reshape(-1, 28, 28, 1), or give input_shape=(h, w, 1)."
        elif is_rank and len(shape) in RANK_MEANING:
            message += f" It received {RANK_MEANING[len(shape)]}."
        return message

    # ----- weights ---------------------------------------------------------------------------

    @property
    def activity_penalty(self):
        """The activity regularizer's penalty from this layer's last training forward pass (0.0 without one)."""
        return self._activity_penalty

    def flat_layers(self):
        """Every layer nested in this one, depth first (the training step and check_gradients sum their
        activity penalties; inference looks for stateful ones)."""
        result = []
        for layer in self._sublayers:
            result += [layer] + layer.flat_layers()
        return result

    def _all_weights(self):
        """(variable, layer trainable) pairs layer by layer, as Keras lists them: this layer's own weights (those
        created trainable first), then its sublayers' in order."""
        seen, result = set(), []
        for variable in sorted(self._own_weights, key=lambda v: not v.trainable):
            if id(variable) not in seen:
                seen.add(id(variable))
                result.append((variable, self.trainable))
        for layer in self._sublayers:
            for variable, trainable in layer._all_weights():
                if id(variable) not in seen:
                    seen.add(id(variable))
                    result.append((variable, trainable and self.trainable))
        return result

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)

    @property
    def trainable_weights(self):
        return [v for v, layer_trainable in self._all_weights() if layer_trainable and v.trainable]

    @property
    def non_trainable_weights(self):
        trainable = {id(v) for v in self.trainable_weights}
        return [v for v, _ in self._all_weights() if id(v) not in trainable]

    @property
    def weights(self):
        """All weights layer by layer, as Keras lists them (each layer's trainable weights, then its other ones,
        then its sublayers'); freezing a layer does not change the order."""
        return [v for v, _ in self._all_weights()]

    @property
    def variables(self):
        return self.weights

    @property
    def constraints(self):
        """Mapping of weights to their constraints."""
        return {v: v.constraint for v in self.weights if v.constraint is not None}

    @property
    def losses(self):
        """Regularization penalties of this layer's weights (floats)."""
        return [float(v.regularizer(v.value)) for v, _ in self._all_weights() if v.regularizer is not None]

    def get_weights(self):
        """Returns the weights as a list of NumPy arrays (copies), in `weights` order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Sets the weights from a list of arrays, in `weights` order.

        Raises:
            ShapeError: when the count or a shape differs; nothing is changed then.
        """
        variables = self.weights
        weights = list(weights)
        expected = [v.shape for v in variables]
        if len(weights) != len(variables):
            raise self.error(
                ShapeError,
                f"set_weights expected {len(variables)} arrays with shapes {expected}, received "
                f"{len(weights)} arrays. Use get_weights() to see the expected list."
            )
        arrays = [np.asarray(w) for w in weights]
        for variable, array in zip(variables, arrays):
            if array.shape != variable.shape:
                raise self.error(
                    ShapeError,
                    f"set_weights: weight {variable.name!r} has shape {variable.shape}, received "
                    f"{array.shape}. Expected shapes, in order: {expected}."
                )
        for variable, array in zip(variables, arrays):
            variable.assign(array)

    def count_params(self):
        """Returns the number of scalars in the layer's weights.

        Raises:
            NotBuiltError: if the layer has no input shape yet.
        """
        if not self.built:
            raise self.error(
                NotBuiltError,
                "count_params() needs the layer built; call it on data or give input_shape first."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ----- nodes and the _at accessors ---------------------------------------------------------

    def _node_at(self, node_index, what):
        if not self.inbound_nodes:
            raise self.error(
                AttributeError, f"has never been called on symbolic tensors, so it has no {what}."
            )
        if not isinstance(node_index, (int, np.integer)) or not 0 <= node_index < len(self.inbound_nodes):
            raise self.error(
                ConfigError,
                f"node_index {node_index!r} is out of range: the layer has {len(self.inbound_nodes)} "
                f"inbound node(s), so use 0 to {len(self.inbound_nodes) - 1}."
            )
        return self.inbound_nodes[node_index]

    def get_input_at(self, node_index):
        """Returns the input tensor(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "input").inputs

    def get_output_at(self, node_index):
        """Returns the output tensor(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "output").outputs

    def get_input_shape_at(self, node_index):
        """Returns the input shape(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "input shape").input_shapes

    def get_output_shape_at(self, node_index):
        """Returns the output shape(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "output shape").output_shapes

    def get_input_mask_at(self, node_index):
        """Returns the input mask(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "input mask").input_masks

    def get_output_mask_at(self, node_index):
        """Returns the output mask(s) of the layer's `node_index`-th call."""
        return self._node_at(node_index, "output mask").output_masks

    def _single_node_value(self, what, getter, same_shape_ok=False):
        if len(self.inbound_nodes) == 1:
            return getter(self.inbound_nodes[0])
        if not self.inbound_nodes:
            raise self.error(AttributeError, f"has never been called, so its {what} is not defined.")
        values = [getter(n) for n in self.inbound_nodes]
        if same_shape_ok and all(v == values[0] for v in values):
            return values[0]
        accessor = "get_" + what.replace(" ", "_") + "_at"
        raise self.error(
            AttributeError,
            f"has {len(self.inbound_nodes)} inbound nodes (it is shared), so its {what} is ill-defined. "
            f"Use {accessor}(node_index) instead."
        )

    @property
    def input(self):
        return self._single_node_value("input", lambda n: n.inputs)

    @property
    def output(self):
        return self._single_node_value("output", lambda n: n.outputs)

    @property
    def input_mask(self):
        return self._single_node_value("input mask", lambda n: n.input_masks)

    @property
    def output_mask(self):
        return self._single_node_value("output mask", lambda n: n.output_masks)

    @property
    def input_shape(self):
        if not self.inbound_nodes and self._build_input_shape is not None:
            return self._build_input_shape
        return self._single_node_value("input shape", lambda n: n.input_shapes, same_shape_ok=True)

    @property
    def output_shape(self):
        if not self.inbound_nodes and self._build_input_shape is not None:
            return self.compute_output_shape(self._build_input_shape)
        return self._single_node_value("output shape", lambda n: n.output_shapes, same_shape_ok=True)

    # ----- pipes -----------------------------------------------------------------------------

    def __ror__(self, lhs):
        """`tensor | layer` and `array | layer`: calls the layer on the symbolic tensor(s) or array(s).

        Raises:
            ArgumentTypeError: for any other left side.
        """
        if is_symbolic(lhs) or _is_array_input(lhs):
            return self(lhs)
        raise ArgumentTypeError(
            f"Cannot pipe a {type(lhs).__name__} into layer {self.name!r}: the left side must be a Sequential "
            "model, a symbolic tensor from Input(), or a NumPy array."
        )

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


def _call_is_newer_than_backward(cls):
    """Whether the layer is differentiated through the recording of its call: it has no `backward` of its
    own (a layer written with ops), or it is a user's class whose `call` is defined below the class that
    defines `backward` (a subclass of a built-in layer or model with its own call). pipekeras's own classes
    that inherit `backward` from a base of their family (the crops) keep it."""
    definer = lambda name: next(i for i, klass in enumerate(cls.__mro__) if name in klass.__dict__)
    if cls.backward is Layer.backward:
        return True
    return not cls.__module__.startswith("pipekeras.") and definer("call") < definer("backward")


def _tracking_setattr(layer, name, value):
    """`__setattr__` of layer classes written outside pipekeras: layers and variables kept as public attributes
    (or in a list/tuple attribute) become the layer's sublayers and weights (counted, trained, saved)."""
    object.__setattr__(layer, name, value)
    if name.startswith("_") or "_own_weights" not in layer.__dict__:
        return
    for item in value if isinstance(value, (list, tuple)) else (value,):
        if isinstance(item, Variable) and all(item is not v for v in layer._own_weights):
            layer._own_weights.append(item)
        elif isinstance(item, Layer) and item is not layer and all(item is not s for s in layer._sublayers):
            layer._sublayers.append(item)


_LIBRARY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_line(tb):
    """'at file:line: code. ' for the last frame of a traceback outside pipekeras and NumPy, or ''."""
    frames = [f for f in traceback.extract_tb(tb)
              if not f.filename.startswith(_LIBRARY) and os.sep + "numpy" + os.sep not in f.filename]
    if not frames:
        return ""
    frame = frames[-1]
    return f"at {frame.filename}:{frame.lineno} ({frame.line.strip() if frame.line else ''}): "
