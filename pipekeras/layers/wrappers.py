"""Wrapper layers: Bidirectional (an RNN run both ways) and TimeDistributed (a layer applied per timestep).

A wrapper owns its inner layer(s) through `track_layer`, so their weights are the wrapper's weights. It
runs them with `forward_node` and keeps the contexts they return in its own saved tensors; `backward`
hands each context back to `backward_node`. That is how nested models work too, so a wrapper inside a
model, or a shared wrapper, needs nothing special.
"""

import numpy as np

from ..engine.layer import InputSpec, Layer, shape_str
from ..engine.serialization import deserialize_layer, serialize_layer
from ..engine.tensor import is_symbolic
from ..errors import ArgumentTypeError, ConfigError, ShapeError
from .recurrent import RNN, RNNBase, StackedRNNCells
from .recurrent.cells import state_sizes

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def _cell_classes(cell):
    """{class name: class} of a cell and the cells it stacks, so a copy of an RNN finds a user's cell class."""
    classes = {type(cell).__name__: type(cell)}
    for inner in cell.cells if isinstance(cell, StackedRNNCells) else ():
        classes.update(_cell_classes(inner))
    return classes


def _copy(layer, config):
    """A fresh layer of `layer`'s class made from `config` (an RNN's cell class included)."""
    if isinstance(layer, RNN):
        return type(layer).from_config(config, custom_objects=_cell_classes(layer.cell))
    return type(layer).from_config(config)


def _state_count(layer):
    """How many states the recurrent layer carries (LSTM: 2)."""
    return len(layer.state_names) if isinstance(layer, RNNBase) else len(state_sizes(layer.cell))


class Wrapper(Layer):
    """Shared parts of the wrappers: sublayer bookkeeping (freezing a wrapper freezes what it wraps, as for every
    layer)."""

    @classmethod
    def _inner_from_config(cls, entry, custom_objects):
        if isinstance(entry, Layer):
            return entry
        return deserialize_layer(entry, custom_objects)


