"""A model's layer graph, as plot_model draws it: one box per layer, one arrow per connection.

A layer shared by several calls is one box with an arrow from each of its inputs, as Keras draws it.
"""

from dataclasses import dataclass

from ..engine.layer import shape_str


@dataclass(frozen=True)
class LayerBox:
    """One layer of the graph: what its box says, and its rank (0 for inputs, then one per step away)."""

    name: str
    class_name: str
    output_shape: str        # "(None, 64)", "multiple" for a shared layer with several shapes, "?" unbuilt
    activation: str | None   # the activation's name, for layers that have one
    rank: int

    def label(self, show_shapes=True, show_layer_names=True, show_layer_activations=False):
        """The box's text lines: "name (Class)" (or "Class"), the activation and the output shape."""
        lines = [f"{self.name} ({self.class_name})" if show_layer_names else self.class_name]
        if show_layer_activations and self.activation:
            lines.append(f"activation: {self.activation}")
        if show_shapes:
            lines.append(self.output_shape)
        return lines


@dataclass(frozen=True)
class LayerGraph:
    """The boxes in the order the model runs them and the arrows as (source name, target name) pairs."""

    name: str
    boxes: list
    edges: list


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    return getattr(activation, "name", None) or getattr(activation, "__name__", None)


def _output_shape(nodes):
    shapes = {shape_str(node.output_shapes) for node in nodes}
    if not shapes:
        return "?"
    return shapes.pop() if len(shapes) == 1 else "multiple"


def layer_graph(model):
    """The `LayerGraph` of a model: its input layers, layers and connections.

    A Sequential model whose input shape is not known yet has no graph behind it; it is drawn as the
    chain of its layers, with "?" shapes.
    """
    if not model.built:
        boxes = [LayerBox(layer.name, type(layer).__name__, "?", _activation_name(layer), rank)
                 for rank, layer in enumerate(model.layers)]
        edges = [(a.name, b.name) for a, b in zip(boxes, boxes[1:])]
        return LayerGraph(model.name, boxes, edges)
    node_rank, layers = {}, {}
    for node in model.iter_nodes():  # topological order: parents come first
        node_rank[id(node)] = 1 + max((node_rank[id(parent)] for parent in node.parent_nodes), default=-1)
        layers.setdefault(id(node.layer), node.layer)
    boxes, edges = [], []
    for layer in layers.values():
        nodes = model.nodes_of(layer)
        boxes.append(LayerBox(layer.name, type(layer).__name__, _output_shape(nodes), _activation_name(layer),
                              min(node_rank[id(node)] for node in nodes)))
        for node in nodes:
            for tensor in node.input_tensors:
                edge = (tensor.node.layer.name, layer.name)
                if edge not in edges:
                    edges.append(edge)
    return LayerGraph(model.name, boxes, edges)
