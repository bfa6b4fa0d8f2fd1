"""StringLookup and IntegerLookup (values -> vocabulary indices, learned by `adapt` and saved with the layer),
and Hashing (values -> hash bins)."""

import collections
import math

import numpy as np

from ...engine.layer import Layer
from ...errors import ConfigError, DataError, NotBuiltError
from ...utils.string_hash import fingerprint64, siphash64
from .encoding import encode, encoded_shape

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def value_bytes(value):
    """A value's text as TensorFlow's Keras hashes it: strings as UTF-8, numbers in decimal (floats cut to
    integers first)."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(int(value)).encode()


class _Lookup(Layer):
    """Values -> indices in a vocabulary: [mask token ("int" mode)], the out-of-vocabulary indices, then the
    vocabulary. In the vector modes the mask token has no index: masked values are left out of the vectors."""

    default_oov = None

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=None, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if output_mode not in _MODES:
            raise self.error(ConfigError, f"output_mode must be one of {list(_MODES)}, received {output_mode!r}.")
        if invert and output_mode != "int":
            raise self.error(ConfigError, "invert=True maps indices back to values: output_mode must be 'int'.")
        if not isinstance(num_oov_indices, (int, np.integer)) or num_oov_indices < 0:
            raise self.error(ConfigError, f"num_oov_indices must be an integer >= 0, received {num_oov_indices!r}.")
        if sparse:
            raise self.error(ConfigError, "sparse=True is not supported: pipekeras has no sparse tensors.")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = self.default_oov if oov_token is None else oov_token
        self.invert, self.output_mode, self.pad_to_max_tokens = bool(invert), output_mode, bool(pad_to_max_tokens)
        self.vocabulary, self.idf_weights, self._index = None, None, None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    @property
    def _specials(self):
        return ([self.mask_token] if self._mask_indexed else []) + [self.oov_token] * self.num_oov_indices

    @property
    def _mask_indexed(self):
        return self.mask_token is not None and self.output_mode == "int"

    def _oov_index(self, value):
        """The out-of-vocabulary index of `value` among `num_oov_indices` (> 1)."""
        return fingerprint64(value_bytes(value)) % self.num_oov_indices

    def _value(self, value):
        return value

    def adapt(self, data, batch_size=None, steps=None):
        """Learns the vocabulary (most frequent first, ties by value from the largest, as Keras) from `data`: an
        array or list, or an iterable of batches (a batch (x, y) gives x). Returns the layer."""
        counts, documents, seen = collections.Counter(), collections.Counter(), 0
        batches = [data] if isinstance(data, (np.ndarray, list, tuple)) else data
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            rows = np.asarray(batch[0] if isinstance(batch, tuple) else batch, dtype=object)
            for row in rows.reshape(len(rows), -1) if rows.ndim else rows.reshape(1, 1):
                values = [self._value(v) for v in row]
                counts.update(values)
                documents.update(set(values))
                seen += 1
        if not seen:
            raise self.error(DataError, "adapt() received no data.")
        specials = set(self._specials)
        room = None if self.max_tokens is None else self.max_tokens - len(self._specials)
        # most frequent first, ties by value from the largest, as Keras orders them
        ranked = sorted((v for v in counts if v not in specials), key=lambda v: (counts[v], v), reverse=True)[:room]
        idf = [math.log(1 + seen / (1 + documents[v])) for v in ranked] if self.output_mode == "tf_idf" else None
        self._set(ranked, idf)
        return self

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Sets the vocabulary (special tokens first or left out), with idf weights in "tf_idf" mode.

        Raises:
            ConfigError: for repeated entries or more than `max_tokens`.
        """
        values = [self._value(v) for v in vocabulary]
        specials = self._specials
        if values[:len(specials)] == specials:
            values = values[len(specials):]
        repeated = [v for v, n in collections.Counter(values).items() if n > 1]
        if repeated:
            raise self.error(ConfigError, f"the vocabulary repeats {repeated[:5]}; each entry must appear once.")
        if self.max_tokens is not None and len(values) + len(specials) > self.max_tokens:
            raise self.error(ConfigError, f"the vocabulary has {len(values) + len(specials)} entries with the special "
                                          f"tokens, more than max_tokens={self.max_tokens}.")
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise self.error(ConfigError, "output_mode='tf_idf' with a vocabulary needs idf_weights=.")
        self._set(values, idf_weights)

    def _set(self, values, idf):
        self.vocabulary = list(values)
        first = len(self._specials)
        self._index = {v: first + i for i, v in enumerate(self.vocabulary)}
        if idf is not None:
            idf = [float(w) for w in np.asarray(idf).reshape(-1)][-len(values):] if len(values) else []
            oov = float(np.mean(idf)) if idf else 0.0
            self.idf_weights = [0.0] * (first - self.num_oov_indices) + [oov] * self.num_oov_indices + idf

    def get_vocabulary(self, include_special_tokens=True):
        """Returns the vocabulary in index order (the mask and out-of-vocabulary tokens first)."""
        self._require_vocabulary()
        return (self._specials if include_special_tokens else []) + list(self.vocabulary)

    def vocabulary_size(self):
        """Returns the number of indices, the special ones included."""
        self._require_vocabulary()
        return len(self._specials) + len(self.vocabulary)

    def _require_vocabulary(self):
        if self.vocabulary is None:
            raise self.error(NotBuiltError, "no vocabulary yet: call adapt() on training data first, or give "
                                            "vocabulary=.")

    def _depth(self):
        if self.pad_to_max_tokens and self.max_tokens is not None:
            return self.max_tokens
        return self.vocabulary_size()

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self._depth(), self.output_mode)

    def _lookup(self, value):
        index = self._index.get(value)
        if index is not None:
            return index
        if self.mask_token is not None and value == self.mask_token:
            return 0 if self._mask_indexed else -1
        if not self.num_oov_indices:
            raise self.error(DataError, f"{value!r} is not in the vocabulary and num_oov_indices=0.")
        first_oov = 1 if self._mask_indexed else 0
        return first_oov + (self._oov_index(value) if self.num_oov_indices > 1 else 0)

    def call(self, inputs):
        self._require_vocabulary()
        values = np.asarray(inputs, dtype=object)
        if self.invert:
            table = self.get_vocabulary()
            out = np.array([table[int(i)] if 0 <= int(i) < len(table) else self.oov_token for i in values.reshape(-1)],
                           dtype=object).reshape(values.shape)
            return out if self.oov_token is None or isinstance(self.oov_token, str) else out.astype(np.int64)
        ids = np.array([self._lookup(self._value(v)) for v in values.reshape(-1)], dtype=np.int64).reshape(values.shape)
        if self.output_mode == "int":
            return ids
        depth = self._depth()
        weights = None if self.idf_weights is None else self.idf_weights + [0.0] * (depth + 1 - len(self.idf_weights))
        # masked values (-1) count in one extra column, which is dropped
        return encode(np.where(ids < 0, depth, ids), depth + 1, self.output_mode, self.dtype, weights)[..., :depth]

    def backward(self, grad_output):
        return None

    def get_config(self):
        config = {**super().get_config(), "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                  "mask_token": self.mask_token, "oov_token": self.oov_token, "invert": self.invert,
                  "output_mode": self.output_mode, "pad_to_max_tokens": self.pad_to_max_tokens,
                  "vocabulary": self.vocabulary}
        if self.idf_weights is not None:
            config["idf_weights"] = self.idf_weights[len(self._specials):]
        return config


