"""Bad data given to fit, evaluate and predict: each case gets the library's own error saying what is wrong
and what to do, or works exactly as clean data does (issue 10, "Reliability")."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipekeras as pk
from pipekeras.errors import ConfigError, DataError, PipeKerasError, ShapeError
from test_reliability_pipes import ANY, STEPS, build, sample_input, valid_pipes

SETTINGS = dict(deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
VERBS = ["fit", "evaluate", "predict"]


def classifier(loss="categorical_crossentropy", classes=3, features=4, activation="softmax"):
    model = pk.sequential() | pk.dense(5, "tanh", input_shape=features) | pk.dense(classes, activation)
    return model | pk.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])


def clean_data(n=10, features=4, classes=3, seed=0):
    generator = np.random.default_rng(seed)
    x = generator.standard_normal((n, features)).astype(np.float32)
    return x, np.eye(classes, dtype=np.float32)[generator.integers(0, classes, n)]


def run(model, verb, x, y):
    if verb == "fit":
        return model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    if verb == "evaluate":
        return model.evaluate(x, y, verbose=0)
    return model.predict(x)


# ----- shapes and lengths --------------------------------------------------------------------------

@settings(max_examples=180, **SETTINGS)
@given(data=st.data(), verb=st.sampled_from(VERBS))
def test_x_of_wrong_shape_names_the_model_and_both_shapes(data, verb):
    model = classifier()
    x, y = clean_data()
    shape = data.draw(st.lists(st.integers(1, 6), min_size=1, max_size=4).map(tuple).filter(
        lambda s: s[1:] != (4,)), label="x shape")
    bad = np.zeros(shape, np.float32)
    with pytest.raises(ShapeError) as caught:
        run(model, verb, bad, y[:shape[0]] if shape[0] <= len(y) else np.tile(y[:1], (shape[0], 1)))
    message = str(caught.value)
    assert f"Model '{model.name}'" in message and str(shape) in message and "(None, 4)" in message


@settings(max_examples=120, **SETTINGS)
@given(n_x=st.integers(1, 12), n_y=st.integers(1, 12), verb=st.sampled_from(["fit", "evaluate"]))
def test_x_and_y_lengths_must_match(n_x, n_y, verb):
    model = classifier()
    x, _ = clean_data(n_x)
    _, y = clean_data(n_y)
    if n_x == n_y:
        run(model, verb, x, y)
        return
    with pytest.raises(DataError, match=f"different numbers of samples: {n_x} and {n_y}"):
        run(model, verb, x, y)


@settings(max_examples=120, **SETTINGS)
@given(width=st.integers(1, 6), verb=st.sampled_from(["fit", "evaluate"]),
       loss=st.sampled_from(["categorical_crossentropy", "mse", "binary_crossentropy"]))
def test_targets_of_wrong_width_name_the_loss_and_the_output(width, verb, loss):
    model = classifier(loss, activation="sigmoid" if loss == "binary_crossentropy" else "softmax")
    x, _ = clean_data()
    y = np.zeros((10, width), np.float32)
    if width == 3:
        run(model, verb, x, y)
        return
    with pytest.raises(ShapeError, match=pk.losses.get(loss).name) as caught:
        run(model, verb, x, y)
    assert any(f in str(caught.value) for f in ("(samples, 3)", "3 classes", "width 3"))


def test_inputs_of_a_two_input_model_must_have_equal_lengths():
    left, right = pk.Input(shape=3), pk.Input(shape=2)
    model = pk.Model([left, right], [left, right] | pk.concatenate() | pk.dense(1))
    model | pk.compile(loss="mse")
    with pytest.raises(DataError, match=r"different numbers of samples: \[4, 5\]"):
        model.predict([np.zeros((4, 3)), np.zeros((5, 2))])
    with pytest.raises(DataError, match="2 inputs"):
        model.predict(np.zeros((4, 3)))


# ----- non-finite, empty and non-numeric data ------------------------------------------------------

@settings(max_examples=180, **SETTINGS)
@given(data=st.data(), where=st.sampled_from(["x", "y", "sample_weight"]),
       value=st.sampled_from([np.nan, np.inf, -np.inf]), verb=st.sampled_from(VERBS))
def test_nan_or_inf_anywhere_is_reported_with_its_index_before_any_step(data, where, value, verb):
    if verb == "predict" and where != "x":
        verb = "fit"
    model = classifier()
    x, y = clean_data()
    weights = np.ones(10, np.float32)
    array = {"x": x, "y": y, "sample_weight": weights}[where]
    index = tuple(data.draw(st.integers(0, n - 1), label=f"index {axis}") for axis, n in enumerate(array.shape))
    array[index] = value
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(DataError, match=rf"{where} contains {value} at index \({index[0]},"):
        if verb == "predict":
            model.predict(x)
        elif verb == "fit":
            model.fit(x, y, sample_weight=weights, epochs=1, verbose=0)
        else:
            model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("bad, match", [
    (np.zeros((0, 4), np.float32), "empty"),
    (np.zeros((3, 4), dtype=object), "dtype object"),
    (np.array([["a", "b", "c", "d"]] * 3), "strings need a tokenizer"),
    (np.zeros((3, 4), dtype=np.complex64), "dtype complex64"),
    (np.zeros((3, 4), dtype="datetime64[s]"), "dtype datetime64"),
    ([[1.0, 2.0, 3.0, 4.0], [1.0, 2.0]], "rows of different lengths.*dense rows of 4 values"),
    (None, "give both x|dtype object"),
])
def test_empty_and_non_numeric_x_raise_data_error(verb, bad, match):
    model = classifier()
    _, y = clean_data(3)
    with pytest.raises(DataError, match=match):
        run(model, verb, bad, y)


@pytest.mark.parametrize("bad, match", [
    (np.zeros((0, 3), np.float32), "empty"),
    (np.array([["cat"] * 3] * 10), "strings need a tokenizer"),
    (np.zeros((10, 3), dtype=object), "dtype object"),
])
def test_empty_and_non_numeric_y_raise_data_error(bad, match):
    model = classifier()
    x, _ = clean_data()
    with pytest.raises(DataError, match=match):
        model.fit(x, bad, verbose=0)


# ----- labels --------------------------------------------------------------------------------------

@settings(max_examples=180, **SETTINGS)
@given(classes=st.integers(2, 6), position=st.integers(0, 9), verb=st.sampled_from(["fit", "evaluate"]),
       from_logits=st.booleans(), data=st.data())
def test_sparse_label_out_of_range_names_label_index_and_class_count(classes, position, verb, from_logits, data):
    label = data.draw(st.one_of(st.integers(classes, 10**9), st.integers(-10**9, -1)), label="label")
    loss = pk.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    model = classifier(loss, classes, activation="linear" if from_logits else "softmax")
    x, _ = clean_data()
    y = np.random.default_rng(position).integers(0, classes, 10)
    y[position] = label
    with pytest.raises(DataError, match=rf"label {label} at index \({position},\) is outside \[0, {classes}\)"):
        run(model, verb, x, y)


def test_sparse_labels_as_floats_column_or_ints_train_the_same():
    x, onehot = clean_data()
    labels = onehot.argmax(axis=1)
    losses = []
    for y in (labels, labels.astype(np.float32), labels[:, None], labels.astype(np.uint8)):
        pk.set_seed(0)
        model = classifier("sparse_categorical_crossentropy")
        losses.append(model.fit(x, y, epochs=2, verbose=0).history["loss"])
    assert all(np.allclose(losses[0], other) for other in losses[1:])
    with pytest.raises(DataError, match="integer class labels"):
        model.fit(x, labels + 0.5, verbose=0)


def test_binary_crossentropy_targets_outside_unit_interval():
    model = classifier("binary_crossentropy", 1, activation="sigmoid")
    x, _ = clean_data()
    y = np.zeros((10, 1), np.float32)
    y[7, 0] = 2.0
    with pytest.raises(DataError, match=r"targets in \[0, 1\], but y\[7, 0\] is 2.0"):
        model.fit(x, y, verbose=0)
    noisy = np.full((10, 1), 0.25, np.float32) + np.linspace(0, 1.25, 10, dtype=np.float32)[:, None]
    p = np.clip(model.predict(x, verbose=0).astype(np.float64), 1e-7, 1 - 1e-7)
    expected = -np.mean(noisy * np.log(p) + (1 - noisy) * np.log(1 - p))  # Keras's value for noisy labels
    assert model.evaluate(x, noisy, verbose=0)["loss"] == pytest.approx(expected, rel=1e-4)


# ----- sample and class weights, fit arguments -----------------------------------------------------

@pytest.mark.parametrize("class_weight, match", [
    ({"cat": 1.0}, "class indices"), ({-1: 1.0}, "class indices"), ({0: float("nan")}, "finite number"),
    ({0: "heavy"}, "finite number"), ([1.0, 2.0], "must be a dict"),
])
def test_bad_class_weight_raises_data_error(class_weight, match):
    # Regression: non-integer keys were silently ignored, NaN weights trained to NaN.
    model = classifier()
    x, y = clean_data()
    with pytest.raises(DataError, match=match):
        model.fit(x, y, class_weight=class_weight, verbose=0)


@pytest.mark.parametrize("steps", [0, -1, 2.5, "3"])
def test_steps_per_epoch_must_be_positive(steps):
    # Regression: 0 and negative values returned an empty history without a word.
    model = classifier()
    x, y = clean_data()
    with pytest.raises(ConfigError, match="steps_per_epoch"):
        model.fit(x, y, steps_per_epoch=steps, verbose=0)


def test_sample_weight_with_nan_is_rejected_before_training():
    # Regression: a NaN sample weight made every loss NaN.
    model = classifier()
    x, y = clean_data()
    weights = np.ones(10)
    weights[4] = np.nan
    with pytest.raises(DataError, match=r"sample_weight contains nan at index \(4,\)"):
        model.fit(x, y, sample_weight=weights, verbose=0)


# ----- memory layouts and dtypes -------------------------------------------------------------------

def layouts(x, tmp_path):
    """The same values in other memory layouts and containers."""
    fortran = np.asfortranarray(x)
    strided = np.repeat(x, 2, axis=-1)[..., ::2]
    reversed_view = x[::-1].copy()[::-1]
    read_only = x.copy()
    read_only.flags.writeable = False
    path = tmp_path / "x.dat"
    writer = np.memmap(path, dtype=x.dtype, mode="w+", shape=x.shape)
    writer[...] = x
    writer.flush()
    memmap = np.memmap(path, dtype=x.dtype, mode="r", shape=x.shape)
    return {"fortran": fortran, "strided": strided, "negative strides": reversed_view, "read-only": read_only,
            "memmap": memmap, "list": x.tolist()}


@pytest.mark.parametrize("first", STEPS, ids=[g.__name__.removesuffix("_step") for g in STEPS])
@settings(max_examples=12, **SETTINGS)
@given(data=st.data())
def test_other_layouts_predict_exactly_as_c_contiguous(first, data, tmp_path_factory):
    input_shape, vocab, steps = data.draw(valid_pipes(first, ANY, max_steps=2), label="pipe")
    model = build(input_shape, steps)
    x = sample_input(input_shape, vocab, 4, 0, np.float32)
    expected = model.predict(x)
    for name, variant in layouts(x, tmp_path_factory.mktemp("layouts")).items():
        assert np.array_equal(model.predict(variant), expected), name


@pytest.mark.parametrize("layout", ["fortran", "strided", "negative strides", "read-only", "memmap", "list"])
def test_other_layouts_train_exactly_as_c_contiguous_and_are_not_modified(layout, tmp_path):
    x, y = clean_data(12)
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    runs = []
    for x_run, y_run in [(x, y), (layouts(x, tmp_path / "x")[layout], layouts(y, tmp_path / "y")[layout])]:
        pk.set_seed(0)
        model = classifier()
        kept = np.array(x_run, copy=True), np.array(y_run, copy=True)
        model.fit(x_run, y_run, epochs=2, batch_size=5, verbose=0)
        assert np.array_equal(np.asarray(x_run), kept[0]) and np.array_equal(np.asarray(y_run), kept[1])
        runs.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(*runs))


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.int64, np.uint8, np.bool_])
def test_numeric_dtypes_are_cast_to_the_model_dtype(dtype):
    model = classifier()
    x = (np.arange(20).reshape(5, 4) % 3).astype(dtype)
    out = model.predict(x)
    assert out.dtype == np.float32
    assert np.array_equal(out, model.predict(x.astype(np.float32)))


# ----- huge values ---------------------------------------------------------------------------------

@settings(max_examples=120, **SETTINGS)
@given(exponent=st.integers(0, 30), sign=st.sampled_from([1.0, -1.0]), seed=st.integers(0, 100))
def test_huge_finite_inputs_give_finite_probabilities(exponent, sign, seed):
    model = classifier()
    x = sign * 10.0 ** exponent * np.random.default_rng(seed).standard_normal((6, 4)).astype(np.float32)
    out = model.predict(x)
    assert np.all(np.isfinite(out)) and np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert np.isfinite(model.evaluate(x, clean_data(6)[1], verbose=0)["loss"])


@pytest.mark.parametrize("where", ["x", "y", "sample_weight"])
def test_values_beyond_float32_range_are_reported_as_such(where):
    # Regression: float64 data of 1e300 was cast to Inf with a NumPy warning, then reported as "contains inf".
    model = classifier("mse")
    x, y = clean_data()
    arrays = {"x": x.astype(np.float64), "y": y.astype(np.float64), "sample_weight": np.ones(10)}
    arrays[where][2, ...] = -1e300
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(DataError, match=rf"{where} holds -1e\+300 at index \(2.*beyond the range of float32"):
            model.fit(arrays["x"], arrays["y"], sample_weight=arrays["sample_weight"], verbose=0)


def test_no_low_level_error_escapes_for_any_verb():
    """A last sweep of odd inputs: each one raises a PipeKerasError or works."""
    model = classifier()
    x, y = clean_data()
    odd = [3.0, "text", {"wrong": x}, [x, x], x[None], x.T, np.zeros((10, 4, 0)), np.array(x, dtype="V16")]
    for value in odd:
        for verb in VERBS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    run(model, verb, value, y)
                except PipeKerasError:
                    pass


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_finite_scan_finds_one_bad_value_in_a_large_array(dtype, value):
    # The compiled scan (compute/checks.py) must find a lone bad value at the very end.
    from pipekeras.training.data import first_non_finite

    array = np.zeros((3000, 700), dtype)
    array[2999, 699] = value
    assert first_non_finite(array) == (2999, 699)
    assert first_non_finite(array[:2999]) is None
    assert first_non_finite(np.asfortranarray(array)) == (2999, 699)
