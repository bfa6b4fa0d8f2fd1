"""The preprocessing layers: normalization, discretization, category_encoding, string_lookup, integer_lookup,
hashing: Keras's rules, adapt, config round trips and saving with the adapted state."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import (category_encoding, compile, dense, discretization, hashing, integer_lookup, normalization,
                       sequential, string_lookup)
from pipekeras.errors import ConfigError, DataError, NotBuiltError
from pipekeras.layers import (CategoryEncoding, Discretization, Hashing, IntegerLookup, Normalization,
                              StringLookup)


def test_normalization_adapts_mean_and_variance_per_feature_and_inverts():
    x = np.random.default_rng(0).normal([1.0, -3.0, 10.0], [2.0, 0.5, 4.0], size=(500, 3)).astype("float32")
    layer = normalization()
    layer.adapt(x)
    np.testing.assert_allclose(layer.mean, x.astype("float64").mean(0), rtol=1e-6)
    np.testing.assert_allclose(layer.variance, x.astype("float64").var(0), rtol=1e-5)
    out = layer(x)
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1, rtol=1e-4)
    inverse = normalization(mean=layer.mean, variance=layer.variance, invert=True)
    np.testing.assert_allclose(inverse(out), x, rtol=1e-5, atol=1e-5)
    batches = (x[i:i + 100] for i in range(0, 500, 100))
    np.testing.assert_allclose(normalization().adapt(batches).mean, layer.mean, rtol=1e-6)
    overall = normalization(axis=None).adapt(x)
    assert overall.mean.size == 1 and overall.mean.item() == pytest.approx(x.astype("float64").mean(), rel=1e-6)
    np.testing.assert_allclose(normalization()(x), x)  # before adapt: mean 0 and variance 1, as in Keras


def test_normalization_in_a_model_trains_saves_and_loads(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(100, 20, size=(256, 4)).astype("float32")
    y = (x @ np.array([0.1, -0.2, 0.05, 0.0], dtype="float32"))[:, None]
    norm = normalization(input_shape=(4,)).adapt(x)
    pk.set_seed(0)
    model = sequential() | norm | dense(8, "relu") | dense(1)
    model | compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    path = tmp_path / "norm.pkeras"
    model.save(path)
    loaded = pk.load_model(path)
    np.testing.assert_allclose(loaded.layers[0].mean, norm.mean)
    np.testing.assert_allclose(loaded.predict(x[:8]), model.predict(x[:8]), rtol=1e-6)


def test_discretization_bins_as_keras_and_adapts_quantiles():
    layer = discretization(bin_boundaries=[0.0, 1.0, 2.0])
    np.testing.assert_array_equal(layer(np.array([[-1.5, 0.0, 0.5, 1.0, 3.0]])), [[0, 1, 1, 2, 3]])
    hot = discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot")
    np.testing.assert_array_equal(hot(np.array([-1.0, 0.5, 2.0])), np.eye(3))
    adapted = discretization(num_bins=4).adapt(np.arange(100, dtype="float32"))
    np.testing.assert_allclose(adapted.bin_boundaries, np.quantile(np.arange(100), [0.25, 0.5, 0.75]))
    clone = Discretization.from_config(adapted.get_config())
    assert clone.bin_boundaries == adapted.bin_boundaries
    with pytest.raises(ConfigError, match="one of them"):
        discretization()


def test_category_encoding_modes_and_bad_ids():
    ids = np.array([[0, 1, 1], [3, 3, 3]])
    np.testing.assert_array_equal(category_encoding(num_tokens=4)(ids), [[1, 1, 0, 0], [0, 0, 0, 1]])
    np.testing.assert_array_equal(category_encoding(num_tokens=4, output_mode="count")(ids),
                                  [[1, 2, 0, 0], [0, 0, 0, 3]])
    np.testing.assert_array_equal(category_encoding(num_tokens=3, output_mode="one_hot")(np.array([[2], [0]])),
                                  [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(DataError, match=r"id 5 at \(1, 0\) is outside \[0, 4\)"):
        category_encoding(num_tokens=4)(np.array([[1], [5]]))
    assert CategoryEncoding.from_config(category_encoding(num_tokens=4).get_config()).num_tokens == 4


def test_string_lookup_adapt_modes_invert_and_mask():
    data = np.array([["a", "b"], ["b", "c"], ["b", "z"]], dtype=object)
    layer = string_lookup(max_tokens=4)
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "b", "z", "c"]  # ties from the last token, as Keras 3.15 gives
    np.testing.assert_array_equal(layer(np.array([["c", "q"]], dtype=object)), [[3, 0]])
    hot = string_lookup(vocabulary=["a", "b"], output_mode="multi_hot")
    np.testing.assert_array_equal(hot(np.array([["a", "q"]], dtype=object)), [[1, 1, 0]])
    masked = string_lookup(vocabulary=["a", "b"], mask_token="")
    np.testing.assert_array_equal(masked(np.array(["", "b", "x"], dtype=object)), [0, 3, 1])
    masked_hot = string_lookup(vocabulary=["a", "b"], mask_token="", output_mode="multi_hot")
    assert masked_hot.get_vocabulary() == ["[UNK]", "a", "b"]  # Keras: no mask index outside "int" mode
    np.testing.assert_array_equal(masked_hot(np.array([["a", ""], ["", ""]], dtype=object)), [[0, 1, 0], [0, 0, 0]])
    inverse = string_lookup(vocabulary=["a", "b"], invert=True)
    assert list(inverse(np.array([1, 2, 0]))) == ["a", "b", "[UNK]"]
    clone = StringLookup.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    two = string_lookup(vocabulary=["a"], num_oov_indices=2)
    assert set(two(np.array(["x", "y", "w", "v"], dtype=object))) <= {0, 1}
    with pytest.raises(NotBuiltError, match="call adapt"):
        string_lookup()(np.array(["a"], dtype=object))


def test_integer_lookup_and_tf_idf():
    layer = integer_lookup().adapt(np.array([7, 7, 7, 3, 3, 9]))
    assert layer.get_vocabulary() == [-1, 7, 3, 9]
    np.testing.assert_array_equal(layer(np.array([3, 9, 100])), [2, 3, 0])
    tfidf = integer_lookup(output_mode="tf_idf").adapt(np.array([[7, 7], [7, 3]]))
    out = tfidf(np.array([[7, 3]]))
    assert out[0, 1] == pytest.approx(np.log(1 + 2 / 3)) and out[0, 2] == pytest.approx(np.log(1 + 2 / 2))
    clone = IntegerLookup.from_config(tfidf.get_config())
    np.testing.assert_allclose(clone(np.array([[7, 3]])), out)


def test_hashing_is_stable_masked_and_saved():
    layer = hashing(num_bins=5, mask_value="")
    ids = layer(np.array(["a", "b", "", "a"], dtype=object))
    assert ids[2] == 0 and ids[0] == ids[3] and all(1 <= i < 5 for i in ids[[0, 1, 3]])
    np.testing.assert_array_equal(Hashing.from_config(layer.get_config())(np.array(["a", "b"], dtype=object)),
                                  ids[:2])
    assert hashing(num_bins=3)(np.array([12, 12])).tolist()[0] == hashing(num_bins=3)(np.array([12]))[0]
    assert hashing(num_bins=7, output_mode="one_hot")(np.array(["q"], dtype=object)).shape == (1, 7)


def test_lookup_and_encoding_layers_save_with_the_model(tmp_path):
    rng = np.random.default_rng(2)
    words = rng.choice(np.array(["red", "green", "blue", "gray"], dtype=object), size=(120, 1))
    y = (words[:, 0] == "red").astype("float32")[:, None]
    lookup = string_lookup(output_mode="one_hot", input_shape=(1,))
    lookup.adapt(words)
    pk.set_seed(0)
    model = sequential() | lookup | dense(1, "sigmoid")
    model | compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(words, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "lookup.pkeras"
    model.save(path)
    loaded = pk.load_model(path)
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(words[:5]), model.predict(words[:5]), rtol=1e-6)
