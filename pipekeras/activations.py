"""Activation functions, each with its derivative, computed by Numba kernels.

Layers take an activation by name (`dense(64, "relu")`), as one of the functions here
(`activation=activations.relu`), or as `custom_activation(forward, backward)`. Each is callable on arrays
with Keras' options: `activations.relu(x, negative_slope=0.1, max_value=6.0)`,
`activations.softmax(x, axis=1)`.
"""

import numpy as np

from .autodiff import GradientTape
from .errors import ArgumentTypeError, ConfigError
from .compute import activation_table
from .compute import activations as compute
from .registry import Registry


class ActivationFunction:
    """An activation: `f(x)` computes it, `f.backward(x, y, dy)` its input gradient.

    Args:
        name: the name it is serialized under.
        options: Keras' keyword options and their values (e.g. relu's negative_slope).
    """

    def __init__(self, name, **options):
        self.name = name
        self.options = options

    def __call__(self, x, **options):
        if options:
            return self.with_options(**options)(x)
        return self.forward(np.asarray(x))

    def with_options(self, **options):
        """Returns the same activation with some options changed (`relu.with_options(max_value=6)`)."""
        unknown = set(options) - set(self.options)
        if unknown:
            valid = ", ".join(self.options) or "none"
            raise ConfigError(f"activation {self.name!r}: unknown option {sorted(unknown)[0]!r}; options: {valid}.")
        return type(self)(self.name, **{**self.options, **options})

    def forward(self, x):
        raise NotImplementedError

    def backward(self, x, y, dy):
        """Returns the gradient with respect to `x` given the gradient `dy` of `y = self(x)`."""
        raise NotImplementedError

    def output_shape(self, shape):
        """The output's shape for an input of `shape` (the same, but for glu)."""
        return shape

    def get_config(self):
        return {"name": self.name, **self.options}

    def __eq__(self, other):
        return isinstance(other, ActivationFunction) and self.get_config() == other.get_config()

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        options = "".join(f", {k}={v}" for k, v in self.options.items())
        return f"<activation {self.name}{options}>"


class Elementwise(ActivationFunction):
    """An activation applied to each entry by the kernels, as compute/activation_table.py defines it.

    Args:
        name: its name in the table.
        options: Keras' keyword options (default: the table's).
    """

    def __init__(self, name, **options):
        super().__init__(name, **(options or activation_table.TABLE[activation_table.CODES[name]].options))

    @property
    def code(self):
        """The kernels' activation code."""
        return activation_table.CODES[self.name]

    @property
    def params(self):
        """The kernels' (a, b, c) options."""
        return activation_table.params(self.name, self.options)

    def forward(self, x):
        return x if self.name == "linear" else compute.forward(x, self.code, *self.params)

    def backward(self, x, y, dy):
        return dy if self.name == "linear" else compute.backward(x, y, dy, self.code, *self.params)


class _AxisFunction(ActivationFunction):
    """Softmax and log-softmax over `axis` (kernels work on the last axis)."""

    def _last_axis(self, x):
        return np.moveaxis(x, self.options["axis"], -1) if self.options["axis"] not in (-1, x.ndim - 1) else x

    def _restore(self, x):
        return np.moveaxis(x, -1, self.options["axis"]) if self.options["axis"] not in (-1, x.ndim - 1) else x


class Softmax(_AxisFunction):
    """exp(x) / sum(exp(x)) along `axis` (the last by default)."""

    code = activation_table.SOFTMAX
    params = (0.0, np.inf, 0.0)

    def forward(self, x):
        return self._restore(compute.softmax(self._last_axis(x)))

    def backward(self, x, y, dy):
        return self._restore(compute.softmax_backward(self._last_axis(y), self._last_axis(dy)))


class LogSoftmax(_AxisFunction):
    """x - log(sum(exp(x))) along `axis`."""

    def forward(self, x):
        x = self._last_axis(x)
        shifted = x - x.max(axis=-1, keepdims=True)
        return self._restore(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))

    def backward(self, x, y, dy):
        y, dy = self._last_axis(y), self._last_axis(dy)
        return self._restore(dy - np.exp(y) * dy.sum(axis=-1, keepdims=True))


class Glu(ActivationFunction):
    """Gated linear unit: the input's halves a and b along `axis` give a * sigmoid(b) (half as wide)."""

    def _halves(self, x):
        if x.shape[self.options["axis"]] % 2:
            raise ConfigError(f"activation 'glu' splits axis {self.options['axis']} in two halves; it has "
                              f"{x.shape[self.options['axis']]} entries (shape {x.shape}), an odd number.")
        return np.split(x, 2, axis=self.options["axis"])

    def output_shape(self, shape):
        shape = list(shape)
        size = shape[self.options["axis"]]
        if size is not None and size % 2:
            raise ConfigError(f"activation 'glu' splits axis {self.options['axis']} in two halves; it has {size} "
                              f"entries (shape {tuple(shape)}), an odd number. Give the layer before an even width.")
        shape[self.options["axis"]] = None if size is None else size // 2
        return tuple(shape)

    def forward(self, x):
        a, b = self._halves(x)
        return a * sigmoid(b)

    def backward(self, x, y, dy):
        a, b = self._halves(x)
        s = sigmoid(b)
        return np.concatenate([dy * s, dy * a * s * (1 - s)], axis=self.options["axis"])


