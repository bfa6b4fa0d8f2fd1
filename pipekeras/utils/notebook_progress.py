"""fit's progress bar as a Jupyter widget, when running in a notebook with ipywidgets installed.

ipywidgets is optional: without it, or outside a Jupyter kernel, `progress_bar` gives the text bar.
"""

import sys

from .progress import Progbar, status_text, text_line


def notebook_widgets():
    """The ipywidgets module when this code runs in a Jupyter kernel and ipywidgets is installed, else None."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if getattr(shell, "kernel", None) is None:
        return None
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets


def progress_bar(total):
    """A progress bar over `total` steps: a widget in a Jupyter notebook with ipywidgets, else the text bar."""
    widgets = notebook_widgets()
    return WidgetProgbar(total, widgets) if widgets is not None else Progbar(total)


class WidgetProgbar(Progbar):
    """The progress bar as an ipywidgets bar and label, updated in place; replaced by the text line at the end.

    The final text line stays in the notebook's saved output, where a widget would not show.

    Args:
        total: number of steps.
        widgets: the ipywidgets module.
        interval: minimum seconds between redraws.
    """

    def __init__(self, total, widgets, interval=0.1):
        from IPython.display import display

        super().__init__(total, interval=interval)
        self.live = True
        self.bar = widgets.IntProgress(value=0, min=0, max=max(total, 1))
        self.label = widgets.Label(value=f"0/{total}")
        self.box = widgets.HBox([self.bar, self.label])
        sys.stdout.flush()  # the "Epoch n/N" line goes above the bar
        self.handle = display(self.box, display_id=True)

    def draw(self, step, elapsed, logs, final):
        self.bar.value = min(step, self.bar.max)
        self.label.value = f"{step}/{self.total}" + status_text(step, self.total, elapsed, logs, final)
        if final:
            self.handle.update({"text/plain": text_line(step, self.total, self.width, elapsed, logs, final)},
                               raw=True)
            self.box.close()
