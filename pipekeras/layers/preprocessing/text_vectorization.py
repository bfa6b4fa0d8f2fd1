"""TextVectorization: strings -> token ids, or multi-hot, count or tf-idf vectors, with a vocabulary learned by
`adapt()` and saved with the layer."""

import collections
import math

import numpy as np

from ...engine.layer import Layer
from ...errors import ConfigError, DataError, NotBuiltError
from ...utils import text as text_utils

_MODES = ("int", "multi_hot", "count", "tf_idf")
OOV = "[UNK]"


class TextVectorization(Layer):
    """Turns strings into token ids (`output_mode="int"`) or into one vector per string over the vocabulary
    (`"multi_hot"`, `"count"`, `"tf_idf"`).

    Each string is standardized, split into tokens, extended with its n-grams and looked up in the vocabulary.
    In `"int"` mode id 0 is padding and id 1 the out-of-vocabulary token `"[UNK]"`; in the other modes index 0
    counts the out-of-vocabulary tokens. The vocabulary comes from `adapt()` (the most frequent tokens of the
    data, ties in reverse code point order, as Keras orders them) or from `vocabulary=`, and is saved with the
    model (in the config; in a `.keras` file as Keras keeps it, under assets/). Not trainable; a model
    input feeding it takes strings (`Input(shape=(1,), dtype="string")`, or fit's string arrays).

    Args:
        max_tokens: largest vocabulary size, the padding and out-of-vocabulary tokens included; None for no
            limit.
        standardize: "lower_and_strip_punctuation" (default), "lower", "strip_punctuation", None, or a function
            of one string.
        split: "whitespace" (default), "character", None (the whole string), or a function string -> tokens.
        ngrams: None, an int n (all n-grams up to n) or a tuple of n's.
        output_mode: "int", "multi_hot", "count" or "tf_idf".
        output_sequence_length: "int" mode: pad or cut every sequence to this length (else to the batch's
            longest).
        pad_to_max_tokens: vector modes: output `max_tokens` columns even when the vocabulary is smaller.
        vocabulary: a list of tokens (or a path to a file with one per line) instead of `adapt()`.
        idf_weights: "tf_idf" mode with `vocabulary`: one weight per token.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> vectorize = text_vectorization(max_tokens=10000, output_mode="multi_hot")
        >>> vectorize.adapt(train_texts)
        >>> model = sequential() | vectorize | dense(16, "relu") | dense(1, "sigmoid")
    """

    input_dtype = "str"

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, encoding="utf-8", **kwargs):
        kwargs.setdefault("trainable", False)
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = ()  # one string per sample: a model starting with the layer is built at once
        super().__init__(**kwargs)
        self._check_arguments(max_tokens, standardize, split, ngrams, output_mode, output_sequence_length, sparse)
        self.max_tokens = None if max_tokens is None else int(max_tokens)
        self.standardize, self.split, self.ngrams = standardize, split, _ngrams(ngrams)
        self.output_mode = output_mode
        self.output_sequence_length = None if output_sequence_length is None else int(output_sequence_length)
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.encoding = encoding
        self._tokens = None  # the vocabulary, special tokens first
        self._index = None  # token -> id
        self.idf_weights = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    def _check_arguments(self, max_tokens, standardize, split, ngrams, output_mode, output_sequence_length,
                         sparse):
        if output_mode not in _MODES:
            raise self.error(ConfigError, f"output_mode must be one of {list(_MODES)}, received {output_mode!r}.")
        if max_tokens is not None and (not isinstance(max_tokens, (int, np.integer)) or max_tokens < 2):
            raise self.error(ConfigError, f"max_tokens must be None or an integer >= 2 (room for the special "
                                          f"tokens), received {max_tokens!r}.")
        if not (standardize is None or callable(standardize) or standardize in text_utils.STANDARDIZE):
            raise self.error(ConfigError, f"standardize must be one of {list(text_utils.STANDARDIZE)}, None or a "
                                          f"function, received {standardize!r}.")
        if not (split is None or callable(split) or split in text_utils.SPLIT):
            raise self.error(ConfigError, f"split must be one of {list(text_utils.SPLIT)}, None or a function, "
                                          f"received {split!r}.")
        if output_sequence_length is not None and output_mode != "int":
            raise self.error(ConfigError, f"output_sequence_length applies to output_mode='int' only, not "
                                          f"{output_mode!r}.")
        if sparse:
            raise self.error(ConfigError, "sparse=True is not supported: pipekeras has no sparse tensors.")
        if ngrams is not None and not (isinstance(ngrams, int) and ngrams >= 1 or
                                       isinstance(ngrams, (list, tuple)) and all(isinstance(n, int) and n >= 1
                                                                                 for n in ngrams)):
            raise self.error(ConfigError, f"ngrams must be None, a positive int or a tuple of them, received "
                                          f"{ngrams!r}.")

    # ----- vocabulary -------------------------------------------------------------------------

    @property
    def _specials(self):
        return ["", OOV] if self.output_mode == "int" else [OOV]

    def tokenize(self, text):
        """Returns the tokens (n-grams included) of one string, as the layer looks them up."""
        tokens = text_utils.split(text_utils.standardize(text_utils.as_text(text), self.standardize), self.split)
        return text_utils.with_ngrams(tokens, self.ngrams)

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (and the idf weights in "tf_idf" mode) from `data`.

        Args:
            data: strings: a list or array, or an iterable of batches of them (a batch `(texts, labels)` gives
                its texts), such as `text_dataset_from_directory`'s.
            batch_size: ignored (the data is read as it comes).
            steps: read at most this many batches of an iterable.

        Returns:
            The layer.
        """
        counts, documents, seen = collections.Counter(), collections.Counter(), 0
        for i, texts in enumerate(text_utils.text_batches(data)):
            if steps is not None and i >= steps:
                break
            for text in texts:
                tokens = self.tokenize(text)
                counts.update(tokens)
                if self.output_mode == "tf_idf":
                    documents.update(set(tokens))
            seen += len(texts)
        if not seen:
            raise self.error(DataError, "adapt() received no strings.")
        room = None if self.max_tokens is None else self.max_tokens - len(self._specials)
        # most frequent first, ties by token from the last in code point order, as Keras orders them
        ranked = sorted((t for t in counts if t not in self._specials), key=lambda t: (counts[t], t),
                        reverse=True)[:room]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + seen / (1 + documents[t])) for t in ranked]
        self._set(ranked, idf)
        return self

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary: a list of tokens (special tokens first or left out) or a file of one per line.

        Raises:
            ConfigError: for repeated tokens, too many tokens for `max_tokens`, or idf weights that do not fit.
        """
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding=self.encoding) as file:
                vocabulary = [line.rstrip("\n") for line in file]
        tokens = [text_utils.as_text(t) for t in vocabulary]
        specials = self._specials
        if tokens[:len(specials)] == specials:
            tokens = tokens[len(specials):]
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise self.error(ConfigError, f"the vocabulary repeats {repeated[:5]}; each token must appear once.")
        if self.max_tokens is not None and len(tokens) + len(specials) > self.max_tokens:
            raise self.error(ConfigError, f"the vocabulary has {len(tokens) + len(specials)} tokens (special "
                                          f"tokens included), more than max_tokens={self.max_tokens}.")
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise self.error(ConfigError, "output_mode='tf_idf' with a vocabulary needs idf_weights=, one per "
                                              "token.")
            idf_weights = [float(w) for w in np.asarray(idf_weights).reshape(-1)]
            if len(idf_weights) == len(tokens) + 1:
                idf_weights = idf_weights[1:]  # the out-of-vocabulary weight is recomputed
            if len(idf_weights) != len(tokens):
                raise self.error(ConfigError, f"idf_weights has {len(idf_weights)} entries for {len(tokens)} tokens.")
        elif idf_weights is not None:
            raise self.error(ConfigError, "idf_weights applies to output_mode='tf_idf' only.")
        self._set(tokens, idf_weights)

    def _set(self, tokens, idf):
        if self._tokens is not None and self.built and self.output_mode != "int" and not self.pad_to_max_tokens \
                and len(tokens) + len(self._specials) != len(self._tokens):
            raise self.error(ConfigError, "the layer is part of a model whose next layer expects "
                                          f"{len(self._tokens)} columns; a new vocabulary must have as many tokens "
                                          "(or use pad_to_max_tokens=True).")
        self._tokens = self._specials + list(tokens)
        self._index = {t: i for i, t in enumerate(self._tokens)}
        if idf is not None:
            weights = np.asarray(idf, dtype=np.float64)
            self.idf_weights = np.concatenate([[weights.mean() if len(weights) else 0.0], weights])

    def get_vocabulary(self, include_special_tokens=True):
        """Returns the vocabulary as a list, id order (special tokens first unless left out)."""
        self._require_vocabulary("get_vocabulary()")
        return list(self._tokens) if include_special_tokens else self._tokens[len(self._specials):]

    def vocabulary_size(self):
        """Returns the number of tokens in the vocabulary, the special tokens included."""
        self._require_vocabulary("vocabulary_size()")
        return len(self._tokens)

    def _require_vocabulary(self, what):
        if self._tokens is None:
            raise self.error(NotBuiltError, f"{what} needs a vocabulary: call adapt() on training text first, or "
                                            "give vocabulary= to the constructor.")

    # ----- the layer --------------------------------------------------------------------------

    def _width(self):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        self._require_vocabulary("using the layer in a model")
        return len(self._tokens)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._width())

    def validate_input_shape(self, input_shape):
        if len(input_shape) > 2 or len(input_shape) == 2 and input_shape[1] not in (1, None):
            raise self.error(DataError, f"expects one string per sample, shape (batch,) or (batch, 1); received "
                                        f"{input_shape}.")

    def _as_array(self, x):
        array = np.asarray(x, dtype=object) if isinstance(x, (list, tuple, str)) else np.asarray(x)
        if array.dtype.kind not in "USO":
            raise self.error(DataError, f"expects strings, received an array of dtype {array.dtype}.")
        return array

    def call(self, inputs):
        self._require_vocabulary("calling the layer")
        try:
            rows = text_utils.text_rows(inputs)
        except ValueError as error:
            raise self.error(DataError, f"{error}.") from None
        index = self._index
        unknown = 1 if self.output_mode == "int" else 0
        ids = [[index.get(t, unknown) for t in self.tokenize(text)] for text in rows]
        if self.output_mode == "int":
            length = self.output_sequence_length or max((len(r) for r in ids), default=0)
            out = np.zeros((len(ids), length), dtype=np.int64)
            for i, row in enumerate(ids):
                row = row[:length]
                out[i, :len(row)] = row
            return out
        out = np.zeros((len(ids), self._width()), dtype=self.dtype)
        for i, row in enumerate(ids):
            if self.output_mode == "multi_hot":
                out[i, row] = 1
            else:
                np.add.at(out[i], row, 1)
        if self.output_mode == "tf_idf":
            out[:, :len(self.idf_weights)] *= self.idf_weights.astype(out.dtype)
        return out

    def backward(self, grad_output):
        return None  # strings have no gradient

    def get_config(self):
        for name in ("standardize", "split"):
            if callable(getattr(self, name)):
                raise self.error(ConfigError, f"a {name} function cannot be saved in the config; use one of the "
                                              "named options, or rebuild the layer with the function after loading.")
        config = {
            **super().get_config(),
            "max_tokens": self.max_tokens,
            "standardize": self.standardize,
            "split": self.split,
            "ngrams": self.ngrams,
            "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": None if self._tokens is None else list(self._tokens),
        }
        if self.idf_weights is not None:
            config["idf_weights"] = [float(w) for w in self.idf_weights]
        return config


def _ngrams(ngrams):
    return list(ngrams) if isinstance(ngrams, (list, tuple)) else ngrams
