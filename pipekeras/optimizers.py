"""Optimizers with Keras 3's names, defaults and update rules; each update is one fused Numba pass.

    >>> model | compile(optimizer=optimizers.rmsprop(learning_rate=1e-3), loss="mse")

An optimizer sees a list of `Variable`s, reads each `.grad` and updates `.value` in place. Its state (the
iteration count and per-weight slots such as Adam's moments) is saved with `get_weights`/`set_weights`.
"""

import math

import numpy as np

from . import schedules
from .errors import ConfigError, ShapeError
from .compute import optimizers as compute
from .registry import Registry


def _positive(owner, name, value, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) or \
            not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = "non-negative" if allow_zero else "positive"
        raise ConfigError(f"{owner}: {name} must be a {bound} number, received {value!r}.")
    return float(value)


def _fraction(owner, name, value):
    value = _positive(owner, name, value, allow_zero=True)
    if value >= 1:
        raise ConfigError(f"{owner}: {name} must be in [0, 1), received {value!r}.")
    return value


def _keras2_learning_rate(owner, learning_rate, lr, decay):
    """The learning rate from Keras 2's arguments: `lr` names it, `decay` makes it an inverse time decay."""
    if lr is not None:
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            raise ConfigError(f"{owner}: give lr or learning_rate, not both (lr is Keras 2's name of learning_rate).")
        learning_rate = lr
    if decay:
        decay = _positive(owner, "decay", decay, True)
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            raise ConfigError(f"{owner}: decay (Keras 2's inverse time decay) cannot be combined with a learning "
                              "rate schedule; give the schedule alone.")
        learning_rate = schedules.InverseTimeDecay(_positive(owner, "learning_rate", learning_rate), decay_steps=1,
                                                   decay_rate=decay)
    return learning_rate


