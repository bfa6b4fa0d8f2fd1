"""fit, evaluate and predict on sparse rows (a SciPy CSR matrix, lists of ids) as on the dense multi-hot rows."""

import numpy as np
import pytest
import scipy.sparse

import pipekeras as pk
from pipekeras.errors import DataError, ShapeError
from pipekeras.training.stack_runner import DenseStackRunner
from pipekeras.utils import multi_hot

WIDTH = 50


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    seqs = [list(rng.integers(0, WIDTH, rng.integers(1, 12))) for _ in range(90)]
    y = rng.integers(0, 2, (90, 1)).astype("float32")
    return seqs, y


def _model():
    pk.set_seed(3)
    model = pk.sequential() | pk.dense(8, "relu", input_shape=WIDTH) | pk.dense(4, "relu") | pk.dense(1, "sigmoid")
    return model | pk.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])


def test_multi_hot_sparse_is_the_dense_encoding_as_csr(data):
    seqs, _ = data
    sparse = multi_hot(seqs + [[3, 3, 1]], WIDTH, sparse=True)
    assert scipy.sparse.isspmatrix_csr(sparse) and sparse.dtype == np.float32
    np.testing.assert_array_equal(sparse.toarray(), multi_hot(seqs + [[3, 3, 1]], WIDTH))
    assert list(sparse[-1].indices) == [1, 3]


def test_csr_and_lists_of_ids_train_as_the_dense_rows(data):
    seqs, y = data
    dense, csr = multi_hot(seqs, WIDTH), multi_hot(seqs, WIDTH, sparse=True)
    models, histories = [], []
    for x in (dense, csr, seqs, np.array(seqs, dtype=object)):
        model = _model()
        histories.append(model.fit(x, y, epochs=2, batch_size=16, verbose=0).history["loss"])
        models.append(model)
    for other in histories[1:]:
        np.testing.assert_allclose(other, histories[0], rtol=1e-5)
    expected = models[0].predict(dense)
    for model, x in zip(models[1:], (csr, seqs, np.array(seqs, dtype=object))):
        np.testing.assert_allclose(model.predict(x, batch_size=32), expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.predict_on_batch(x), expected, rtol=1e-5, atol=1e-6)
        assert model.evaluate(x, y, verbose=0)["loss"] == pytest.approx(models[0].evaluate(dense, y, verbose=0)["loss"],
                                                                        rel=1e-5)


def test_csr_values_other_than_one_and_validation_split(data):
    seqs, y = data
    dense = multi_hot(seqs, WIDTH) * np.linspace(0.5, 2.0, WIDTH, dtype="float32")
    ha = _model().fit(dense, y, epochs=1, batch_size=16, validation_split=0.2, verbose=0).history
    hb = _model().fit(scipy.sparse.csc_matrix(dense), y, epochs=1, batch_size=16, validation_split=0.2,
                      verbose=0).history  # the seed set by _model() shuffles both alike
    np.testing.assert_allclose([hb["loss"], hb["val_loss"]], [ha["loss"], ha["val_loss"]], rtol=1e-5)


def test_dense_data_keeps_the_dense_stack(data):
    seqs, y = data
    model = _model()
    model.fit(multi_hot(seqs, WIDTH), y, epochs=1, batch_size=16, verbose=0)
    assert isinstance(model._runner[1], DenseStackRunner)


def test_ids_out_of_range_name_the_layer_and_the_id(data):
    seqs, y = data
    model = _model()
    with pytest.raises(DataError, match=r"id 50 \(sample 1, position 2\).*Dense 'dense.*\[0, 50\)"):
        model.fit([[1], [2, 3, WIDTH]], y[:2], verbose=0)
    with pytest.raises(DataError, match=r"id -1 \(sample 0"):
        model.predict([[-1, 2], [3]])
    with pytest.raises(DataError, match="holds float64"):
        model.predict([[0.5], [1.0, 2.0]])
    with pytest.raises(ShapeError, match="has 60 columns.*width 50"):
        model.predict(scipy.sparse.csr_matrix((2, 60), dtype="float32"))
    with pytest.raises(DataError, match="contains nan at row 1, column 4"):
        model.predict(scipy.sparse.csr_matrix(([1.0, np.nan], [2, 4], [0, 1, 2]), shape=(2, WIDTH)))


def test_a_model_not_starting_with_dense_says_what_is_accepted(data):
    seqs, y = data
    model = pk.sequential() | pk.dropout(0.1, input_shape=WIDTH) | pk.dense(1, "sigmoid")
    model | pk.compile(optimizer="rmsprop", loss="binary_crossentropy")
    with pytest.raises(DataError, match="only by a model whose input goes straight into Dense layers.*Dropout"):
        model.fit(multi_hot(seqs, WIDTH, sparse=True), y, verbose=0)
    with pytest.raises(DataError, match="lists of ids"):
        model.predict(seqs)


def test_ragged_lists_for_an_integer_input_are_not_taken_as_ids():
    model = pk.sequential() | pk.embedding(20, 2, input_shape=3) | pk.flatten() | pk.dense(1)
    with pytest.raises(DataError, match="cannot be turned into an array"):
        model.predict([[1, 2], [3]])
