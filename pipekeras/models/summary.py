"""model.summary(): Keras' table of layers, output shapes and parameter counts, as text or as HTML."""

import html
from dataclasses import dataclass, field

from ..engine.input_layer import InputLayer
from ..engine.layer import shape_str

NOT_BUILT = "(not built yet: give the first layer input_shape=, or call the model on data)"


@dataclass
class SummaryRow:
    layer: str                      # "dense (Dense)"
    output_shape: str
    params: int
    connected_to: list = field(default_factory=list)   # "name[node][tensor]" of each input (graph models)


@dataclass
class SummaryTable:
    name: str
    shows_connections: bool         # functional models list what feeds each layer; Sequential ones do not
    built: bool
    rows: list
    trainable: int
    non_trainable: int

    @property
    def headers(self):
        return ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if self.shows_connections else [])

    @property
    def totals(self):
        return [("Total params", self.trainable + self.non_trainable), ("Trainable params", self.trainable),
                ("Non-trainable params", self.non_trainable)]


def _output_shape_of(layer, model):
    nodes = model.nodes_of(layer)
    return shape_str(nodes[0].output_shapes) if nodes else "?"


def _connections_of(layer, model):
    sources = []
    for node in model.nodes_of(layer):
        for tensor in node.input_tensors:
            name, node_index, tensor_index = model.tensor_ref(tensor)
            sources.append(f"{name}[{node_index}][{tensor_index}]")
    return sources


def summary_table(model):
    """The rows and totals of `model`'s summary, ready to be formatted."""
    graph = not model.is_stack
    rows = []
    for layer in model.layers:
        params = 0 if isinstance(layer, InputLayer) or not layer.built else layer.count_params()
        rows.append(SummaryRow(
            layer=f"{layer.name} ({type(layer).__name__})",
            output_shape=_output_shape_of(layer, model) if model.built else "(unbuilt)",
            params=params,
            connected_to=_connections_of(layer, model) if graph else [],
        ))
    return SummaryTable(
        name=model.name, shows_connections=graph, built=model.built, rows=rows,
        trainable=sum(int(v.value.size) for v in model.trainable_weights),
        non_trainable=sum(int(v.value.size) for v in model.non_trainable_weights),
    )


def format_summary(model, line_length=None):
    """Returns the summary table of `model` as a string."""
    table = summary_table(model)
    widths = [32, 26, 12] + ([30] if table.shows_connections else [])
    if line_length:
        widths[0] += max(0, line_length - sum(widths))
    total_width = sum(widths)

    def line(cells):
        return "".join((" " + str(cell)).ljust(width)[:width] for cell, width in zip(cells, widths)).rstrip()

    lines = [f'Model: "{table.name}"', "_" * total_width, line(table.headers), "=" * total_width]
    if not table.built:
        lines.append(" " + NOT_BUILT)
    for i, row in enumerate(table.rows):
        cells = [row.layer, row.output_shape, f"{row.params:,}"]
        if table.shows_connections:
            first, *more = row.connected_to or [""]
            lines.append(line(cells + [first]))
            lines += [line(["", "", "", source]) for source in more]
        else:
            lines.append(line(cells))
        lines.append("_" * total_width if i < len(table.rows) - 1 else "=" * total_width)
    if not table.rows:
        lines.append("=" * total_width)
    lines += [f"{label}: {count:,}" for label, count in table.totals] + ["_" * total_width]
    return "\n".join(lines)


def summary_html(model):
    """Returns the summary table of `model` as an HTML fragment (how a model shows in a notebook)."""
    table = summary_table(model)
    escape = html.escape
    header = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        cells = [escape(row.layer), escape(row.output_shape), f"{row.params:,}"]
        if table.shows_connections:
            cells.append("<br>".join(escape(source) for source in row.connected_to))
        body.append("<tr>" + "".join(f"<td style='text-align:left'>{cell}</td>" for cell in cells) + "</tr>")
    if not table.built:
        body.append(f"<tr><td colspan='{len(table.headers)}'>{escape(NOT_BUILT)}</td></tr>")
    totals = "<br>".join(f"{label}: {count:,}" for label, count in table.totals)
    return (f"<p><b>Model: &quot;{escape(table.name)}&quot;</b></p>"
            f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"<p>{totals}</p>")
