"""pipekeras.r users get the sparse multi-hot path through the same functions (R: `sparse = TRUE`)."""

import numpy as np

from pipekeras.r import compile, evaluate, fit, keras_model_sequential, layer_dense, multi_hot, predict


def test_r_functions_train_on_sparse_multi_hot_rows():
    rng = np.random.default_rng(0)
    reviews = [list(rng.integers(0, 30, rng.integers(1, 9))) for _ in range(40)]
    labels = rng.integers(0, 2, 40).astype("float32")
    x = multi_hot(reviews, 30, sparse=True)
    model = keras_model_sequential() | layer_dense(units=4, activation="relu", input_shape=30) | \
        layer_dense(units=1, activation="sigmoid")
    model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics="accuracy")
    history = model | fit(x, labels, epochs=2, batch_size=16, verbose=0)
    assert len(history.history["loss"]) == 2
    np.testing.assert_allclose(model | predict(x), model | predict(multi_hot(reviews, 30)), rtol=1e-5, atol=1e-6)
    assert (model | evaluate(reviews, labels, verbose=0))["loss"] > 0
