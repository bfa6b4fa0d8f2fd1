"""Hostile input to fit and to models (issue 17): NaN weights, class_weight with targets that are not class
labels, fit's plain arguments, zero-length sequences, very deep models and the messages of odd ids and huge
inputs. Each failure must be a pipekeras error naming the argument, what it accepts and what it received."""

import re
import warnings

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import conv_1d, conv_2d, dense, embedding, flatten, sequential, simple_rnn
from pipekeras.errors import ConfigError, DataError, ShapeError
from pipekeras.training.targets import sample_weights


def c(*values):
    return tuple(values)


def _classifier(classes=3, features=4):
    pk.clear_session()
    pk.set_seed(0)
    model = sequential() | dense(8, "relu", input_shape=features) | dense(classes, "softmax")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def _xy(n=12, features=4, classes=3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, features)).astype("float32"), np.arange(n) % classes


# ----- NaN weights propagate through relu --------------------------------------------------------------------


def _poison_first_kernel(model):
    weights = model.get_weights()
    weights[0] = weights[0].copy()
    weights[0][0, 0] = np.nan
    model.set_weights(weights)


def test_a_nan_weight_gives_nan_through_dense_relu_on_the_stack_path():
    model = sequential() | dense(5, "relu", input_shape=3) | dense(4, "relu") | dense(2)
    _poison_first_kernel(model)
    x = np.ones((6, 3), dtype="float32")
    x[:, 0] = -1.0  # the NaN kernel entry times a negative input: below zero for a max(v, 0) relu
    assert np.isnan(model.predict(x, verbose=0)).all()


def test_a_nan_weight_gives_nan_through_conv_and_dense_relu_on_the_generic_path():
    model = (sequential() | conv_1d(3, 2, activation="relu", input_shape=c(5, 2)) | flatten()
             | dense(4, "relu") | dense(2))
    _poison_first_kernel(model)
    x = -np.ones((3, 5, 2), dtype="float32")
    assert np.isnan(model.predict(x, verbose=0)).all()


def test_a_nan_weight_gives_nan_through_conv_2d_relu():
    model = sequential() | conv_2d(2, 2, activation="relu", input_shape=c(4, 4, 1))
    _poison_first_kernel(model)
    out = model.predict(-np.ones((2, 4, 4, 1), dtype="float32"), verbose=0)
    assert np.isnan(out[..., 0]).all()


# ----- class_weight ----------------------------------------------------------------------------------------


def test_negative_class_weights_are_refused():
    model = _classifier()
    x, y = _xy()
    with pytest.raises(DataError, match=r"class_weight\[1\] must be a finite number >= 0, received -2"):
        model.fit(x, y, class_weight={0: 1.0, 1: -2}, verbose=0)


@pytest.mark.parametrize("label, shown", [(-1, "-1"), (1.5, "1.5")])
def test_class_weight_needs_integral_labels_of_at_least_zero(label, shown):
    """y = -1 took the last class's weight through a lookup table's negative index."""
    pk.clear_session()
    model = sequential() | dense(1, input_shape=4)
    model.compile(optimizer="sgd", loss="mse")
    x, _ = _xy()
    y = np.zeros(12, dtype="float32")
    y[5] = label
    with pytest.raises(DataError, match=rf"class_weight needs class labels: integers >= 0 .*received y\[5\] = {shown}"):
        model.fit(x, y, class_weight={0: 1.0, 1: 3.0}, verbose=0)


def test_class_weight_on_a_sequence_output_points_to_sample_weight():
    pk.clear_session()
    model = sequential() | simple_rnn(3, return_sequences=True, input_shape=c(5, 2))
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.ones((4, 5, 2), dtype="float32")
    y = np.zeros((4, 5), dtype="int64")
    with pytest.raises(DataError, match=r"targets of shape \(4, 5\) for an output of rank 3.*pass sample_weight"):
        model.fit(x, y, class_weight={0: 1.0}, verbose=0)


def test_class_weight_memory_does_not_grow_with_the_largest_label():
    """Labels up to 10**12 (a regression target, say) cost no table of 10**12 entries: classes the dict does
    not name weigh 1."""
    y = np.array([0, 10**12, 3, 7, 3], dtype=np.int64)
    weights = sample_weights([y], None, {3: 2.0, 10**12: 0.5}, 5, np.float32, output_rank=2)
    np.testing.assert_array_equal(weights, [1.0, 0.5, 2.0, 1.0, 2.0])


@pytest.mark.parametrize("shape", ["flat", "column", "one_hot"])
def test_class_weight_weighs_each_sample_by_its_class(shape):
    labels = np.array([2, 0, 1, 2])
    y = {"flat": labels.astype("float32"), "column": labels[:, None],
         "one_hot": np.eye(3, dtype="float32")[labels]}[shape]
    weights = sample_weights([y], np.full(4, 2.0), {0: 0.0, 2: 3.0}, 4, np.float32, output_rank=2)
    np.testing.assert_array_equal(weights, [6.0, 0.0, 2.0, 6.0])


