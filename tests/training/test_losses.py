"""Losses against independent float64 NumPy references of Keras 3's formulas.

Each reference below is written from the formula (loops where that is clearer), not from pipekeras.
Reduction is Keras' "sum_over_batch_size": sum(weight * per-position loss) / number of positions.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipekeras import losses, ops
from pipekeras.errors import ArgumentTypeError, ConfigError

EPS = 1e-7


# ----- references: one loss value per row (last axis reduced) -------------------------------------------


def _softmax_row(z):
    e = np.array([math.exp(v - max(z)) for v in z])
    return e / e.sum()


def ref_cce(y, p, from_logits=False, label_smoothing=0.0):
    k = len(p)
    y = np.asarray(y, dtype=np.float64) * (1 - label_smoothing) + label_smoothing / k
    if from_logits:
        m = max(p)
        lse = m + math.log(sum(math.exp(v - m) for v in p))
        return -sum(y[i] * (p[i] - lse) for i in range(k))
    total = sum(p)
    q = [min(max(v / total, EPS), 1 - EPS) for v in p]
    return -sum(y[i] * math.log(q[i]) for i in range(k))


def ref_sparse_cce(label, p, from_logits=False):
    onehot = np.zeros(len(p))
    onehot[int(label)] = 1
    return ref_cce(onehot, p, from_logits)


def ref_bce(y, p, from_logits=False, label_smoothing=0.0):
    total = 0.0
    for yi, pi in zip(y, p):
        yi = yi * (1 - label_smoothing) + 0.5 * label_smoothing
        if from_logits:
            pi = 1 / (1 + math.exp(-pi))
        pi = min(max(pi, EPS), 1 - EPS)
        total += -(yi * math.log(pi) + (1 - yi) * math.log(1 - pi))
    return total / len(y)


def ref_mse(y, p):
    return sum((a - b) ** 2 for a, b in zip(y, p)) / len(y)


def ref_mae(y, p):
    return sum(abs(a - b) for a, b in zip(y, p)) / len(y)


def ref_mape(y, p):
    return 100 * sum(abs((a - b) / max(abs(a), EPS)) for a, b in zip(y, p)) / len(y)


def ref_msle(y, p):
    return sum((math.log(max(b, EPS) + 1) - math.log(max(a, EPS) + 1)) ** 2 for a, b in zip(y, p)) / len(y)


def ref_huber(y, p, delta=1.0):
    total = 0.0
    for a, b in zip(y, p):
        e = abs(b - a)
        total += 0.5 * e * e if e <= delta else delta * e - 0.5 * delta * delta
    return total / len(y)


def ref_log_cosh(y, p):
    return sum(math.log(math.cosh(b - a)) for a, b in zip(y, p)) / len(y)


def ref_kld(y, p):
    total = 0.0
    for a, b in zip(y, p):
        a, b = min(max(a, EPS), 1), min(max(b, EPS), 1)
        total += a * math.log(a / b)
    return total


def ref_poisson(y, p):
    return sum(b - a * math.log(b + EPS) for a, b in zip(y, p)) / len(y)


def _hinge_labels(y):
    y = np.asarray(y, dtype=np.float64)
    return 2 * y - 1 if np.all((y == 0) | (y == 1)) else y


def ref_hinge(y, p):
    return sum(max(1 - a * b, 0) for a, b in zip(y, p)) / len(y)


def ref_squared_hinge(y, p):
    return sum(max(1 - a * b, 0) ** 2 for a, b in zip(y, p)) / len(y)


def ref_categorical_hinge(y, p):
    pos = sum(a * b for a, b in zip(y, p))
    neg = max((1 - a) * b for a, b in zip(y, p))
    return max(neg - pos + 1, 0)


def ref_cosine(y, p):
    ny = math.sqrt(sum(a * a for a in y))
    npred = math.sqrt(sum(b * b for b in p))
    return -sum(a * b for a, b in zip(y, p)) / (ny * npred)


# ----- data for each loss: (y, p) with p away from kinks so finite differences hold ---------------------


def _away(p, kinks, gap=2e-3):
    for k in kinks:
        close = np.abs(p - k) < gap
        p = np.where(close, k + np.where(p >= k, gap, -gap) * 2, p)
    return p


def data_regression(rng, shape):
    return rng.normal(size=shape), rng.normal(size=shape)


def data_mae(rng, shape):
    y = rng.normal(size=shape)
    return y, y + _away(rng.normal(size=shape), [0.0])


def data_huber(rng, shape):
    y = rng.normal(size=shape)
    return y, y + _away(rng.normal(scale=1.5, size=shape), [-1.0, 0.0, 1.0])


def data_mape(rng, shape):
    return rng.uniform(0.5, 2, size=shape) * rng.choice([-1, 1], size=shape), _away(rng.normal(size=shape), [0.0])


def data_positive(rng, shape):
    return rng.uniform(0, 3, size=shape), rng.uniform(0.1, 3, size=shape)


def data_distribution(rng, shape):
    y = rng.uniform(0.05, 1, size=shape)
    p = rng.uniform(0.05, 1, size=shape)
    return y / y.sum(-1, keepdims=True), p / p.sum(-1, keepdims=True)


def data_hinge(rng, shape):
    y = rng.choice([-1.0, 1.0], size=shape)
    p = rng.normal(size=shape)
    return y, _away(p * y, [1.0]) * y  # keep 1 - y*p away from 0


def data_hinge01(rng, shape):
    y, p = data_hinge(rng, shape)
    return (y + 1) / 2, p


def data_onehot_scores(rng, shape):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    return np.eye(shape[-1])[labels], rng.normal(size=shape)


def data_onehot_probs(rng, shape):
    y, _ = data_onehot_scores(rng, shape)
    return y, rng.uniform(0.05, 1, size=shape)  # unnormalized: Keras divides by the sum


def data_soft_probs(rng, shape):
    y, _ = data_distribution(rng, shape)
    return y, rng.uniform(0.05, 1, size=shape)


def data_sparse_probs(rng, shape):
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    p = rng.uniform(0.05, 1, size=shape)
    return labels, p / p.sum(-1, keepdims=True)


def data_sparse_logits(rng, shape):
    return rng.integers(0, shape[-1], size=shape[:-1]), 2 * rng.normal(size=shape)


def data_binary_probs(rng, shape):
    return rng.integers(0, 2, size=shape).astype(np.float64), rng.uniform(0.05, 0.95, size=shape)


def data_binary_soft(rng, shape):
    return rng.uniform(0, 1, size=shape), rng.uniform(0.05, 0.95, size=shape)


def data_binary_logits(rng, shape):
    return rng.integers(0, 2, size=shape).astype(np.float64), 2 * rng.normal(size=shape)


CASES = {
    # id: (loss factory, reference(row_y, row_p), data)
    "cce": (lambda: losses.CategoricalCrossentropy(), ref_cce, data_onehot_probs),
    "cce_soft": (lambda: losses.CategoricalCrossentropy(), ref_cce, data_soft_probs),
    "cce_logits": (lambda: losses.CategoricalCrossentropy(from_logits=True),
                   lambda y, p: ref_cce(y, p, from_logits=True), data_onehot_scores),
    "cce_smooth": (lambda: losses.CategoricalCrossentropy(label_smoothing=0.1),
                   lambda y, p: ref_cce(y, p, label_smoothing=0.1), data_onehot_probs),
    "cce_logits_smooth": (lambda: losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
                          lambda y, p: ref_cce(y, p, True, 0.2), data_onehot_scores),
    "sparse_cce": (lambda: losses.SparseCategoricalCrossentropy(), ref_sparse_cce, data_sparse_probs),
    "sparse_cce_logits": (lambda: losses.SparseCategoricalCrossentropy(from_logits=True),
                          lambda y, p: ref_sparse_cce(y, p, True), data_sparse_logits),
    "bce": (lambda: losses.BinaryCrossentropy(), ref_bce, data_binary_probs),
    "bce_soft": (lambda: losses.BinaryCrossentropy(), ref_bce, data_binary_soft),
    "bce_logits": (lambda: losses.BinaryCrossentropy(from_logits=True),
                   lambda y, p: ref_bce(y, p, from_logits=True), data_binary_logits),
    "bce_smooth": (lambda: losses.BinaryCrossentropy(label_smoothing=0.1),
                   lambda y, p: ref_bce(y, p, label_smoothing=0.1), data_binary_probs),
    "bce_logits_smooth": (lambda: losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.3),
                          lambda y, p: ref_bce(y, p, True, 0.3), data_binary_logits),
    "mse": (lambda: losses.get("mse"), ref_mse, data_regression),
    "mae": (lambda: losses.get("mae"), ref_mae, data_mae),
    "mape": (lambda: losses.get("mape"), ref_mape, data_mape),
    "msle": (lambda: losses.get("msle"), ref_msle, data_positive),
    "huber": (lambda: losses.get("huber"), ref_huber, data_huber),
    "huber_delta": (lambda: losses.Huber(delta=0.5), lambda y, p: ref_huber(y, p, 0.5), data_huber),
    "log_cosh": (lambda: losses.get("log_cosh"), ref_log_cosh, data_regression),
    "kld": (lambda: losses.get("kld"), ref_kld, data_distribution),
    "kld_onehot": (lambda: losses.get("kld"), ref_kld,
                   lambda rng, s: (data_onehot_probs(rng, s)[0], data_distribution(rng, s)[1])),
    "poisson": (lambda: losses.get("poisson"), ref_poisson, data_positive),
    "hinge": (lambda: losses.get("hinge"), lambda y, p: ref_hinge(_hinge_labels(y), p), data_hinge),
    "hinge01": (lambda: losses.get("hinge"), lambda y, p: ref_hinge(_hinge_labels(y), p), data_hinge01),
    "squared_hinge": (lambda: losses.get("squared_hinge"),
                      lambda y, p: ref_squared_hinge(_hinge_labels(y), p), data_hinge),
    "squared_hinge01": (lambda: losses.get("squared_hinge"),
                        lambda y, p: ref_squared_hinge(_hinge_labels(y), p), data_hinge01),
    "categorical_hinge": (lambda: losses.get("categorical_hinge"), ref_categorical_hinge, data_onehot_scores),
    "cosine_similarity": (lambda: losses.get("cosine_similarity"), ref_cosine, data_regression),
}


def _is_sparse(case):
    return case.startswith("sparse")


def ref_reduced(case, y, p, sample_weight=None):
    """Keras sum_over_batch_size of the reference per-position losses, in float64."""
    ref = CASES[case][1]
    positions = p.shape[:-1]
    values = np.zeros(positions)
    for index in np.ndindex(positions):
        values[index] = ref(y[index], p[index])
    if sample_weight is not None:
        values = values * np.asarray(sample_weight).reshape(
            np.shape(sample_weight) + (1,) * (values.ndim - np.ndim(sample_weight)))
    return values.sum() / values.size


def fd_gradient(fn, p, h=1e-6):
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        grad[i] = (fn(up) - fn(down)) / (2 * h)
    return grad


SHAPES = [(5, 4), (3, 2, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=["2d", "seq"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_value_matches_reference(case, weighted, shape, rng):
    loss, _, data = CASES[case]
    loss = loss()
    y, p = data(rng, shape)
    w = rng.uniform(0, 2, size=shape[0]) if weighted else None
    value = loss(y, p, sample_weight=w)
    assert isinstance(value, float)
    assert value == pytest.approx(ref_reduced(case, y, p, w), rel=1e-9, abs=1e-12)
    per_position = loss.call(y, p)
    assert per_position.shape == shape[:-1]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", SHAPES, ids=["2d", "seq"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_matches_finite_differences(case, shape, weighted, rng):
    loss, _, data = CASES[case]
    loss = loss()
    y, p = data(rng, shape)
    w = rng.uniform(0, 2, size=shape[0]) if weighted else None
    grad = loss.gradient(y, p, sample_weight=w)
    assert grad.shape == p.shape and grad.dtype == np.float64
    fd = fd_gradient(lambda q: loss(y, q, sample_weight=w), p)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


@settings(max_examples=15, deadline=None)
@given(
    case=st.sampled_from(sorted(CASES)),
    batch=st.integers(1, 4),
    time=st.one_of(st.none(), st.integers(1, 3)),
    classes=st.integers(2, 5),
    seed=st.integers(0, 2**16),
)
def test_gradient_random_shapes(case, batch, time, classes, seed):
    rng = np.random.default_rng(seed)
    shape = (batch, classes) if time is None else (batch, time, classes)
    loss, _, data = CASES[case]
    loss = loss()
    y, p = data(rng, shape)
    w = rng.uniform(0.1, 2, size=batch)
    assert loss(y, p, w) == pytest.approx(ref_reduced(case, y, p, w), rel=1e-9, abs=1e-12)
    fd = fd_gradient(lambda q: loss(y, q, sample_weight=w), p)
    np.testing.assert_allclose(loss.gradient(y, p, w), fd, rtol=1e-5, atol=1e-7)


def test_sample_weight_column_vector_same_as_flat(rng):
    y, p = data_regression(rng, (6, 3))
    w = rng.uniform(0, 2, size=6)
    loss = losses.get("mse")
    assert loss(y, p, w[:, None]) == pytest.approx(loss(y, p, w))
    np.testing.assert_allclose(loss.gradient(y, p, w[:, None]), loss.gradient(y, p, w))


def test_float32_gradient_keeps_dtype(rng):
    y, p = data_onehot_probs(rng, (4, 3))
    grad = losses.get("categorical_crossentropy").gradient(y.astype(np.float32), p.astype(np.float32))
    assert grad.dtype == np.float32


# ----- fused output activation + loss ----------------------------------------------------------------------


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


FUSED = {
    "cce": (lambda: losses.CategoricalCrossentropy(), "softmax", _softmax, data_onehot_scores),
    "cce_soft": (lambda: losses.CategoricalCrossentropy(), "softmax", _softmax,
                 lambda rng, s: (data_distribution(rng, s)[0], rng.normal(size=s))),
    "cce_smooth": (lambda: losses.CategoricalCrossentropy(label_smoothing=0.2), "softmax", _softmax,
                   data_onehot_scores),
    "sparse_cce": (lambda: losses.SparseCategoricalCrossentropy(), "softmax", _softmax, data_sparse_logits),
    "bce": (lambda: losses.BinaryCrossentropy(), "sigmoid", _sigmoid, data_binary_logits),
    "bce_soft": (lambda: losses.BinaryCrossentropy(), "sigmoid", _sigmoid,
                 lambda rng, s: (rng.uniform(0, 1, size=s), 2 * rng.normal(size=s))),
    "bce_smooth": (lambda: losses.BinaryCrossentropy(label_smoothing=0.1), "sigmoid", _sigmoid,
                   data_binary_logits),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("shape", SHAPES, ids=["2d", "seq"])
@pytest.mark.parametrize("case", sorted(FUSED))
def test_fused_gradient_is_chain_rule_through_activation(case, shape, weighted, rng):
    factory, activation, act_fn, data = FUSED[case]
    loss = factory()
    y, z = data(rng, shape)
    w = rng.uniform(0, 2, size=shape[0]) if weighted else None
    fused = loss.fused_gradient(activation, y, act_fn(z), sample_weight=w)
    assert fused is not None and fused.shape == z.shape
    fd = fd_gradient(lambda q: loss(y, act_fn(q), sample_weight=w), z)
    np.testing.assert_allclose(fused, fd, rtol=1e-5, atol=1e-8)


def test_fused_gradient_only_for_matching_activation(rng):
    y, z = data_onehot_scores(rng, (3, 4))
    assert losses.CategoricalCrossentropy().fused_gradient("sigmoid", y, _softmax(z)) is None
    assert losses.CategoricalCrossentropy(from_logits=True).fused_gradient("softmax", y, _softmax(z)) is None
    assert losses.BinaryCrossentropy().fused_gradient("softmax", y, _sigmoid(z)) is None
    assert losses.get("mse").fused_gradient("linear", y, z) is None


# ----- stability ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_are_finite(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cce = losses.CategoricalCrossentropy(from_logits=True)
        assert cce(y, z) == pytest.approx((2e4 + 2e4) / 2, rel=1e-6)
        g = cce.gradient(y, z)
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, (np.array([[1, 0, 0], [0, 0, 1]]) - y) / 2, atol=1e-6)
        scce = losses.SparseCategoricalCrossentropy(from_logits=True)
        assert scce(np.array([1, 0]), z) == pytest.approx(2e4, rel=1e-6)
        assert np.all(np.isfinite(scce.gradient(np.array([1, 0]), z)))
        smooth = losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
        assert np.isfinite(smooth(y, z)) and np.all(np.isfinite(smooth.gradient(y, z)))
        bce = losses.BinaryCrossentropy(from_logits=True)
        yb = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]], dtype=dtype)
        # per element: 0, 1e4, log 2 | 0, 1e4, 0
        assert bce(yb, z) == pytest.approx((1e4 + math.log(2)) / 3 / 2 + 1e4 / 3 / 2, rel=1e-6)
        assert np.all(np.isfinite(bce.gradient(yb, z)))
    # Probabilities of exactly 0 and 1 are clipped, not log(0).
    p = np.array([[1.0, 0.0]], dtype=dtype)
    assert np.isfinite(losses.BinaryCrossentropy()(np.array([[0.0, 1.0]]), p))
    assert np.all(np.isfinite(losses.BinaryCrossentropy().gradient(np.array([[0.0, 1.0]]), p)))
    assert np.isfinite(losses.CategoricalCrossentropy()(np.array([[0.0, 1.0]]), p))


# ----- functional forms, registry, custom functions ---------------------------------------------------------


def test_functional_forms(rng):
    y, p = data_onehot_probs(rng, (4, 3))
    np.testing.assert_allclose(losses.categorical_crossentropy(y, p), [ref_cce(a, b) for a, b in zip(y, p)])
    y, p = data_binary_probs(rng, (4, 3))
    np.testing.assert_allclose(losses.binary_crossentropy(y, p), [ref_bce(a, b) for a, b in zip(y, p)])
    y, p = data_regression(rng, (4, 3))
    np.testing.assert_allclose(losses.mean_squared_error(y, p), [ref_mse(a, b) for a, b in zip(y, p)])


@pytest.mark.parametrize("name, cls", [
    ("mse", losses.MeanSquaredError), ("mean_squared_error", losses.MeanSquaredError),
    ("mae", losses.MeanAbsoluteError), ("mape", losses.MeanAbsolutePercentageError),
    ("msle", losses.MeanSquaredLogarithmicError), ("huber", losses.Huber), ("log_cosh", losses.LogCosh),
    ("kld", losses.KLDivergence), ("kl_divergence", losses.KLDivergence), ("poisson", losses.Poisson),
    ("hinge", losses.Hinge), ("squared_hinge", losses.SquaredHinge), ("categorical_hinge", losses.CategoricalHinge),
    ("cosine_similarity", losses.CosineSimilarity), ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("binary_crossentropy", losses.BinaryCrossentropy), ("BinaryCrossentropy", losses.BinaryCrossentropy),
])
def test_get_by_name(name, cls):
    assert type(losses.get(name)) is cls


@pytest.mark.parametrize("loss", [
    losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=3),
    losses.BinaryCrossentropy(label_smoothing=0.2), losses.Huber(delta=2.0), losses.get("mse"),
    losses.get("cosine_similarity"),
])
def test_serialize_round_trip(loss):
    config = losses.serialize(loss)
    again = losses.deserialize(config)
    assert type(again) is type(loss)
    assert again.get_config() == loss.get_config()


def test_unknown_loss_name():
    with pytest.raises(ConfigError, match="Did you mean 'mse'"):
        losses.get("mes")
    with pytest.raises(ConfigError, match="categorical_crossentropy"):
        losses.get("categorical_crossentropyy")


def test_user_function_loss(rng):
    def my_loss(y_true, y_pred):
        return ops.mean((y_true - y_pred) ** 4, axis=-1)

    loss = losses.get(my_loss)
    assert loss.name == "my_loss"
    y, p = data_regression(rng, (4, 3))
    w = rng.uniform(0, 1, size=4)
    expected = sum(w[b] * np.mean((y[b] - p[b]) ** 4) for b in range(4)) / 4
    assert loss(y, p, w) == pytest.approx(expected)
    np.testing.assert_allclose(loss.gradient(y, p, w), w[:, None] * 4 * (p - y) ** 3 / 3 / 4, rtol=1e-6, atol=1e-8)


def test_a_user_loss_written_with_numpy_says_to_use_ops(rng):
    def numpy_loss(y_true, y_pred):
        return np.mean(np.abs(y_true - y_pred), axis=-1)

    y, p = data_regression(rng, (4, 3))
    assert losses.get(numpy_loss)(y, p) == pytest.approx(np.mean(np.abs(y - p)))
    with pytest.raises(ArgumentTypeError, match="loss 'numpy_loss': .*pipekeras.ops"):
        losses.get(numpy_loss).gradient(y, p)


def test_sparse_labels_column_shape_and_ignore_class(rng):
    labels, p = data_sparse_probs(rng, (5, 4))
    loss = losses.SparseCategoricalCrossentropy()
    assert loss(labels[:, None], p) == pytest.approx(loss(labels, p))
    ignoring = losses.SparseCategoricalCrossentropy(ignore_class=-1)
    masked = labels.copy()
    masked[0] = -1
    values = ignoring.call(masked, p)
    assert values[0] == 0
    np.testing.assert_allclose(values[1:], [ref_sparse_cce(a, b) for a, b in zip(labels[1:], p[1:])])
    assert np.all(ignoring.gradient(masked, p)[0] == 0)
