"""Notebook display: a model shows as its summary table, a History as its plot, fit's bar as a widget,
and plot_model draws the layer graph (Graphviz's `dot` or matplotlib). The optional packages are faked or
blocked here so both paths run whatever is installed; checks that need the real package skip without it."""

import os
import re
import stat
import subprocess
import sys
import types
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.models.summary import format_summary, summary_html
from pipekeras.errors import ConfigError, SavingError
from pipekeras.utils import notebook_progress
from pipekeras.models.layer_graph import layer_graph
from pipekeras.utils.plotting import MissingDependencyError
from pipekeras.utils.progress import Progbar

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _shared_layer_model():
    left, right = pk.Input(shape=5, name="left"), pk.Input(shape=5, name="right")
    shared = pk.dense(3, "relu", name="shared")
    merged = [left | shared, right | shared] | pk.concatenate(name="merged")
    return pk.Model([left, right], [merged | pk.dense(1, name="out_a"), merged | pk.dense(2, name="out_b")])


def _small_sequential():
    return pk.sequential() | pk.dense(4, "relu", input_shape=3, name="hidden") | pk.dense(1, name="out")


def _block(monkeypatch, *modules):
    """Makes `import module` raise ImportError, as if the package were not installed."""
    for name in modules:
        for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            monkeypatch.delitem(sys.modules, loaded)
        monkeypatch.setitem(sys.modules, name, None)


def _is_png(data):
    return data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"


# ----- a model shows as its summary table -------------------------------------------------------------

def test_model_html_is_the_summary_table():
    model = _small_sequential()
    html = model._repr_html_()
    assert re.findall(r"<th[^>]*>([^<]*)</th>", html) == ["Layer (type)", "Output Shape", "Param #"]
    rows = re.findall(r"<tr><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", html)
    assert rows == [("hidden (Dense)", "(None, 4)", "16"), ("out (Dense)", "(None, 1)", "5")]
    assert "Total params: 21" in html and "Trainable params: 21" in html and "Non-trainable params: 0" in html
    assert "Model: &quot;sequential&quot;" in html


def test_functional_model_html_lists_what_feeds_each_layer():
    html = summary_html(_shared_layer_model())
    assert "<th style='text-align:left'>Connected to</th>" in html
    assert "<td style='text-align:left'>left[0][0]<br>right[0][0]</td>" in html
    assert "<td style='text-align:left'>shared[0][0]<br>shared[1][0]</td>" in html


def test_unbuilt_model_html_says_so():
    html = summary_html(pk.sequential() | pk.dense(4))
    assert "not built yet" in html and "(unbuilt)" in html


def test_model_pretty_text_is_the_printed_summary(capsys):
    pretty = pytest.importorskip("IPython.lib.pretty")
    model = _shared_layer_model()
    model.summary()
    printed = capsys.readouterr().out
    assert pretty.pretty(model) == format_summary(model) == printed.rstrip("\n")
    assert "shared (Dense)                  (None, 3)                 18          left[0][0]" in printed


# ----- a History shows as its plot --------------------------------------------------------------------

def _history(epochs=3):
    history = pk.History()
    for epoch in range(epochs):
        history.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 1.2 / (epoch + 1)})
    return history


def test_history_png_is_its_plot():
    pytest.importorskip("matplotlib")
    assert _is_png(_history()._repr_png_())


def test_history_without_matplotlib_shows_as_text(monkeypatch):
    _block(monkeypatch, "matplotlib")
    history = _history()
    assert history._repr_png_() is None
    assert repr(history).splitlines()[1].split() == ["epoch", "loss", "val_loss"]


def test_empty_history_has_no_picture():
    assert pk.History()._repr_png_() is None


def test_history_plot_passes_smooth():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    figure = _history(epochs=12).plot(smooth=True)
    # smoothing draws the points and the running mean: two lines per curve
    assert len(figure.axes[0].lines) == 4
    plt.close(figure)


# ----- fit's progress bar: text, or a widget in a notebook -------------------------------------------

