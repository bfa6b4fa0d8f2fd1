"""Optimizers against hand-written float64 NumPy references of Keras 3's update rules."""

import math

import numpy as np
import pytest

from pipekeras import optimizers, schedules
from pipekeras.engine.variable import Variable
from pipekeras.errors import ConfigError, ShapeError

SHAPES = [(3,), (2, 2)]


def _initial(rng):
    return [rng.normal(size=s) for s in SHAPES]


def _gradients(rng, steps=3):
    return [[rng.normal(size=s) * 2 for s in SHAPES] for _ in range(steps)]


# ----- references ---------------------------------------------------------------------------------------------
# Each reference takes the weights, the gradients of one step, a state dict (per weight index), the step
# number t (0-based) and the learning rate; it returns the new weights.


def ref_sgd(w, g, state, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    m = state.get("m", np.zeros_like(w))
    m = momentum * m - lr * g
    state["m"] = m
    if nesterov:
        return w + momentum * m - lr * g
    return w + m


def ref_rmsprop(w, g, state, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = rho * state.get("v", np.zeros_like(w)) + (1 - rho) * g * g
    state["v"] = v
    if centered:
        a = rho * state.get("a", np.zeros_like(w)) + (1 - rho) * g
        state["a"] = a
        denominator = v - a * a + epsilon
    else:
        denominator = v + epsilon  # Keras 3: epsilon inside the square root
    increment = lr * g / np.sqrt(denominator)
    if momentum > 0:
        m = momentum * state.get("m", np.zeros_like(w)) + increment
        state["m"] = m
        return w - m
    return w - increment


def ref_adam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False, weight_decay=0.0):
    w = w - w * weight_decay * lr
    step = t + 1
    m = beta_1 * state.get("m", np.zeros_like(w)) + (1 - beta_1) * g
    v = beta_2 * state.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
    state["m"], state["v"] = m, v
    if amsgrad:
        v = np.maximum(state.get("vmax", np.zeros_like(w)), v)
        state["vmax"] = v
    alpha = lr * math.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    return w - alpha * m / (np.sqrt(v) + epsilon)


def ref_adagrad(w, g, state, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    acc = state.get("acc", np.full_like(w, initial_accumulator_value)) + g * g
    state["acc"] = acc
    return w - lr * g / np.sqrt(acc + epsilon)


def ref_adadelta(w, g, state, t, lr, rho=0.95, epsilon=1e-7):
    eg = rho * state.get("eg", np.zeros_like(w)) + (1 - rho) * g * g
    ed = state.get("ed", np.zeros_like(w))
    delta = -np.sqrt(ed + epsilon) / np.sqrt(eg + epsilon) * g
    state["eg"] = eg
    state["ed"] = rho * ed + (1 - rho) * delta * delta
    return w + lr * delta


def ref_adamax(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * state.get("m", np.zeros_like(w)) + (1 - beta_1) * g
    u = np.maximum(beta_2 * state.get("u", np.zeros_like(w)), np.abs(g))
    state["m"], state["u"] = m, u
    return w - lr * m / ((1 - beta_1 ** (t + 1)) * (u + epsilon))


def ref_nadam(w, g, state, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    # Keras 3 Nadam: momentum schedule mu_t = beta_1 * (1 - 0.5 * 0.96**t), t 1-based; the running product
    # of mu_1..mu_t (shared by all weights) is kept in state["shared"].
    step = t + 1
    mu = beta_1 * (1 - 0.5 * 0.96**step)
    mu_next = beta_1 * (1 - 0.5 * 0.96 ** (step + 1))
    product = 1.0
    for s in range(1, step + 1):
        product *= beta_1 * (1 - 0.5 * 0.96**s)
    m = beta_1 * state.get("m", np.zeros_like(w)) + (1 - beta_1) * g
    v = beta_2 * state.get("v", np.zeros_like(w)) + (1 - beta_2) * g * g
    state["m"], state["v"] = m, v
    m_hat = mu_next * m / (1 - product * mu_next) + (1 - mu) * g / (1 - product)
    v_hat = v / (1 - beta_2**step)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


# id: (optimizer factory, reference, reference kwargs, learning rate)
CASES = {
    "sgd": (lambda: optimizers.SGD(learning_rate=0.1), ref_sgd, {}, 0.1),
    "sgd_momentum": (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.9), ref_sgd, {"momentum": 0.9}, 0.1),
    "sgd_nesterov": (lambda: optimizers.SGD(learning_rate=0.1, momentum=0.8, nesterov=True), ref_sgd,
                     {"momentum": 0.8, "nesterov": True}, 0.1),
    "rmsprop": (lambda: optimizers.RMSprop(learning_rate=0.01), ref_rmsprop, {}, 0.01),
    "rmsprop_rho_eps": (lambda: optimizers.RMSprop(learning_rate=0.01, rho=0.5, epsilon=0.1), ref_rmsprop,
                        {"rho": 0.5, "epsilon": 0.1}, 0.01),
    "rmsprop_momentum": (lambda: optimizers.RMSprop(learning_rate=0.01, momentum=0.5), ref_rmsprop,
                         {"momentum": 0.5}, 0.01),
    "rmsprop_centered": (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True), ref_rmsprop,
                         {"centered": True}, 0.01),
    "rmsprop_centered_momentum": (lambda: optimizers.RMSprop(learning_rate=0.01, centered=True, momentum=0.7),
                                  ref_rmsprop, {"centered": True, "momentum": 0.7}, 0.01),
    "adam": (lambda: optimizers.Adam(learning_rate=0.01), ref_adam, {}, 0.01),
    "adam_betas": (lambda: optimizers.Adam(learning_rate=0.01, beta_1=0.5, beta_2=0.8, epsilon=1e-3), ref_adam,
                   {"beta_1": 0.5, "beta_2": 0.8, "epsilon": 1e-3}, 0.01),
    "adam_amsgrad": (lambda: optimizers.Adam(learning_rate=0.01, beta_2=0.5, amsgrad=True), ref_adam,
                     {"beta_2": 0.5, "amsgrad": True}, 0.01),
    "adamw": (lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1), ref_adam, {"weight_decay": 0.1},
              0.01),
    "adamw_default_decay": (lambda: optimizers.AdamW(learning_rate=0.5), ref_adam, {"weight_decay": 0.004}, 0.5),
    "adagrad": (lambda: optimizers.Adagrad(learning_rate=0.1), ref_adagrad, {}, 0.1),
    "adagrad_init": (lambda: optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=1.0), ref_adagrad,
                     {"initial_accumulator_value": 1.0}, 0.1),
    "adadelta": (lambda: optimizers.Adadelta(learning_rate=1.0), ref_adadelta, {}, 1.0),
    "adadelta_rho": (lambda: optimizers.Adadelta(learning_rate=1.0, rho=0.5, epsilon=1e-3), ref_adadelta,
                     {"rho": 0.5, "epsilon": 1e-3}, 1.0),
    "adamax": (lambda: optimizers.Adamax(learning_rate=0.01), ref_adamax, {}, 0.01),
    "adamax_betas": (lambda: optimizers.Adamax(learning_rate=0.01, beta_1=0.5, beta_2=0.7), ref_adamax,
                     {"beta_1": 0.5, "beta_2": 0.7}, 0.01),
    "nadam": (lambda: optimizers.Nadam(learning_rate=0.01), ref_nadam, {}, 0.01),
    "nadam_betas": (lambda: optimizers.Nadam(learning_rate=0.01, beta_1=0.5, beta_2=0.9), ref_nadam,
                    {"beta_1": 0.5, "beta_2": 0.9}, 0.01),
}


