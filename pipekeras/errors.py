"""The library's own errors.

Every error pipekeras raises for a user's mistake is a `PipeKerasError`. The subclasses also derive from
the built-in error a Keras user would catch (`ValueError`, `TypeError`), so `except ValueError` works.
"""

import difflib


class PipeKerasError(Exception):
    """Base class of every error pipekeras raises for bad input."""


class ShapeError(PipeKerasError, ValueError):
    """An input, weight or output has a shape the layer or model cannot take."""


class ConfigError(PipeKerasError, ValueError):
    """A layer, model, loss or optimizer argument is invalid."""


class ArgumentTypeError(PipeKerasError, TypeError):
    """An argument has the wrong type."""


class DataError(PipeKerasError, ValueError):
    """Training or prediction data is invalid (NaN, wrong labels, empty, wrong dtype)."""


class NotBuiltError(PipeKerasError, RuntimeError):
    """A model or layer was used before it had the shape or compile state it needs."""


class SavingError(PipeKerasError, OSError):
    """A model or weights file cannot be written or read."""


class ConcurrencyError(PipeKerasError, RuntimeError):
    """A model was asked to train in one thread while it is training in another."""


def did_you_mean(name, choices):
    """Returns ' Did you mean 'x'?' for the closest of `choices`, or ''."""
    close = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def unknown_name_error(kind, name, choices):
    """Builds the error for an unknown activation, initializer, loss, ... name."""
    listed = ", ".join(sorted(choices))
    return ConfigError(f"Unknown {kind} {name!r}.{did_you_mean(name, choices)} Valid names: {listed}.")
