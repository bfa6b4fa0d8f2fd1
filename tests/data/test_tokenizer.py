"""R keras 2's tokenizer through pipekeras.r: Keras 2's Tokenizer rules, matrices, JSON save and load, and book
chapter 6.1's raw-text pipeline as written."""

import math

import numpy as np
import pytest

from pipekeras.errors import ConfigError, NotBuiltError
from pipekeras.r import (fit_text_tokenizer, load_text_tokenizer, pad_sequences, save_text_tokenizer,
                         sequences_to_matrix, text_to_word_sequence, text_tokenizer, texts_to_matrix,
                         texts_to_sequences)

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cat and dog."]


def test_text_to_word_sequence_lowercases_and_filters():
    assert text_to_word_sequence("Hello, World!\tIt's  me.") == ["hello", "world", "it's", "me"]
    assert text_to_word_sequence("a-b c", filters="", lower=False, split="-") == ["a", "b c"]


def test_ranks_by_count_ties_by_first_appearance_and_num_words_limits():
    tokenizer = text_tokenizer(num_words=4) | fit_text_tokenizer(TEXTS)
    assert list(tokenizer.word_index)[:5] == ["the", "cat", "dog", "sat", "on"]
    assert tokenizer.word_index["the"] == 1 and tokenizer.document_count == 3
    assert texts_to_sequences(tokenizer, ["the cat and the zebra dog"]) == [[1, 2, 1, 3]]
    with_oov = fit_text_tokenizer(text_tokenizer(num_words=4, oov_token="<OOV>"), TEXTS)
    assert texts_to_sequences(with_oov, ["the zebra"]) == [[2, 1]]


def test_matrices():
    tokenizer = fit_text_tokenizer(text_tokenizer(num_words=5), TEXTS)
    np.testing.assert_array_equal(texts_to_matrix(tokenizer, ["the the cat"], mode="count"), [[0, 2, 1, 0, 0]])
    np.testing.assert_array_equal(texts_to_matrix(tokenizer, ["the the cat"]), [[0, 1, 1, 0, 0]])
    np.testing.assert_allclose(sequences_to_matrix(tokenizer, [[1, 1, 2]], mode="freq"), [[0, 2 / 3, 1 / 3, 0, 0]])
    tfidf = sequences_to_matrix(tokenizer, [[1, 1]], mode="tfidf")
    assert tfidf[0, 1] == pytest.approx((1 + math.log(2)) * math.log(1 + 3 / (1 + 2)))
    with pytest.raises(ConfigError, match="mode must be one of"):
        texts_to_matrix(tokenizer, TEXTS, mode="onehot")
    with pytest.raises(NotBuiltError, match="fit it first"):
        texts_to_sequences(text_tokenizer(), TEXTS)


def test_save_and_load_as_json(tmp_path):
    tokenizer = fit_text_tokenizer(text_tokenizer(num_words=6, oov_token="?"), TEXTS)
    path = tmp_path / "tokenizer.json"
    save_text_tokenizer(tokenizer, path)
    assert path.read_text().startswith('{"class_name": "Tokenizer"')
    loaded = load_text_tokenizer(path)
    assert loaded.word_index == tokenizer.word_index
    assert texts_to_sequences(loaded, TEXTS) == texts_to_sequences(tokenizer, TEXTS)
    np.testing.assert_array_equal(texts_to_matrix(loaded, TEXTS, "tfidf"), texts_to_matrix(tokenizer, TEXTS, "tfidf"))


def test_book_chapter_6_1_pipeline_as_written():
    texts = ["This movie was great, great fun.", "Awful. A boring plot.", "Great acting, boring plot."] * 4
    maxlen, max_words = 5, 10
    tokenizer = text_tokenizer(num_words=max_words) | fit_text_tokenizer(texts)
    sequences = texts_to_sequences(tokenizer, texts)
    word_index = tokenizer.word_index
    data = pad_sequences(sequences, maxlen=maxlen)
    assert data.shape == (12, 5) and len(word_index) == 10 and data.max() < max_words
