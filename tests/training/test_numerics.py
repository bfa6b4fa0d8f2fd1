"""Numerical safety at extreme values: activations and cross-entropies stay finite and correct in forward
and gradient wherever the math allows, and a loss that does go NaN is reported (issue 10, "Reliability")."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special

import pipekeras as pk
from pipekeras import activations, losses

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
DTYPES = [np.float32, np.float64]
EXTREMES = [1e4, 88.0, 89.0, 710.0, 1e30]


def extreme_logits(dtype, rows=4, columns=3, limit=None):
    """Arrays of logits mixing ordinary values with +-1e4, +-88, +-89, +-710, +-1e30 and up to +-`limit`
    (a quarter of the dtype's largest value by default, so that differences of two logits stay finite)."""
    limit = np.finfo(dtype).max / 4 if limit is None else limit
    special_values = [s * v for v in EXTREMES + [limit] for s in (1.0, -1.0) if v <= limit] + [0.0]
    element = st.one_of(st.sampled_from(special_values), st.floats(-limit, limit, allow_subnormal=False),
                        st.floats(-30.0, 30.0))
    return st.lists(element, min_size=rows * columns, max_size=rows * columns).map(
        lambda values: np.array(values, dtype=np.float64).reshape(rows, columns))


def one_hot(labels, classes):
    return np.eye(classes)[labels]


# ----- activations ---------------------------------------------------------------------------------

@settings(max_examples=240, **SETTINGS)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_softmax_and_log_softmax_match_float64_references_at_extreme_logits(dtype, data):
    logits = data.draw(extreme_logits(dtype))
    x = logits.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        probabilities = activations.softmax(x)
        log_probabilities = activations.log_softmax(x)
        dy = np.linspace(-1, 1, x.size).reshape(x.shape).astype(dtype)
        softmax_grad = activations.softmax.backward(x, probabilities, dy)
        log_softmax_grad = activations.log_softmax.backward(x, log_probabilities, dy)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    reference = special.softmax(logits, axis=-1)
    assert np.allclose(probabilities, reference, atol=tolerance)
    assert np.allclose(log_probabilities, special.log_softmax(logits, axis=-1), rtol=tolerance, atol=tolerance)
    # d softmax: p * (dy - sum(p * dy)); d log_softmax: dy - p * sum(dy)
    assert np.allclose(softmax_grad, reference * (dy - (reference * dy).sum(-1, keepdims=True)), atol=tolerance)
    assert np.allclose(log_softmax_grad, dy - reference * dy.sum(-1, keepdims=True), atol=10 * tolerance)


SMOOTH_REFERENCES = {
    # name: (forward, derivative), in float64
    "sigmoid": (special.expit, lambda x: special.expit(x) * special.expit(-x)),
    "softplus": (lambda x: np.logaddexp(0.0, x), special.expit),
    "tanh": (np.tanh, lambda x: 1.0 / np.cosh(np.clip(x, -300, 300)) ** 2),
    "silu": (lambda x: x * special.expit(x), lambda x: special.expit(x) * (1 + x * special.expit(-x))),
    "softsign": (lambda x: x / (1 + np.abs(x)), lambda x: 1 / (1 + np.abs(x)) / (1 + np.abs(x))),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
            lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))),
}


