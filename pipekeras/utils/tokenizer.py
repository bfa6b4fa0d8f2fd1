"""Tokenizer: Keras 2's text tokenizer (R keras 2's `text_tokenizer`): words -> ranks by frequency, texts ->
sequences of ranks or matrices, saved as Keras's JSON (never a pickle)."""

import collections
import json
import math

import numpy as np

from ..errors import ConfigError, NotBuiltError
from .text import TOKENIZER_FILTERS

_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(text, filters=TOKENIZER_FILTERS, lower=True, split=" "):
    """Splits a text into words: lowercased (with `lower`), the `filters` characters turned into `split`.

    Returns:
        The list of words (empty strings dropped).
    """
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [word for word in text.split(split) if word]


class Tokenizer:
    """Keras 2's text tokenizer: `fit_on_texts` ranks the words by frequency (1 the most frequent; ties in
    order of first appearance), then texts become sequences of ranks or matrices.

    Args:
        num_words: keep only the words of rank below `num_words` when converting (all are counted).
        filters: characters removed from the texts (turned into `split`).
        lower: lowercase the texts.
        split: the word separator.
        char_level: every character is a token.
        oov_token: if given, gets rank 1 and stands for the words outside the vocabulary.
    """

    def __init__(self, num_words=None, filters=TOKENIZER_FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, document_count=0):
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token = char_level, oov_token
        self.document_count = document_count
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.word_index, self.index_word, self.index_docs = {}, {}, collections.defaultdict(int)

    def _words(self, text):
        if self.char_level:
            return list(text.lower() if self.lower else text)
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Counts the words of `texts` (a list of strings) and ranks them.

        Returns:
            The tokenizer.
        """
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for word in words:
                self.word_counts[word] = self.word_counts.get(word, 0) + 1
            for word in set(words):
                self.word_docs[word] += 1
        ranked = sorted(self.word_counts.items(), key=lambda item: -item[1])  # stable: ties by first appearance
        words = ([self.oov_token] if self.oov_token is not None else []) + [w for w, _ in ranked]
        self.word_index = {word: rank for rank, word in enumerate(words, start=1)}
        self.index_word = {rank: word for word, rank in self.word_index.items()}
        self.index_docs = collections.defaultdict(int, {self.word_index[w]: n for w, n in self.word_docs.items()})
        return self

    def _require_fitted(self, what):
        if not self.word_index:
            raise NotBuiltError(f"{what}: the tokenizer has no vocabulary yet; fit it first "
                                "(fit_text_tokenizer(tokenizer, texts) or tokenizer.fit_on_texts(texts)).")

    def texts_to_sequences(self, texts):
        """Returns one list of word ranks per text (words outside `num_words` dropped, or the oov rank)."""
        self._require_fitted("texts_to_sequences")
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        sequences = []
        for text in texts:
            sequence = []
            for word in self._words(text):
                rank = self.word_index.get(word)
                if rank is not None and (not self.num_words or rank < self.num_words):
                    sequence.append(rank)
                elif oov is not None:
                    sequence.append(oov)
            sequences.append(sequence)
        return sequences

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Returns a (texts, num_words) float matrix of the sequences: "binary", "count", "freq" or "tfidf".

        Raises:
            ConfigError: for another mode, or "tfidf" before `fit_on_texts`, or without `num_words` or a fit.
        """
        if mode not in _MODES:
            raise ConfigError(f"sequences_to_matrix: mode must be one of {list(_MODES)}, received {mode!r}.")
        width = self.num_words or (len(self.word_index) + 1 if self.word_index else None)
        if width is None:
            raise ConfigError("sequences_to_matrix: give the tokenizer num_words, or fit it first.")
        if mode == "tfidf" and not self.document_count:
            raise ConfigError("sequences_to_matrix: mode='tfidf' needs a tokenizer fitted on texts.")
        matrix = np.zeros((len(sequences), width), dtype=np.float64)
        for i, sequence in enumerate(sequences):
            if not len(sequence):
                continue
            counts = collections.Counter(j for j in sequence if j < width)
            for j, count in counts.items():
                if mode == "count":
                    matrix[i, j] = count
                elif mode == "freq":
                    matrix[i, j] = count / len(sequence)
                elif mode == "binary":
                    matrix[i, j] = 1
                else:
                    matrix[i, j] = (1 + math.log(count)) * math.log(1 + self.document_count /
                                                                     (1 + self.index_docs.get(j, 0)))
        return matrix

    def texts_to_matrix(self, texts, mode="binary"):
        """Returns `sequences_to_matrix(texts_to_sequences(texts), mode)`."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode)

    def sequences_to_texts(self, sequences):
        """Returns the texts of rank sequences (words joined by spaces)."""
        return [" ".join(self.index_word[j] for j in s if j in self.index_word) for s in sequences]

    def get_config(self):
        """The tokenizer as Keras's `Tokenizer.get_config()` gives it (the tables as JSON strings)."""
        return {
            "num_words": self.num_words, "filters": self.filters, "lower": self.lower, "split": self.split,
            "char_level": self.char_level, "oov_token": self.oov_token, "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self):
        """Returns the tokenizer as Keras's JSON (`tokenizer_from_json` in Keras reads it)."""
        return json.dumps({"class_name": "Tokenizer", "config": self.get_config()})


def tokenizer_from_json(text):
    """Returns the tokenizer saved by `Tokenizer.to_json` (or Keras's own `to_json`).

    Raises:
        ConfigError: for JSON that is not a saved tokenizer.
    """
    try:
        data = json.loads(text)
        config = dict(data["config"])
        if data.get("class_name") != "Tokenizer":
            raise KeyError("class_name")
        tables = {name: json.loads(config.pop(name)) for name in
                  ("word_counts", "word_docs", "index_docs", "index_word", "word_index")}
    except (ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"tokenizer_from_json: not a saved tokenizer ({error!r}).") from None
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(tables["word_counts"])
    tokenizer.word_docs = collections.defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = collections.defaultdict(int, {int(k): v for k, v in tables["index_docs"].items()})
    tokenizer.index_word = {int(k): v for k, v in tables["index_word"].items()}
    tokenizer.word_index = tables["word_index"]
    return tokenizer
