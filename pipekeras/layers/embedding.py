"""Embedding: integer ids -> dense vectors."""

import numpy as np

from ..engine.layer import InputSpec, Layer
from ..engine.weights import DeclaresWeights, Weight
from ..errors import DataError
from ..compute.embedding import embedding_backward, embedding_forward
from .validation import positive_int


class Embedding(DeclaresWeights, Layer):
    """Turns positive integer ids into dense vectors of fixed size: `[[4], [20]] -> [[0.25, 0.1], [0.6, -0.2]]`.

    Input: integer ids of shape (samples, timesteps) (any rank works); output (samples, timesteps,
    output_dim). Float arrays holding whole numbers are accepted (models often feed ids as float32).

    Args:
        input_dim: size of the vocabulary, i.e. largest id + 1.
        output_dim: size of each embedding vector.
        embeddings_initializer: initializer of the table ("uniform": RandomUniform(-0.05, 0.05)).
        embeddings_regularizer: optional regularizer of the table.
        activity_regularizer: optional regularizer of the output.
        embeddings_constraint: optional constraint on the table.
        mask_zero: treat id 0 as padding: the layer outputs a mask (ids != 0) that recurrent layers
            use to skip padded steps. Then id 0 cannot be a real word (input_dim = vocabulary + 1).
        input_length: length of the sequences when fixed (Keras 2): sets input_shape=(input_length,), which
            builds the model at once and lets flatten/dense follow.
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> model = sequential() | embedding(10000, 32) | lstm(32) | dense(1, "sigmoid")
    """

    input_dtype = "int32"
    declared_weights = (Weight("embeddings", lambda layer, shape: (layer.input_dim, layer.output_dim)),)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 activity_regularizer=None, embeddings_constraint=None, mask_zero=False, input_length=None,
                 **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            # As Keras 2: sequences of any length unless input_length fixes it, so a model starting with an
            # embedding is built (and can be summarized and compiled) at once.
            lengths = (None,) if input_length is None else \
                tuple(input_length) if isinstance(input_length, (list, tuple)) else (input_length,)
            kwargs["input_shape"] = lengths
        super().__init__(**kwargs)
        self.input_dim = positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = positive_int("Embedding", "output_dim", output_dim)
        self.take_weight_arguments(locals())
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length
        self.supports_masking = self.mask_zero
        self.input_spec = InputSpec(min_ndim=1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def _as_array(self, x):
        array = np.asarray(x)
        if array.dtype.kind not in "biuf":
            raise self.error(DataError, f"expected integer ids, received an array of dtype {array.dtype}. "
                                        "Turn text into ids first (a tokenizer, or datasets.imdb's word ids).")
        return array

    def _ids(self, inputs):
        """Returns the ids as a flat int64 array (float ids are rounded; they must be whole numbers)."""
        ids = self._as_array(inputs)
        if ids.dtype.kind == "u" and ids.dtype.itemsize >= 8:  # before the cast: 2**63 and above would wrap
            outside = ids >= self.input_dim
            if outside.any():
                where = tuple(int(i) for i in np.argwhere(outside)[0])
                raise self._out_of_range(int(ids[where]), where)
        if ids.dtype.kind == "f":
            rounded = np.rint(ids)
            if not np.all(rounded == ids):
                where = np.argwhere(rounded != ids)[0]
                position = self._position(tuple(int(i) for i in where))
                raise self.error(
                    DataError,
                    f"ids must be whole numbers, received {ids[tuple(where)]!r} at {position}. "
                    "Give integer word ids, not features (an embedding looks rows up by index)."
                )
            outside = ~((ids >= 0) & (ids < self.input_dim))  # before the cast: 1e20 or inf would wrap around
            if outside.any():
                where = tuple(int(i) for i in np.argwhere(outside)[0])
                raise self._out_of_range(ids[where].item(), where)
            ids = rounded
        return np.ascontiguousarray(ids.reshape(-1), dtype=np.int64)

    def _out_of_range(self, bad, where):
        """The DataError for id `bad` (an int, or a float too large or not finite) at index `where`."""
        shown = bad if isinstance(bad, int) else f"{bad:g}"
        if bad < 0:
            advice = "Ids cannot be negative."
        elif isinstance(bad, int) and bad < 2 ** 31:
            advice = (f"Raise input_dim to at least {bad + 1}, or limit the vocabulary when loading the data "
                      "(e.g. num_words=input_dim).")
        else:
            advice = "Limit the vocabulary when loading the data (e.g. num_words=input_dim)."
        return self.error(
            DataError,
            f"id {shown} at {self._position(where)} is out of range: ids must be in [0, {self.input_dim - 1}] "
            f"since input_dim={self.input_dim}. {advice}"
        )

    @staticmethod
    def _position(where):
        names = ["sample", "timestep"]
        parts = [f"{names[k] if k < 2 else 'axis ' + str(k)} {i}" for k, i in enumerate(where)]
        return "(" + ", ".join(parts) + ")"

    def call(self, inputs):
        ids = self._ids(inputs)
        try:
            flat = embedding_forward(ids, self.embeddings.value)
        except IndexError as error:
            k = int(error.args[0])
            where = np.unravel_index(k, np.shape(inputs)) if np.ndim(inputs) else ()
            raise self._out_of_range(int(ids[k]), tuple(int(i) for i in where)) from None
        self.save_for_backward(ids)
        return flat.reshape(np.shape(inputs) + (self.output_dim,))

    def backward(self, grad_output):
        (ids,) = self.saved_tensors
        if self.trainable and self.embeddings.trainable:
            grad = np.asarray(grad_output).reshape(-1, self.output_dim)
            self.add_grad(self.embeddings, embedding_backward(ids, grad, self.input_dim))
        return None

    def get_config(self):
        config = {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            **self.weight_config(),
            "mask_zero": self.mask_zero,
        }
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config

