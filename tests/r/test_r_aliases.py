"""pipekeras.r: the R keras names. The seed lecture's three R scripts, ported line by line."""

import numpy as np
import pytest

import pipekeras as pk
import pipekeras.r as keras
from pipekeras.errors import ConfigError
from pipekeras.r import (RList, compile, count_params, dataset_boston_housing, dataset_imdb, dataset_mnist,
                         evaluate, fit, freeze_weights, keras_model, keras_model_sequential, layer_dense,
                         layer_input, predict, to_categorical, unfreeze_weights)


# ------------------------------------------------------------------------------------- the seed scripts

def test_seed_mnist_dense_ports_line_by_line():
    # R:
    # model <- keras_model_sequential() %>%
    #   layer_dense(units = 512, activation = "relu", input_shape = c(28*28)) %>%
    #   layer_dense(units = 10, activation = "softmax")
    model = keras_model_sequential() | \
        layer_dense(units=512, activation="relu", input_shape=28 * 28) | \
        layer_dense(units=10, activation="softmax")
    assert count_params(model) == 407_050

    mnist = dataset_mnist()
    x_train = mnist.train.x[:2000].reshape(2000, 28 * 28).astype("float32") / 255
    y_train = to_categorical(mnist.train.y[:2000])
    x_test = mnist.test.x[:500].reshape(500, 28 * 28).astype("float32") / 255
    y_test = to_categorical(mnist.test.y[:500])
    model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model | fit(x_train, y_train, epochs=1, batch_size=128, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    scores = model | evaluate(x_test, y_test, verbose=0)
    assert scores["accuracy"] > 0.75, scores


def test_seed_imdb_dense_ports_line_by_line():
    # model <- keras_model_sequential() %>%
    #   layer_dense(units = 16, activation = "relu", input_shape = c(10000)) %>%
    #   layer_dense(units = 16, activation = "relu") %>%
    #   layer_dense(units = 1, activation = "sigmoid")
    model = keras_model_sequential() | \
        layer_dense(units=16, activation="relu", input_shape=10000) | \
        layer_dense(units=16, activation="relu") | \
        layer_dense(units=1, activation="sigmoid")
    assert count_params(model) == 160_305

    imdb = dataset_imdb(num_words=10000)
    x_train = keras.multi_hot(imdb.train.x[:2000], 10000)
    y_train = imdb.train.y[:2000].astype("float32")
    model | compile(optimizer=keras.optimizer_rmsprop(), loss=keras.loss_binary_crossentropy(),
                    metrics=["accuracy"])
    history = model | fit(x_train, y_train, epochs=1, batch_size=512, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert set(history.history) == {"loss", "accuracy"}


def test_seed_boston_housing_ports_line_by_line():
    # model <- keras_model_sequential() %>%
    #     layer_dense(units = 64, activation = "relu", input_shape = c(13)) %>%
    #     layer_dense(units = 64, activation = "relu") %>%
    #     layer_dense(units = 1)
    model = keras_model_sequential() | \
        layer_dense(units=64, activation="relu", input_shape=13) | \
        layer_dense(units=64, activation="relu") | \
        layer_dense(units=1)
    assert count_params(model) == 5_121

    boston = dataset_boston_housing()
    x, y = boston.train.x, boston.train.y
    mean, std = x.mean(axis=0), x.std(axis=0)
    x = (x - mean) / std
    model | compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    history = model | fit(x[:200], y[:200], epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["mae"][0])
    assert (model | predict((boston.test.x[:5] - mean) / std, verbose=0)).shape == (5, 1)


def test_book_convnet_and_lstm_with_r_names():
    needed = ("conv_2d", "max_pooling_2d", "embedding", "lstm")
    if not all(hasattr(pk, name) for name in needed):
        pytest.skip("pipekeras does not export the convolution and recurrent layers yet")
    # layer_conv_2d(filters = 32, kernel_size = c(3, 3), activation = "relu", input_shape = c(28, 28, 1)) ...
    model = keras_model_sequential() | \
        keras.layer_conv_2d(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)) | \
        keras.layer_max_pooling_2d(pool_size=(2, 2)) | \
        keras.layer_conv_2d(filters=64, kernel_size=(3, 3), activation="relu") | \
        keras.layer_max_pooling_2d(pool_size=(2, 2)) | \
        keras.layer_conv_2d(filters=64, kernel_size=(3, 3), activation="relu") | \
        keras.layer_flatten() | \
        layer_dense(units=64, activation="relu") | \
        layer_dense(units=10, activation="softmax")
    assert count_params(model) == 93_322
    # layer_embedding(input_dim = 10000, output_dim = 32) %>% layer_lstm(units = 32) %>% layer_dense(...)
    model = keras_model_sequential() | keras.layer_embedding(input_dim=10000, output_dim=32, input_shape=20) | \
        keras.layer_lstm(units=32) | layer_dense(units=1, activation="sigmoid")
    assert count_params(model) == 328_353
    x = keras.pad_sequences([[1, 2, 3], [4, 5]], maxlen=20)
    assert (model | predict(x, verbose=0)).shape == (2, 1)


def test_r_form_with_the_model_first_modifies_in_place():
    # model <- keras_model_sequential()
    # layer_dense(model, units = 512, activation = "relu", input_shape = c(28*28))
    # layer_dense(model, units = 10, activation = "softmax")
    model = keras_model_sequential()
    layer_dense(model, units=512, activation="relu", input_shape=28 * 28)
    layer_dense(model, units=10, activation="softmax")
    assert count_params(model) == 407_050
    compile(model, optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).random((64, 784), dtype=np.float32)
    history = fit(model, x, to_categorical(np.arange(64) % 10, 10), epochs=1, batch_size=32, verbose=0)
    assert len(history.history["loss"]) == 1


def test_about_keras_layers_example():
    # model %>% layer_dense(units = 32, input_shape = c(784)) %>% layer_activation('relu') %>%
    #   layer_dense(units = 10) %>% layer_activation('softmax')
    model = keras_model_sequential()
    model | keras.layer_dense(units=32, input_shape=784) | keras.layer_activation("relu") | \
        keras.layer_dense(units=10) | keras.layer_activation("softmax")
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Activation", "Dense", "Activation"]
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10


def test_functional_model_with_r_names():
    inputs = layer_input(shape=784)
    outputs = inputs | layer_dense(units=64, activation="relu") | layer_dense(units=10, activation="softmax")
    model = keras_model(inputs, outputs)
    assert model.count_params() == 784 * 64 + 64 + 650
    a, b = layer_input(shape=4), layer_input(shape=4)
    shared = layer_dense(units=3)
    merged = keras.layer_concatenate([a | shared, b | shared])
    model = keras_model([a, b], merged)
    assert model.count_params() == 15
    assert keras.get_input_shape_at(shared, 2) == (None, 4)
    assert keras.get_output_at(shared, 1) is not keras.get_output_at(shared, 2)
    with pytest.raises(ConfigError):
        keras.get_output_at(shared, 0)


# ----------------------------------------------------------------------------------------- the alias table

def test_every_pipekeras_layer_constructor_has_an_r_alias():
    for name in dir(pk):
        value = getattr(pk, name)
        if isinstance(getattr(value, "layer_class", None), type):
            r_name = "layer_lambda" if name == "lambda_layer" else f"layer_{name}"  # R keras's name for Lambda
            assert getattr(keras, r_name) is value, name


@pytest.mark.parametrize("r_name, py_name", [
    ("layer_conv_2d", "conv_2d"), ("layer_max_pooling_2d", "max_pooling_2d"), ("layer_lstm", "lstm"),
    ("layer_embedding", "embedding"), ("layer_gru", "gru"), ("layer_simple_rnn", "simple_rnn"),
    ("layer_conv_1d", "conv_1d"), ("layer_global_average_pooling_2d", "global_average_pooling_2d"),
])
def test_conv_and_recurrent_aliases_once_exported(r_name, py_name):
    if not hasattr(pk, py_name):
        pytest.skip(f"pipekeras does not export {py_name} yet")
    assert getattr(keras, r_name) is getattr(pk, py_name)


def test_optimizer_loss_metric_callback_aliases():
    for name in ("sgd", "rmsprop", "adam", "adamw", "adagrad", "adadelta", "adamax", "nadam"):
        optimizer = getattr(keras, f"optimizer_{name}")(learning_rate=0.01)
        assert optimizer.learning_rate == pytest.approx(0.01)
    assert keras.optimizer_adam(lr=0.02).learning_rate == pytest.approx(0.02)  # R keras 2's lr
    with pytest.raises(ConfigError):
        keras.optimizer_sgd(lr=0.1, learning_rate=0.1)

    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.5], [0.0]])
    np.testing.assert_allclose(keras.loss_mean_squared_error(y_true, y_pred), [0.25, 0.0])
    assert keras.loss_mse()(y_true, y_pred) == pytest.approx(0.125)
    assert keras.metric_mean_absolute_error(y_true, y_pred) == pytest.approx(0.25)
    assert keras.metric_binary_accuracy(y_true, np.array([[0.9], [0.2]])) == pytest.approx(1.0)
    for name in ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy", "huber"):
        assert hasattr(keras, f"loss_{name}")
    for name in ("precision", "recall", "auc", "categorical_accuracy", "root_mean_squared_error"):
        assert hasattr(keras, f"metric_{name}")

    assert isinstance(keras.callback_early_stopping(monitor="val_loss", patience=2), pk.callbacks.EarlyStopping)
    assert keras.callback_terminate_on_naan is keras.callback_terminate_on_nan is pk.callbacks.TerminateOnNaN
    for name in ("callback_model_checkpoint", "callback_reduce_lr_on_plateau", "callback_learning_rate_scheduler",
                 "callback_csv_logger", "callback_lambda"):
        assert issubclass(getattr(keras, name), pk.Callback)


