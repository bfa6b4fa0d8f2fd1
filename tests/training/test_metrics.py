"""Metrics against float64 NumPy references, accumulated over two update_state calls."""

import numpy as np
import pytest

from pipekeras import losses, metrics
from pipekeras.errors import ConfigError

EPS = 1e-7


# ----- references: per-sample values --------------------------------------------------------------------------


def ref_binary_accuracy(y, p, threshold=0.5):
    return np.array([np.mean([(pj > threshold) == (yj == 1) for yj, pj in zip(yr, pr)]) for yr, pr in zip(y, p)])


def ref_categorical_accuracy(y, p):
    return np.array([float(np.argmax(pr) == np.argmax(yr)) for yr, pr in zip(y, p)])


def ref_sparse_categorical_accuracy(y, p):
    return np.array([float(np.argmax(pr) == int(np.ravel(yr)[0])) for yr, pr in zip(y, p)])


def ref_top_k(label, scores, k):
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return float(label in order[:k])


def ref_mse(y, p):
    return ((y - p) ** 2).mean(axis=-1)


def ref_mae(y, p):
    return np.abs(y - p).mean(axis=-1)


def ref_mape(y, p):
    return 100 * (np.abs(y - p) / np.maximum(np.abs(y), EPS)).mean(axis=-1)


def ref_msle(y, p):
    return ((np.log1p(np.maximum(y, EPS)) - np.log1p(np.maximum(p, EPS))) ** 2).mean(axis=-1)


def weighted_mean(values_list, weights_list):
    values = np.concatenate(values_list)
    if weights_list is None:
        return values.mean()
    weights = np.concatenate(weights_list)
    return (values * weights).sum() / weights.sum()


def _binary(rng, n):
    return rng.integers(0, 2, size=(n, 3)).astype(float), rng.uniform(size=(n, 3))


def _categorical(rng, n):
    return np.eye(5)[rng.integers(0, 5, size=n)], rng.normal(size=(n, 5))


def _sparse(rng, n):
    return rng.integers(0, 5, size=(n, 1)), rng.normal(size=(n, 5))


def _regression(rng, n):
    return rng.normal(size=(n, 3)), rng.normal(size=(n, 3))


def _positive(rng, n):
    return rng.uniform(0, 2, size=(n, 3)), rng.uniform(0, 2, size=(n, 3))


CASES = {
    "binary_accuracy": (ref_binary_accuracy, _binary),
    "categorical_accuracy": (ref_categorical_accuracy, _categorical),
    "sparse_categorical_accuracy": (ref_sparse_categorical_accuracy, _sparse),
    "top_k_categorical_accuracy": (lambda y, p: np.array([ref_top_k(int(np.argmax(a)), b, 5) for a, b in zip(y, p)]),
                                   lambda rng, n: (np.eye(8)[rng.integers(0, 8, size=n)], rng.normal(size=(n, 8)))),
    "sparse_top_k_categorical_accuracy": (
        lambda y, p: np.array([ref_top_k(int(a[0]), b, 5) for a, b in zip(y, p)]),
        lambda rng, n: (rng.integers(0, 8, size=(n, 1)), rng.normal(size=(n, 8)))),
    "mse": (ref_mse, _regression),
    "mean_squared_error": (ref_mse, _regression),
    "mae": (ref_mae, _regression),
    "mape": (ref_mape, _regression),
    "msle": (ref_msle, _positive),
}


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_metric_accumulates_over_two_updates(name, weighted, rng):
    reference, data = CASES[name]
    metric = metrics.get(name)
    assert metric.name == name
    batches = [data(rng, 6), data(rng, 4)]
    weights = [rng.uniform(0, 2, size=6), rng.uniform(0, 2, size=4)] if weighted else None
    for i, (y, p) in enumerate(batches):
        metric.update_state(y, p, sample_weight=None if weights is None else weights[i])
    expected = weighted_mean([reference(y, p) for y, p in batches], weights)
    assert metric.result() == pytest.approx(expected, rel=1e-12)
    metric.reset_state()
    y, p = batches[1]
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(reference(y, p).mean(), rel=1e-12)
    # __call__ is the metric on one batch alone.
    assert metric(*batches[0]) == pytest.approx(reference(*batches[0]).mean(), rel=1e-12)