def _variables(values):
    return [Variable(v.copy(), f"layer/w{i}") for i, v in enumerate(values)]


def _step(optimizer, variables, grads):
    for variable, g in zip(variables, grads):
        variable.grad = g.copy()
    optimizer.apply_gradients(variables)


def ref_run(reference, kwargs, values, grad_steps, lrs, clip=None):
    states = [dict() for _ in values]
    values = [v.copy() for v in values]
    history = []
    for t, grads in enumerate(grad_steps):
        if clip is not None:
            grads = clip(grads)
        values = [reference(w, g, s, t, lrs[t], **kwargs) for w, g, s in zip(values, grads, states)]
        history.append([v.copy() for v in values])
    return history


@pytest.mark.parametrize("case", sorted(CASES))
def test_first_three_updates_match_reference(case, rng):
    factory, reference, kwargs, lr = CASES[case]
    values, grad_steps = _initial(rng), _gradients(rng)
    optimizer = factory()
    variables = _variables(values)
    expected = ref_run(reference, kwargs, values, grad_steps, [lr] * 3)
    for t, grads in enumerate(grad_steps):
        _step(optimizer, variables, grads)
        assert optimizer.iterations == t + 1
        for variable, want in zip(variables, expected[t]):
            assert variable.value.dtype == np.float64
            np.testing.assert_allclose(variable.value, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", ["sgd", "adam", "rmsprop"])
def test_float32_variables_stay_float32_and_close(case, rng):
    factory, reference, kwargs, lr = CASES[case]
    values, grad_steps = _initial(rng), _gradients(rng)
    variables = [Variable(v.astype(np.float32), f"w{i}") for i, v in enumerate(values)]
    optimizer = factory()
    for grads in grad_steps:
        _step(optimizer, variables, [g.astype(np.float32) for g in grads])
    expected = ref_run(reference, kwargs, values, grad_steps, [lr] * 3)[-1]
    for variable, want in zip(variables, expected):
        assert variable.value.dtype == np.float32
        np.testing.assert_allclose(variable.value, want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", sorted(CASES))
def test_decaying_slots_reach_zero_not_subnormals(case, rng):
    """A weight whose gradient stays zero (behind a dead relu) has slots that decay geometrically; they stop at
    zero instead of crawling through float32's subnormal range, where arithmetic is ~100x slower."""
    factory, *_ = CASES[case]
    optimizer = factory()
    variable = Variable(rng.standard_normal(64).astype(np.float32), "w")
    _step(optimizer, [variable], [rng.standard_normal(64).astype(np.float32)])
    smallest_normal = np.finfo(np.float32).tiny
    for step in range(3000):
        _step(optimizer, [variable], [np.zeros(64, np.float32)])
        for slot in optimizer._slots_of(variable):
            assert not np.any((slot != 0) & (np.abs(slot) < smallest_normal)), (case, step)
    assert np.all(np.isfinite(variable.value))
    variable.grad = np.full(64, np.nan, np.float32)
    optimizer.apply_gradients([variable])
    assert np.all(np.isnan(variable.value)), "a NaN gradient still shows"


def test_variables_without_gradient_are_skipped(rng):
    values = _initial(rng)
    variables = _variables(values)
    variables[0].grad = np.ones(SHAPES[0])
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.apply_gradients(variables)
    np.testing.assert_allclose(variables[0].value, values[0] - 0.5)
    np.testing.assert_array_equal(variables[1].value, values[1])
    assert optimizer.iterations == 1
    optimizer.apply_gradients([Variable(np.zeros(2), "x")])  # no gradients at all: nothing happens
    assert optimizer.iterations == 1


def test_gradient_shape_mismatch():
    variable = Variable(np.zeros((2, 2)), "w")
    variable.grad = np.zeros(4)
    with pytest.raises(ShapeError):
        optimizers.SGD().apply_gradients([variable])


# ----- clipping ----------------------------------------------------------------------------------------------


def clip_norm(c):
    return lambda grads: [g * c / max(np.sqrt((g * g).sum()), c) for g in grads]


def clip_global_norm(c):
    def clip(grads):
        total = np.sqrt(sum((g * g).sum() for g in grads))
        return [g * c / max(total, c) for g in grads]

    return clip


def clip_value(c):
    return lambda grads: [np.minimum(np.maximum(g, -c), c) for g in grads]


@pytest.mark.parametrize("case", ["sgd", "adam", "rmsprop_centered_momentum"])
@pytest.mark.parametrize("option, value, clip", [
    ("clipnorm", 1.0, clip_norm(1.0)),
    ("clipnorm", 100.0, clip_norm(100.0)),  # larger than every norm: no change
    ("global_clipnorm", 1.5, clip_global_norm(1.5)),
    ("global_clipnorm", 100.0, clip_global_norm(100.0)),
    ("clipvalue", 0.5, clip_value(0.5)),
])
def test_clipping(case, option, value, clip, rng):
    _, reference, kwargs, lr = CASES[case]
    cls = {"sgd": optimizers.SGD, "adam": optimizers.Adam, "rmsprop_centered_momentum": optimizers.RMSprop}[case]
    optimizer = cls(learning_rate=lr, **{option: value}, **{k: v for k, v in kwargs.items()})
    values, grad_steps = _initial(rng), _gradients(rng)
    variables = _variables(values)
    expected = ref_run(reference, kwargs, values, grad_steps, [lr] * 3, clip=clip)
    for t, grads in enumerate(grad_steps):
        _step(optimizer, variables, grads)
        for variable, want in zip(variables, expected[t]):
            np.testing.assert_allclose(variable.value, want, rtol=1e-12, atol=1e-14)


def test_clipping_does_not_modify_the_gradients(rng):
    variables = _variables(_initial(rng))
    grads = _gradients(rng, 1)[0]
    for variable, g in zip(variables, grads):
        variable.grad = g.copy()
    optimizers.SGD(clipvalue=0.1).apply_gradients(variables)
    optimizers.SGD(clipnorm=0.1).apply_gradients(variables)
    optimizers.SGD(global_clipnorm=0.1).apply_gradients(variables)
    for variable, g in zip(variables, grads):
        np.testing.assert_array_equal(variable.grad, g)


@pytest.mark.parametrize("kwargs", [
    {"clipnorm": 1.0, "global_clipnorm": 1.0}, {"clipnorm": 1.0, "clipvalue": 1.0},
    {"clipvalue": 1.0, "global_clipnorm": 1.0},
])
def test_clipping_options_exclusive(kwargs):
    # Keras 3 accepts only one of the three.
    with pytest.raises(ConfigError, match="only one"):
        optimizers.Adam(**kwargs)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "0.1", True])
