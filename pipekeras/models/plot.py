"""plot_model: draws a model's layer graph with Graphviz's `dot` program when installed, else with matplotlib."""

import io
import os
import shutil

from ..errors import ConfigError
from ..utils.atomic import atomic_write
from ..utils.graph_drawing import dot_source, matplotlib_figure, render_with_dot
from ..utils.plotting import MissingDependencyError
from .functional import Model
from .layer_graph import layer_graph

FORMATS = ("png", "svg", "pdf")


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


class ModelPlot:
    """A drawing of a model's layer graph: shows as an image in a notebook, saves as png, svg or pdf.

    Attributes:
        graph: the `LayerGraph` drawn (`graph.boxes`, `graph.edges`).
        engine: "graphviz" or "matplotlib".
        figure: the matplotlib Figure (None with Graphviz).
        source: the DOT text given to Graphviz (None with matplotlib).
    """

    def __init__(self, graph, labels, rankdir, dpi, dot_program):
        self.graph = graph
        self.dpi = dpi
        self.dot_program = dot_program
        self.engine = "graphviz" if dot_program else "matplotlib"
        self.source = dot_source(graph, labels, rankdir) if dot_program else None
        self.figure = None if dot_program else matplotlib_figure(graph, labels, rankdir)

    def to_bytes(self, file_format="png"):
        """The drawing as the bytes of a png, svg or pdf file."""
        if file_format not in FORMATS:
            raise ConfigError(f"plot_model: cannot draw a {file_format!r} file; use one of {', '.join(FORMATS)}.")
        if self.dot_program:
            return render_with_dot(self.dot_program, self.source, file_format, self.dpi)
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format=file_format, dpi=self.dpi)
        return buffer.getvalue()

    def save(self, path):
        """Writes the drawing to `path` atomically, in the format its extension names; returns the path."""
        extension = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        if extension not in FORMATS:
            raise ConfigError(f"plot_model: to_file={os.fspath(path)!r} must end in "
                              f"{', '.join('.' + f for f in FORMATS)} (the format follows the extension).")
        data = self.to_bytes(extension)
        return atomic_write(path, lambda file: file.write(data))

    def _repr_png_(self):
        return self.to_bytes("png")

    def __repr__(self):
        return (f"<ModelPlot of {self.graph.name!r}: {len(self.graph.boxes)} layers, "
                f"{len(self.graph.edges)} connections, drawn with {self.engine}>")


def plot_model(model, to_file=None, show_shapes=True, show_layer_names=True, rankdir="TB", dpi=96,
               show_layer_activations=False):
    """Draws a model's layers as boxes joined by arrows, as Keras' `plot_model`.

    Each box names the layer and its class and shows its output shape; a functional model with several
    inputs or outputs and shared layers is drawn along its graph (a shared layer is one box with an arrow
    from each input it was called on). Graphviz's `dot` program draws the graph when it is on the PATH,
    matplotlib otherwise.

    Args:
        model: a `Sequential` or functional `Model`.
        to_file: optional path of a `.png`, `.svg` or `.pdf` file to write (atomically).
        show_shapes: show each layer's output shape ("multiple" for a shared layer whose calls differ).
        show_layer_names: show layer names before their class names.
        rankdir: "TB" draws top to bottom, "LR" left to right.
        dpi: resolution of png output.
        show_layer_activations: show the activation of layers that have one.

    Returns:
        A `ModelPlot`, which shows as an image in a notebook; `.save(path)` and `.to_bytes(format)` give files.

    Raises:
        MissingDependencyError: neither Graphviz nor matplotlib is installed (an `ImportError`).
        ConfigError: `to_file` does not end in .png, .svg or .pdf, `rankdir` is not "TB" or "LR", or
            `model` is not a model.

    Example:
        >>> plot_model(model, to_file="model.png")
    """
    if not isinstance(model, Model):
        raise ConfigError(f"plot_model: expected a model, received {type(model).__name__}.")
    if rankdir not in ("TB", "LR"):
        raise ConfigError(f"plot_model: rankdir must be 'TB' or 'LR', received {rankdir!r}.")
    dot_program = shutil.which("dot")
    if dot_program is None and not _has_matplotlib():
        raise MissingDependencyError(
            "plot_model draws with Graphviz's `dot` program or with matplotlib, and neither is installed. "
            "Install matplotlib with `pip install pipekeras[plot]` (or `pip install matplotlib`), or Graphviz "
            "(`apt install graphviz`, `brew install graphviz`, or https://graphviz.org/download/).")
    graph = layer_graph(model)
    labels = {box.name: box.label(show_shapes, show_layer_names, show_layer_activations) for box in graph.boxes}
    drawing = ModelPlot(graph, labels, rankdir, dpi, dot_program)
    if to_file is not None:
        drawing.save(to_file)
    return drawing
