"""The seed lecture's R code (MNIST, IMDB, Boston housing with k-fold validation, from Deep Learning with R
2.1, 3.4 and 3.6) ported line by line through pipekeras.r with only the README's syntax changes, on the real
data. Each R line is the comment above its port; R-language helpers that are not keras (`sample`, `cut`,
`which`, negative indices) become their NumPy equivalents, marked "R:"."""

import pathlib
import re

import numpy as np
import pytest

README = (pathlib.Path(__file__).parents[2] / "README.md").read_text()

pytestmark = pytest.mark.slow


def _readme_port():
    """The right-hand column of the README's side-by-side MNIST table, as Python source."""
    section = README.split("## For R keras users", 1)[1].split("The syntax changes", 1)[0]
    lines = []
    for row in section.splitlines():
        cells = re.fullmatch(r"\| `(.*)` \| `(.*)` \|", row)
        if cells:
            lines.append(cells[2].replace("\\|", "|"))
    return "\n".join(lines)


def test_readme_mnist_example_runs_as_written():
    source = _readme_port()
    assert source.startswith("from pipekeras.r import *") and "predict_classes" in source
    namespace = {}
    exec(compile(source, "README.md (R users)", "exec"), namespace)
    assert namespace["metrics"].accuracy > 0.96, namespace["metrics"]
    assert namespace["metrics"]["acc"] == namespace["metrics"].accuracy
    np.testing.assert_array_equal(namespace["network"].predict(namespace["test_images"][0:10]).argmax(axis=1),
                                  namespace["network"] | namespace["predict_classes"](namespace["test_images"][0:10]))


def test_seed_imdb_ports_line_by_line():
    from pipekeras.r import (compile, dataset_imdb, evaluate, fit, keras_model_sequential, layer_dense)

    # imdb <- dataset_imdb(num_words = 10000)
    imdb = dataset_imdb(num_words=10000)
    # c(c(train_data, train_labels), c(test_data, test_labels)) %<-% imdb
    (train_data, train_labels), (test_data, test_labels) = imdb.unpack()

    # vectorize_sequences <- function(sequences, dimension = 10000) {
    #   results <- matrix(0, nrow = length(sequences), ncol = dimension)
    #   for (i in 1:length(sequences))
    #     results[i, sequences[[i]]] <- 1
    #   results
    # }
    def vectorize_sequences(sequences, dimension=10000):
        results = np.zeros((len(sequences), dimension))
        for i in range(len(sequences)):
            results[i, sequences[i]] = 1
        return results

    # x_train <- vectorize_sequences(train_data)
    x_train = vectorize_sequences(train_data)
    # x_test <- vectorize_sequences(test_data)
    x_test = vectorize_sequences(test_data)
    # y_train <- as.numeric(train_labels)
    y_train = train_labels.astype("float64")
    # y_test <- as.numeric(test_labels)
    y_test = test_labels.astype("float64")

    # model <- keras_model_sequential() %>%
    #   layer_dense(units = 16, activation = "relu", input_shape = c(10000)) %>%
    #   layer_dense(units = 16, activation = "relu") %>%
    #   layer_dense(units = 1, activation = "sigmoid")
    model = keras_model_sequential() | \
        layer_dense(units=16, activation="relu", input_shape=(10000,)) | \
        layer_dense(units=16, activation="relu") | \
        layer_dense(units=1, activation="sigmoid")
    # model %>% compile(
    #   optimizer = "rmsprop",
    #   loss = "binary_crossentropy",
    #   metrics = c("accuracy")
    # )
    model | compile(
        optimizer="rmsprop",
        loss="binary_crossentropy",
        metrics=("accuracy",)
    )
    # val_indices <- 1:10000
    val_indices = slice(0, 10000)  # R: 1:10000
    # x_val <- x_train[val_indices,]
    x_val = x_train[val_indices]
    # partial_x_train <- x_train[-val_indices,]
    partial_x_train = x_train[10000:]  # R: negative indices drop rows
    # y_val <- y_train[val_indices]
    y_val = y_train[val_indices]
    # partial_y_train = y_train[-val_indices]
    partial_y_train = y_train[10000:]
    # history <- model %>% fit(
    #   partial_x_train,
    #   partial_y_train,
    #   epochs = 4,
    #   batch_size = 512,
    #   validation_data = list(x_val, y_val)
    # )
    history = model | fit(
        partial_x_train,
        partial_y_train,
        epochs=4,
        batch_size=512,
        validation_data=(x_val, y_val)
    )
    # history$metrics$val_acc
    assert len(history.metrics.val_acc) == 4 and history.metrics.val_acc[-1] > 0.85
    # results <- model %>% evaluate(x_test, y_test)
    results = model | evaluate(x_test, y_test)
    # results$accuracy
    assert results.accuracy > 0.85, results