class Optimizer:
    """Base class of optimizers.

    Args:
        learning_rate: a float or a `schedules.LearningRateSchedule`.
        clipnorm: clip each gradient to this L2 norm.
        clipvalue: clip each gradient entry to [-clipvalue, clipvalue].
        global_clipnorm: clip all gradients together to this global L2 norm.
        weight_decay: decoupled weight decay (w -= lr * weight_decay * w before the update).
        name: the optimizer's name.
        lr: Keras 2's (and R keras 2's) name of `learning_rate`.
        decay: Keras 2's learning rate decay: the rate at step t is `learning_rate / (1 + decay * t)`
            (a `schedules.InverseTimeDecay` with `decay_steps=1`).

    Raises:
        ConfigError: for a negative value, `lr` and `learning_rate` both given, or `decay` with a schedule.
    """

    slot_names = ()

    def __init__(self, learning_rate=0.001, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 weight_decay=None, name=None, lr=None, decay=None):
        owner = type(self).__name__
        learning_rate = _keras2_learning_rate(owner, learning_rate, lr, decay)
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            self._learning_rate = learning_rate
        else:
            self._learning_rate = _positive(owner, "learning_rate", learning_rate)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ConfigError(f"{owner}: give only one of clipnorm, clipvalue and global_clipnorm (as Keras), "
                              f"received clipnorm={clipnorm}, clipvalue={clipvalue}, "
                              f"global_clipnorm={global_clipnorm}.")
        self.clipnorm = None if clipnorm is None else _positive(owner, "clipnorm", clipnorm)
        self.clipvalue = None if clipvalue is None else _positive(owner, "clipvalue", clipvalue)
        self.global_clipnorm = None if global_clipnorm is None else _positive(owner, "global_clipnorm", global_clipnorm)
        self.weight_decay = None if weight_decay is None else _positive(owner, "weight_decay", weight_decay, True)
        self.name = name or _snake(owner)
        self.iterations = 0
        self._slots = {}
        self._flat_slots = None  # (slot table, variables, flat arrays) of the last flat_slots call

    # ----- learning rate --------------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The current learning rate (a schedule is evaluated at the current iteration)."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return float(self._learning_rate(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise ConfigError(
                f"{type(self).__name__}: the learning rate follows a schedule and cannot be set; create the "
                "optimizer with a float learning_rate to change it by hand or with callbacks."
            )
        self._learning_rate = _positive(type(self).__name__, "learning_rate", value, allow_zero=True)

    lr = learning_rate

    # ----- updates --------------------------------------------------------------------------------

    def apply_gradients(self, variables):
        """Updates each variable's value in place from its gradient (variables without one are skipped).

        Args:
            variables: list of `Variable`s, each updated from its `.grad`; or, as Keras,
                `(gradient, variable)` pairs (`zip(grads, model.trainable_weights)`), a None gradient skipped.

        Example:
            >>> optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        """
        variables = list(variables)
        if variables and isinstance(variables[0], tuple):
            for grad, variable in variables:
                variable.grad = None if grad is None else np.asarray(grad, dtype=variable.dtype).reshape(variable.shape)
            variables = [variable for _, variable in variables]
        with_grads = [v for v in variables if v.grad is not None]
        self._step([v.value.reshape(-1) for v in with_grads], [self._flat_grad(v) for v in with_grads],
                   [self._slots_of(v) for v in with_grads])

    def apply_flat(self, weights, grads, slots):
        """Updates weights kept in one flat array (see training/dense_stack.py) from their flat gradient.

        Equivalent to `apply_gradients` on the weights it holds, except that `clipnorm` (per weight) does
        not apply; callers do not use it then.

        Args:
            weights: 1D array, updated in place.
            grads: 1D array of the same size.
            slots: one 1D array per name in `slot_names`, of the same size.
        """
        self._step([weights], [grads], [slots])

    def flat_slots(self, variables):
        """Returns the slots of `variables` as flat arrays, for `apply_flat` on their weights kept in one array.

        The slots of each variable lie one after the other, in the order of `variables`, as their weights do
        in the flat weight array. Each variable's own slots become views of these arrays, so `get_weights`,
        `set_weights` and `apply_gradients` see the same numbers. The same arrays come back while the same
        `variables` list is passed and `set_weights` has not replaced the slots.

        Args:
            variables: list of `Variable`s.

        Returns:
            One 1D array per name in `slot_names`.
        """
        cached = self._flat_slots
        if cached is not None and cached[0] is self._slots and cached[1] is variables:
            return cached[2]
        per_variable = [self._slots_of(v) for v in variables]
        flat = [np.concatenate([slots[i] for slots in per_variable]) for i in range(len(self.slot_names))]
        start = 0
        for variable in variables:
            end = start + variable.value.size
            self._slots[id(variable)] = (variable, [s[start:end] for s in flat])
            start = end
        self._flat_slots = (self._slots, variables, flat)
        return flat

    def _step(self, weights, grads, slots):
        if not weights:
            return
        grads = self._clip(grads)
        lr = self.learning_rate
        self._begin_step()
        for weight, grad, weight_slots in zip(weights, grads, slots):
            if self.weight_decay:
                weight *= 1.0 - lr * self.weight_decay
            self.update(weight, grad, weight_slots, lr)
        self.iterations += 1

    @staticmethod
    def _flat_grad(variable):
        grad = variable.grad
        if grad.shape != variable.shape:
            raise ShapeError(f"{variable.name}: gradient of shape {grad.shape} for a weight of shape {variable.shape}.")
        return np.ascontiguousarray(grad, dtype=variable.dtype).reshape(-1)

    def _clip(self, grads):
        if self.clipvalue is not None:
            grads = [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            grads = [g * min(1.0, self.clipnorm / max(float(np.linalg.norm(g)), 1e-12)) for g in grads]
        if self.global_clipnorm is not None:
            total = math.sqrt(sum(float(np.dot(g, g)) for g in grads))
            scale = min(1.0, self.global_clipnorm / max(total, 1e-12))
            if scale < 1.0:
                grads = [g * scale for g in grads]
        return grads

    def _slots_of(self, variable):
        slots = self._slots.get(id(variable))
        if slots is None or slots[0] is not variable:
            size = variable.value.size
            slots = (variable, [self.initial_slot(name, size, variable.dtype) for name in self.slot_names])
            self._slots[id(variable)] = slots
        return slots[1]

    def initial_slot(self, name, size, dtype):
        return np.zeros(size, dtype=dtype)

    def _begin_step(self):
        """Hook for per-step scalars (Nadam's momentum product)."""

    def update(self, weight, grad, slots, lr):
        raise NotImplementedError

    # ----- state and config -----------------------------------------------------------------------

    def extra_state(self):
        """Scalars beyond the iteration count that the optimizer carries between steps."""
        return []

    def set_extra_state(self, values):
        """Inverse of `extra_state`."""

    def get_weights(self, variables):
        """Returns the optimizer state for `variables`: [iterations, extras..., slots per variable...]."""
        arrays = [np.array(self.iterations, dtype=np.int64)] + [np.array(x) for x in self.extra_state()]
        for variable in variables:
            arrays += [s.reshape(variable.shape).copy() for s in self._slots_of(variable)]
        return arrays

    def set_weights(self, variables, arrays):
        """Restores the state from `get_weights`' output for the same `variables`.

        Raises:
            ShapeError: if the arrays do not match the variables and slots.
            ConfigError: a step count that is not a non-negative integer, or non-finite extra state.
        """
        extras = len(self.extra_state())
        expected = 1 + extras + len(self.slot_names) * len(variables)
        if len(arrays) != expected:
            raise ShapeError(
                f"{type(self).__name__}: expected {expected} state arrays for {len(variables)} weights, "
                f"received {len(arrays)}."
            )
        position = 1 + extras
        new_slots = {}
        for variable in variables:
            slots = []
            for name in self.slot_names:
                array = np.asarray(arrays[position])
                if array.shape != variable.shape:
                    raise ShapeError(f"{type(self).__name__}: slot {name!r} of {variable.name} has shape "
                                     f"{array.shape}, expected {variable.shape}.")
                slots.append(np.ascontiguousarray(array, dtype=variable.dtype).reshape(-1).copy())
                position += 1
            new_slots[id(variable)] = (variable, slots)
        iterations = np.asarray(arrays[0])
        if iterations.shape != () or iterations.dtype.kind not in "iuf" or not np.isfinite(iterations) or \
                iterations < 0 or iterations != int(iterations):
            raise ConfigError(f"{type(self).__name__}: the step count (iterations, the first state array) must be "
                              f"a non-negative integer, received {arrays[0]!r}.")
        extra_state = [float(x) for x in arrays[1:1 + extras]]
        if not all(np.isfinite(extra_state)):
            raise ConfigError(f"{type(self).__name__}: the optimizer's extra state must be finite numbers, "
                              f"received {extra_state}.")
        self._slots = new_slots
        self.iterations = int(iterations)
        self.set_extra_state(extra_state)

    def get_config(self):
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr) if isinstance(lr, schedules.LearningRateSchedule) else lr,
            "clipnorm": self.clipnorm, "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm,
            "weight_decay": self.weight_decay,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"


