"""A Keras-style text progress bar that works in a terminal and in a notebook."""

import sys
import time


def format_logs(logs):
    return " - ".join(f"{k}: {v:.4f}" if isinstance(v, float) else f"{k}: {v}" for k, v in logs.items())


def format_duration(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _redraws_in_place(stream):
    """True for a terminal or a Jupyter output, where a carriage return redraws the line."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def status_text(step, total, elapsed, logs=None, final=False):
    """` - ETA: 3s - loss: 0.2543` while running; ` - 4s 2ms/step - loss: 0.2543` at the end of the epoch."""
    if final or step >= total:
        per_step = elapsed / max(step, 1)
        unit = f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us/step"
        text = f" - {format_duration(elapsed)} {unit}"
    else:
        text = f" - ETA: {format_duration(elapsed / max(step, 1) * (total - step))}"
    return text + (" - " + format_logs(logs) if logs else "")


def text_line(step, total, width, elapsed, logs=None, final=False):
    """`step/total [=====>....] - ETA: 3s - loss: 0.2543`: the bar drawn in `width` characters, then the status."""
    filled = int(width * step / max(total, 1))
    bar = "=" * max(filled - 1, 0) + (">" if step < total else "=") * (filled > 0)
    return f"{step}/{total} [{bar.ljust(width, '.')}]" + status_text(step, total, elapsed, logs, final)


class Progbar:
    """Draws `step/total [=====>....] - ETA: 3s - loss: 0.2543` and redraws it in place.

    Subclasses change `draw` (how a line is shown) and `live` (whether to redraw before the end).

    Args:
        total: number of steps.
        width: characters in the bar.
        stream: where to write (sys.stdout by default).
        interval: minimum seconds between redraws.
    """

    def __init__(self, total, width=30, stream=None, interval=0.05):
        self.total = total
        self.width = width
        self.stream = stream or sys.stdout
        self.interval = interval
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_len = 0
        self.live = _redraws_in_place(self.stream)

    def update(self, step, logs=None, final=False):
        """Shows progress after `step` of `total` steps; `final=True` ends the bar with the time taken."""
        now = time.perf_counter()
        if not final and (not self.live or (now - self._last_draw < self.interval and step < self.total)):
            return
        self._last_draw = now
        self.draw(step, now - self.start, logs, final)

    def draw(self, step, elapsed, logs, final):
        line = text_line(step, self.total, self.width, elapsed, logs, final)
        padding = " " * max(self._last_len - len(line), 0)
        self.stream.write("\r" + line + padding + ("\n" if final else ""))
        self.stream.flush()
        self._last_len = len(line)