class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and backwards over the sequence and merges the two outputs.

    The wrapper makes two fresh copies of `layer` from its config: `forward_<name>` and `backward_<name>`
    (the latter with `go_backwards` flipped); the `layer` passed in is only a template and gets no weights.
    With `return_sequences=True` the backward output is put back in time order before merging.

    Args:
        layer: a recurrent layer (`lstm`, `gru`, `simple_rnn`, or `rnn(cell)` with a cell of your own).
        merge_mode: how the two outputs are combined: "concat" (default, features doubled), "sum", "mul",
            "ave", or None (a list [forward output, backward output]).
        weights: optional list of initial weights (forward layer's, then backward layer's), set at build.
        backward_layer: optional recurrent layer to use as the backward copy instead (it must have
            `go_backwards` opposite to `layer`'s and the same `return_sequences` and `return_state`).

    With `return_state=True` on the inner layer the outputs are [merged output] + forward states +
    backward states (with merge_mode=None: [forward output, backward output] + states).

    Weights: the forward layer's, then the backward layer's (as Keras), so 2x the inner layer's parameters.

    Example:
        >>> model = sequential() | embedding(10000, 32, input_length=100) | bidirectional(lstm(32)) | dense(1)
    """

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        self._check_recurrent(layer, "layer")
        if merge_mode not in MERGE_MODES:
            raise ConfigError(
                f"Bidirectional: merge_mode={merge_mode!r} is not valid; use one of "
                f"{', '.join(repr(m) for m in MERGE_MODES)} (None returns a list of the two outputs)."
            )
        kwargs.setdefault("dtype", layer.dtype)
        if kwargs.get("input_shape") is None and kwargs.get("batch_input_shape") is None:
            if layer.batch_input_shape is not None:
                kwargs["batch_input_shape"] = layer.batch_input_shape
        super().__init__(**kwargs)
        base = _strip(layer.name, "forward_")
        forward_config = layer.get_config()
        forward_config["name"] = "forward_" + base
        forward_config.pop("batch_input_shape", None)
        self.forward_layer = _copy(layer, forward_config)
        if backward_layer is None:
            backward_config = layer.get_config()
            backward_config["name"] = "backward_" + _strip(base, "backward_")
            backward_config["go_backwards"] = not layer.go_backwards
            backward_config.pop("batch_input_shape", None)
            self.backward_layer = _copy(layer, backward_config)
        else:
            self._check_recurrent(backward_layer, "backward_layer")
            self._check_backward_layer(layer, backward_layer)
            self.backward_layer = backward_layer
        self.track_layer(self.forward_layer)
        self.track_layer(self.backward_layer)
        if not self._trainable:
            self.trainable = False
        self.merge_mode = merge_mode
        self.return_sequences = self.forward_layer.return_sequences
        self.return_state = self.forward_layer.return_state
        self.stateful = self.forward_layer.stateful
        self._custom_backward = backward_layer is not None
        self._initial_weights = None if weights is None else [np.asarray(w) for w in weights]
        self.input_spec = InputSpec(ndim=3)

    @staticmethod
    def _check_recurrent(layer, argument):
        if not isinstance(layer, (RNNBase, RNN)):
            what = (f"layer {layer.name!r} ({type(layer).__name__})" if isinstance(layer, Layer)
                    else f"a {type(layer).__name__}")
            raise ArgumentTypeError(
                f"Bidirectional: {argument} must be a recurrent (RNN) layer such as lstm(), gru(), "
                f"simple_rnn() or rnn(cell), received {what}. Bidirectional needs an RNN layer, since it runs it over the "
                "sequence forwards and backwards; to apply a layer to every timestep use time_distributed()."
            )

    @staticmethod
    def _check_backward_layer(layer, backward_layer):
        if backward_layer.go_backwards == layer.go_backwards:
            raise ConfigError(
                f"Bidirectional: backward_layer {backward_layer.name!r} must have go_backwards="
                f"{not layer.go_backwards} (the opposite of layer {layer.name!r}), received "
                f"go_backwards={backward_layer.go_backwards}."
            )
        for attribute in ("return_sequences", "return_state", "stateful"):
            if getattr(backward_layer, attribute) != getattr(layer, attribute):
                raise ConfigError(
                    f"Bidirectional: backward_layer {backward_layer.name!r} has {attribute}="
                    f"{getattr(backward_layer, attribute)} but layer {layer.name!r} has {attribute}="
                    f"{getattr(layer, attribute)}; they must match."
                )

    # ----- shapes -------------------------------------------------------------------------------

    def build(self, input_shape):
        self.forward_layer.ensure_built(input_shape)
        self.backward_layer.ensure_built(input_shape)
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _merged_shape(self, shape_f, shape_b):
        if self.merge_mode == "concat":
            last = None if shape_f[-1] is None or shape_b[-1] is None else shape_f[-1] + shape_b[-1]
            return tuple(shape_f[:-1]) + (last,)
        return tuple(shape_f)

    def compute_output_shape(self, input_shape):
        out_f = self.forward_layer.compute_output_shape(input_shape)
        out_b = self.backward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            out_f, states_f = out_f[0], list(out_f[1:])
            out_b, states_b = out_b[0], list(out_b[1:])
            states = states_f + states_b
        outputs = [out_f, out_b] if self.merge_mode is None else [self._merged_shape(out_f, out_b)]
        if not states and self.merge_mode is not None:
            return outputs[0]
        return outputs + states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        outputs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            outputs += [None] * (_state_count(self.forward_layer) + _state_count(self.backward_layer))
        return outputs if len(outputs) > 1 else outputs[0]

    def _as_array(self, x):
        return self.forward_layer._as_array(x)

    # ----- forward and backward -----------------------------------------------------------------

    def _split(self, outputs):
        if self.return_state:
            return outputs[0], list(outputs[1:])
        return outputs, []

    def call(self, inputs, training=False, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out_f, _, ctx_f = self.forward_layer.forward_node(inputs, training, mask)
        out_b, _, ctx_b = self.backward_layer.forward_node(inputs, training, mask)
        y_f, states_f = self._split(out_f)
        y_b, states_b = self._split(out_b)
        if self.return_sequences:
            y_b = np.ascontiguousarray(y_b[:, ::-1])
        mode = self.merge_mode
        if mode == "concat":
            outputs = [np.concatenate([y_f, y_b], axis=-1)]
        elif mode == "sum":
            outputs = [y_f + y_b]
        elif mode == "mul":
            outputs = [y_f * y_b]
        elif mode == "ave":
            outputs = [(y_f + y_b) * np.asarray(0.5, dtype=y_f.dtype)]
        else:
            outputs = [y_f, y_b]
        self.save_for_backward(ctx_f, ctx_b, y_f.shape[-1], (y_f, y_b) if mode == "mul" else None,
                               len(states_f))
        outputs += states_f + states_b
        return outputs if len(outputs) > 1 else outputs[0]

    def backward(self, grad_output):
        ctx_f, ctx_b, units_f, factors, n_states = self.saved_tensors
        grads = list(grad_output) if isinstance(grad_output, (list, tuple)) else [grad_output]
        mode = self.merge_mode
        if mode is None:
            g_f, g_b, grad_states = grads[0], grads[1], grads[2:]
        else:
            g, grad_states = grads[0], grads[1:]
            if mode == "concat":
                g_f, g_b = g[..., :units_f], g[..., units_f:]
            elif mode == "sum":
                g_f, g_b = g, g
            elif mode == "ave":
                g_f = g_b = g * np.asarray(0.5, dtype=g.dtype)
            else:
                y_f, y_b = factors
                g_f, g_b = g * y_b, g * y_f
        g_f = np.ascontiguousarray(g_f)
        g_b = np.ascontiguousarray(g_b[:, ::-1] if self.return_sequences else g_b)
        if self.return_state:
            g_f = [g_f] + list(grad_states[:n_states])
            g_b = [g_b] + list(grad_states[n_states:])
        need = self.input_grad_needed
        dx_f = self.forward_layer.backward_node(ctx_f, g_f, need)
        dx_b = self.backward_layer.backward_node(ctx_b, g_b, need)
        if not need:
            return None
        return dx_f + dx_b

    # ----- config -------------------------------------------------------------------------------

    def get_config(self):
        config = {**super().get_config(), "layer": serialize_layer(self.forward_layer), "merge_mode": self.merge_mode}
        if self._custom_backward:
            config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = cls._inner_from_config(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = cls._inner_from_config(config["backward_layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Wrapper):
    """Applies a layer to every timestep of a sequence: input (samples, timesteps, ...).

    The input is reshaped to (samples * timesteps, ...), the inner layer runs once on that, and its output
    is reshaped back to (samples, timesteps, ...); backward does the same. The wrapped layer itself is
    used (and owns the weights), so one set of weights serves every timestep.

    Args:
        layer: any single-output layer (`dense`, `conv_2d`, a model, ...).

    Masks: a (samples, timesteps) mask passes through to the output; a mask with more axes is reshaped
    and given to the inner layer too.

    Example:
        >>> outputs = inputs | lstm(32, return_sequences=True) | time_distributed(dense(10, "softmax"))
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentTypeError(
                f"TimeDistributed: layer must be a layer (e.g. dense(10)), received {type(layer).__name__}."
            )
        kwargs.setdefault("dtype", layer.dtype)
        super().__init__(**kwargs)
        self.layer = self.track_layer(layer)
        if not self._trainable:
            self.trainable = False
        self.input_spec = InputSpec(min_ndim=3)

    def describe_mismatch(self, expected, is_rank, spec, shape):
        if is_rank:
            return (f"needs input of shape (samples, timesteps, ...), at least rank 3, received shape "
                    f"{shape_str(shape)}. It applies {self.layer.name!r} to every timestep (axis 1); for a "
                    "layer on the whole sample use the layer directly.")
        return super().describe_mismatch(expected, is_rank, spec, shape)

    def _inner_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        merged = None if batch is None or steps is None else batch * steps
        return (merged,) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer.ensure_built(self._inner_shape(input_shape))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape(self._inner_shape(input_shape))
        if isinstance(inner, list):
            raise self.error(
                ConfigError,
                f"the inner layer {self.layer.name!r} returns {len(inner)} outputs; TimeDistributed wraps "
                "single-output layers only."
            )
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def compute_mask(self, inputs, mask=None):
        return mask

    def _as_array(self, x):
        return self.layer._as_array(x)

    def call(self, inputs, training=False, mask=None):
        x = np.asarray(inputs)
        batch, steps = x.shape[0], x.shape[1]
        flat = np.ascontiguousarray(x).reshape((batch * steps,) + x.shape[2:])
        inner_mask = None
        if mask is not None and not is_symbolic(mask):
            mask = np.asarray(mask)
            if mask.shape[:2] != (batch, steps):
                raise self.error(
                    ShapeError,
                    f"the mask must start with (samples, timesteps) = {(batch, steps)}, received shape "
                    f"{mask.shape}."
                )
            if mask.ndim > 2:
                inner_mask = mask.reshape((batch * steps,) + mask.shape[2:])
        outputs, _, ctx = self.layer.forward_node(flat, training, inner_mask)
        if isinstance(outputs, (list, tuple)):
            raise self.error(ConfigError, f"the inner layer {self.layer.name!r} returned {len(outputs)} outputs; "
                                          "TimeDistributed wraps single-output layers only.")
        self.save_for_backward(ctx, x.shape)
        return outputs.reshape((batch, steps) + outputs.shape[1:])

    def backward(self, grad_output):
        ctx, x_shape = self.saved_tensors
        batch, steps = x_shape[0], x_shape[1]
        grad = np.ascontiguousarray(grad_output)
        grad = grad.reshape((batch * steps,) + grad.shape[2:])
        dx = self.layer.backward_node(ctx, grad, self.input_grad_needed)
        if not self.input_grad_needed or dx is None:
            return None
        return np.asarray(dx).reshape(x_shape)

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = cls._inner_from_config(config["layer"], custom_objects)
        return cls(**config)
