"""pipekeras.r: every model-first function in both forms, `f(model, ...)` and `model | f(...)`, returning
what R returns; and the R keras 2 / keras3 names of saving, predictions, arrays, files and configuration."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ArgumentTypeError, ConfigError, DataError, SavingError
from pipekeras.r import (RList, array_reshape, clone_model, compile, count_params, evaluate, fit, freeze_weights,
                         get_config, get_file, get_layer, get_weights, k_argmax, keras_array, keras_input,
                         keras_model, keras_model_sequential, layer_activation_elu, layer_activation_leaky_relu,
                         layer_activation_relu, layer_activation_softmax, layer_dense, layer_embedding, layer_flatten,
                         layer_upsampling_1d, layer_upsampling_2d, load_model, load_model_hdf5,
                         load_model_weights_hdf5, named_list, optimizer_adam_w, optimizer_rmsprop, plot, plot_model,
                         pop_layer, predict, predict_classes, predict_proba, reset_states, save_model,
                         save_model_hdf5, save_model_weights_hdf5, save_weights, load_weights, set_random_seed,
                         set_weights)
import pipekeras.r as keras


def _embedding_model():
    return keras_model_sequential() | layer_embedding(input_dim=10, output_dim=4, input_shape=5) | \
        layer_flatten() | layer_dense(units=1, activation="sigmoid")


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 10, (n, 5)), (rng.random(n) > 0.5).astype("float32")


def test_the_books_get_layer_set_weights_freeze_weights_chain():
    # get_layer(model, index = 1) %>% set_weights(list(embedding_matrix)) %>% freeze_weights()
    model = _embedding_model()
    embedding_matrix = np.arange(40, dtype="float32").reshape(10, 4)
    layer = get_layer(model, index=1) | set_weights([embedding_matrix]) | freeze_weights()
    assert layer is model.layers[0] and layer.trainable is False
    np.testing.assert_array_equal(get_weights(layer)[0], embedding_matrix)
    # the same in R's form, and through the model
    assert set_weights(layer, [embedding_matrix * 2]) is layer
    np.testing.assert_array_equal((model | get_layer(index=1) | get_weights())[0], embedding_matrix * 2)
    assert (model | get_layer("dense")) is model.layers[-1]


@pytest.mark.parametrize("step, expected", [
    (lambda: count_params(), 40 + 21), (lambda: get_weights(), 3), (lambda: get_config(), dict),
])
def test_model_first_functions_pipe_and_run_directly(step, expected):
    model = _embedding_model()
    piped = model | step()
    direct = step.__code__.co_names[0]
    ran = getattr(keras, direct)(model)
    if expected is dict:
        assert isinstance(piped, dict) and piped == ran
    elif isinstance(piped, list):
        assert len(piped) == len(ran) == expected
    else:
        assert piped == ran == expected


def test_reset_states_returns_the_model():
    model = keras_model_sequential() | keras.layer_simple_rnn(units=2, stateful=True, batch_input_shape=(1, 3, 2))
    assert (model | reset_states()) is model and reset_states(model) is model
    assert keras.reset_state is reset_states  # keras3's name


def test_pop_layer_and_clone_model_chain():
    model = _embedding_model()
    assert (model | pop_layer()) is model and len(model.layers) == 2
    model | layer_dense(units=3)
    assert pop_layer(model) is model and [type(l).__name__ for l in model.layers] == ["Embedding", "Flatten"]
    clone = model | clone_model()
    assert clone is not model and count_params(clone) == count_params(model)
    assert clone_model(model).layers[0] is not model.layers[0]
    inputs = keras_input(shape=3)
    with pytest.raises(ConfigError, match="pop_layer: only a Sequential model loses its last layer; received Model"):
        pop_layer(keras_model(inputs, inputs | layer_dense(units=1)))
    with pytest.raises(ConfigError, match="no layers"):
        keras_model_sequential(input_shape=3) | pop_layer()


def test_save_and_load_in_both_forms_return_the_model(tmp_path):
    pytest.importorskip("h5py")
    model = _embedding_model()
    model | compile(optimizer=optimizer_rmsprop(learning_rate=0.01), loss="binary_crossentropy", metrics="accuracy")
    x, y = _data()
    model | fit(x, y, epochs=1, verbose=0)
    expected = model | predict(x)
    # model %>% save_model_hdf5("m.h5") %>% save_model_weights_hdf5("w.h5"): both give the model back
    assert (model | save_model_hdf5(tmp_path / "m.h5") | save_model_weights_hdf5(tmp_path / "w.h5")) is model
    assert save_model(model, tmp_path / "m.keras") is model
    assert (model | save_weights(tmp_path / "w.npz")) is model
    loaded = load_model_hdf5(tmp_path / "m.h5")
    np.testing.assert_allclose(loaded | predict(x), expected, rtol=1e-6)
    assert type(loaded.optimizer).__name__ == "RMSprop" and loaded.metrics_names == ["loss", "accuracy"]
    np.testing.assert_allclose(load_model(tmp_path / "m.keras") | predict(x), expected, rtol=1e-6)
    fresh = _embedding_model()
    assert (fresh | load_model_weights_hdf5(tmp_path / "w.h5")) is fresh
    np.testing.assert_allclose(fresh | predict(x), expected, rtol=1e-6)
    other = _embedding_model()
    assert load_weights(other, tmp_path / "w.npz") is other
    np.testing.assert_allclose(other | predict(x), expected, rtol=1e-6)
    with pytest.raises(SavingError, match="overwrite=False"):
        save_model_hdf5(model, tmp_path / "m.h5", overwrite=False)
    with pytest.raises(ArgumentTypeError, match="expected a model, received Dense"):
        save_model_hdf5(model.layers[-1], tmp_path / "x.h5")


def test_save_model_config_round_trip(tmp_path):
    model = _embedding_model()
    assert (model | keras.save_model_config(tmp_path / "m.json")) is model
    rebuilt = keras.load_model_config(tmp_path / "m.json")
    assert [type(l).__name__ for l in rebuilt.layers] == ["Embedding", "Flatten", "Dense"]


def test_plot_draws_a_model_and_a_history():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    model = _embedding_model()
    drawing = plot(model)
    assert type(drawing).__name__ == "ModelPlot" and drawing.to_bytes("png")[:4] == b"\x89PNG"
    assert type(model | plot()).__name__ == "ModelPlot"
    assert type(model | plot_model()).__name__ == "ModelPlot"
    model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    history = model | fit(*_data(), epochs=2, verbose=0)
    figure = plot(history)
    assert [axes.get_ylabel() for axes in figure.axes][:1] == ["loss"] or len(figure.axes) == 2
    assert len((history | plot()).axes) == 2
    with pytest.raises(ArgumentTypeError, match="expected a model"):
        plot_model(model.layers[0])


def test_predict_classes_and_proba():
    model = keras_model_sequential(input_shape=2) | layer_dense(units=3, activation="softmax")
    model.set_weights([np.array([[1.0, 0, 0], [0, 0, 1.0]], "float32"), np.zeros(3, "float32")])
    x = np.array([[5.0, 0.0], [0.0, 5.0]], "float32")
    np.testing.assert_array_equal(model | predict_classes(x), [0, 2])
    np.testing.assert_allclose(predict_proba(model, x), model.predict(x))
    np.testing.assert_array_equal(k_argmax(model | predict_proba(x)), [0, 2])
    binary = keras_model_sequential(input_shape=1) | layer_dense(units=1, activation="sigmoid")
    binary.set_weights([np.array([[1.0]], "float32"), np.zeros(1, "float32")])
    np.testing.assert_array_equal(predict_classes(binary, np.array([[-3.0], [3.0]])), [[0], [1]])


def test_array_reshape_is_row_major():
    # R: array_reshape(1:6, c(2, 3)) fills by rows, unlike R's dim<-
    np.testing.assert_array_equal(array_reshape(np.arange(1, 7), (2, 3)), [[1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(array_reshape(np.arange(1, 7), (2, 3), order="F"), [[1, 3, 5], [2, 4, 6]])
    assert array_reshape(np.zeros((60, 28, 28)), (60, 28 * 28)).shape == (60, 784)
    with pytest.raises(ConfigError, match=r"cannot reshape an array of shape \(6,\) \(6 values\) into \(4,\)"):
        array_reshape(np.arange(6), 4)
    with pytest.raises(ConfigError, match="order must be 'C'"):
        array_reshape(np.arange(6), (2, 3), order="R")


def test_get_file_local_paths_file_urls_and_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPEKERAS_DATASETS", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    source = tmp_path / "source.csv"
    source.write_text("a,b\n1,2\n")
    path = get_file("copy.csv", origin=str(source), cache_subdir="mine")
    assert open(path).read() == "a,b\n1,2\n" and path.endswith("copy.csv")
    assert get_file("copy.csv", origin="file:///nonexistent/x.csv", cache_subdir="mine") == path  # cached
    assert open(get_file("url.csv", origin=source.as_uri())).read() == "a,b\n1,2\n"
    import shutil
    archive = shutil.make_archive(str(tmp_path / "bundle"), "gztar", root_dir=tmp_path, base_dir=".")
    unpacked = get_file("bundle.tar.gz", origin=archive, untar=True)
    assert (tmp_path / "home" / ".pipekeras" / "datasets").exists() and unpacked
    with pytest.raises(DataError, match=r"(?s)'nowhere.csv' is missing.*PIPEKERAS_DATASETS"):
        get_file("nowhere.csv", origin=str(tmp_path / "absent.csv"))


def test_layer_aliases_of_r_spellings():
    assert layer_upsampling_1d is pk.up_sampling_1d and layer_upsampling_2d is pk.up_sampling_2d
    assert keras.bidirectional is pk.bidirectional and keras.time_distributed is pk.time_distributed
    model = keras_model_sequential(input_shape=2) | layer_activation_leaky_relu(negative_slope=0.1) | \
        layer_activation_relu(max_value=1.5) | layer_activation_softmax()
    out = model | predict(np.array([[-1.0, 3.0]], "float32"))
    e = np.exp([0.0, 1.5])
    np.testing.assert_allclose(out, [e / e.sum()], rtol=1e-6)
    np.testing.assert_allclose(layer_activation_elu(np.array([[-1.0, 1.0]])), [[np.expm1(-1.0), 1.0]], rtol=1e-6)
    with pytest.raises(ConfigError, match=r"ELU: unknown argument 'beta'"):
        layer_activation_elu(beta=2)


def test_regularizers_initializers_constraints_activations_schedules():
    model = keras_model_sequential(input_shape=4) | layer_dense(
        units=3, kernel_regularizer=keras.regularizer_l1_l2(l1=0.01, l2=0.01),
        kernel_initializer=keras.initializer_constant(0.5), kernel_constraint=keras.constraint_maxnorm(2.0),
        activation=keras.activation_relu)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], np.full((4, 3), 0.5))
    assert keras.regularizer_l2(0.1)(np.ones((2, 2))) == pytest.approx(0.4)
    np.testing.assert_allclose(keras.activation_sigmoid(np.array([0.0])), [0.5])
    schedule = keras.learning_rate_schedule_inverse_time_decay(0.1, decay_steps=1, decay_rate=1.0)
    assert float(schedule(1)) == pytest.approx(0.05)
    assert isinstance(optimizer_adam_w(lr=0.01), pk.optimizers.AdamW)


def test_seed_session_and_config():
    set_random_seed(3)
    a = (keras_model_sequential(input_shape=3) | layer_dense(units=2)).get_weights()[0]
    set_random_seed(3)
    b = (keras_model_sequential(input_shape=3) | layer_dense(units=2)).get_weights()[0]
    np.testing.assert_array_equal(a, b)
    keras.k_clear_session()
    assert layer_dense(units=1).name == "dense"
    assert keras.config_floatx() == "float32" and keras.config_epsilon() == pytest.approx(1e-7)
    assert keras_array([1.0, 2.0]).dtype == np.float32 and keras_array([1, 2]).dtype.kind == "i"
    assert named_list(a=1, b=dict(c=2)).b.c == 2 and named_list is RList


def test_history_metrics_and_evaluate_results_read_as_in_r():
    model = keras_model_sequential(input_shape=5) | layer_dense(units=1, activation="sigmoid")
    model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics="accuracy")
    x, y = np.random.default_rng(0).random((32, 5)), (np.arange(32) % 2).astype("float32")
    history = model | fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    # R keras 2 (book): history$metrics$acc, history$metrics$val_acc
    assert history.metrics is history.history and history.metrics.acc == history.history["accuracy"]
    assert history.metrics["val_acc"] == history.metrics.val_accuracy and len(history.metrics.val_acc) == 2
    assert list(history.metrics) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    results = model | evaluate(x, y, verbose=0)
    assert results.accuracy == results["acc"] == results["accuracy"]  # results$accuracy, results$acc
    assert "acc" in results and dict(results) == {"loss": results.loss, "accuracy": results.accuracy}
    with pytest.raises(AttributeError, match=r"'mae': no such metric; the entries are 'loss', 'accuracy'"):
        results.mae
    regression = keras_model_sequential(input_shape=5) | layer_dense(units=1)
    regression | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    logs = regression | evaluate(x, y, verbose=0)
    assert logs["mean_absolute_error"] == logs.mae  # the book reads mean_absolute_error
    history = regression | fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    assert history.metrics.val_mean_absolute_error == history.metrics.val_mae
