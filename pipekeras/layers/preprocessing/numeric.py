"""Numeric preprocessing: Normalization (feature-wise standardization learned by `adapt`, the statistics in
weights as Keras keeps them) and Discretization (values -> bin indices, boundaries learned as quantiles and
saved in the config, as Keras does)."""

import numpy as np

from ... import backend
from ...engine.layer import Layer
from ...errors import ConfigError, DataError, NotBuiltError
from .encoding import encode


def _adapt_batches(data):
    """Yields float64 arrays from an array, or from an iterable of batches (a batch (x, y) gives x)."""
    if isinstance(data, (np.ndarray, list, tuple)) or hasattr(data, "__array__"):
        yield np.asarray(data, dtype=np.float64)
        return
    for batch in data:
        yield np.asarray(batch[0] if isinstance(batch, tuple) else batch, dtype=np.float64)


class Normalization(Layer):
    """Standardizes features: `(x - mean) / sqrt(variance)` (the reverse with `invert=True`), the mean and
    variance given or learned by `adapt()` (R keras 3's `layer_normalization`; layer normalization is
    `layer_normalization` in pipekeras and `layer_layer_normalization` in pipekeras.r).

    As in Keras, given statistics live in the config, and learned ones in three non-trainable weights (`mean`,
    `variance`, one value per index of the kept axes, and `count`), so Keras files of adapted layers load;
    before `adapt()` (or loading them) those are 0 and 1, and the layer passes its inputs through, as Keras's.

    Args:
        axis: the axis (or axes) with one mean and variance per index (-1: per feature); None for one overall.
        mean, variance: the statistics, instead of `adapt()` (scalars or arrays broadcasting to the kept axes).
        invert: undo the standardization instead.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> norm = normalization()
        >>> norm.adapt(x_train)
        >>> model = sequential() | norm | dense(64, "relu") | dense(1)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.axis = None if axis is None else tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)
        if (mean is None) != (variance is None):
            raise self.error(ConfigError, "give both mean and variance, or neither (then call adapt()).")
        self.invert = bool(invert)
        self._given = None if mean is None else (np.asarray(mean, dtype=np.float64),
                                                 np.asarray(variance, dtype=np.float64))
        self._learned = None  # (mean, variance, count) weights, made by build when nothing is given

    def _kept(self, ndim):
        return () if self.axis is None else tuple(a % ndim for a in self.axis)

    def build(self, input_shape):
        if self._given is not None or self._learned is not None:
            return
        shape = tuple(input_shape[a] for a in self._kept(len(input_shape)))
        if any(d is None for d in shape):
            raise self.error(ConfigError, f"the kept axes {list(self.axis)} of its input shape {tuple(input_shape)} "
                                          "must have known sizes.")
        self._learned = (self.add_weight("mean", shape, "zeros", trainable=False),
                         self.add_weight("variance", shape, "ones", trainable=False),
                         self.add_weight("count", (), "zeros", trainable=False))

    @property
    def mean(self):
        """The mean per index of the kept axes (float64 as given, else the learned weight), or None."""
        return self._statistic(0)

    @property
    def variance(self):
        """The variance per index of the kept axes, or None (see `mean`)."""
        return self._statistic(1)

    def _statistic(self, index):
        if self._given is not None:
            return self._given[index]
        return None if self._learned is None else self._learned[index].value

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the mean and variance of `data` (an array, or an iterable of batches) over every axis but
        `axis`. Returns the layer.

        Raises:
            ConfigError: for a layer given its mean and variance.
            DataError: when `data` holds no samples.
        """
        if self._given is not None:
            raise self.error(ConfigError, "it was given mean= and variance=; adapt() would replace them. Make "
                                          "the layer without them to learn the statistics.")
        count, total, squares, shape = 0, None, None, None
        for i, batch in enumerate(_adapt_batches(data)):
            if steps is not None and i >= steps:
                break
            kept = self._kept(batch.ndim)
            reduce = tuple(a for a in range(batch.ndim) if a not in kept)
            n = int(np.prod([batch.shape[a] for a in reduce])) if reduce else 1
            total = batch.sum(axis=reduce) + (0.0 if total is None else total)
            squares = (batch ** 2).sum(axis=reduce) + (0.0 if squares is None else squares)
            count, shape = count + n, (None,) + batch.shape[1:]
        if not count:
            raise self.error(DataError, "adapt() received no data.")
        self.build(shape)
        mean = total / count
        for variable, value in zip(self._learned, (mean, np.maximum(squares / count - mean ** 2, 0.0), count)):
            variable.assign(np.asarray(value, dtype=variable.dtype))
        return self

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, inputs):
        x = np.asarray(inputs, dtype=self.dtype)
        mean, variance = self.mean, self.variance
        if self._given is None:  # learned: one value per index of the kept axes, broadcast over the others
            shape = [1] * x.ndim
            for a in self._kept(x.ndim):
                shape[a] = x.shape[a]
            mean, variance = mean.reshape(shape), variance.reshape(shape)
        std = np.maximum(np.sqrt(variance), backend.epsilon()).astype(self.dtype)
        self.save_for_backward(std)
        return x * std + mean.astype(self.dtype) if self.invert else (x - mean.astype(self.dtype)) / std

    def backward(self, grad_output):
        (std,) = self.saved_tensors
        return grad_output * std if self.invert else grad_output / std

    def get_config(self):
        given = self._given
        return {**super().get_config(), "axis": None if self.axis is None else list(self.axis),
                "mean": None if given is None else given[0].tolist(),
                "variance": None if given is None else given[1].tolist(), "invert": self.invert}