def test_sequence_outputs_weighted_per_sample(rng):
    y, p = rng.normal(size=(4, 3, 2)), rng.normal(size=(4, 3, 2))
    w = rng.uniform(0.1, 2, size=4)
    metric = metrics.get("mse")
    metric.update_state(y, p, sample_weight=w)
    per_sample = ref_mse(y, p).mean(axis=1)
    assert metric.result() == pytest.approx((per_sample * w).sum() / w.sum())


def test_rmse(rng):
    batches = [_regression(rng, 5), _regression(rng, 3)]
    metric = metrics.get("root_mean_squared_error")
    for y, p in batches:
        metric.update_state(y, p)
    assert metric.result() == pytest.approx(np.sqrt(np.concatenate([ref_mse(y, p) for y, p in batches]).mean()))


def test_top_k_with_k_argument(rng):
    y, p = rng.integers(0, 6, size=10), rng.normal(size=(10, 6))
    metric = metrics.SparseTopKCategoricalAccuracy(k=2)
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(np.mean([ref_top_k(int(a), b, 2) for a, b in zip(y, p)]))
    assert metric.get_config()["k"] == 2


def test_binary_accuracy_threshold(rng):
    y, p = _binary(rng, 8)
    metric = metrics.BinaryAccuracy(threshold=0.7)
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(ref_binary_accuracy(y, p, 0.7).mean())


# ----- "accuracy" resolution -----------------------------------------------------------------------------------


@pytest.mark.parametrize("loss, output_shape, expected", [
    ("binary_crossentropy", (None, 3), metrics.binary_accuracy),
    ("mse", (None, 1), metrics.binary_accuracy),
    ("categorical_crossentropy", (None, 1), metrics.binary_accuracy),
    ("sparse_categorical_crossentropy", (None, 10), metrics.sparse_categorical_accuracy),
    ("categorical_crossentropy", (None, 10), metrics.categorical_accuracy),
    ("mse", (None, 4), metrics.categorical_accuracy),
])
@pytest.mark.parametrize("alias", ["accuracy", "acc"])
def test_accuracy_resolution(loss, output_shape, expected, alias):
    metric = metrics.get(alias, loss=losses.get(loss), output_shape=output_shape)
    assert metric.fn is expected
    assert metric.name == alias


def test_accuracy_resolved_values(rng):
    y, p = _sparse(rng, 20)
    metric = metrics.get("accuracy", loss=losses.get("sparse_categorical_crossentropy"), output_shape=(None, 5))
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(ref_sparse_categorical_accuracy(y, p).mean())


# ----- precision, recall, AUC --------------------------------------------------------------------------------


def ref_confusion(y_list, p_list, w_list, threshold=0.5):
    tp = fp = fn = 0.0
    for i, (y, p) in enumerate(zip(y_list, p_list)):
        for b in range(len(y)):
            w = 1.0 if w_list is None else w_list[i][b]
            for yj, pj in zip(np.ravel(y[b]), np.ravel(p[b])):
                predicted, actual = pj > threshold, yj == 1
                tp += w * (predicted and actual)
                fp += w * (predicted and not actual)
                fn += w * (not predicted and actual)
    return tp, fp, fn


@pytest.mark.parametrize("threshold", [None, 0.3])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_precision_recall(weighted, threshold, rng):
    batches = [_binary(rng, 7), _binary(rng, 5)]
    weights = [rng.uniform(0, 2, size=7), rng.uniform(0, 2, size=5)] if weighted else None
    kwargs = {} if threshold is None else {"thresholds": threshold}
    precision, recall = metrics.Precision(**kwargs), metrics.Recall(**kwargs)
    for i, (y, p) in enumerate(batches):
        w = None if weights is None else weights[i]
        precision.update_state(y, p, sample_weight=w)
        recall.update_state(y, p, sample_weight=w)
    tp, fp, fn = ref_confusion([b[0] for b in batches], [b[1] for b in batches], weights,
                               0.5 if threshold is None else threshold)
    assert precision.result() == pytest.approx(tp / (tp + fp), rel=1e-12)
    assert recall.result() == pytest.approx(tp / (tp + fn), rel=1e-12)
    assert metrics.get("precision").name == "precision"
    assert metrics.get("recall").name == "recall"


def test_precision_recall_no_positives_is_zero():
    precision, recall = metrics.Precision(), metrics.Recall()
    precision.update_state(np.zeros((3, 1)), np.zeros((3, 1)))
    recall.update_state(np.zeros((3, 1)), np.zeros((3, 1)))
    assert precision.result() == 0.0 and recall.result() == 0.0