def test_invalid_learning_rate(bad):
    with pytest.raises(ConfigError, match="learning_rate"):
        optimizers.SGD(learning_rate=bad)


# ----- learning rates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["sgd_momentum", "adam", "nadam", "adamw"])
def test_schedule_evaluated_at_iteration_count(case, rng):
    factory, reference, kwargs, _ = CASES[case]
    schedule = schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    config = factory().get_config()
    config["learning_rate"] = schedule
    optimizer = type(factory()).from_config(config)
    values, grad_steps = _initial(rng), _gradients(rng)
    variables = _variables(values)
    lrs = [0.1 * 0.5 ** (t / 2) for t in range(3)]
    expected = ref_run(reference, kwargs, values, grad_steps, lrs)
    for t, grads in enumerate(grad_steps):
        assert optimizer.learning_rate == pytest.approx(lrs[t])
        _step(optimizer, variables, grads)
        for variable, want in zip(variables, expected[t]):
            np.testing.assert_allclose(variable.value, want, rtol=1e-12, atol=1e-14)
    with pytest.raises(ConfigError, match="schedule"):
        optimizer.learning_rate = 0.1


def test_learning_rate_setter(rng):
    optimizer = optimizers.Adam(learning_rate=0.01)
    values, grad_steps = _initial(rng), _gradients(rng)
    variables = _variables(values)
    lrs = [0.01, 0.5, 0.5]
    expected = ref_run(ref_adam, {}, values, grad_steps, lrs)
    for t, grads in enumerate(grad_steps):
        if t == 1:
            optimizer.learning_rate = 0.5
            assert optimizer.learning_rate == 0.5
        _step(optimizer, variables, grads)
    for variable, want in zip(variables, expected[-1]):
        np.testing.assert_allclose(variable.value, want, rtol=1e-12)
    optimizer.lr = 0.25
    assert optimizer.learning_rate == 0.25
    with pytest.raises(ConfigError):
        optimizer.learning_rate = -1.0