class Discretization(Layer):
    """Puts values into bins: `bin_boundaries` [0, 1] sends x < 0 to 0, 0 <= x < 1 to 1 and x >= 1 to 2; or
    `num_bins` bins whose boundaries `adapt()` sets at the data's quantiles.

    Args:
        bin_boundaries: sorted boundaries; or num_bins: the number of bins for `adapt()`.
        epsilon: accepted for Keras compatibility (the quantiles here are exact).
        output_mode: "int" (bin indices), "one_hot", "multi_hot" or "count" over the bins.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> discretization(bin_boundaries=[0.0, 1.0])(np.array([-1.0, 0.5, 2.0]))   # [0, 1, 2]
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if (bin_boundaries is None) == (num_bins is None):
            raise self.error(ConfigError, "give bin_boundaries= or num_bins= (then call adapt()), one of them.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise self.error(ConfigError, f"output_mode must be 'int', 'one_hot', 'multi_hot' or 'count', received "
                                          f"{output_mode!r}.")
        if sparse:
            raise self.error(ConfigError, "sparse=True is not supported: pipekeras has no sparse tensors.")
        self.bin_boundaries = None if bin_boundaries is None else [float(b) for b in bin_boundaries]
        self.num_bins = num_bins if bin_boundaries is None else len(bin_boundaries) + 1
        self.epsilon, self.output_mode = epsilon, output_mode

    def adapt(self, data, batch_size=None, steps=None):
        """Sets `num_bins - 1` boundaries at the quantiles of `data` (an array or an iterable of batches)."""
        values = np.concatenate([b.reshape(-1) for i, b in enumerate(_adapt_batches(data))
                                 if steps is None or i < steps])
        self.bin_boundaries = np.quantile(values, np.arange(1, self.num_bins) / self.num_bins).tolist()
        return self

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if self.output_mode == "one_hot" and (len(input_shape) == 1 or input_shape[-1] != 1):
            return tuple(input_shape) + (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,) if len(input_shape) > 1 else (input_shape[0], self.num_bins)

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise self.error(NotBuiltError, "no bin boundaries yet: call adapt() on training data first.")
        ids = np.digitize(np.asarray(inputs), self.bin_boundaries).astype(np.int64)
        return ids if self.output_mode == "int" else encode(ids, self.num_bins, self.output_mode, self.dtype)

    def backward(self, grad_output):
        return None

    def get_config(self):
        return {**super().get_config(), "bin_boundaries": self.bin_boundaries,
                "num_bins": None if self.bin_boundaries is not None else self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode}