class _FakeWidget:
    def __init__(self, children=None, **traits):
        self.children = children
        self.closed = False
        self.__dict__.update(traits)

    def close(self):
        self.closed = True


def _fake_ipywidgets():
    module = types.ModuleType("ipywidgets")
    module.IntProgress = type("IntProgress", (_FakeWidget,), {})
    module.Label = type("Label", (_FakeWidget,), {})
    module.HBox = type("HBox", (_FakeWidget,), {})
    return module


class _FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj, **kwargs):
        self.updates.append((obj, kwargs))


@pytest.fixture
def in_kernel(monkeypatch):
    """Pretends to run in a Jupyter kernel; returns the list of (widget, handle) displayed."""
    ipython = pytest.importorskip("IPython")
    import IPython.display

    monkeypatch.setattr(ipython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    shown = []

    def display(obj, display_id=False):
        assert display_id is True
        shown.append((obj, _FakeHandle()))
        return shown[-1][1]

    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def _fit_tiny(epochs=2):
    model = _small_sequential()
    model | pk.compile(optimizer="sgd", loss="mse")
    return model | pk.fit(np.zeros((40, 3), "float32"), np.zeros((40, 1), "float32"), epochs=epochs,
                          batch_size=8, verbose=1)


def test_outside_a_kernel_the_bar_is_text(capsys):
    assert notebook_progress.notebook_widgets() is None
    assert type(notebook_progress.progress_bar(5)) is Progbar
    _fit_tiny()
    lines = capsys.readouterr().out.replace("\r", "\n").splitlines()
    assert lines[0] == "Epoch 1/2"
    assert re.fullmatch(r"5/5 \[=+\] - \S+ \S+/step - loss: \d\.\d{4}", lines[-1].rstrip())


def test_in_a_kernel_without_ipywidgets_the_bar_is_text(in_kernel, monkeypatch):
    _block(monkeypatch, "ipywidgets")
    assert notebook_progress.notebook_widgets() is None
    assert type(notebook_progress.progress_bar(5)) is Progbar
    _fit_tiny()
    assert in_kernel == []


def test_in_a_kernel_with_ipywidgets_the_bar_is_a_widget(in_kernel, monkeypatch, capsys):
    widgets = _fake_ipywidgets()
    monkeypatch.setitem(sys.modules, "ipywidgets", widgets)
    assert notebook_progress.notebook_widgets() is widgets
    _fit_tiny(epochs=2)
    assert len(in_kernel) == 2  # one bar per epoch
    for box, handle in in_kernel:
        bar, label = box.children
        assert isinstance(bar, widgets.IntProgress) and bar.max == 5 and bar.value == 5
        assert re.fullmatch(r"5/5 - \S+ \S+/step - loss: \d\.\d{4}", label.value)
        # at the end the widget is replaced by the text line, which stays in the saved notebook
        [(data, options)] = handle.updates
        assert options == {"raw": True}
        assert re.fullmatch(r"5/5 \[=+\] - \S+ \S+/step - loss: \d\.\d{4}", data["text/plain"])
        assert box.closed
    assert capsys.readouterr().out.splitlines() == ["Epoch 1/2", "Epoch 2/2"]


def test_widget_bar_with_real_ipywidgets(in_kernel):
    widgets = pytest.importorskip("ipywidgets")
    bar = notebook_progress.WidgetProgbar(4, widgets, interval=0.0)
    bar.update(2, {"loss": 0.5})
    assert (bar.bar.value, bar.bar.max) == (2, 4)
    assert bar.label.value.startswith("2/4 - ETA: ") and bar.label.value.endswith("loss: 0.5000")
    bar.update(4, {"loss": 0.25}, final=True)
    assert bar.bar.value == 4
    assert in_kernel[0][1].updates[0][0]["text/plain"].startswith("4/4 [==============================] - ")


# ----- plot_model: the graph ---------------------------------------------------------------------------

def test_sequential_graph_is_a_chain_from_its_input():
    graph = layer_graph(_small_sequential())
    assert [(b.name, b.class_name, b.output_shape, b.rank) for b in graph.boxes] == [
        ("input_layer", "InputLayer", "(None, 3)", 0), ("hidden", "Dense", "(None, 4)", 1),
        ("out", "Dense", "(None, 1)", 2)]
    assert graph.edges == [("input_layer", "hidden"), ("hidden", "out")]


def test_functional_graph_draws_a_shared_layer_once_with_each_input():
    graph = layer_graph(_shared_layer_model())
    assert [(b.name, b.class_name, b.output_shape, b.rank) for b in graph.boxes] == [
        ("left", "InputLayer", "(None, 5)", 0), ("right", "InputLayer", "(None, 5)", 0),
        ("shared", "Dense", "(None, 3)", 1), ("merged", "Concatenate", "(None, 6)", 2),
        ("out_a", "Dense", "(None, 1)", 3), ("out_b", "Dense", "(None, 2)", 3)]
    assert graph.edges == [("left", "shared"), ("right", "shared"), ("shared", "merged"),
                           ("merged", "out_a"), ("merged", "out_b")]


def test_shared_layer_with_different_shapes_says_multiple():
    small, large = pk.Input(shape=(2, 4), name="small"), pk.Input(shape=(3, 4), name="large")
    shared = pk.dense(5, name="shared")
    model = pk.Model([small, large], [small | shared, large | shared])
    assert {b.name: b.output_shape for b in layer_graph(model).boxes}["shared"] == "multiple"


def test_unbuilt_sequential_graph_is_its_stack():
    graph = layer_graph(pk.sequential() | pk.dense(4, name="a") | pk.dense(1, name="b"))
    assert [(b.name, b.output_shape) for b in graph.boxes] == [("a", "?"), ("b", "?")]
    assert graph.edges == [("a", "b")]


def test_box_labels_follow_the_options():
    box = {b.name: b for b in layer_graph(_shared_layer_model()).boxes}["shared"]
    assert box.label() == ["shared (Dense)", "(None, 3)"]
    assert box.label(show_shapes=False, show_layer_names=False) == ["Dense"]
    assert box.label(show_layer_activations=True) == ["shared (Dense)", "activation: relu", "(None, 3)"]


# ----- plot_model: drawing with matplotlib ----------------------------------------------------------

@pytest.fixture
def without_dot(monkeypatch, tmp_path):
    """A PATH with no Graphviz `dot` on it."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_matplotlib_draws_png_svg_and_pdf(without_dot, tmp_path):
    pytest.importorskip("matplotlib")
    model = _shared_layer_model()
    drawing = pk.plot_model(model, to_file=tmp_path / "model.png")
    assert drawing.engine == "matplotlib" and drawing.source is None
    assert _is_png((tmp_path / "model.png").read_bytes())
    assert _is_png(drawing._repr_png_())
    texts = [text.get_text() for text in drawing.figure.axes[0].texts]
    assert texts == ["left (InputLayer)\n(None, 5)", "right (InputLayer)\n(None, 5)", "shared (Dense)\n(None, 3)",
                     "merged (Concatenate)\n(None, 6)", "out_a (Dense)\n(None, 1)", "out_b (Dense)\n(None, 2)"]
    assert len(drawing.figure.axes[0].patches) == 6 + 5  # a box per layer, an arrow per connection
    pk.plot_model(model, to_file=str(tmp_path / "model.svg"), rankdir="LR")
    assert ElementTree.parse(tmp_path / "model.svg").getroot().tag == "{http://www.w3.org/2000/svg}svg"
    pk.plot_model(model, to_file=tmp_path / "model.pdf")
    assert (tmp_path / "model.pdf").read_bytes().startswith(b"%PDF")


def test_matplotlib_draws_an_arrow_against_the_flow(without_dot):
    pytest.importorskip("matplotlib")
    x = pk.Input(shape=4, name="x")
    twice, between = pk.dense(4, name="twice"), pk.dense(4, name="between")
    drawing = pk.plot_model(pk.Model(x, x | twice | between | twice))
    assert drawing.graph.edges == [("x", "twice"), ("between", "twice"), ("twice", "between")]
    assert _is_png(drawing.to_bytes("png"))


def test_plot_model_file_errors_leave_nothing_behind(without_dot, tmp_path):
    pytest.importorskip("matplotlib")
    model = _small_sequential()
    with pytest.raises(ConfigError, match=r"\.png, \.svg, \.pdf"):
        pk.plot_model(model, to_file=tmp_path / "model.jpeg")
    with pytest.raises(SavingError, match="does not exist"):
        pk.plot_model(model, to_file=tmp_path / "missing" / "model.png")
    assert os.listdir(tmp_path) == ["empty_bin"]
    with pytest.raises(ConfigError, match="rankdir"):
        pk.plot_model(model, rankdir="BT")
    with pytest.raises(ConfigError, match="expected a model"):
        pk.plot_model(pk.dense(3))


def test_plot_model_without_graphviz_or_matplotlib_says_what_to_install(without_dot, monkeypatch):
    _block(monkeypatch, "matplotlib")
    with pytest.raises(MissingDependencyError, match=r"pip install pipekeras\[plot\].*apt install graphviz"):
        pk.plot_model(_small_sequential())
    with pytest.raises(ImportError):
        pk.plot_model(_small_sequential())


# ----- plot_model: drawing with Graphviz -------------------------------------------------------------

FAKE_DOT = """#!/bin/sh
echo "$@" > "$FAKE_DOT_DIR/args"
cat > "$FAKE_DOT_DIR/input.dot"
printf '<svg xmlns="http://www.w3.org/2000/svg"><text>drawn by dot</text></svg>'
"""


def test_graphviz_gets_the_graph_in_dot_language(monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = bin_dir / "dot"
    dot.write_text(FAKE_DOT)
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir) + os.pathsep + os.environ["PATH"])  # the fake comes first
    monkeypatch.setenv("FAKE_DOT_DIR", str(tmp_path))
    drawing = pk.plot_model(_shared_layer_model(), to_file=tmp_path / "model.svg")
    assert drawing.engine == "graphviz" and drawing.figure is None
    assert (tmp_path / "args").read_text().split() == ["-Tsvg"]
    assert ElementTree.parse(tmp_path / "model.svg").getroot().findtext("{http://www.w3.org/2000/svg}text") == \
        "drawn by dot"
    source = (tmp_path / "input.dot").read_text()
    assert source == drawing.source
    assert r'"shared" [label="shared (Dense)\n(None, 3)"];' in source
    edges = re.findall(r'^  "(\w+)" -> "(\w+)";$', source, flags=re.M)
    assert edges == [("left", "shared"), ("right", "shared"), ("shared", "merged"), ("merged", "out_a"),
                     ("merged", "out_b")]
    drawing.to_bytes("png")
    assert (tmp_path / "args").read_text().split() == ["-Tpng", "-Gdpi=96"]


def test_real_graphviz_draws_a_png(tmp_path):
    if subprocess.run(["which", "dot"], capture_output=True).returncode != 0:
        pytest.skip("Graphviz's dot is not installed")
    drawing = pk.plot_model(_shared_layer_model(), to_file=tmp_path / "model.png")
    assert drawing.engine == "graphviz"
    assert _is_png((tmp_path / "model.png").read_bytes())


# ----- optional packages stay optional ---------------------------------------------------------------

def test_import_needs_none_of_the_optional_packages():
    blocked = ("matplotlib", "ipywidgets", "graphviz", "IPython")
    code = ("import sys\n"
            f"for name in {blocked!r}: sys.modules[name] = None\n"
            "import pipekeras, pipekeras.r\n"
            "print(pipekeras.plot_model.__name__, pipekeras.r.plot_model.__name__ == 'plot_model')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["plot_model", "True"]