# ----- fit's arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"initial_epoch": -3}, r"initial_epoch must be an integer in \[0, epochs\] = \[0, 2\].*received -3"),
    ({"initial_epoch": 1.5}, r"initial_epoch must be an integer in \[0, epochs\].*received 1.5"),
    ({"initial_epoch": 3}, r"initial_epoch must be an integer in \[0, epochs\] = \[0, 2\].*received 3"),
    ({"initial_epoch": True}, r"initial_epoch must be an integer .*not a bool.*received True"),
    ({"verbose": "loud"}, r'verbose must be one of "auto", 0, 1, 2, received \'loud\''),
    ({"verbose": 3}, r'verbose must be one of "auto", 0, 1, 2, received 3'),
    ({"verbose": True}, r'verbose must be one of "auto", 0, 1, 2, received True'),
    ({"callbacks": [object()]}, r"callbacks\[0\] must be a Callback \(pipekeras.callbacks\), received <object"),
    ({"callbacks": "history"}, r"callbacks must be a list of Callback objects, received str"),
    ({"batch_size": True}, r"batch_size must be a positive integer, received True.*not a bool"),
    ({"epochs": True}, r"epochs must be an integer >= 0 \(not a bool\), received True"),
])
def test_bad_fit_arguments_are_config_errors(kwargs, message):
    model = _classifier()
    x, y = _xy()
    before = [w.copy() for w in model.get_weights()]
    arguments = {"epochs": 2, "verbose": 0, **kwargs}
    with pytest.raises(ConfigError, match=message):
        model.fit(x, y, **arguments)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_fit_from_initial_epoch_trains_the_remaining_epochs():
    model = _classifier()
    x, y = _xy()
    history = model.fit(x, y, epochs=3, initial_epoch=1, verbose=0)
    assert history.epoch == [1, 2]
    assert model.fit(x, y, epochs=2, initial_epoch=2, verbose=0).epoch == []


# ----- zero-length sequences ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rnn", "conv"])
def test_zero_length_sequences_are_empty_data(kind):
    pk.clear_session()
    if kind == "rnn":
        model = sequential() | simple_rnn(3, input_shape=c(None, 2)) | dense(1)
    else:
        model = sequential() | conv_1d(2, 3, input_shape=c(None, 2)) | pk.global_max_pooling_1d() | dense(1)
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((4, 0, 2), dtype="float32")
    message = r"x is empty \(shape \(4, 0, 2\)\): axis 1 has length 0"
    for verb in (lambda: model.fit(x, np.zeros((4, 1)), verbose=0), lambda: model.predict(x, verbose=0),
                 lambda: model.evaluate(x, np.zeros((4, 1)), verbose=0)):
        with pytest.raises(DataError, match=message):
            verb()


@pytest.mark.parametrize("make", [lambda: conv_1d(2, 3), lambda: pk.max_pooling_1d(2)])
def test_a_window_on_an_input_of_length_zero_says_the_input_is_empty(make):
    """A layer called on an array of length 0 (declared shapes of length 0 are refused when declared)."""
    with pytest.raises(ShapeError, match=r"the input is empty: its spatial size \(0,\) \(steps\) has an axis of "
                                         r"length 0"):
        make()(np.zeros((1, 0, 2), dtype="float32"))


# ----- deep models -------------------------------------------------------------------------------------


def test_a_model_of_2000_layers_builds_and_predicts():
    """The graph walk kept on a stack: Python's recursion limit (about 1,000) is no limit on depth."""
    pk.clear_session()
    model = pk.Sequential([pk.Input(shape=(2,))] + [dense(2, kernel_initializer="identity") for _ in range(2000)])
    x = np.array([[1.0, -2.0]], dtype="float32")
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert len(model.layers) == 2000


# ----- messages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, shown", [(1e20, "1e+20"), (np.inf, "inf"), (-np.inf, "-inf")])
def test_an_embedding_id_too_large_for_an_integer_is_reported_as_it_is(bad, shown):
    pk.clear_session()
    model = sequential() | embedding(10, 2, input_shape=3)
    ids = np.array([[1.0, 2.0, bad]])
    with pytest.raises(DataError, match=re.escape(f"id {shown} at (sample 0, timestep 2) is out of range: ids must be "
                                                  "in [0, 9] since input_dim=10")):
        model.predict(ids, verbose=0)


def test_an_integer_embedding_id_out_of_range_keeps_its_advice():
    pk.clear_session()
    model = sequential() | embedding(10, 2, input_shape=2)
    with pytest.raises(DataError, match=r"id 12 at \(sample 1, timestep 0\).*Raise input_dim to at least 13"):
        model.predict(np.array([[1, 2], [12, 0]]), verbose=0)
    with pytest.raises(DataError, match=r"id -1 at \(sample 0, timestep 1\).*Ids cannot be negative"):
        model.predict(np.array([[1, -1], [2, 0]]), verbose=0)


def test_a_huge_finite_strided_input_gives_no_overflow_warning():
    pk.clear_session()
    model = sequential() | dense(2, input_shape=4)
    x = np.full((6, 8), 1e38, dtype="float32")[:, ::2]  # strided: not the contiguous compiled check
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model.predict(x, verbose=0)
    assert out.shape == (6, 2)
    bad = x.copy(order="F")
    bad[3, 1] = np.nan
    with pytest.raises(DataError, match=r"contains nan at index \(3, 1\)"):
        model.predict(bad[:, :], verbose=0)
