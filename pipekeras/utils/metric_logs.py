"""MetricLogs: the dict of losses and metrics that `evaluate` and `History.history` give, read as R reads it.

R keras returns a named list (`results$accuracy`, `history$metrics$acc`), and its names changed over the
versions (`acc` in Keras 2.2, `accuracy` later; `mae` or `mean_absolute_error` as the user spelled it), so
old scripts ask for either. A `MetricLogs` is a plain dict that also reads its entries as attributes and
finds an entry under its other spelling.
"""

# Each group spells one metric; a key of a group finds an entry stored under another key of it.
SPELLINGS = (
    ("accuracy", "acc"),
    ("mae", "mean_absolute_error"),
    ("mse", "mean_squared_error"),
    ("mape", "mean_absolute_percentage_error"),
    ("msle", "mean_squared_logarithmic_error"),
    ("rmse", "root_mean_squared_error"),
    ("binary_accuracy", "binary_acc"),
    ("categorical_accuracy", "categorical_acc"),
    ("sparse_categorical_accuracy", "sparse_categorical_acc"),
)
_OTHERS = {name: tuple(n for n in group if n != name) for group in SPELLINGS for name in group}


def other_spellings(key):
    """The other names of the metric `key` (`"val_acc"` -> `("val_accuracy",)`); empty if it has none."""
    if not isinstance(key, str):
        return ()
    prefix = "val_" if key.startswith("val_") else ""
    return tuple(prefix + name for name in _OTHERS.get(key[len(prefix):], ()))


class MetricLogs(dict):
    """A dict of metric name -> value (or list of per-epoch values) with R's ways of reading it.

    `logs.accuracy` is `logs["accuracy"]` (R's `results$accuracy`), and a metric stored under one spelling
    is found under the other: `logs["acc"]` reads `"accuracy"`, `logs["val_mean_absolute_error"]` reads
    `"val_mae"`. Iterating, `keys()` and `len()` see the stored names only.

    Example:
        >>> results = model | evaluate(x_test, y_test)
        >>> results.accuracy, results["acc"]
    """

    def __missing__(self, key):
        for other in other_spellings(key):
            if dict.__contains__(self, other):
                return dict.__getitem__(self, other)
        raise KeyError(f"{key!r}: no such metric; the entries are {', '.join(map(repr, self)) or 'none'}. "
                       "Metrics are named as given to compile(metrics=...).")

    def __contains__(self, key):
        return dict.__contains__(self, key) or any(dict.__contains__(self, o) for o in other_spellings(key))

    def get(self, key, default=None):
        return self[key] if key in self else default

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(error.args[0]) from None

    def __dir__(self):
        return list(super().__dir__()) + [k for k in self if isinstance(k, str) and k.isidentifier()]