class StringLookup(_Lookup):
    """Maps strings to indices in a vocabulary (index 0 the out-of-vocabulary token "[UNK]" unless a
    `mask_token` comes first), or to one-hot, multi-hot, count or tf-idf vectors; `invert=True` maps indices
    back to strings.

    Args:
        max_tokens: largest vocabulary, special tokens included; num_oov_indices: indices for unknown strings
            (more than one: spread by FarmHash, as Keras); mask_token: a string mapped to 0
            in "int" mode and left out of the vectors in the others; oov_token: the unknown token.
        vocabulary: the strings, instead of `adapt()`; idf_weights: with "tf_idf".
        invert: indices -> strings; output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: vector modes: `max_tokens` columns.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> lookup = string_lookup()
        >>> lookup.adapt(np.array(["a", "b", "b"], dtype=object))
        >>> lookup(np.array(["b", "z"], dtype=object))   # [1, 0]
    """

    default_oov = "[UNK]"
    input_dtype = "str"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _as_array(self, x):
        return np.asarray(x, dtype=object)

    def _value(self, value):
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class IntegerLookup(_Lookup):
    """Maps integers to indices in a vocabulary (index 0 the out-of-vocabulary value -1 unless a `mask_token`
    comes first), or to vectors; `invert=True` maps indices back.

    Args:
        max_tokens: largest vocabulary, special tokens included; num_oov_indices: indices for unknown values
            (more than one: the value modulo num_oov_indices, Keras's "floormod"); mask_token: a value mapped to
            0 in "int" mode and left out of the vectors in the others; oov_token: the unknown value (-1).
        vocabulary: the integers, instead of `adapt()`; idf_weights: with "tf_idf".
        invert: indices -> values; output_mode: "int", "one_hot", "multi_hot", "count" or "tf_idf".
        pad_to_max_tokens: vector modes: `max_tokens` columns.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> integer_lookup(vocabulary=[12, 36])(np.array([36, 5]))   # [2, 0]
    """

    default_oov = -1
    input_dtype = "int64"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 vocabulary_dtype="int64", **kwargs):
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _value(self, value):
        return int(value)

    def _oov_index(self, value):
        return value % self.num_oov_indices  # Keras's default oov_method="floormod"


