"""InputLayer and Input(): where a graph starts."""

from ..errors import ConfigError
from .layer import Layer
from .node import Node
from .tensor import SymbolicTensor, normalize_shape


class InputLayer(Layer):
    """The layer behind `Input()`: holds the input shape, computes nothing.

    Args:
        batch_shape: full input shape, batch axis first (None when free).
        name: layer name.
        dtype: input dtype (`floatx()` by default; `"int32"` for token ids).
    """

    accepted_dtypes = ("float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "uint16",
                       "uint32", "uint64", "bool", "str")  # str: text into text_vectorization

    def __init__(self, batch_shape=None, name=None, dtype=None, batch_input_shape=None, **kwargs):
        batch_shape = batch_shape if batch_shape is not None else batch_input_shape
        super().__init__(name=name, dtype=dtype, **kwargs)
        if batch_shape is None:
            raise ConfigError("Input: give shape= (one sample, e.g. shape=784) or batch_shape=.")
        self.batch_shape = normalize_shape(batch_shape, "Input: batch_shape")
        self.built = True
        self._build_input_shape = self.batch_shape
        self._batch_input_shape = self.batch_shape
        Node(self, [], [SymbolicTensor(self.batch_shape, self.dtype, name=self.name)], False)

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "batch_shape": self.batch_shape}


def Input(shape=None, batch_size=None, name=None, dtype=None, batch_shape=None):
    """Creates a symbolic input tensor, where a functional model starts.

    Args:
        shape: shape of one sample, without the batch axis (`784` or `(28, 28, 1)`).
        batch_size: optional fixed batch size.
        name: optional name.
        dtype: dtype of the data (`floatx()` by default).
        batch_shape: full shape including the batch axis, instead of `shape`.

    Returns:
        A SymbolicTensor.

    Raises:
        ConfigError: neither `shape` nor `batch_shape` is given, or a size is not a positive int.

    Example:
        >>> inputs = Input(shape=784)
        >>> outputs = inputs | dense(10, "softmax")
    """
    if batch_shape is None:
        if shape is None:
            raise ConfigError("Input: give shape= (one sample, e.g. shape=784) or batch_shape=.")
        batch_shape = (batch_size,) + normalize_shape(shape, "Input: shape")
    layer = InputLayer(batch_shape=batch_shape, name=name, dtype=dtype)
    return layer.inbound_nodes[0].output_tensors[0]


layer_input = Input
