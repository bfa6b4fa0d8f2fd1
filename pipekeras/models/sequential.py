"""Sequential: a linear stack of layers, kept as a functional graph once its input shape is known."""

from ..errors import ArgumentTypeError, ConfigError, NotBuiltError, PipeKerasError, ShapeError
from .functional import Model
from ..engine.input_layer import Input, InputLayer
from ..engine.layer import Layer
from ..engine.serialization import deserialize_layer, serialize_layer
from ..engine.tensor import SymbolicTensor


def _with_step(error, step, layer):
    """Re-raises `error` with the pipe step that caused it in front."""
    message = f"pipe step {step} ({layer.name}): {error}"
    return type(error)(message)


class Sequential(Model):
    """A linear stack of layers; `sequential() | dense(...) | ...` appends to it in place.

    The model is built as soon as the first layer knows its input shape (`input_shape=`), so a wrong
    shape is reported at the pipe step that causes it; otherwise it is built at the first call on data.

    Args:
        layers: optional list of layers to add.
        name: model name.

    Example:
        >>> model = sequential() | dense(512, "relu", input_shape=784) | dense(10, "softmax")
    """

    is_stack = True

    def __init__(self, layers=None, name=None, trainable=True):
        Layer.__init__(self, name=name, trainable=trainable)
        self._stack = []
        self._input_tensor = None
        self._graph_layers = []
        self.inputs, self.outputs = [], []
        self._nodes = []
        self._layers = []
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._stack)

    def __or__(self, step):
        """`model | layer` appends the layer in place and returns the model; a verb is applied.

        Raises:
            ArgumentTypeError: for something that is neither a layer nor a verb.
            ConfigError, ShapeError: as `add`.
        """
        if isinstance(step, Layer):
            return self.add(step)
        return super().__or__(step)

    __rshift__ = __or__

    def add(self, layer):
        """Appends a layer (or an `Input()` tensor, which sets the input shape) and returns the model.

        Raises:
            ArgumentTypeError: if `layer` is not a layer.
            ConfigError: for a duplicate layer name.
            ShapeError: if the layer cannot take the previous layer's output.
        """
        if isinstance(layer, SymbolicTensor) and isinstance(getattr(layer.node, "layer", None), InputLayer):
            if self._stack:
                raise ConfigError("Sequential: an Input() can only come first in the pipe.")
            self._input_tensor = layer
            self._rebuild()
            return self
        if isinstance(layer, InputLayer):
            return self.add(layer.inbound_nodes[0].output_tensors[0])
        if not isinstance(layer, Layer):
            raise ArgumentTypeError(
                f"Sequential: pipe step {len(self._stack) + 1} is a {type(layer).__name__}, not a layer. "
                "Pipe layers such as dense(64) or verbs such as compile(...) into a model."
            )
        step = len(self._stack) + 1
        if any(existing is layer for existing in self._stack):
            raise ConfigError(
                f"Sequential: pipe step {step} adds layer {layer.name!r}, which is already in the model. "
                "A Sequential model uses each layer once; share layers with the functional API."
            )
        names = [existing.name for existing in self._stack]
        if layer.name in names:
            raise ConfigError(
                f"Sequential: pipe step {step} adds a second layer named {layer.name!r} (step "
                f"{names.index(layer.name) + 1} has it). Layer names must be unique: pass another name=."
            )
        self._stack.append(layer)
        try:
            if self.built:
                self._append_to_graph(layer, step)
            elif step == 1 and _declared_input(layer) is not None:
                self._rebuild()
        except PipeKerasError:
            self._stack.pop()
            self._rebuild()
            raise
        return self

    def pop(self):
        """Removes the last layer and returns it.

        Raises:
            ConfigError: if the model has no layers.
        """
        if not self._stack:
            raise ConfigError("Sequential.pop(): the model has no layers to remove.")
        layer = self._stack.pop()
        self._rebuild()
        return layer

    def build(self, input_shape=None):
        """Builds the model for inputs of `input_shape` (batch axis included)."""
        if input_shape is not None:
            self._input_tensor = Input(batch_shape=tuple(input_shape), dtype=self._first_input_dtype())
        self._rebuild()
        if not self.built:
            raise NotBuiltError(
                "Sequential.build(): no input shape known. Give the first layer input_shape=, or call "
                "build((None, features))."
            )

    def ensure_built(self, input_shape, batch_known=False):
        if not self.built:
            if isinstance(input_shape, list):
                raise ShapeError("Sequential models take one input, received a list of arrays.")
            self._input_tensor = Input(batch_shape=(None,) + tuple(input_shape[1:]), dtype=self._first_input_dtype())
            self._rebuild()
        self.check_input_shape(input_shape)

    def _first_input_dtype(self):
        """The dtype the first layer wants its data in (int32 for an embedding's ids), or None."""
        return getattr(self._stack[0], "input_dtype", None) if self._stack else None

    # ----- the graph behind the stack ------------------------------------------------------------

    def _drop_old_nodes(self):
        mine = {id(n) for n in self._nodes if not n.is_input}
        for layer in self._graph_layers:
            layer.inbound_nodes[:] = [n for n in layer.inbound_nodes if id(n) not in mine]
            layer.outbound_nodes[:] = [n for n in layer.outbound_nodes if id(n) not in mine]
        self._nodes, self._graph_layers = [], []

    def _rebuild(self):
        self._drop_old_nodes()
        self.built = False
        tensor = self._input_tensor
        declared = _declared_input(self._stack[0]) if tensor is None and self._stack else None
        if declared is not None:
            tensor = Input(batch_shape=declared[0], dtype=declared[1])
        if tensor is None:
            return
        self._init_graph(tensor, tensor)
        for step, layer in enumerate(self._stack, start=1):
            self._append_to_graph(layer, step)

    def _append_to_graph(self, layer, step):
        previous = self.outputs[0]
        try:
            output = layer(previous)
        except PipeKerasError as error:
            raise _with_step(error, step, layer) from None
        if isinstance(output, list):
            layer.inbound_nodes.pop()
            raise ConfigError(
                f"pipe step {step} ({layer.name}): the layer returns {len(output)} tensors (e.g. "
                "return_state=True), but a Sequential model passes one tensor from layer to layer. "
                "Use the functional API: Model(inputs, outputs)."
            )
        node = output.node
        if list(node.input_tensors) == [previous] and layer.name != self.inputs[0].node.layer.name:
            self._extend_graph(node, output)  # one more link of the chain: no walk of the whole graph
        else:
            self._init_graph(self.inputs[0], output)
        self._graph_layers = list(self._layers)

    def _extend_graph(self, node, output):
        """Appends `node`, which takes the current output, as `_init_graph` would find it (in time independent
        of the depth, so that building a deep stack layer by layer is not quadratic)."""
        self.outputs = [output]  # a new list: runners built for the old graph see that it changed
        self._outputs_are_list = False
        self._nodes = self._nodes + [node]  # new lists, as _init_graph makes (a list copy is cheap; a walk is not)
        self._layers = self._layers + [node.layer]
        self._sublayers = self._sublayers + [node.layer]
        self._node_needs_input_grad = self._node_needs_input_grad + [node.input_tensors[0] is not self.inputs[0]]

    def _init_graph(self, inputs, outputs):
        super()._init_graph(inputs, outputs)
        self._graph_layers = list(self._layers)

    # ----- config --------------------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable,
                  "layers": [serialize_layer(layer) for layer in self._stack]}
        if self.built:
            config["build_input_shape"] = self.inputs[0].shape
            config["input_dtype"] = self.inputs[0].dtype
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        if config.get("build_input_shape") is not None:
            model._input_tensor = Input(batch_shape=config["build_input_shape"], dtype=config.get("input_dtype"))
            model._rebuild()
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects))
        return model


def sequential(layers=None, name=None):
    """Creates an empty (or pre-filled) Sequential model, R keras's `keras_model_sequential()`.

    Args:
        layers: optional list of layers.
        name: model name.

    Returns:
        A `Sequential` model; pipe layers into it with `|` or `>>`.

    Example:
        >>> model = sequential() | dense(64, "relu", input_shape=13) | dense(1)
    """
    return Sequential(layers=layers, name=name)


def _declared_input(layer):
    """(batch shape, dtype) of the input a first layer declares: its `input_shape=`, or the one input of a model
    added first (as Keras's Sequential takes it: `sequential() | conv_base | ...`); None when it declares none."""
    if layer.batch_input_shape is not None:
        return layer.batch_input_shape, getattr(layer, "input_dtype", None)
    inputs = getattr(layer, "inputs", None) if isinstance(layer, Model) else None
    if inputs and len(inputs) == 1:
        return inputs[0].shape, inputs[0].dtype
    return None