# ----- state and config -----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_get_set_weights_resumes_identically(case, rng):
    factory = CASES[case][0]
    values, grad_steps = _initial(rng), _gradients(rng, 4)
    first = factory()
    first_vars = _variables(values)
    for grads in grad_steps[:2]:
        _step(first, first_vars, grads)
    state = first.get_weights(first_vars)
    assert int(state[0]) == 2

    second = factory()
    second_vars = _variables([v.value for v in first_vars])
    second.set_weights(second_vars, [np.array(a) for a in state])
    assert second.iterations == 2
    for grads in grad_steps[2:]:
        _step(first, first_vars, grads)
        _step(second, second_vars, grads)
    for a, b in zip(first_vars, second_vars):
        np.testing.assert_array_equal(a.value, b.value)
    for a, b in zip(first.get_weights(first_vars), second.get_weights(second_vars)):
        np.testing.assert_array_equal(a, b)


def test_set_weights_checks_counts_and_shapes(rng):
    optimizer = optimizers.Adam()
    variables = _variables(_initial(rng))
    state = optimizer.get_weights(variables)
    assert len(state) == 1 + 2 * len(variables)
    with pytest.raises(ShapeError):
        optimizer.set_weights(variables, state[:-1])
    bad = list(state)
    bad[1] = np.zeros(7)
    with pytest.raises(ShapeError):
        optimizer.set_weights(variables, bad)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case, rng):
    optimizer = CASES[case][0]()
    config = optimizers.serialize(optimizer)
    assert config["class_name"] == type(optimizer).__name__
    again = optimizers.deserialize(config)
    assert type(again) is type(optimizer)
    assert again.get_config() == optimizer.get_config()
    values, grad_steps = _initial(rng), _gradients(rng)
    a, b = _variables(values), _variables(values)
    for grads in grad_steps:
        _step(optimizer, a, grads)
        _step(again, b, grads)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.value, y.value)