class Hashing(Layer):
    """Maps values (strings or integers) to `num_bins` bins by a hash of their text, the bins Keras gives:
    FarmHash's fingerprint, or SipHash keyed by `salt`; `mask_value` goes to bin 0.

    Args:
        num_bins: the number of bins (the mask's included).
        mask_value: a value mapped to 0 (the others to 1 .. num_bins-1).
        salt: None, an integer, or two integers: the key of SipHash (one integer k means (k, k)).
        output_mode: "int", "one_hot", "multi_hot" or "count".
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> hashing(num_bins=8)(np.array(["cat", "dog"], dtype=object))   # two bins in [0, 8)
    """

    accepted_dtypes = ("float32", "float64", "int32", "int64")  # Keras gives an "int" mode layer int64

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if not isinstance(num_bins, (int, np.integer)) or num_bins < (2 if mask_value is not None else 1):
            raise self.error(ConfigError, f"num_bins must be a positive integer (>= 2 with a mask_value), received "
                                          f"{num_bins!r}.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise self.error(ConfigError, f"output_mode must be 'int', 'one_hot', 'multi_hot' or 'count', received "
                                          f"{output_mode!r}.")
        if sparse:
            raise self.error(ConfigError, "sparse=True is not supported: pipekeras has no sparse tensors.")
        self.num_bins, self.mask_value, self.output_mode = int(num_bins), mask_value, output_mode
        if salt is not None:
            pair = [salt, salt] if isinstance(salt, (int, np.integer)) else list(salt) \
                if isinstance(salt, (list, tuple)) else None
            if pair is None or len(pair) != 2 or not all(isinstance(k, (int, np.integer)) for k in pair):
                raise self.error(ConfigError, f"salt must be None, an integer or two integers, received {salt!r}.")
            salt = [int(k) for k in pair]
        self.salt = salt

    def _as_array(self, x):
        return np.asarray(x, dtype=object) if np.asarray(x).dtype.kind in "USO" else np.asarray(x)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return encoded_shape(input_shape, self.num_bins, self.output_mode)

    def call(self, inputs):
        values = np.asarray(inputs, dtype=object)
        masked = self.mask_value is not None
        bins = self.num_bins - masked

        def bin_of(value):
            value = value.item() if hasattr(value, "item") else value
            if masked and value == self.mask_value:
                return 0
            text = value_bytes(value)
            code = fingerprint64(text) if self.salt is None else siphash64(text, *self.salt)
            return code % bins + masked

        ids = np.array([bin_of(v) for v in values.reshape(-1)], dtype=np.int64).reshape(values.shape)
        return ids if self.output_mode == "int" else encode(ids, self.num_bins, self.output_mode, self.dtype)

    def backward(self, grad_output):
        return None

    def get_config(self):
        return {**super().get_config(), "num_bins": self.num_bins, "mask_value": self.mask_value,
                "salt": self.salt, "output_mode": self.output_mode}
