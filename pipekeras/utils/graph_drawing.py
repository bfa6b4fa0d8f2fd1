"""Drawing a LayerGraph: as DOT text for Graphviz's `dot` program, or as a matplotlib Figure.

`labels` maps each layer name to its box's text lines; `rankdir` is "TB" (top to bottom) or "LR".
"""

import math
import subprocess

from ..errors import PipeKerasError

BOX_COLOR = "#e8eef8"
EDGE_COLOR = "#44546a"


def _escaped(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _quoted(text):
    return f'"{_escaped(text)}"'


def _label(lines):
    """A DOT label of several centred lines (`\\n` is Graphviz's centred line break)."""
    return '"' + "\\n".join(_escaped(line) for line in lines) + '"'


def dot_source(graph, labels, rankdir="TB"):
    """The graph in Graphviz's DOT language."""
    lines = [f"digraph {_quoted(graph.name)} {{",
             f"  graph [rankdir={rankdir}];",
             f'  node [shape=box, style="rounded,filled", fillcolor="{BOX_COLOR}", fontname="Helvetica", '
             'fontsize=11];',
             f'  edge [color="{EDGE_COLOR}"];']
    lines += [f"  {_quoted(box.name)} [label={_label(labels[box.name])}];" for box in graph.boxes]
    lines += [f"  {_quoted(source)} -> {_quoted(target)};" for source, target in graph.edges]
    return "\n".join(lines + ["}"]) + "\n"


def render_with_dot(dot_program, source, file_format, dpi):
    """Runs `dot` on DOT text; returns the png, svg or pdf bytes."""
    command = [dot_program, f"-T{file_format}"] + ([f"-Gdpi={dpi}"] if file_format == "png" else [])
    result = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, check=False)
    if result.returncode != 0:
        raise PipeKerasError(f"plot_model: Graphviz's {dot_program} failed (exit {result.returncode}): "
                             f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout


# ----- matplotlib -----------------------------------------------------------------------------------
# Geometry in inches: the axes fill the figure and one data unit is one inch, so text sizes and box
# sizes agree whatever the graph's size.

FONT_SIZE = 9
CHAR_WIDTH = 0.075   # inches per character at FONT_SIZE, a little more than the mean glyph
LINE_HEIGHT = 0.18
PADDING = 0.15
GAP = 0.45           # between ranks, and between boxes of one rank
MARGIN = 0.1
CURVE_RAD = 0.5      # how much an arrow against the flow bends around the boxes


def _positions(graph, box_size, rankdir):
    """Centre of each box: ranks one after another along the flow, each rank's boxes centred across it."""
    width, height = box_size
    by_rank = {}
    for box in graph.boxes:
        by_rank.setdefault(box.rank, []).append(box.name)
    along, across = (height + GAP, width + GAP) if rankdir == "TB" else (width + GAP, height + GAP)
    positions = {}
    for rank, names in by_rank.items():
        for slot, name in enumerate(names):
            offset = (slot - (len(names) - 1) / 2) * across
            positions[name] = (offset, -rank * along) if rankdir == "TB" else (rank * along, -offset)
    return positions


def _arrow(source, target, box_size, rankdir):
    """(start, end, rad) of the arrow between two box centres; rad is how much it curves (0: straight).

    Down the flow an arrow goes straight from the source's bottom to the target's top (right to left side
    with "LR"). Against it (a layer fed by a later call of a shared layer) it curves around the boxes'
    right side (bottom side with "LR").
    """
    (sx, sy), (tx, ty) = source, target
    half_width, half_height = box_size[0] / 2, box_size[1] / 2
    if rankdir == "TB":
        if ty < sy:
            return (sx, sy - half_height), (tx, ty + half_height), 0.0
        return (sx + half_width, sy), (tx + half_width, ty), CURVE_RAD
    if tx > sx:
        return (sx + half_width, sy), (tx - half_width, ty), 0.0
    return (sx, sy - half_height), (tx, ty - half_height), -CURVE_RAD


def matplotlib_figure(graph, labels, rankdir="TB"):
    """The graph drawn on a new matplotlib Figure (not registered with pyplot, so nothing pops up)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    longest = max((len(line) for lines in labels.values() for line in lines), default=1)
    most_lines = max((len(lines) for lines in labels.values()), default=1)
    box_size = (longest * CHAR_WIDTH + 2 * PADDING, most_lines * LINE_HEIGHT + 2 * PADDING)
    positions = _positions(graph, box_size, rankdir)
    arrows = [_arrow(positions[source], positions[target], box_size, rankdir) for source, target in graph.edges]
    # A curved arrow's middle lies |rad| / 2 of its length beside the straight line.
    curve_reach = max((math.dist(start, end) * abs(rad) / 2 for start, end, rad in arrows), default=0.0)
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    left = min(xs) - box_size[0] / 2 - MARGIN
    right = max(xs) + box_size[0] / 2 + MARGIN + (curve_reach if rankdir == "TB" else 0.0)
    bottom = min(ys) - box_size[1] / 2 - MARGIN - (curve_reach if rankdir == "LR" else 0.0)
    top = max(ys) + box_size[1] / 2 + MARGIN
    figure = Figure(figsize=(right - left, top - bottom))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(left, right)
    axes.set_ylim(bottom, top)
    axes.set_axis_off()
    for box in graph.boxes:
        x, y = positions[box.name]
        axes.add_patch(FancyBboxPatch((x - box_size[0] / 2, y - box_size[1] / 2), *box_size,
                                      boxstyle="round,pad=0,rounding_size=0.08", facecolor=BOX_COLOR,
                                      edgecolor=EDGE_COLOR, linewidth=1))
        axes.text(x, y, "\n".join(labels[box.name]), ha="center", va="center", fontsize=FONT_SIZE,
                  linespacing=1.3)
    for start, end, rad in arrows:
        axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=EDGE_COLOR,
                                       shrinkA=0, shrinkB=0, connectionstyle=f"arc3,rad={rad}"))
    return figure
