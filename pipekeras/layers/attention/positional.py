"""TokenAndPositionEmbedding: the token-plus-position embedding of Keras's transformer examples, as a layer."""

import numpy as np

from ...compute.embedding import embedding_backward
from ...engine.layer import InputSpec, Layer
from ...engine.weights import DeclaresWeights, Weight
from ...errors import DataError, ShapeError
from ..validation import positive_int


class TokenAndPositionEmbedding(DeclaresWeights, Layer):
    """Embeds token ids and their positions and adds the two: `token_embeddings[ids] + position_embeddings[t]`.

    The input layer of a transformer encoder (Keras's "Text classification with Transformer" example):
    integer ids (samples, steps), steps <= maxlen, to vectors (samples, steps, embed_dim).

    Args:
        maxlen: the longest sequence (rows of the position table).
        vocab_size: size of the vocabulary, i.e. largest id + 1 (rows of the token table).
        embed_dim: size of each vector.
        embeddings_initializer: initializer of both tables ("uniform": RandomUniform(-0.05, 0.05), as Keras's
            Embedding).
        embeddings_regularizer: optional regularizer of both tables.
        embeddings_constraint: optional constraint on both tables.
        activity_regularizer: optional regularizer of the output.
        mask_zero: id 0 is padding: the layer outputs the mask ids != 0.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> ids = Input(shape=200)
        >>> x = ids | token_and_position_embedding(200, 20000, 32)
        >>> x = multi_head_attention(num_heads=2, key_dim=32)(x, x)
    """

    input_dtype = "int32"
    declared_weights = (
        Weight("token_embeddings", lambda layer, shape: (layer.vocab_size, layer.embed_dim), argument="embeddings"),
        Weight("position_embeddings", lambda layer, shape: (layer.maxlen, layer.embed_dim), argument="embeddings"),
    )

    def __init__(self, maxlen, vocab_size, embed_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, activity_regularizer=None, mask_zero=False, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (None,)
        super().__init__(**kwargs)
        cls = "TokenAndPositionEmbedding"
        self.maxlen = positive_int(cls, "maxlen", maxlen)
        self.vocab_size = positive_int(cls, "vocab_size", vocab_size)
        self.embed_dim = positive_int(cls, "embed_dim", embed_dim)
        self.take_weight_arguments(locals())
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_spec = InputSpec(ndim=2)

    def validate_input_shape(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] > self.maxlen:
            raise self.error(ShapeError, f"sequences of {input_shape[-1]} steps are longer than maxlen={self.maxlen}, "
                                         f"received input shape {input_shape}. Pad or truncate to {self.maxlen} steps "
                                         "(pad_sequences(maxlen=...)) or raise maxlen.")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.embed_dim,)

    def compute_mask(self, inputs, mask=None):
        return inputs != 0 if self.mask_zero else None

    def _ids(self, inputs):
        """The ids as a flat int64 array; a DataError naming the position for ids that are not whole numbers in
        [0, vocab_size)."""
        ids = np.asarray(inputs)
        if ids.dtype.kind not in "biuf":
            raise self.error(DataError, f"expected integer ids, received an array of dtype {ids.dtype}.")
        bad = ~((ids >= 0) & (ids < self.vocab_size))
        if ids.dtype.kind == "f":
            bad |= np.rint(ids) != ids
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise self.error(DataError, f"id {ids[where].item()!r} at (sample {where[0]}, step {where[1]}) is not a whole "
                                        f"number in [0, {self.vocab_size - 1}] (vocab_size={self.vocab_size}). "
                                        "Limit the vocabulary when loading the data (num_words=vocab_size).")
        return ids.reshape(-1).astype(np.int64)

    def call(self, inputs):
        ids = np.asarray(inputs)
        steps = ids.shape[-1]
        if steps > self.maxlen:
            self.validate_input_shape(ids.shape)
        flat = self._ids(ids)
        tokens = self.token_embeddings.value[flat].reshape(ids.shape + (self.embed_dim,))
        self.save_for_backward(flat, ids.shape)
        return tokens + self.position_embeddings.value[:steps]

    def backward(self, grad_output):
        flat, shape = self.saved_tensors
        grad = np.asarray(grad_output)
        self.add_grad(self.token_embeddings, embedding_backward(flat, grad.reshape(-1, self.embed_dim),
                                                                self.vocab_size))
        position = np.zeros_like(self.position_embeddings.value)
        position[:shape[-1]] = grad.reshape(-1, shape[-1], self.embed_dim).sum(0)
        self.add_grad(self.position_embeddings, position)
        return None

    def get_config(self):
        return {**super().get_config(), "maxlen": self.maxlen, "vocab_size": self.vocab_size,
                "embed_dim": self.embed_dim, **self.weight_config(), "mask_zero": self.mask_zero}