class CustomActivation(ActivationFunction):
    """A user's forward and backward functions (see `custom_activation`)."""

    def __init__(self, name, forward, backward):
        super().__init__(name)
        self._forward, self._backward = forward, backward

    def forward(self, x):
        return self._forward(x)

    def backward(self, x, y, dy):
        return self._backward(x, y, dy)

    def with_options(self, **options):
        raise ConfigError(f"activation {self.name!r} is a custom activation and takes no options.")


class FunctionActivation(ActivationFunction):
    """A plain function `f(x)` written with `pipekeras.ops` as an activation; its derivative comes from a
    `GradientTape` recording of `f` (`activation=lambda x: x * ops.sigmoid(x)`)."""

    def __init__(self, name, function):
        super().__init__(name)
        self.function = function

    def forward(self, x):
        return np.asarray(self.function(x), dtype=x.dtype)

    def backward(self, x, y, dy):
        with GradientTape(watch_accessed_variables=False) as tape:
            watched = tape.watch(x)
            try:
                out = self.function(watched)
            except ArgumentTypeError as error:
                raise ArgumentTypeError(f"activation {self.name!r}: {error}") from None
        if np.shape(out) != x.shape:
            raise ArgumentTypeError(
                f"activation {self.name!r}: the function must return an array of its input's shape {x.shape}, "
                f"it returned shape {np.shape(out)}.")
        try:
            return tape.gradient(out, watched, output_gradients=dy, unconnected_gradients="zero")
        except ArgumentTypeError:
            return np.zeros_like(x)

    def with_options(self, **options):
        raise ConfigError(f"activation {self.name!r} is a function and takes no options.")


_REGISTRY = Registry("activation", ActivationFunction)


def _register(activation, *aliases):
    """Makes `activation` available to `get` by its name and `aliases`; returns it."""
    return _REGISTRY.add(activation, activation.name, *aliases)


linear = _register(Elementwise("linear"))
relu = _register(Elementwise("relu"))
relu6 = _register(Elementwise("relu6"))
leaky_relu = _register(Elementwise("leaky_relu"))
sigmoid = _register(Elementwise("sigmoid"))
hard_sigmoid = _register(Elementwise("hard_sigmoid"))
tanh = _register(Elementwise("tanh"))
elu = _register(Elementwise("elu"))
selu = _register(Elementwise("selu"))
softplus = _register(Elementwise("softplus"))
softsign = _register(Elementwise("softsign"))
exponential = _register(Elementwise("exponential"))
silu = swish = _register(Elementwise("silu"), "swish")
gelu = _register(Elementwise("gelu"))
mish = _register(Elementwise("mish"))
hard_silu = hard_swish = _register(Elementwise("hard_silu"), "hard_swish")
celu = _register(Elementwise("celu"))
log_sigmoid = _register(Elementwise("log_sigmoid"))
hard_tanh = _register(Elementwise("hard_tanh"))
squareplus = _register(Elementwise("squareplus"))
sparse_plus = _register(Elementwise("sparse_plus"))
tanh_shrink = _register(Elementwise("tanh_shrink"))
threshold = _register(Elementwise("threshold"))
glu = _register(Glu("glu", axis=-1))
softmax = _register(Softmax("softmax", axis=-1))
log_softmax = _register(LogSoftmax("log_softmax", axis=-1))


def names():
    """Returns the names `get` accepts."""
    return _REGISTRY.names()


def custom_activation(forward, backward, name=None):
    """Wraps a user function as an activation.

    Args:
        forward: `forward(x) -> y`, on NumPy arrays.
        backward: `backward(x, y, dy) -> dx`.
        name: optional name (defaults to `forward.__name__`).

    Returns:
        An `ActivationFunction`.

    Raises:
        ArgumentTypeError: if either is not callable.
    """
    if not callable(forward) or not callable(backward):
        raise ArgumentTypeError("custom_activation: forward and backward must both be callables.")
    return CustomActivation(name or getattr(forward, "__name__", "custom"), forward, backward)


def get(identifier):
    """Returns the activation for a name, None (linear), a config dict, or an `ActivationFunction`.

    Raises:
        ConfigError: for an unknown name, with the closest valid name.
        ArgumentTypeError: for anything else.

    A plain function `f(x)` written with `pipekeras.ops` is an activation too (its derivative is recorded).
    """
    if isinstance(identifier, ActivationFunction):
        return identifier
    options = {}
    if isinstance(identifier, dict):
        options = {k: v for k, v in identifier.items() if k != "name"}
        identifier = identifier.get("name")
    if identifier is None or isinstance(identifier, str):
        activation = _REGISTRY.lookup("linear" if identifier is None else identifier)
        return activation.with_options(**options) if options else activation
    if callable(identifier):
        return FunctionActivation(getattr(identifier, "__name__", "function"), identifier)
    raise ArgumentTypeError(f"activation: expected a name such as 'relu' or None, received {identifier!r}.")


def serialize(activation):
    """Returns the name an activation is saved under, or its config when it has non-default options."""
    default = _REGISTRY.find(activation.name)
    if default is not None and activation.options != default.options:
        return activation.get_config()
    return activation.name


def deserialize(config):
    """Inverse of `serialize`."""
    return get(config)
