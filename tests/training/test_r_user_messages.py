"""What an R keras user writes by habit: a bare metric name, Keras 2's lr= and decay=, and the messages for
targets that do not fit an output with an extra axis (issue 21)."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError, ShapeError


def _classifier(input_shape=(3,)):
    return pk.sequential() | pk.dense(4, "relu", input_shape=input_shape) | pk.dense(3, "softmax")


def test_compile_takes_a_bare_metric_name():
    # R: compile(metrics = "accuracy") (a character vector of length one)
    model = _classifier()
    model | pk.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics="accuracy")
    assert model.metrics_names == ["loss", "accuracy"]
    history = model | pk.fit(np.zeros((6, 3), "float32"), np.eye(3)[np.arange(6) % 3], verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    model | pk.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=pk.metrics.CategoricalAccuracy())
    assert model.metrics_names == ["loss", "categorical_accuracy"]
    with pytest.raises(ConfigError, match="Unknown metric 'acuracy'"):
        model | pk.compile(optimizer="rmsprop", loss="mse", metrics="acuracy")


def test_one_hot_targets_for_an_output_with_an_extra_axis():
    model = _classifier(input_shape=(5, 3))  # dense on a sequence: output (None, 5, 3)
    model | pk.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    one_hot = np.eye(3)[np.arange(8) % 3]
    with pytest.raises(ShapeError) as error:
        model | pk.fit(np.zeros((8, 5, 3), "float32"), one_hot, verbose=0)
    message = str(error.value)
    assert message == (
        "categorical_crossentropy: the model outputs (None, 5, 3), one prediction per sample and position (5,), "
        "but the one-hot targets have shape (8, 3), one per sample. Add layer_flatten() (or a global pooling "
        "layer) before the last dense layer so that the model outputs (None, 3), or give targets of shape "
        "(samples, 5, 3).")
    assert "to_categorical" not in message  # they are one-hot already
    with pytest.raises(ShapeError, match=r"the class labels have shape \(8,\), one per sample\. Add layer_flatten"):
        model | pk.fit(np.zeros((8, 5, 3), "float32"), np.arange(8) % 3, verbose=0)


def test_sparse_categorical_crossentropy_labels_of_the_wrong_shape():
    model = _classifier(input_shape=(5, 3))
    model | pk.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    x = np.zeros((8, 5, 3), "float32")
    with pytest.raises(ShapeError, match=r"sparse_categorical_crossentropy: the model outputs \(None, 5, 3\), one "
                                         r"prediction per sample and position \(5,\), but the labels have shape "
                                         r"\(8,\), one per sample\. Add layer_flatten\(\)"):
        model | pk.fit(x, np.arange(8) % 3, verbose=0)
    for labels in (np.zeros((8, 4)), (np.arange(8) % 3)[:, None]):
        with pytest.raises(ShapeError, match=rf"the labels have shape \({labels.shape[0]}, {labels.shape[1]}\) but "
                                             r"the model outputs \(None, 5, 3\); it needs one integer label per "
                                             r"prediction, an array of shape \(samples, 5\)"):
            model | pk.fit(x, labels, verbose=0)
    model | pk.fit(x, np.zeros((8, 5, 1)), verbose=0)  # one label per position: fine
    flat = _classifier()
    flat | pk.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    with pytest.raises(ShapeError, match=r"the labels have shape \(8, 2\) but the model outputs \(None, 3\); it needs "
                                         r"one integer label per prediction, an array of shape \(samples\)"):
        flat | pk.fit(np.zeros((8, 3), "float32"), np.zeros((8, 2)), verbose=0)


def test_keras2_lr_and_decay():
    # R keras 2: optimizer_rmsprop(lr = 1e-4), optimizer_sgd(lr = 0.01, decay = 1e-6)
    assert pk.optimizers.RMSprop(lr=1e-4).learning_rate == pytest.approx(1e-4)
    sgd = pk.optimizers.SGD(lr=0.1, decay=0.5)
    assert sgd.learning_rate == pytest.approx(0.1)
    sgd.iterations = 4
    assert sgd.learning_rate == pytest.approx(0.1 / (1 + 0.5 * 4))  # Keras 2's inverse time decay
    assert pk.optimizers.Adam(decay=0.0).learning_rate == pytest.approx(0.001)  # decay 0: a plain rate
    with pytest.raises(ConfigError, match="SGD: decay must be a non-negative number, received -1"):
        pk.optimizers.SGD(decay=-1)
    schedule = pk.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    with pytest.raises(ConfigError, match="Adam: decay .* cannot be combined with a learning rate schedule"):
        pk.optimizers.Adam(learning_rate=schedule, decay=0.1)
    with pytest.raises(ConfigError, match="Adam: give lr or learning_rate, not both"):
        pk.optimizers.Adam(learning_rate=schedule, lr=0.1)

    # trained with decay, the steps shrink as Keras 2's did
    model = pk.sequential() | pk.dense(1, input_shape=1, kernel_initializer="zeros", use_bias=False)
    model | pk.compile(optimizer=pk.optimizers.SGD(lr=0.1, decay=1.0), loss="mse")
    x, y = np.ones((1, 1), "float32"), np.ones((1, 1), "float32")
    w = 0.0
    for step in range(3):
        model | pk.train_on_batch(x, y)
        w += 0.1 / (1 + step) * 2 * (1 - w)  # d/dw (w - 1)^2 = 2 (w - 1)
        assert model.get_weights()[0][0, 0] == pytest.approx(w, rel=1e-5)
