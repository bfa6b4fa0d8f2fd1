"""Embedding ids outside int64 or the vocabulary: a DataError naming the layer and the id as given, never a
wrap-around (uint64 ids of 2**63 and above became negative when cast to int64) or a raw error."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import DataError


@pytest.fixture(scope="module")
def model():
    return pk.sequential() | pk.embedding(10, 2, input_shape=(3,), name="words")


@pytest.mark.parametrize("bad", [2 ** 63 + 5, 2 ** 64 - 1, 2 ** 63, 11])
def test_uint64_ids_out_of_range_are_reported_as_given(model, bad):
    ids = np.array([[1, 2, bad]], np.uint64)
    with pytest.raises(DataError, match=rf"Layer 'words' \(Embedding\): id {bad} at \(sample 0, timestep 2\) is out "
                                        r"of range: ids must be in \[0, 9\]"):
        model.predict(ids, verbose=0)
    with pytest.raises(DataError, match=rf"id {bad} at"):
        model.layers[0](ids)


def test_a_huge_id_is_not_answered_with_raise_input_dim(model):
    with pytest.raises(DataError, match="Limit the vocabulary") as error:
        model.predict(np.array([[0, 0, 2 ** 63]], np.uint64), verbose=0)
    assert "Raise input_dim" not in str(error.value)


@pytest.mark.parametrize("ids", [np.array([[1, 2, 2 ** 64]], dtype=object), [[1, 2, 2 ** 70]]])
def test_ids_beyond_int64_are_a_data_error_called_directly_or_through_predict(model, ids):
    with pytest.raises(DataError, match="dtype object"):
        model.predict(ids, verbose=0)
    with pytest.raises(DataError, match=r"Layer 'words' \(Embedding\): expected integer ids"):
        model.layers[0](ids)


def test_uint64_ids_in_range_still_embed(model):
    ids = np.array([[1, 2, 9]], np.uint64)
    np.testing.assert_array_equal(model.predict(ids, verbose=0), model.predict(ids.astype("int64"), verbose=0))