def exact_roc_auc(y, p, w=None):
    """Exact trapezoid area under the ROC curve, thresholds at every distinct score."""
    w = np.ones(len(y)) if w is None else w
    positives, negatives = w[y == 1].sum(), w[y == 0].sum()
    points = [(0.0, 0.0)]
    for t in sorted(set(p), reverse=True):
        above = p >= t
        points.append((w[above & (y == 0)].sum() / negatives, w[above & (y == 1)].sum() / positives))
    area = 0.0
    for (x0, y0), (x1, y1) in zip(points[:-1], points[1:]):
        area += (x1 - x0) * (y0 + y1) / 2
    return area


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_auc_close_to_exact_roc_auc(weighted, rng):
    batches = []
    for n in (150, 250):
        y = rng.integers(0, 2, size=(n, 1)).astype(float)
        p = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(size=(n, 1)))))
        batches.append((y, p))
    weights = [rng.uniform(0.1, 2, size=150), rng.uniform(0.1, 2, size=250)] if weighted else None
    metric = metrics.get("auc")
    for i, (y, p) in enumerate(batches):
        metric.update_state(y, p, sample_weight=None if weights is None else weights[i])
    y = np.concatenate([b[0] for b in batches]).ravel()
    p = np.concatenate([b[1] for b in batches]).ravel()
    w = None if weights is None else np.concatenate(weights)
    exact = exact_roc_auc(y, p, w)
    assert 0.7 < exact < 1
    assert metric.result() == pytest.approx(exact, abs=1e-2)


def test_auc_perfect_and_random():
    y = np.array([0, 0, 1, 1.0])
    assert metrics.AUC()(y, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0)
    assert metrics.AUC()(y, np.array([0.9, 0.8, 0.2, 0.1])) == pytest.approx(0.0)
    assert metrics.AUC()(y, np.full(4, 0.5)) == pytest.approx(0.5)


def test_auc_config_and_errors():
    metric = metrics.AUC(num_thresholds=50, curve="PR")
    assert metric.get_config() == {"name": "auc", "num_thresholds": 50, "curve": "PR"}
    with pytest.raises(ConfigError):
        metrics.AUC(curve="XY")
    with pytest.raises(ConfigError):
        metrics.AUC(num_thresholds=1)


# ----- user functions, names, registry -----------------------------------------------------------------------


def test_user_function_metric(rng):
    def max_error(y_true, y_pred):
        return np.abs(y_true - y_pred).max(axis=-1)

    metric = metrics.get(max_error)
    assert metric.name == "max_error"
    batches = [_regression(rng, 4), _regression(rng, 3)]
    weights = [rng.uniform(size=4), rng.uniform(size=3)]
    for (y, p), w in zip(batches, weights):
        metric.update_state(y, p, sample_weight=w)
    expected = weighted_mean([np.abs(y - p).max(axis=-1) for y, p in batches], weights)
    assert metric.result() == pytest.approx(expected)


def test_loss_object_as_metric(rng):
    y, p = _regression(rng, 5)
    metric = metrics.get(losses.Huber())
    assert metric.name == "huber_loss"
    metric.update_state(y, p)
    assert metric.result() == pytest.approx(losses.Huber()(y, p))


@pytest.mark.parametrize("name", ["mae", "mean_absolute_error", "MeanAbsoluteError", "auc", "precision"])
def test_names_kept_as_written(name):
    metric = metrics.get(name)
    expected = {"MeanAbsoluteError": "mean_absolute_error"}.get(name, name)
    assert metric.name == expected


def test_names_list_and_serialize_round_trip():
    names = metrics.names()
    for name in ["accuracy", "acc", "mae", "mse", "auc", "precision", "recall", "categorical_accuracy"]:
        assert name in names
    metric = metrics.AUC(num_thresholds=30, name="my_auc")
    again = metrics.get(metrics.serialize(metric))
    assert isinstance(again, metrics.AUC) and again.get_config() == metric.get_config()
    top = metrics.TopKCategoricalAccuracy(k=3, name="top3")
    again = metrics.get(metrics.serialize(top))
    assert again.get_config() == {"name": "top3", "k": 3}


def test_unknown_metric_name():
    with pytest.raises(ConfigError, match="Did you mean 'precision'"):
        metrics.get("precison")
    with pytest.raises(TypeError):
        metrics.get(3)


def test_empty_metric_result_is_zero():
    assert metrics.get("mae").result() == 0.0
    assert metrics.AUC().result() == 0.0
