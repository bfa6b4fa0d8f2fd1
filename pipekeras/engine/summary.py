"""model.summary(): Keras' table of layers, output shapes and parameter counts."""

from .input_layer import InputLayer
from .layer import shape_str


def _output_shape_of(layer, model):
    nodes = model._model_nodes_of(layer)
    if not nodes:
        return "?"
    shapes = nodes[0].output_shapes
    return shape_str(shapes)


def _param_count(layer):
    return layer.count_params() if layer.built else 0


def format_summary(model, line_length=None):
    """Returns the summary table of `model` as a string."""
    from .sequential import Sequential

    graph = not isinstance(model, Sequential)
    widths = [32, 26, 12] + ([30] if graph else [])
    if line_length:
        widths[0] += max(0, line_length - sum(widths))
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if graph else [])
    total_width = sum(widths)

    def row(cells):
        line = ""
        for cell, width in zip(cells, widths):
            line += (" " + str(cell)).ljust(width)[:width]
        return line.rstrip()

    lines = [f'Model: "{model.name}"', "_" * total_width, row(headers), "=" * total_width]
    if not model.built:
        lines.append(" (not built yet: give the first layer input_shape=, or call the model on data)")
    layers = model._layers if graph else model.layers
    for i, layer in enumerate(layers):
        shape = _output_shape_of(layer, model) if model.built else "(unbuilt)"
        params = 0 if isinstance(layer, InputLayer) else _param_count(layer)
        cells = [f"{layer.name} ({type(layer).__name__})", shape, f"{params:,}"]
        if graph:
            sources = []
            for node in model._model_nodes_of(layer):
                sources += [f"{t.node.layer.name}[{model._model_nodes_of(t.node.layer).index(t.node)}][{t.index}]"
                            for t in node.input_tensors]
            cells.append(sources[0] if sources else "")
            lines.append(row(cells))
            for extra in sources[1:]:
                lines.append(row(["", "", "", extra]))
        else:
            lines.append(row(cells))
        lines.append("_" * total_width if i < len(layers) - 1 else "=" * total_width)
    if not layers:
        lines.append("=" * total_width)
    trainable = sum(int(v.value.size) for v in model.trainable_weights)
    non_trainable = sum(int(v.value.size) for v in model.non_trainable_weights)
    lines += [
        f"Total params: {trainable + non_trainable:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {non_trainable:,}",
        "_" * total_width,
    ]
    return "\n".join(lines)