def _snake(name):
    return {"SGD": "sgd", "RMSprop": "rmsprop", "AdamW": "adamw"}.get(name, name.lower())


_REGISTRY = Registry("optimizer", Optimizer)


@_REGISTRY.register("sgd")
class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum.

    Args:
        learning_rate: 0.01 by default.
        momentum: in [0, 1); 0 is plain gradient descent.
        nesterov: use Nesterov momentum.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _fraction("SGD", "momentum", momentum)
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum else ()

    def update(self, weight, grad, slots, lr):
        if self.momentum:
            compute.sgd_momentum(weight, grad, slots[0], lr, self.momentum, self.nesterov)
        else:
            compute.sgd(weight, grad, lr)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


@_REGISTRY.register("rmsprop")
class RMSprop(Optimizer):
    """Divides the gradient by a running root mean square of recent gradients.

    Args:
        learning_rate: 0.001 by default.
        rho: decay of the running average of squared gradients (0.9).
        momentum: optional momentum (0).
        epsilon: added inside the square root (1e-7).
        centered: normalize by the variance instead of the second moment.
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _fraction("RMSprop", "rho", rho)
        self.momentum = _fraction("RMSprop", "momentum", momentum)
        self.epsilon = _positive("RMSprop", "epsilon", epsilon, allow_zero=True)
        self.centered = bool(centered)
        self.slot_names = ("velocity",) + (("average_gradient",) if centered else ()) + \
            (("momentum",) if self.momentum else ())

    def update(self, weight, grad, slots, lr):
        if not self.centered and not self.momentum:
            compute.rmsprop(weight, grad, slots[0], lr, self.rho, 1.0 - self.rho, self.epsilon)
            return
        named = dict(zip(self.slot_names, slots))
        empty = slots[0][:0]
        compute.rmsprop_full(weight, grad, named["velocity"], named.get("average_gradient", empty),
                             named.get("momentum", empty), lr, self.rho, 1.0 - self.rho, self.momentum, self.epsilon,
                             self.centered)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class _AdamBase(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        owner = type(self).__name__
        self.beta_1 = _fraction(owner, "beta_1", beta_1)
        self.beta_2 = _fraction(owner, "beta_2", beta_2)
        self.epsilon = _positive(owner, "epsilon", epsilon, allow_zero=True)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


@_REGISTRY.register("adam")
class Adam(_AdamBase):
    """Adam: bias-corrected running averages of the gradient and its square.

    Args:
        learning_rate: 0.001; beta_1: 0.9; beta_2: 0.999; epsilon: 1e-7.
        amsgrad: use the maximum of past second moments (AMSGrad).
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("m", "v") + (("v_max",) if amsgrad else ())

    def update(self, weight, grad, slots, lr):
        step = self.iterations + 1
        alpha = lr * math.sqrt(1 - self.beta_2 ** step) / (1 - self.beta_1 ** step)
        v_max = slots[2] if self.amsgrad else slots[1][:0]
        compute.adam(weight, grad, slots[0], slots[1], v_max, alpha, 1.0 - self.beta_1, 1.0 - self.beta_2, self.epsilon,
                     self.amsgrad)

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


