"""Training numbers against Keras 3 (tests/fixtures/keras_parity.npz, made by make_parity_fixtures.py)."""

import os

import numpy as np
import pytest

import pipekeras as pk

FIXTURES = np.load(os.path.join(os.path.dirname(__file__), "..", "fixtures", "keras_parity.npz"))


def _arrays(prefix):
    items = sorted((int(k[len(prefix):]), k) for k in FIXTURES.files if k.startswith(prefix))
    return [FIXTURES[k] for _, k in items]


def _masked_model():
    model = pk.sequential() | pk.embedding(10, 4, mask_zero=True, input_shape=(6,)) | \
        pk.lstm(5, return_sequences=True) | pk.time_distributed(pk.dense(3, activation="softmax"))
    model.compile(pk.optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.set_weights(_arrays("masked/w"))
    return model


def test_output_mask_restricts_loss_and_accuracy_to_unmasked_timesteps():
    model = _masked_model()
    x, y = FIXTURES["masked/x"], FIXTURES["masked/y"]
    logs = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose([logs["loss"], logs["accuracy"]], FIXTURES["masked/eval"], rtol=1e-5)


def test_training_on_masked_outputs_follows_keras():
    model = _masked_model()
    logs = model.train_on_batch(FIXTURES["masked/x"], FIXTURES["masked/y"], return_dict=True)
    # Keras on JAX drops the mask of the training step's outputs before its metrics (its evaluate keeps it,
    # as the TensorFlow backend does in both): the accuracy here is the masked one, as in evaluate
    np.testing.assert_allclose(logs["loss"], FIXTURES["masked/step"][0], rtol=1e-5)
    np.testing.assert_allclose(logs["accuracy"], FIXTURES["masked/eval"][1], rtol=1e-5)
    for got, want in zip(model.get_weights(), _arrays("masked/after")):
        np.testing.assert_allclose(got, want, atol=2e-6)


def test_fully_masked_batch_gives_zero_loss_not_nan():
    model = _masked_model()
    logs = model.evaluate(np.zeros((2, 6), "int32"), np.zeros((2, 6), "int32"), verbose=0)
    assert logs["loss"] == 0.0 and np.isfinite(logs["accuracy"])


def test_relu_derivative_at_zero_is_zero_on_every_path():
    model = pk.sequential() | pk.conv_2d_transpose(2, 3, padding="same", activation="relu", input_shape=(5, 5, 1)) | \
        pk.depthwise_conv_2d(3, padding="same", activation="relu") | \
        pk.separable_conv_2d(2, 3, padding="same", activation="relu") | pk.flatten() | \
        pk.dense(4, activation="relu") | pk.activation("relu") | pk.dense(1)
    model.compile(pk.optimizers.SGD(0.1), "mse")
    model.set_weights(_arrays("relu0/w"))
    loss = model.train_on_batch(FIXTURES["relu0/x"], FIXTURES["relu0/y"])
    np.testing.assert_allclose(loss, FIXTURES["relu0/loss"], rtol=1e-5)
    for got, want in zip(model.get_weights(), _arrays("relu0/after")):
        np.testing.assert_allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("name, strides, dilation", [("s2", 2, 1), ("s3", 3, 1)])
def test_causal_conv_1d_with_strides_gives_ceil_of_length_over_stride(name, strides, dilation):
    model = pk.sequential() | pk.conv_1d(4, 3, strides=strides, dilation_rate=dilation, padding="causal",
                                         input_shape=(10, 3))
    model.compile(pk.optimizers.SGD(0.1), "mse")
    model.set_weights(_arrays(f"causal_{name}/w"))
    want = FIXTURES[f"causal_{name}/y"]
    assert model.output_shape == (None,) + want.shape[1:]
    np.testing.assert_allclose(model.predict(FIXTURES[f"causal_{name}/x"]), want, atol=1e-5)
    model.train_on_batch(FIXTURES[f"causal_{name}/x"], FIXTURES[f"causal_{name}/target"])
    for got, want in zip(model.get_weights(), _arrays(f"causal_{name}/after")):
        np.testing.assert_allclose(got, want, atol=1e-5)


def _weighted_model():
    model = pk.sequential() | pk.dense(3, activation="softmax", input_shape=(4,))
    model.compile(pk.optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy", "mae"],
                  weighted_metrics=["accuracy", "mse"])
    model.set_weights(_arrays("weighted/w"))
    return model


def test_sample_weight_weights_the_loss_and_the_weighted_metrics_only():
    model = _weighted_model()
    x, y, w = FIXTURES["weighted/x"], FIXTURES["weighted/y"], FIXTURES["weighted/sw"]
    names = list(FIXTURES["weighted/names"])
    logs = model.evaluate(x, y, sample_weight=w, verbose=0)
    assert sorted(logs) == names
    np.testing.assert_allclose([logs[k] for k in names], FIXTURES["weighted/eval"], rtol=1e-5)
    assert model.metrics_names == ["loss", "accuracy", "mae", "weighted_accuracy", "mse"]
    step = model.train_on_batch(x, y, sample_weight=w, return_dict=True)
    np.testing.assert_allclose([step[k] for k in names], FIXTURES["weighted/step"], rtol=1e-5)
    for got, want in zip(model.get_weights(), _arrays("weighted/after")):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_fit_with_sample_weight_logs_unweighted_metrics():
    model = _weighted_model()
    x, y, w = FIXTURES["weighted/x"], FIXTURES["weighted/y"], FIXTURES["weighted/sw"]
    unweighted = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, sample_weight=w, batch_size=8, epochs=1, verbose=0)
    assert history.history["accuracy"][0] == pytest.approx(unweighted["accuracy"])
    assert history.history["mae"][0] == pytest.approx(unweighted["mae"], rel=1e-5)


def test_pr_auc_interpolates_as_keras():
    y, p, w = FIXTURES["pr_auc/y"], FIXTURES["pr_auc/p"], FIXTURES["pr_auc/sw"]
    results = []
    for thresholds in (200, 7):
        for weight in (None, w):
            metric = pk.metrics.AUC(num_thresholds=thresholds, curve="PR")
            metric.update_state(y, p, sample_weight=weight)
            results.append(metric.result())
    np.testing.assert_allclose(results, FIXTURES["pr_auc/results"], rtol=1e-5)
