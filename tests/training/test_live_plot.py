"""LivePlot and fit(view_metrics=True): the metrics drawn as each epoch ends, in a script and in a notebook."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.callbacks import LivePlot, live_plot
from pipekeras.errors import ConfigError

pytest.importorskip("matplotlib")


def _model():
    model = pk.sequential() | pk.dense(1, input_shape=2)
    return model | pk.compile(optimizer="sgd", loss="mse", metrics=["mae"])


def _data():
    x = np.random.default_rng(0).random((16, 2), dtype=np.float32)
    return x, x.sum(axis=1, keepdims=True)


class PngAtEpochEnd(pk.Callback):
    """Reads the PNG after LivePlot wrote it, epoch by epoch."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.sizes = []

    def on_epoch_end(self, epoch, logs=None):
        data = self.path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        self.sizes.append(len(data))


def test_a_script_gets_a_png_rewritten_every_epoch(tmp_path):
    path = tmp_path / "live.png"
    reader = PngAtEpochEnd(path)
    history = _model() | pk.fit(*_data(), epochs=3, verbose=0, validation_split=0.25,
                                callbacks=[LivePlot(path), reader])
    assert len(reader.sizes) == 3 and path.exists()
    assert set(history.history) == {"loss", "mae", "val_loss", "val_mae"}
    assert not [p for p in tmp_path.iterdir() if p.name != "live.png"]  # atomic: no temporary file left


def test_fit_view_metrics_writes_training_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _model() | pk.fit(*_data(), epochs=2, verbose=0, view_metrics=True)
    assert (tmp_path / "training.png").read_bytes()[:4] == b"\x89PNG"


def test_a_notebook_gets_one_figure_updated(monkeypatch, tmp_path):
    pytest.importorskip("IPython")
    shown = []

    class Handle:
        def update(self, image):
            shown.append(("update", image.data[:4]))

    def display(image, display_id):
        assert display_id is True
        shown.append(("display", image.data[:4]))
        return Handle()

    monkeypatch.setattr(live_plot, "_notebook_display", lambda: display)
    monkeypatch.chdir(tmp_path)
    _model() | pk.fit(*_data(), epochs=3, verbose=0, callbacks=[LivePlot()])
    assert shown == [("display", b"\x89PNG"), ("update", b"\x89PNG"), ("update", b"\x89PNG")]
    assert not list(tmp_path.iterdir())  # no file unless a path is given


def test_live_plot_arguments():
    with pytest.raises(ConfigError, match=r"LivePlot: path must name a \.png file, received 'x\.jpg'"):
        LivePlot("x.jpg")
    assert live_plot._notebook_display() is None  # pytest is no Jupyter kernel


def test_plot_of_a_history_shows_once_in_a_notebook(monkeypatch):
    formatters = pytest.importorskip("IPython.core.formatters")
    import types

    import matplotlib
    import matplotlib.pyplot as plt

    history = _model() | pk.fit(*_data(), epochs=2, verbose=0)
    script_figure = history | pk.plot()  # a script: a plain figure, for plt.show()
    assert "_ipython_display_" not in vars(script_figure)
    plt.close(script_figure)

    kernel = types.SimpleNamespace(kernel=object())
    shown = []
    modules = __import__("sys").modules
    monkeypatch.setitem(modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel))
    monkeypatch.setitem(modules, "IPython.display", types.SimpleNamespace(display=shown.append))
    monkeypatch.setattr(matplotlib, "get_backend", lambda: "module://matplotlib_inline.backend_inline")
    figure = history | pk.plot()
    # shown now, once; closed, so the inline backend does not show it again when the cell ends; and the cell's
    # value shows nothing
    assert shown == [figure]
    assert figure.number not in plt.get_fignums()
    assert formatters.DisplayFormatter().format(figure) == ({}, {})
