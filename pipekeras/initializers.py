"""Weight initializers, with Keras' names, defaults and fan computations.

An initializer is called as `init(shape, dtype)` and returns a new array. Random ones draw from
`backend.rng()` (so `pk.set_seed` fixes them) unless given their own `seed`.
"""

import math

import numpy as np

from . import backend
from .errors import ConfigError
from .registry import Registry


class Initializer:
    """Base class: `__call__(shape, dtype)` returns an array of that shape."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_REGISTRY = Registry("initializer", Initializer)


class _Seeded(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def _rng(self):
        return backend.rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


UNIFORM_CHUNK = 1 << 20


def uniform_in_chunks(rng, low, high, shape, dtype):
    """`rng.uniform(low, high, shape).astype(dtype)` (the same values) drawn a million at a time into the result,
    so a large weight (VGG16's 102,760,448) never exists in float64 as well."""
    out = np.empty(shape, dtype)
    flat = out.reshape(-1)
    for start in range(0, flat.size, UNIFORM_CHUNK):
        stop = min(start + UNIFORM_CHUNK, flat.size)
        flat[start:stop] = rng.uniform(low, high, stop - start)
    return out


@_REGISTRY.register("zeros", "zero")
class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype or backend.floatx())


@_REGISTRY.register("ones", "one")
class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(shape, dtype or backend.floatx())


@_REGISTRY.register("constant")
class Constant(Initializer):
    """Every entry equal to `value` (0 by default)."""

    def __init__(self, value=0.0):
        self.value = float(value)

    def __call__(self, shape, dtype=None):
        return np.full(shape, self.value, dtype or backend.floatx())

    def get_config(self):
        return {"value": self.value}


@_REGISTRY.register("random_normal")
class RandomNormal(_Seeded):
    """Normal distribution with `mean` and `stddev` (0.05 by default, as Keras)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None):
        return self._rng().normal(self.mean, self.stddev, shape).astype(dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


@_REGISTRY.register("random_uniform", "uniform")
class RandomUniform(_Seeded):
    """Uniform distribution on [minval, maxval) ([-0.05, 0.05) by default, as Keras)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape, dtype=None):
        return self._rng().uniform(self.minval, self.maxval, shape).astype(dtype or backend.floatx())

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


def _truncated_normal(rng, stddev, shape):
    """Normal(0, stddev) redrawn until every value is within two standard deviations."""
    values = rng.normal(0.0, 1.0, shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.normal(0.0, 1.0, int(outside.sum()))
        outside = np.abs(values) > 2
    return values * stddev


@_REGISTRY.register("truncated_normal")
class TruncatedNormal(_Seeded):
    """Normal distribution cut at two standard deviations (stddev 0.05 by default)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype=None):
        return (self.mean + _truncated_normal(self._rng(), self.stddev, shape)).astype(dtype or backend.floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


def compute_fans(shape):
    """Returns (fan_in, fan_out) as Keras computes them (kernels (..., in, out))."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


@_REGISTRY.register("variance_scaling")
class VarianceScaling(_Seeded):
    """Scale / fan variance, from a truncated normal, a normal or a uniform distribution.

    Args:
        scale: positive variance scale.
        mode: "fan_in", "fan_out" or "fan_avg".
        distribution: "truncated_normal", "untruncated_normal" or "uniform".
        seed: optional integer seed.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ConfigError(f"VarianceScaling: scale must be positive, received {scale!r}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ConfigError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', received {mode!r}.")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ConfigError(
                "VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', "
                f"received {distribution!r}."
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return uniform_in_chunks(rng, -limit, limit, shape, dtype or backend.floatx())
        if self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            # 0.8796... is the stddev of a unit normal truncated at two standard deviations.
            values = _truncated_normal(rng, math.sqrt(variance) / 0.87962566103423978, shape)
        return values.astype(dtype or backend.floatx())

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, **super().get_config()}


def _variance_scaling_preset(class_name, snake_name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    cls = type(class_name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})
    return _REGISTRY.register(snake_name)(cls)


GlorotUniform = _variance_scaling_preset("GlorotUniform", "glorot_uniform", 1.0, "fan_avg", "uniform",
                                         "Uniform on ±sqrt(6 / (fan_in + fan_out)) (Xavier).")
GlorotNormal = _variance_scaling_preset("GlorotNormal", "glorot_normal", 1.0, "fan_avg", "truncated_normal",
                                        "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _variance_scaling_preset("HeUniform", "he_uniform", 2.0, "fan_in", "uniform",
                                     "Uniform on ±sqrt(6 / fan_in).")
HeNormal = _variance_scaling_preset("HeNormal", "he_normal", 2.0, "fan_in", "truncated_normal",
                                    "Truncated normal, stddev sqrt(2 / fan_in).")
LecunUniform = _variance_scaling_preset("LecunUniform", "lecun_uniform", 1.0, "fan_in", "uniform",
                                        "Uniform on ±sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset("LecunNormal", "lecun_normal", 1.0, "fan_in", "truncated_normal",
                                       "Truncated normal, stddev sqrt(1 / fan_in).")


@_REGISTRY.register("orthogonal")
class Orthogonal(_Seeded):
    """A random orthogonal matrix (rows or columns orthonormal), times `gain`.

    Shapes of rank > 2 are treated as (prod(shape[:-1]), shape[-1]), as Keras does.
    """

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        if len(shape) < 2:
            raise ConfigError(f"Orthogonal: needs a weight of rank >= 2, received shape {tuple(shape)}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        normal = self._rng().normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(normal)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


@_REGISTRY.register("identity")
class Identity(Initializer):
    """The identity matrix times `gain` (2D weights only)."""

    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype=None):
        if len(shape) != 2:
            raise ConfigError(f"Identity: needs a 2D weight, received shape {tuple(shape)}.")
        return (self.gain * np.eye(*shape)).astype(dtype or backend.floatx())

    def get_config(self):
        return {"gain": self.gain}


def get(identifier, custom_objects=None):
    """Returns an initializer for a name (`"glorot_uniform"`), a config dict, or an initializer object.

    A plain function `f(shape, dtype)` is accepted too.

    Raises:
        ConfigError: for an unknown name, listing the valid ones.
    """
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, Initializer):
        return identifier
    return _REGISTRY.get(identifier, custom_objects)


def serialize(initializer):
    """Returns a Keras-style config dict for an initializer."""
    if initializer is not None and not isinstance(initializer, Initializer):
        return getattr(initializer, "__name__", repr(initializer))
    return _REGISTRY.serialize(initializer)


def deserialize(config, custom_objects=None):
    return get(config, custom_objects)