def test_seed_boston_housing_k_fold_ports_line_by_line():
    from pipekeras.r import (compile, dataset_boston_housing, evaluate, fit, keras_model_sequential, layer_dense,
                             set_random_seed)

    set_random_seed(0)
    # dataset <- dataset_boston_housing()
    dataset = dataset_boston_housing()
    # c(c(train_data, train_targets), c(test_data, test_targets)) %<-% dataset
    (train_data, train_targets), (test_data, test_targets) = dataset.unpack()
    # mean <- apply(train_data, 2, mean)
    mean = train_data.mean(axis=0)  # R: apply(x, 2, f) is f over columns
    # std <- apply(train_data, 2, sd)
    std = train_data.std(axis=0, ddof=1)
    # train_data <- scale(train_data, center = mean, scale = std)
    train_data = (train_data - mean) / std  # R: scale()
    # test_data <- scale(test_data, center = mean, scale = std)
    test_data = (test_data - mean) / std

    # build_model <- function() {
    #   model <- keras_model_sequential() %>%
    #     layer_dense(units = 64, activation = "relu", input_shape = dim(train_data)[[2]]) %>%
    #     layer_dense(units = 64, activation = "relu") %>%
    #     layer_dense(units = 1)
    #   model %>% compile(
    #     optimizer = "rmsprop",
    #     loss = "mse",
    #     metrics = c("mae")
    #   )
    # }
    def build_model():
        model = keras_model_sequential() | \
            layer_dense(units=64, activation="relu", input_shape=train_data.shape[1]) | \
            layer_dense(units=64, activation="relu") | \
            layer_dense(units=1)
        return model | compile(
            optimizer="rmsprop",
            loss="mse",
            metrics=("mae",)
        )

    # k <- 4
    k = 4
    # indices <- sample(1:nrow(train_data))
    indices = np.random.default_rng(0).permutation(len(train_data))  # R: sample()
    # folds <- cut(indices, breaks = k, labels = FALSE)
    folds = np.array_split(indices, k)  # R: cut() labels each row with its fold
    # num_epochs <- 100
    num_epochs = 100
    # all_scores <- c()
    all_scores = ()
    # for (i in 1:k) {
    for i in range(1, k + 1):
        #   cat("processing fold #", i, "\n")
        print("processing fold #", i)
        #   val_indices <- which(folds == i, arr.ind = TRUE)
        val_indices = folds[i - 1]  # R: which()
        #   val_data <- train_data[val_indices,]
        val_data = train_data[val_indices]
        #   val_targets <- train_targets[val_indices]
        val_targets = train_targets[val_indices]
        #   partial_train_data <- train_data[-val_indices,]
        partial_train_data = np.delete(train_data, val_indices, axis=0)  # R: negative indices
        #   partial_train_targets <- train_targets[-val_indices]
        partial_train_targets = np.delete(train_targets, val_indices)
        #   model <- build_model()
        model = build_model()
        #   model %>% fit(partial_train_data, partial_train_targets,
        #                 epochs = num_epochs, batch_size = 1, verbose = 0)
        model | fit(partial_train_data, partial_train_targets,
                    epochs=num_epochs, batch_size=1, verbose=0)
        #   results <- model %>% evaluate(val_data, val_targets, verbose = 0)
        results = model | evaluate(val_data, val_targets, verbose=0)
        #   all_scores <- c(all_scores, results$mean_absolute_error)
        all_scores = (*all_scores, results.mean_absolute_error)
    # }
    # mean(all_scores)
    assert len(all_scores) == 4 and np.mean(all_scores) < 3.5, all_scores
