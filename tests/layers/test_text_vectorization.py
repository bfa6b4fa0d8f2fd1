"""text_vectorization: Keras's standardize/split/ngrams/vocabulary rules, the four output modes, adapt on
lists and batch sources, string inputs through fit/predict, and the vocabulary saved with the model."""

import math

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, sequential, text_vectorization
from pipekeras.errors import ConfigError, NotBuiltError
from pipekeras.layers import TextVectorization

TEXTS = ["The cat sat.", "the dog sat on the mat!", "A cat, a dog."]


def test_adapt_ranks_tokens_by_count_then_token_after_the_special_tokens():
    layer = text_vectorization(max_tokens=6)
    layer.adapt(TEXTS)
    # counts: the 3, a 2, cat 2, dog 2, sat 2, mat 1, on 1: four fit after "" and "[UNK]"; ties from the last
    # token (Keras 3.15 gives this vocabulary and these ids)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "dog", "cat"]
    assert layer.vocabulary_size() == 6
    np.testing.assert_array_equal(layer(np.array(TEXTS, dtype=object)),
                                  [[2, 5, 3, 0, 0, 0], [2, 4, 3, 1, 2, 1], [1, 5, 1, 4, 0, 0]])


def test_output_modes():
    counts = text_vectorization(output_mode="count")
    counts.adapt(TEXTS)
    assert counts.get_vocabulary() == ["[UNK]", "the", "sat", "dog", "cat", "a", "on", "mat"]
    np.testing.assert_array_equal(counts(np.array(["the the cat zebra"], dtype=object)), [[1, 2, 0, 0, 1, 0, 0, 0]])
    hot = text_vectorization(output_mode="multi_hot", vocabulary=counts.get_vocabulary())
    np.testing.assert_array_equal(hot(np.array(["the the cat zebra"], dtype=object)), [[1, 1, 0, 0, 1, 0, 0, 0]])
    tfidf = text_vectorization(output_mode="tf_idf")
    tfidf.adapt(TEXTS)
    idf_the = math.log(1 + 3 / (1 + 2))  # "the" in 2 of 3 documents
    out = tfidf(np.array(["the the"], dtype=object))
    assert out[0, 1] == pytest.approx(2 * idf_the)
    fixed = text_vectorization(output_sequence_length=2, vocabulary=["cat", "sat"])
    np.testing.assert_array_equal(fixed(np.array(["cat sat cat", "x"], dtype=object)), [[2, 3], [1, 0]])


def test_standardize_split_and_ngrams():
    layer = text_vectorization(ngrams=2, standardize="lower", split="whitespace")
    assert layer.tokenize("A b, c") == ["a", "b,", "c", "a b,", "b, c"]
    assert text_vectorization(split="character", standardize=None).tokenize("Ab") == ["A", "b"]
    assert text_vectorization(ngrams=(2,)).tokenize("a b c") == ["a b", "b c"]
    assert text_vectorization(standardize=lambda s: s.upper()).tokenize("a b") == ["A", "B"]


def test_adapt_reads_batch_sources_and_text_datasets():
    batches = ((np.array(TEXTS[i:i + 1], dtype=object), np.zeros(1)) for i in range(3))
    from_batches = text_vectorization().adapt(batches)
    assert from_batches.get_vocabulary() == text_vectorization().adapt(TEXTS).get_vocabulary()
    dataset = pk.utils.TextDataset(np.array(TEXTS, dtype=object), np.zeros(3), 2, False, None, None)
    assert text_vectorization().adapt(dataset).get_vocabulary() == from_batches.get_vocabulary()


def test_a_model_on_strings_trains_predicts_and_saves_its_vocabulary(tmp_path):
    rng = np.random.default_rng(0)
    words = np.array(["good", "great", "bad", "awful", "movie", "plot"])
    texts = np.array([" ".join(rng.choice(words, 5)) for _ in range(200)], dtype=object)
    labels = np.array([float(t.count("good") + t.count("great") > t.count("bad") + t.count("awful"))
                       for t in texts], dtype="float32")
    vectorize = text_vectorization(max_tokens=20, output_mode="count")
    vectorize.adapt(texts)
    pk.set_seed(0)
    model = sequential() | vectorize | dense(8, "relu") | dense(1, "sigmoid")
    model | compile(optimizer=pk.optimizers.Adam(0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(texts, labels, epochs=30, batch_size=32, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    path = tmp_path / "text.pkeras"
    model.save(path)
    loaded = pk.load_model(path)
    assert loaded.layers[0].get_vocabulary() == vectorize.get_vocabulary()
    np.testing.assert_allclose(loaded.predict(texts[:10]), model.predict(texts[:10]), rtol=1e-6)


def test_config_round_trip_keeps_the_adapted_state():
    layer = text_vectorization(output_mode="tf_idf", ngrams=2, max_tokens=30)
    layer.adapt(TEXTS)
    clone = TextVectorization.from_config(layer.get_config())
    assert clone.get_vocabulary() == layer.get_vocabulary()
    np.testing.assert_allclose(clone(np.array(TEXTS, dtype=object)), layer(np.array(TEXTS, dtype=object)))


def test_bad_use_says_what_to_do():
    with pytest.raises(NotBuiltError, match="call adapt"):
        text_vectorization()(np.array(["a"], dtype=object))
    with pytest.raises(NotBuiltError, match="call adapt"):
        sequential() | text_vectorization(output_mode="multi_hot") | dense(2)
    with pytest.raises(ConfigError, match="output_mode must be one of"):
        text_vectorization(output_mode="onehot")
    with pytest.raises(ConfigError, match="output_sequence_length applies to output_mode='int'"):
        text_vectorization(output_mode="count", output_sequence_length=3)
    with pytest.raises(ConfigError, match="more than max_tokens=3"):
        text_vectorization(max_tokens=3, vocabulary=["a", "b"])
    with pytest.raises(ConfigError, match="a standardize function cannot be saved"):
        text_vectorization(standardize=str.lower).get_config()