def test_config_round_trip_with_schedule_and_clipping():
    schedule = schedules.CosineDecay(0.1, decay_steps=10, alpha=0.1)
    optimizer = optimizers.SGD(learning_rate=schedule, momentum=0.5, global_clipnorm=2.0)
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert isinstance(again._learning_rate, schedules.CosineDecay)
    assert again.get_config() == optimizer.get_config()
    assert again.global_clipnorm == 2.0
    assert again.learning_rate == pytest.approx(0.1)
    clipped = optimizers.deserialize(optimizers.serialize(optimizers.Adam(clipvalue=0.3, weight_decay=0.01)))
    assert clipped.clipvalue == 0.3 and clipped.weight_decay == 0.01


@pytest.mark.parametrize("name, cls, defaults", [
    ("sgd", optimizers.SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    ("rmsprop", optimizers.RMSprop, {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                                     "centered": False}),
    ("adam", optimizers.Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                               "amsgrad": False}),
    ("adamw", optimizers.AdamW, {"learning_rate": 0.001, "weight_decay": 0.004}),
    ("adagrad", optimizers.Adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1,
                                     "epsilon": 1e-7}),
    ("adadelta", optimizers.Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
    ("adamax", optimizers.Adamax, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999}),
    ("nadam", optimizers.Nadam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999}),
])
def test_names_and_keras_defaults(name, cls, defaults):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.name == name
    config = optimizer.get_config()
    for key, value in defaults.items():
        assert config[key] == value, key
    assert type(optimizers.get(cls.__name__)) is cls
    assert name in optimizers.names()


def test_get_is_case_insensitive_and_passes_objects_through():
    assert type(optimizers.get("Adam")) is optimizers.Adam
    assert type(optimizers.get("RMSprop")) is optimizers.RMSprop
    optimizer = optimizers.SGD()
    assert optimizers.get(optimizer) is optimizer
    with pytest.raises(ConfigError):
        optimizers.get(None)
    with pytest.raises(TypeError):
        optimizers.get(3)


def test_unknown_optimizer_name():
    with pytest.raises(ConfigError) as info:
        optimizers.get("rmsporp")
    message = str(info.value)
    assert "Unknown optimizer 'rmsporp'" in message
    assert "Did you mean 'rmsprop'" in message
    assert "adam" in message


@pytest.mark.parametrize("kwargs", [{"momentum": 1.0}, {"momentum": -0.1}])
def test_invalid_hyperparameters(kwargs):
    with pytest.raises(ConfigError):
        optimizers.SGD(**kwargs)