@_REGISTRY.register("adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (weight_decay=0.004 by default, as Keras)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


@_REGISTRY.register("adamax")
class Adamax(_AdamBase):
    """Adam with the infinity norm in place of the second moment."""

    slot_names = ("m", "u")

    def update(self, weight, grad, slots, lr):
        step_size = lr / (1 - self.beta_1 ** (self.iterations + 1))
        compute.adamax(weight, grad, slots[0], slots[1], step_size, 1.0 - self.beta_1, self.beta_2, self.epsilon)


@_REGISTRY.register("nadam")
class Nadam(_AdamBase):
    """Adam with Nesterov momentum (Keras' momentum schedule with decay 0.96)."""

    slot_names = ("m", "v")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._u_product = 1.0

    def _begin_step(self):
        step = self.iterations + 1
        self._u_t = self.beta_1 * (1 - 0.5 * 0.96 ** step)
        self._u_t_next = self.beta_1 * (1 - 0.5 * 0.96 ** (step + 1))
        self._u_product *= self._u_t

    def update(self, weight, grad, slots, lr):
        step = self.iterations + 1
        u_product = self._u_product
        m_scale = self._u_t_next / (1 - u_product * self._u_t_next)
        g_scale = (1 - self._u_t) / (1 - u_product)
        v_scale = 1 / (1 - self.beta_2 ** step)
        compute.nadam(weight, grad, slots[0], slots[1], lr, 1.0 - self.beta_1, 1.0 - self.beta_2, self.epsilon,
                      m_scale, g_scale, v_scale)

    def extra_state(self):
        return [self._u_product]

    def set_extra_state(self, values):
        self._u_product = values[0]


@_REGISTRY.register("adagrad")
class Adagrad(Optimizer):
    """Scales each weight's step by the root of its summed squared gradients.

    Args:
        learning_rate: 0.001; initial_accumulator_value: 0.1; epsilon: 1e-7.
    """

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _positive("Adagrad", "initial_accumulator_value",
                                                   initial_accumulator_value, allow_zero=True)
        self.epsilon = _positive("Adagrad", "epsilon", epsilon, allow_zero=True)

    def initial_slot(self, name, size, dtype):
        return np.full(size, self.initial_accumulator_value, dtype=dtype)

    def update(self, weight, grad, slots, lr):
        compute.adagrad(weight, grad, slots[0], lr, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@_REGISTRY.register("adadelta")
class Adadelta(Optimizer):
    """Steps scaled by running averages of squared gradients and squared updates.

    Args:
        learning_rate: 0.001; rho: 0.95; epsilon: 1e-7.
    """

    slot_names = ("accumulated_grad", "accumulated_delta")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _fraction("Adadelta", "rho", rho)
        self.epsilon = _positive("Adadelta", "epsilon", epsilon, allow_zero=True)

    def update(self, weight, grad, slots, lr):
        compute.adadelta(weight, grad, slots[0], slots[1], lr, self.rho, 1.0 - self.rho, self.epsilon)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


def get(identifier, custom_objects=None):
    """Returns an optimizer for a name (`"rmsprop"`, Keras' defaults), a config dict or an optimizer.

    Raises:
        ConfigError: for an unknown name, with the closest valid one.
    """
    if identifier is None:
        raise ConfigError("compile: give an optimizer, e.g. optimizer='rmsprop'.")
    if isinstance(identifier, str):
        identifier = identifier.lower() if identifier.lower() in _REGISTRY.names() else identifier
    return _REGISTRY.get(identifier, custom_objects)


def serialize(optimizer):
    return _REGISTRY.serialize(optimizer)


def deserialize(config, custom_objects=None):
    if isinstance(config, dict) and "class_name" in config:
        cls = _REGISTRY.lookup(config["class_name"], custom_objects)
        return cls.from_config(config.get("config", {}))
    return get(config, custom_objects)


def names():
    return _REGISTRY.names()


sgd, rmsprop, adam, adamw, adamax, nadam, adagrad, adadelta = SGD, RMSprop, Adam, AdamW, Adamax, Nadam, Adagrad, Adadelta