@pytest.mark.parametrize("name", sorted(SMOOTH_REFERENCES))
@settings(max_examples=75, **SETTINGS)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_elementwise_activations_are_finite_and_correct_at_extremes(name, dtype, data):
    logits = data.draw(extreme_logits(dtype))
    x = logits.astype(dtype)
    function = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y = function(x)
        grad = function.backward(x, y, np.ones_like(x))
    forward, derivative = SMOOTH_REFERENCES[name]
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(grad))
    assert np.allclose(y, forward(x.astype(np.float64)), rtol=rtol, atol=1e-30)
    atol = 1e-6 if dtype == np.float32 else 1e-14
    assert np.allclose(grad, derivative(x.astype(np.float64)), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ["gelu", "mish", "selu", "relu", "leaky_relu", "relu6", "hard_sigmoid"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_other_activations_are_finite_at_extremes(name, dtype):
    big = np.finfo(dtype).max
    x = np.array([[v * s for v in EXTREMES + [big / 2, big] if v <= big for s in (1, -1)] + [0.0]], dtype)
    function = activations.get(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y = function(x)
        grad = function.backward(x, y, np.ones_like(x))
    assert np.all(np.isfinite(grad))
    assert np.all(np.isfinite(y[x < 0])) and np.all(np.isfinite(y[np.abs(x) < big / 4]))


def test_exponential_overflows_only_past_log_of_the_largest_float():
    x = np.array([88.0, 88.7, 89.0, -1e30], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        y = activations.exponential(x)
    assert np.isfinite(y[:2]).all() and y[2] == np.inf and y[3] == 0.0


# ----- cross-entropies -----------------------------------------------------------------------------

def categorical_reference(y, logits):
    return -(y * special.log_softmax(logits, axis=-1)).sum(axis=-1)


def binary_reference(y, logits):
    # -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), written with logaddexp to stay exact in float64
    return (y * np.logaddexp(0.0, -logits) + (1 - y) * np.logaddexp(0.0, logits)).mean(axis=-1)


@settings(max_examples=240, **SETTINGS)
@given(dtype=st.sampled_from(DTYPES), data=st.data(), smoothing=st.sampled_from([0.0, 0.1]))
def test_cross_entropies_from_logits_match_references_at_extreme_logits(dtype, data, smoothing):
    logits = data.draw(extreme_logits(dtype))
    labels = data.draw(st.lists(st.integers(0, 2), min_size=4, max_size=4), label="labels")
    x = logits.astype(dtype)
    logits = x.astype(np.float64)  # the references see the values the loss sees (after rounding to dtype)
    target = one_hot(labels, 3)
    smoothed = target * (1 - smoothing) + smoothing / 3
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    cases = [
        (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing), target.astype(dtype),
         categorical_reference(smoothed, logits), special.softmax(logits, -1) - smoothed),
        (losses.SparseCategoricalCrossentropy(from_logits=True), np.array(labels),
         categorical_reference(target, logits), special.softmax(logits, -1) - target),
        (losses.BinaryCrossentropy(from_logits=True, label_smoothing=smoothing), target.astype(dtype),
         binary_reference(target * (1 - smoothing) + smoothing / 2, logits),
         (special.expit(logits) - (target * (1 - smoothing) + smoothing / 2)) / 3),
    ]
    for loss, y, value_reference, grad_reference in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            values = loss.values(y, x)
            grad = loss.gradient(y, x)
        assert np.all(np.isfinite(values)) and np.all(np.isfinite(grad)), loss.name
        assert np.allclose(values, value_reference, rtol=rtol, atol=rtol), loss.name
        assert np.allclose(grad, grad_reference / len(x), rtol=rtol, atol=rtol), loss.name


@settings(max_examples=240, **SETTINGS)
@given(dtype=st.sampled_from(DTYPES), data=st.data())
def test_cross_entropies_on_saturated_probabilities_stay_finite_and_clipped(dtype, data):
    """Probabilities of exactly 0 and 1 (softmax/sigmoid of extreme logits) give the clipped loss, as Keras."""
    logits = data.draw(extreme_logits(dtype))
    labels = data.draw(st.lists(st.integers(0, 2), min_size=4, max_size=4), label="labels")
    x = logits.astype(dtype)
    target = one_hot(labels, 3).astype(dtype)
    ceiling = -np.log(pk.backend.epsilon()) + 1e-3  # the largest loss clipping allows
    for loss, y, probabilities, fused in [
        (losses.CategoricalCrossentropy(), target, activations.softmax(x), "softmax"),
        (losses.SparseCategoricalCrossentropy(), np.array(labels), activations.softmax(x), "softmax"),
        (losses.BinaryCrossentropy(), target, activations.sigmoid(x), "sigmoid"),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            values = loss.values(y, probabilities)
            grad = loss.gradient(y, probabilities)
            pre_activation = loss.fused_gradient(fused, y, probabilities)
        assert np.all(np.isfinite(values)) and np.all(values <= ceiling), loss.name
        assert np.all(np.isfinite(grad)) and np.all(np.isfinite(pre_activation)), loss.name
        # The fused gradient is exact: (p - y) / n for the categorical ones, / (n * classes) for binary.
        expected = probabilities - (one_hot(labels, 3) if loss.name.startswith("sparse") else y)
        expected = expected / (len(x) * (3 if fused == "sigmoid" else 1))
        assert np.allclose(pre_activation, expected, atol=1e-7), loss.name


@pytest.mark.parametrize("loss, activation", [("categorical_crossentropy", "softmax"),
                                              ("sparse_categorical_crossentropy", "softmax"),
                                              ("binary_crossentropy", "sigmoid")])
@settings(max_examples=30, **SETTINGS)
@given(scale=st.sampled_from([1e2, 1e4, 1e8, 1e12]), seed=st.integers(0, 1000))
def test_classifier_on_huge_logits_trains_without_nan(loss, activation, scale, seed):
    """Weights scaled so the logits reach +-1e4..1e14: the loss is clipped, gradients are exact, nothing is NaN."""
    classes = 1 if activation == "sigmoid" else 3
    model = pk.sequential() | pk.dense(classes, activation, input_shape=4)
    model | pk.compile(optimizer="sgd", loss=loss)
    model.set_weights([w * scale for w in model.get_weights()])
    generator = np.random.default_rng(seed)
    x = generator.standard_normal((16, 4)).astype(np.float32)
    labels = generator.integers(0, max(classes, 2), 16)
    y = labels if loss.startswith("sparse") else one_hot(labels, 3) if classes == 3 else labels[:, None]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        history = model.fit(x, y.astype(np.float32), epochs=3, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


# ----- when the loss does go NaN -------------------------------------------------------------------

def diverging_regression():
    """An MSE regression with a learning rate far too high: its loss overflows after a few batches."""
    generator = np.random.default_rng(0)
    x = 100 * generator.standard_normal((64, 4)).astype(np.float32)
    y = x @ np.ones((4, 1), np.float32)
    model = pk.sequential() | pk.dense(8, "relu", input_shape=4) | pk.dense(1)
    model | pk.compile(optimizer=pk.optimizers.SGD(learning_rate=1.0), loss="mse")
    return model, x, y


def test_fit_reports_epoch_and_batch_of_the_first_non_finite_loss_once():
    # Regression: every later batch repeated the warning (thousands of lines over a long run).
    model, x, y = diverging_regression()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    reports = [str(w.message) for w in caught if "fit: the loss became" in str(w.message)]
    assert len(reports) == 1
    assert "epoch 1, batch 3" in reports[0] and "TerminateOnNaN" in reports[0]
    assert not np.isfinite(history.history["loss"][0])


def test_terminate_on_nan_stops_at_that_batch_and_says_where(capsys):
    model, x, y = diverging_regression()
    batches = []
    counter = pk.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(x, y, epochs=5, batch_size=8, shuffle=False, verbose=0,
                            callbacks=[pk.callbacks.TerminateOnNaN(), counter])
    assert batches == [0, 1, 2] and len(history.history["loss"]) == 1
    assert "Epoch 1, batch 3: invalid loss inf, terminating training." in capsys.readouterr().out


def test_loss_stays_finite_at_a_sane_learning_rate_on_the_same_data():
    model, x, y = diverging_regression()
    model.compile(optimizer=pk.optimizers.SGD(learning_rate=1e-6), loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        history = model.fit(x, y, epochs=5, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][-1] < history.history["loss"][0]
