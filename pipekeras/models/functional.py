"""Model(inputs, outputs): a directed acyclic graph of layer calls, run forward and backward."""

import numpy as np

from ..errors import ArgumentTypeError, ConfigError, did_you_mean
from ..engine.input_layer import InputLayer
from ..engine.layer import InputSpec, Layer, is_recording
from ..engine.pipe_step import pipe_into
from ..engine.serialization import rebuild_functional, serialize_layer
from .summary import format_summary, summary_html
from ..engine.tensor import SymbolicTensor
from ..training.trainer import Trainer


def _saving():
    """The `pipekeras.saving` package, for `save`, `save_weights`, `load_weights` and `to_json`.

    The one arrow from the graph core up to saving, imported when first used: saving builds on models.
    """
    from .. import saving

    return saving


def _as_tensor_list(value, what):
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if not isinstance(item, SymbolicTensor):
            raise ArgumentTypeError(
                f"Model: {what} must be symbolic tensors (from Input() or from calling layers on them), "
                f"received {type(item).__name__}."
            )
    return items


class Model(Trainer, Layer):
    """A model built from symbolic tensors: any DAG with several inputs, outputs and shared layers.

    Args:
        inputs: tensor or list of tensors returned by `Input()`.
        outputs: tensor or list of tensors computed from `inputs`.
        name: model name.

    Raises:
        ConfigError: when an output cannot be computed from the given inputs (graph disconnected)
            or two layers share a name.

    Example:
        >>> inputs = Input(shape=784)
        >>> outputs = inputs | dense(64, "relu") | dense(10, "softmax")
        >>> model = Model(inputs, outputs)
    """

    is_stack = False
    """True for a Sequential: a chain of layers, which `summary` shows without the graph's connections."""

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        if inputs is None and outputs is None and type(self).call is not Model.call:
            self._init_subclassed()
            return
        self._init_graph(inputs, outputs)

    def _init_subclassed(self):
        """A subclass with its own `call` (Keras's subclassed model): no graph; its layers are the ones kept as
        attributes, and it is differentiated through the recording of its call."""
        self.inputs, self.outputs, self._nodes, self._layers = [], [], [], []
        self._inputs_are_list = self._outputs_are_list = False
        self._subclassed = True

    # ----- the graph --------------------------------------------------------------------------

    def _init_graph(self, inputs, outputs):
        self._inputs_are_list = isinstance(inputs, (list, tuple))
        self._outputs_are_list = isinstance(outputs, (list, tuple))
        self.inputs = _as_tensor_list(inputs, "inputs")
        self.outputs = _as_tensor_list(outputs, "outputs")
        for tensor in self.inputs:
            if tensor.node is None or not isinstance(tensor.node.layer, InputLayer):
                raise ConfigError(
                    f"Model: input {tensor.name!r} is not an Input(): a model's inputs must come from Input()."
                )
        self._nodes = self._topological_nodes()
        self._layers = _keras_layer_order(self.inputs, self.outputs)
        self._check_unique_names(self._layers)
        self._sublayers = [layer for layer in self._layers if not isinstance(layer, InputLayer)]
        model_inputs = {id(t) for t in self.inputs}
        self._node_needs_input_grad = [
            any(id(t) not in model_inputs for t in node.input_tensors) for node in self._nodes
        ]
        shapes = [t.shape for t in self.inputs]
        self.input_spec = [InputSpec(ndim=len(s), axes={i: d for i, d in enumerate(s) if i > 0}) for s in shapes]
        if not self._inputs_are_list:
            self.input_spec = self.input_spec[0]
        self._build_input_shape = shapes if self._inputs_are_list else shapes[0]
        self.built = True

    def _topological_nodes(self):
        """Returns the nodes from the inputs to the outputs, each after its parents (a depth-first walk kept
        on an explicit stack, so that a model of any depth stays below Python's recursion limit)."""
        order, visited = [], set()
        allowed_inputs = {id(t) for t in self.inputs}

        def enter(tensor, consumer):
            """Returns the node producing `tensor` when not yet visited (marking it), else None."""
            node = tensor.node
            if node is None:
                raise ConfigError(f"Model: tensor {tensor.name!r} was not produced by a layer.")
            if id(node) in visited:
                return None
            if node.is_input and id(tensor) not in allowed_inputs:
                needed_by = f" (needed by layer {consumer!r})" if consumer else ""
                names = [t.name for t in self.inputs]
                raise ConfigError(
                    f"Model: graph disconnected: input {tensor.name!r}{needed_by} is not among the model's "
                    f"inputs {names}, so the outputs cannot be computed from them. Add it to inputs=."
                )
            visited.add(id(node))
            return node

        for root in [*self.inputs, *self.outputs]:
            node = enter(root, None)
            stack = [] if node is None else [(node, iter(node.input_tensors))]
            while stack:
                node, parents = stack[-1]
                for parent in parents:
                    child = enter(parent, node.layer.name)
                    if child is not None:
                        stack.append((child, iter(child.input_tensors)))
                        break
                else:
                    stack.pop()
                    order.append(node)
        return order

    def _check_unique_names(self, layers):
        seen = {}
        for position, layer in enumerate(layers):
            if layer.name in seen and seen[layer.name] is not layer:
                raise ConfigError(
                    f"Model: two layers are named {layer.name!r} (the second is layer {position}). "
                    "Layer names must be unique within a model: pass another name=."
                )
            seen[layer.name] = layer

    @property
    def layers(self):
        """The model's layers, in the order they are run (a subclassed model's: its tracked sublayers)."""
        return list(self._layers) if self._nodes else list(self._sublayers)

    def iter_nodes(self):
        """Yields the model's nodes (one per layer call, input layers included) in topological order.

        Every node comes after the nodes that produce its inputs, so a view of the graph (`summary`,
        `plot_model`, saving) can walk it in one pass.
        """
        yield from self._nodes

    def nodes_of(self, layer):
        """The nodes of `layer` that belong to this model, in call order (a shared layer may have nodes in
        other models too)."""
        mine = {id(n) for n in self._nodes}
        return [n for n in layer.inbound_nodes if id(n) in mine]

    def tensor_ref(self, tensor):
        """`[layer name, node index, tensor index]`: where `tensor` comes from, as model configs name it.

        The node index counts the producing layer's nodes in this model (`nodes_of`).
        """
        layer = tensor.node.layer
        return [layer.name, self.nodes_of(layer).index(tensor.node), tensor.index]

    def get_layer(self, name=None, index=None):
        """Returns a layer by name or by index in `layers`.

        Raises:
            ConfigError: if no such layer exists.
        """
        layers = self.layers
        if index is not None:
            if not isinstance(index, (int, np.integer)) or not -len(layers) <= index < len(layers):
                raise ConfigError(f"get_layer: index {index!r} out of range; the model has {len(layers)} layers.")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        names = [layer.name for layer in layers]
        raise ConfigError(f"get_layer: no layer named {name!r}.{did_you_mean(name, names)} Layers: {names}.")

    # ----- the model's own input/output ----------------------------------------------------------

    def _pick(self, items, as_list):
        return list(items) if as_list else items[0]

    @property
    def input(self):
        return self._pick(self.inputs, self._inputs_are_list)

    @property
    def output(self):
        return self._pick(self.outputs, self._outputs_are_list)

    @property
    def input_shape(self):
        return self._pick([t.shape for t in self.inputs], self._inputs_are_list)

    @property
    def output_shape(self):
        return self._pick([t.shape for t in self.outputs], self._outputs_are_list)

    def _as_array(self, x):
        """Called as a layer: strings pass where the model takes them (an input of dtype "str")."""
        array = np.asarray(x)
        if array.dtype.kind in "USO" and any(t.dtype == "str" for t in self.inputs):
            return array.astype(object)
        return super()._as_array(x)

    def compute_output_shape(self, input_shape):
        batch = (input_shape[0] if isinstance(input_shape, list) else input_shape)[0]
        shapes = [(batch,) + t.shape[1:] for t in self.outputs]
        return self._pick(shapes, self._outputs_are_list)

    def compute_mask(self, inputs, mask=None):
        masks = [t.mask for t in self.outputs]
        return self._pick(masks, self._outputs_are_list)

    # ----- running -------------------------------------------------------------------------------

    def run_forward(self, input_arrays, training=False, input_masks=None):
        """Runs the graph on a list of arrays; returns (output arrays, output masks, tape)."""
        values, masks = {}, {}
        for i, (tensor, array) in enumerate(zip(self.inputs, input_arrays)):
            values[id(tensor)] = array
            masks[id(tensor)] = input_masks[i] if input_masks else None
        tape = []
        record = is_recording()
        for node in self._nodes:
            if node.is_input:
                continue
            args = [values[id(t)] for t in node.input_tensors]
            arg_masks = [masks[id(t)] for t in node.input_tensors]
            if not node.inputs_are_list:
                args, arg_masks = args[0], arg_masks[0]
            outputs, out_mask, ctx = node.layer.forward_node(args, training, arg_masks)
            outputs = list(outputs) if len(node.output_tensors) > 1 else [outputs]
            out_masks = out_mask if isinstance(out_mask, list) else [out_mask] * len(outputs)
            for tensor, value, m in zip(node.output_tensors, outputs, out_masks):
                values[id(tensor)] = value
                masks[id(tensor)] = m
            if record:
                tape.append((node, ctx, [(o.shape, o.dtype) for o in outputs]))
        return [values[id(t)] for t in self.outputs], [masks[id(t)] for t in self.outputs], tape

    def run_backward(self, tape, grad_outputs, need_input_grads=False):
        """Runs backward through a recorded tape; returns the gradients of the inputs (or None)."""
        grads = {}
        for tensor, grad in zip(self.outputs, grad_outputs):
            self._accumulate(grads, tensor, grad)
        needs = dict(zip(map(id, self._nodes), self._node_needs_input_grad))
        for node, ctx, out_specs in reversed(tape):
            out_grads = [grads.get(id(t)) for t in node.output_tensors]
            if all(g is None for g in out_grads):
                continue
            out_grads = [np.zeros(s, d) if g is None else g for g, (s, d) in zip(out_grads, out_specs)]
            need = need_input_grads or needs[id(node)]
            in_grads = node.layer.backward_node(ctx, out_grads if len(out_grads) > 1 else out_grads[0], need)
            if not need or in_grads is None:
                continue
            in_grads = in_grads if node.inputs_are_list else [in_grads]
            for tensor, grad in zip(node.input_tensors, in_grads):
                self._accumulate(grads, tensor, grad)
        return [grads.get(id(t)) for t in self.inputs]

    @staticmethod
    def _accumulate(grads, tensor, grad):
        if grad is None:
            return
        key = id(tensor)
        grads[key] = grad if key not in grads else grads[key] + grad

    def call(self, inputs, training=False, mask=None):
        arrays = list(inputs) if self._inputs_are_list else [inputs]
        masks = (list(mask) if self._inputs_are_list else [mask]) if mask is not None else None
        outputs, _, tape = self.run_forward(arrays, training, masks)
        self.save_for_backward(tape)
        return self._pick(outputs, self._outputs_are_list)

    def backward(self, grad_output):
        (tape,) = self.saved_tensors
        grads = grad_output if self._outputs_are_list else [grad_output]
        in_grads = self.run_backward(tape, list(grads), need_input_grads=self.input_grad_needed)
        return self._pick(in_grads, self._inputs_are_list)

    # ----- config and display --------------------------------------------------------------------

    def get_config(self):
        layers = []
        for layer in self._layers:
            entry = serialize_layer(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [
                [self.tensor_ref(t) for t in node.input_tensors]
                for node in self.nodes_of(layer) if not node.is_input
            ]
            layers.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": [self.tensor_ref(t) for t in self.inputs],
            "output_layers": [self.tensor_ref(t) for t in self.outputs],
            "inputs_are_list": self._inputs_are_list,
            "outputs_are_list": self._outputs_are_list,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return rebuild_functional(cls, config, custom_objects)

    def save(self, filepath, overwrite=True, include_optimizer=True):
        """Saves the model to one file (`.pkeras` native, `.keras` Keras 3); see `pipekeras.saving`."""
        return _saving().save_model(self, filepath, include_optimizer=include_optimizer, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights (native zip, `.npz`, or `.weights.h5`); see `pipekeras.saving.weights`."""
        return _saving().save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, safe_mode=True):
        """Loads weights by order or by layer name; the model is unchanged on error."""
        return _saving().load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch,
                                      safe_mode=safe_mode)

    def to_json(self, **kwargs):
        """The architecture as JSON text (`model_from_json` rebuilds it)."""
        return _saving().model_to_json(self, **kwargs)

    def summary(self, line_length=None, print_fn=None):
        """Prints the Keras summary table: layers, output shapes, parameter counts, totals.

        Args:
            line_length: total width of the table (the first column grows).
            print_fn: function called with the table's text (print by default).
        """
        (print_fn or print)(format_summary(self, line_length))

    def _repr_pretty_(self, printer, cycle):
        printer.text(format_summary(self))

    def _repr_html_(self):
        return summary_html(self)

    def __repr__(self):
        count = f"{self.count_params():,} params" if self.built else "not built"
        return f"<{type(self).__name__} {self.name!r}: {len(self.layers)} layers, {count}>"

    def __or__(self, step):
        """`model | verb` applies the verb (`compile(...)`, `fit(...)`); a layer cannot be appended.

        Raises:
            ConfigError: for a layer: only Sequential models grow in place.
            ArgumentTypeError: for something that is neither a layer nor a verb.
        """
        if isinstance(step, Layer):
            raise ConfigError(
                f"Cannot append layer {step.name!r} to the functional model {self.name!r}: only Sequential models "
                f"grow in place. Pipe the model's output instead: `{self.name}.output | layer`, then build a new "
                "Model."
            )
        return pipe_into(self, step)

    __rshift__ = __or__


def _keras_layer_order(inputs, outputs):
    """The graph's layers in Keras's order (its `model.layers`, the order of `get_weights()` and of by-order weight
    files): by depth, the longest path to an output, deepest first; at equal depth in the order a depth-first walk
    from the outputs first meets them (an input no output needs: depth 0, before the others there). Parents
    always come first. Walked on explicit stacks, for deep models."""
    index, order, done, in_progress = {}, [], set(), set()
    for output in outputs:
        if id(output.node) in done:
            continue
        stack = [(output.node, iter(output.node.input_tensors))]
        index.setdefault(id(output.node.layer), (len(index), output.node.layer))
        in_progress.add(id(output.node))
        while stack:
            node, parents = stack[-1]
            for tensor in parents:
                parent = tensor.node
                if id(parent) not in done and id(parent) not in in_progress:
                    index.setdefault(id(parent.layer), (len(index), parent.layer))
                    in_progress.add(id(parent))
                    stack.append((parent, iter(parent.input_tensors)))
                    break
            else:
                stack.pop()
                in_progress.discard(id(node))
                done.add(id(node))
                order.append(node)
    node_depth, layer_depth = {}, {}
    for node in reversed(order):
        depth = max(node_depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for tensor in node.input_tensors:
            node_depth[id(tensor.node)] = max(depth + 1, node_depth.get(id(tensor.node), 0))
    for tensor in inputs:
        if id(tensor.node.layer) not in index:
            index[id(tensor.node.layer)] = (-1, tensor.node.layer)
            layer_depth[id(tensor.node.layer)] = 0
    ranked = sorted(index.items(), key=lambda item: (-layer_depth[item[0]], item[1][0]))
    return [layer for _, (_, layer) in ranked]