def test_compile_with_alias_objects_and_callbacks_trains():
    model = keras_model_sequential(input_shape=3) | layer_dense(units=1)
    model | compile(optimizer=keras.optimizer_sgd(learning_rate=0.05), loss=keras.loss_mean_squared_error(),
                    metrics=[keras.metric_mean_absolute_error()])
    rng = np.random.default_rng(0)
    x = rng.random((128, 3), dtype=np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    history = model | fit(x, y, epochs=3, batch_size=16, verbose=0,
                          callbacks=[keras.callback_early_stopping(monitor="loss", patience=1),
                                     keras.callback_terminate_on_naan()])
    assert history.history["loss"][-1] < history.history["loss"][0]


# ---------------------------------------------------------------------------------------- freeze_weights

def _three_layer_model():
    return keras_model_sequential() | layer_dense(units=4, input_shape=3, name="a") | \
        layer_dense(units=4, name="b") | layer_dense(units=1, name="c")


def test_freeze_weights_whole_model_and_ranges():
    model = _three_layer_model()
    total = model.count_params()
    assert freeze_weights(model) is model
    assert model.trainable is False and model.trainable_weights == []
    unfreeze_weights(model)
    assert model.trainable and sum(w.size for w in model.get_weights()) == total

    freeze_weights(model, from_=2)  # 1-based, as R: b and c
    assert [layer.trainable for layer in model.layers] == [True, False, False]
    unfreeze_weights(model)  # as R: `model$trainable <- TRUE`, which in Keras sets every nested layer's flag too
    assert model.trainable and [layer.trainable for layer in model.layers] == [True, True, True]
    freeze_weights(model, from_=2)
    unfreeze_weights(model, from_=1)
    assert [layer.trainable for layer in model.layers] == [True, True, True]

    model = _three_layer_model()
    freeze_weights(model, to="b")
    assert [layer.trainable for layer in model.layers] == [False, False, True]
    assert len(model.trainable_weights) == 2

    model = _three_layer_model()
    freeze_weights(model, from_=model.layers[1], to=model.layers[1])
    assert [layer.trainable for layer in model.layers] == [True, False, True]
    unfreeze_weights(model, from_="b", to="b")
    assert [layer.trainable for layer in model.layers] == [True, True, True]


def test_freeze_weights_as_a_pipe_step_and_errors():
    model = _three_layer_model() | freeze_weights(to=1)
    assert [layer.trainable for layer in model.layers] == [False, True, True]
    with pytest.raises(ConfigError, match="count from 1"):
        freeze_weights(model, from_=0)
    with pytest.raises(ConfigError, match="no layer named"):
        freeze_weights(model, to="zzz")


def test_frozen_layer_does_not_change_in_fit():
    model = _three_layer_model()
    freeze_weights(model, to="a")
    model | compile(optimizer="sgd", loss="mse")
    before = [w.copy() for w in model.layers[0].get_weights()]
    later = [w.copy() for w in model.layers[2].get_weights()]
    rng = np.random.default_rng(1)
    model | fit(rng.random((32, 3), dtype=np.float32), rng.random((32, 1), dtype=np.float32), epochs=1,
                verbose=0)
    for w, w0 in zip(model.layers[0].get_weights(), before):
        np.testing.assert_array_equal(w, w0)
    assert any(not np.array_equal(w, w0) for w, w0 in zip(model.layers[2].get_weights(), later))


# ------------------------------------------------------------------------------------------- datasets

def test_dataset_nesting_matches_r():
    mnist = dataset_mnist()
    assert isinstance(mnist, RList) and isinstance(mnist, dict)
    assert list(mnist) == ["train", "test"] and list(mnist.train) == ["x", "y"]
    assert mnist.train.x is mnist["train"]["x"]
    assert mnist.train.x.shape == (60000, 28, 28) and mnist.test.y.shape == (10000,)
    (x_train, y_train), (x_test, y_test) = mnist.unpack()  # R's c(c(x, y), c(xt, yt)) %<-% dataset_mnist()
    assert x_train is mnist.train.x and y_test is mnist.test.y
    assert "train" in dir(mnist)
    with pytest.raises(AttributeError, match="entries: train, test"):
        mnist.validation

    boston = dataset_boston_housing()
    assert boston.train.x.shape == (404, 13) and boston.test.x.shape == (102, 13)
    imdb = dataset_imdb(num_words=100)
    assert max(max(seq) for seq in imdb.train.x[:50]) < 100


def test_rlist_behaves_as_a_dict():
    data = RList(a=1, nested={"b": 2})
    assert data.nested.b == 2 and isinstance(data.nested, RList)
    data.c = 3
    assert data["c"] == 3
    del data.c
    assert "c" not in data
    assert dict(data) == {"a": 1, "nested": {"b": 2}}


def test_star_import_gives_the_r_names():
    namespace = {}
    exec("from pipekeras.r import *", namespace)
    for name in ("keras_model_sequential", "keras_model", "layer_input", "layer_dense", "layer_dropout",
                 "layer_flatten", "layer_reshape", "layer_permute", "layer_repeat_vector", "layer_add",
                 "layer_concatenate", "layer_dot", "optimizer_rmsprop", "loss_binary_crossentropy",
                 "metric_mean_absolute_error", "callback_early_stopping", "dataset_mnist", "dataset_imdb",
                 "dataset_boston_housing", "dataset_fashion_mnist", "dataset_reuters", "dataset_cifar10",
                 "to_categorical", "pad_sequences", "freeze_weights", "unfreeze_weights", "compile", "fit",
                 "evaluate", "predict"):
        assert name in namespace, name
    assert "%>%" in keras.__doc__
