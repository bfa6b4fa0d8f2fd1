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


class Progbar:
    """Draws `step/total [=====>....] - ETA: 3s - loss: 0.2543` and redraws it in place.

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
        now = time.perf_counter()
        if not final and (not self.live or (now - self._last_draw < self.interval and step < self.total)):
            return
        self._last_draw = now
        elapsed = now - self.start
        filled = int(self.width * step / max(self.total, 1))
        bar = "=" * max(filled - 1, 0) + (">" if step < self.total else "=") * (filled > 0)
        line = f"{step}/{self.total} [{bar.ljust(self.width, '.')}]"
        if final or step >= self.total:
            per_step = elapsed / max(step, 1)
            unit = f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us/step"
            line += f" - {format_duration(elapsed)} {unit}"
        else:
            line += f" - ETA: {format_duration(elapsed / max(step, 1) * (self.total - step))}"
        if logs:
            line += " - " + format_logs(logs)
        padding = " " * max(self._last_len - len(line), 0)
        self.stream.write("\r" + line + padding + ("\n" if final else ""))
        self.stream.flush()
        self._last_len = len(line)
