"""CategoryEncoding (integer ids -> one-hot, multi-hot or count vectors) and the encoding the lookup layers share."""

import numpy as np

from ...engine.layer import Layer
from ...errors import ConfigError, DataError

MODES = ("one_hot", "multi_hot", "count")


def encode(ids, depth, mode, dtype, weights=None):
    """Returns `ids` (ints in [0, depth)) as vectors of `depth`: "one_hot" (one vector per id; an id axis of
    size 1 is replaced), "multi_hot" or "count" (one vector per row of the last axis), "tf_idf" (counts times
    `weights`)."""
    ids = np.asarray(ids)
    if mode == "one_hot":
        flat = ids[..., 0] if ids.ndim > 1 and ids.shape[-1] == 1 else ids
        out = np.zeros(flat.shape + (depth,), dtype=dtype)
        np.put_along_axis(out, flat[..., None], 1, axis=-1)
        return out
    rows = ids.reshape(-1, 1) if ids.ndim <= 1 else ids.reshape(-1, ids.shape[-1])
    out = np.zeros((len(rows), depth), dtype=dtype)
    if mode == "multi_hot":
        np.put_along_axis(out, rows, 1, axis=-1)
    else:
        np.add.at(out, (np.repeat(np.arange(len(rows)), rows.shape[1]), rows.reshape(-1)), 1)
        if mode == "tf_idf":
            out *= np.asarray(weights, dtype=dtype)
    return out.reshape((ids.shape[0], depth) if ids.ndim <= 1 else ids.shape[:-1] + (depth,))


def encoded_shape(input_shape, depth, mode):
    """The output shape of `encode` for inputs of `input_shape`."""
    input_shape = tuple(input_shape)
    if mode == "one_hot":
        return (input_shape[:-1] if len(input_shape) > 1 and input_shape[-1] == 1 else input_shape) + (depth,)
    return (input_shape[0], depth) if len(input_shape) == 1 else input_shape[:-1] + (depth,)


class CategoryEncoding(Layer):
    """Encodes integer ids in [0, num_tokens) as vectors: "one_hot", "multi_hot" (default: 1 for every id in a
    sample) or "count".

    Args:
        num_tokens: the number of ids (the vector size).
        output_mode: "one_hot", "multi_hot" or "count".
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Raises:
        DataError: in `call`, for an id outside [0, num_tokens), with where it is.

    Example:
        >>> category_encoding(num_tokens=4)(np.array([[0, 1], [3, 3]]))   # [[1, 1, 0, 0], [0, 0, 0, 1]]
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if not isinstance(num_tokens, (int, np.integer)) or num_tokens < 1:
            raise self.error(ConfigError, f"num_tokens must be a positive integer, received {num_tokens!r}.")
        if output_mode not in MODES:
            raise self.error(ConfigError, f"output_mode must be one of {list(MODES)}, received {output_mode!r}.")
        if sparse:
            raise self.error(ConfigError, "sparse=True is not supported: pipekeras has no sparse tensors.")
        self.num_tokens, self.output_mode = int(num_tokens), output_mode

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_tokens, self.output_mode)

    def call(self, inputs):
        ids = np.asarray(inputs)
        if ids.dtype.kind == "f":
            ids = ids.astype(np.int64)
        bad = (ids < 0) | (ids >= self.num_tokens)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise self.error(DataError, f"id {ids[where]} at {where} is outside [0, {self.num_tokens}); raise "
                                        "num_tokens or map the ids first (integer_lookup).")
        return encode(ids, self.num_tokens, self.output_mode, self.dtype)

    def backward(self, grad_output):
        return None

    def get_config(self):
        return {**super().get_config(), "num_tokens": self.num_tokens, "output_mode": self.output_mode}
