"""MultiHeadAttention: Keras 3's multi-head dot-product attention, with its weight layout and a hand-written
backward (the projections through BLAS, the score and value products as stacked products, the softmax fused
with its masks in compute/attention.py)."""

import math

import numpy as np

from ... import backend
from ...compute.attention import MASK_REPLACE, batched_product, masked_softmax, masked_softmax_backward
from ...compute.dense import dense_backward, dense_forward
from ...engine.layer import InputSpec
from ...engine.weights import DeclaresWeights, Weight
from ...errors import ConfigError
from ..validation import boolean, positive_int, rate_in_unit_interval
from .base import AttentionLayer


def _output_shape_argument(value):
    if value is None or value == () or value == []:
        return None
    items = (value,) if isinstance(value, (int, np.integer)) else tuple(value) if isinstance(value, (list, tuple)) \
        else None
    if items is None:
        raise ConfigError(f"MultiHeadAttention: output_shape must be None, an int or a tuple of ints, received "
                          f"{value!r}.")
    return tuple(positive_int("MultiHeadAttention", "output_shape", v) for v in items)


def _projection_shape(part, size_attribute):
    index = {"query": 0, "value": 1, "key": 2}[part]

    def shape(layer, input_shape):
        features = layer._parts(input_shape)[index][-1]
        return (features, layer.num_heads, getattr(layer, size_attribute))
    return shape


def _projection_weights(part, size_attribute):
    return (Weight(f"{part}/kernel", _projection_shape(part, size_attribute), argument="kernel"),
            Weight(f"{part}/bias", lambda layer, shape: (layer.num_heads, getattr(layer, size_attribute)),
                   argument="bias", enabled="use_bias"))


class MultiHeadAttention(DeclaresWeights, AttentionLayer):
    """Multi-head attention (Vaswani et al., 2017), as Keras 3's `MultiHeadAttention`.

    Each head projects the query, key and value (kernels of shape (features, num_heads, key_dim) etc.), takes
    softmax(query . key / sqrt(key_dim)) over the keys and averages the values with it; the heads' results
    are projected back to the query's features (or `output_shape`). Called on `[query, value]`,
    `[query, value, key]` (or `layer(query, value, key)`), or on one tensor, which then attends to itself; a
    functional model's call with an `attention_mask` tensor records `[query, value, key, attention_mask]`.
    Masks of the inputs (from `embedding(mask_zero=TRUE)` or `masking()`) restrict which keys each query
    sees, and the output keeps the query's mask.

    Args:
        num_heads: number of attention heads.
        key_dim: size of each head's query and key projections.
        value_dim: size of each head's value projection (default key_dim).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: whether the projections have biases.
        output_shape: the output's feature shape (int or tuple); default the query's last axis.
        attention_axes: the axes attention runs over; only the default (every axis between batch and
            features, jointly) is supported.
        kernel_initializer, bias_initializer: initializers of the projections ("glorot_uniform", "zeros").
        kernel_regularizer, bias_regularizer, activity_regularizer: optional regularizers.
        kernel_constraint, bias_constraint: optional constraints.
        seed: seed of the dropout.
        use_causal_mask: each query attends only to keys at or before its position (also a call argument).
        return_attention_scores: also return the probabilities (batch, num_heads, queries, keys).
        **kwargs: name, trainable, dtype.

    Call arguments:
        query, value, key: arrays or symbolic tensors (batch, steps, features); key defaults to value.
        attention_mask: boolean (batch, queries, keys), True where a query may attend: an array, or a symbolic
            tensor (e.g. `Input(shape=c(queries, keys), dtype="bool")`) in a functional model; it gets no
            gradient.
        use_causal_mask, return_attention_scores: as above, for this call.
        training: dropout active.

    Example:
        >>> x = Input(shape=c(200, 32))
        >>> y = multi_head_attention(num_heads=2, key_dim=32)(x, x)
    """

    # Keras's weights and their order: the query, key, value and output projections, each kernel then bias
    declared_weights = (
        _projection_weights("query", "key_dim") + _projection_weights("key", "key_dim")
        + _projection_weights("value", "value_dim")
        + (Weight("attention_output/kernel", lambda layer, shape: (layer.num_heads, layer.value_dim)
                  + tuple(layer._feature_shape(layer._parts(shape)[0])), argument="kernel"),
           Weight("attention_output/bias", lambda layer, shape: tuple(layer._feature_shape(layer._parts(shape)[0])),
                  argument="bias", enabled="use_bias"))
    )

    takes_attention_mask = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True, output_shape=None,
                 attention_axes=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, seed=None, use_gate=False, sliding_window=None, flash_attention=None,
                 use_causal_mask=False, return_attention_scores=False, **kwargs):
        super().__init__(use_causal_mask=use_causal_mask, return_attention_scores=return_attention_scores, **kwargs)
        cls = "MultiHeadAttention"
        if use_gate or sliding_window is not None:
            name = "use_gate" if use_gate else "sliding_window"
            raise ConfigError(f"{cls}: {name}={use_gate if use_gate else sliding_window!r} is not supported "
                              f"(Keras 3.13+'s gated and sliding-window attention); use the default.")
        self.num_heads = positive_int(cls, "num_heads", num_heads)
        self.key_dim = positive_int(cls, "key_dim", key_dim)
        self.value_dim = positive_int(cls, "value_dim", value_dim) if value_dim else self.key_dim
        self.dropout = rate_in_unit_interval(cls, "dropout", dropout)
        self.use_bias = boolean(cls, "use_bias", use_bias)
        self.output_shape_argument = _output_shape_argument(output_shape)
        if attention_axes is not None and not isinstance(attention_axes, (int, np.integer, list, tuple)):
            raise ConfigError(f"{cls}: attention_axes must be None, an int or a tuple of ints, received "
                              f"{attention_axes!r}.")
        self.attention_axes = (int(attention_axes),) if isinstance(attention_axes, (int, np.integer)) else \
            None if attention_axes is None else tuple(int(a) for a in attention_axes)
        self.take_weight_arguments(locals())
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None

    # ----- calling -------------------------------------------------------------------------------------

    def __call__(self, query, value=None, key=None, attention_mask=None, use_causal_mask=None,
                 return_attention_scores=None, training=False, mask=None):
        """Calls the layer on `query` and `value` (and `key`), or on a list `[query, value(, key)]`.

        Returns:
            The attention output (and the attention scores when `return_attention_scores`).
        """
        inputs = query if value is None else [query, value] + ([key] if key is not None else [])
        options = {"use_causal_mask": use_causal_mask, "return_attention_scores": return_attention_scores}
        return self._call_with(inputs, options, attention_mask, training, mask)

    # ----- shapes and weights --------------------------------------------------------------------------

    def _feature_shape(self, query_shape):
        return self.output_shape_argument or (query_shape[-1],)

    def validate_input_shape(self, input_shape):
        query, value, key = self._parts(input_shape)
        self.check_input_shapes(query, value, key, max_rank=None)
        default = tuple(range(1, len(query) - 1))
        if self.attention_axes is not None:
            given = tuple(a if a >= 0 else len(query) - 1 + a for a in self.attention_axes)
            if given != default:
                raise self.error(ConfigError, f"attention_axes={self.attention_axes} is not supported: pipekeras "
                                              f"attends over every axis between batch and features, {default} for "
                                              f"inputs of rank {len(query)}. Reshape or permute the inputs so that "
                                              "the attended axes come right after the batch axis.")
        if self.use_causal_mask and len(query) > 3:
            raise self.error(ConfigError, "use_causal_mask needs inputs of rank 3 (batch, steps, features), received "
                                          f"rank {len(query)}.")

    def build(self, input_shape):
        query, value, key = self._parts(input_shape)
        for name in ("query", "value", "key"):
            if locals()[name][-1] is None:
                raise self.error(ConfigError, f"the {name}'s last axis must be known to build the layer.")
        self.attention_axes = tuple(range(1, len(query) - 1))
        super().build(input_shape)
        weight = lambda name: getattr(self, name) if self.use_bias or not name.endswith("bias") else None
        self.query_kernel, self.query_bias = weight("query/kernel"), weight("query/bias")
        self.key_kernel, self.key_bias = weight("key/kernel"), weight("key/bias")
        self.value_kernel, self.value_bias = weight("value/kernel"), weight("value/bias")
        self.output_kernel, self.output_bias = weight("attention_output/kernel"), weight("attention_output/bias")
        specs = [InputSpec(ndim=len(s), axes={-1: s[-1]}) for s in (query, value, key)]
        self.input_spec = specs[:len(input_shape)] if isinstance(input_shape, list) else specs[0]

    def compute_output_shape(self, input_shape):
        query, value, key = self._parts(input_shape)
        output = tuple(query[:-1]) + tuple(self._feature_shape(query))
        if self.return_attention_scores:
            steps = lambda shape: None if None in shape[1:-1] else int(np.prod(shape[1:-1]))
            return [output, (query[0], self.num_heads, steps(query), steps(value))]
        return output

    def keras_weight_groups(self):
        """The weights as Keras 3 files group them: (h5 group, name of its vars, variables)."""
        pick = lambda *vs: [v for v in vs if v is not None]
        return [("query_dense", "query", pick(self.query_kernel, self.query_bias)),
                ("key_dense", "key", pick(self.key_kernel, self.key_bias)),
                ("value_dense", "value", pick(self.value_kernel, self.value_bias)),
                ("output_dense", "attention_output", pick(self.output_kernel, self.output_bias))]

    # ----- forward and backward ------------------------------------------------------------------------

    def _project(self, x, kernel, bias):
        """(batch, steps, features) -> (batch, heads, steps, size) through a (features, heads, size) kernel."""
        batch, steps = x.shape[0], x.shape[1]
        heads, size = kernel.shape[1], kernel.shape[2]
        flat = dense_forward(x.reshape(batch * steps, -1), kernel.value.reshape(kernel.shape[0], heads * size))
        if bias is not None:
            flat += bias.value.reshape(-1)
        return np.ascontiguousarray(flat.reshape(batch, steps, heads, size).transpose(0, 2, 1, 3))

    def call(self, inputs, training=False, mask=None):
        carried = self._mask_carried(inputs)
        inputs, mask, attention_mask = self._split_attention_mask(inputs, mask)
        query, value, key = self._parts(inputs)
        value_is_key = not (isinstance(inputs, (list, tuple)) and len(inputs) == 3)
        dtype = np.dtype(self.dtype)
        batch = query.shape[0]
        if value.shape[0] != batch or key.shape[0] != batch:
            self.check_input_shapes(query.shape, value.shape, key.shape, max_rank=None)
        attend_mask = self.combined_mask(query, value, mask, value_is_key, attention_mask)
        flat = lambda x: np.ascontiguousarray(x, dtype=dtype).reshape(batch, -1, x.shape[-1])
        q_in, v_in, k_in = flat(query), flat(value), flat(key)
        scale = dtype.type(1.0 / math.sqrt(float(self.key_dim)))
        q = self._project(q_in, self.query_kernel, self.query_bias) * scale
        k = self._project(k_in, self.key_kernel, self.key_bias)
        v = self._project(v_in, self.value_kernel, self.value_bias)
        heads, steps, keys = self.num_heads, q.shape[2], k.shape[2]
        scores = batched_product(q, k, transpose_b=True).reshape(batch * heads, steps, keys)
        probs = masked_softmax(scores, attend_mask, self.use_causal_mask, MASK_REPLACE)
        keep = None
        if training and self.dropout > 0:
            generator = self._generator or backend.rng()
            keep = (generator.random(probs.shape) >= self.dropout).astype(dtype) / dtype.type(1.0 - self.dropout)
        used = probs * keep if keep is not None else probs
        context = batched_product(used.reshape(batch, heads, steps, keys), v)
        merged = np.ascontiguousarray(context.transpose(0, 2, 1, 3)).reshape(batch * steps, heads * self.value_dim)
        out_kernel = self.output_kernel.value.reshape(heads * self.value_dim, -1)
        output = dense_forward(merged, out_kernel)
        if self.output_bias is not None:
            output += self.output_bias.value.reshape(-1)
        self.save_for_backward(q_in, v_in, k_in, q, k, v, probs, keep, merged, attend_mask, value_is_key,
                               query.shape, value.shape, key.shape, isinstance(inputs, (list, tuple)),
                               self.use_causal_mask, self.return_attention_scores, carried)
        output = output.reshape(query.shape[:-1] + tuple(self._feature_shape(query.shape)))
        if self.return_attention_scores:
            return [output, probs.reshape(batch, heads, steps, keys)]
        return output

    def _project_backward(self, x, kernel, bias, grad):
        """Gradients of a projection from its output's gradient (batch, heads, steps, size)."""
        batch, heads, steps, size = grad.shape
        flat = np.ascontiguousarray(grad.transpose(0, 2, 1, 3)).reshape(batch * steps, heads * size)
        x2 = x.reshape(batch * steps, -1)
        dx, dkernel, dbias = dense_backward(x2, kernel.value.reshape(x2.shape[1], heads * size), flat,
                                            need_dx=self.input_grad_needed, has_bias=bias is not None)
        self.add_grad(kernel, dkernel.reshape(kernel.shape))
        if bias is not None:
            self.add_grad(bias, dbias.reshape(bias.shape))
        return None if dx is None else dx.reshape(batch, steps, -1)

    def backward(self, grad_output):
        (q_in, v_in, k_in, q, k, v, probs, keep, merged, attend_mask, value_is_key, query_shape, value_shape,
         key_shape, as_list, causal, with_scores, carried) = self.saved_tensors
        grad_scores = None
        if with_scores:
            grad_output, grad_scores = grad_output
        batch, heads, steps, keys = q.shape[0], self.num_heads, q.shape[2], k.shape[2]
        dtype = q.dtype
        dout = np.ascontiguousarray(grad_output, dtype=dtype).reshape(batch * steps, -1)
        out_kernel = self.output_kernel.value.reshape(heads * self.value_dim, -1)
        dmerged, dkernel, dbias = dense_backward(merged, out_kernel, dout, has_bias=self.output_bias is not None)
        self.add_grad(self.output_kernel, dkernel.reshape(self.output_kernel.shape))
        if self.output_bias is not None:
            self.add_grad(self.output_bias, dbias.reshape(self.output_bias.shape))
        dcontext = np.ascontiguousarray(dmerged.reshape(batch, steps, heads, self.value_dim).transpose(0, 2, 1, 3))
        used = (probs * keep if keep is not None else probs).reshape(batch, heads, steps, keys)
        dv = batched_product(used, dcontext, transpose_a=True)
        dprobs = batched_product(dcontext, v, transpose_b=True).reshape(batch * heads, steps, keys)
        if keep is not None:
            dprobs *= keep
        if grad_scores is not None:
            dprobs += np.asarray(grad_scores, dtype=dtype).reshape(dprobs.shape)
        dscores = masked_softmax_backward(probs, dprobs, attend_mask, causal, MASK_REPLACE)
        dscores = dscores.reshape(batch, heads, steps, keys)
        scale = dtype.type(1.0 / math.sqrt(float(self.key_dim)))
        dq = batched_product(dscores, k) * scale
        dk = batched_product(dscores, q, transpose_a=True)
        dq_in = self._project_backward(q_in, self.query_kernel, self.query_bias, dq)
        dk_in = self._project_backward(k_in, self.key_kernel, self.key_bias, dk)
        dv_in = self._project_backward(v_in, self.value_kernel, self.value_bias, dv)
        if not self.input_grad_needed:
            return None
        dq_in, dv_in, dk_in = dq_in.reshape(query_shape), dv_in.reshape(value_shape), dk_in.reshape(key_shape)
        if not as_list:
            return dq_in + dv_in + dk_in
        if value_is_key:
            return [dq_in, dv_in + dk_in]
        return [dq_in, dv_in, dk_in] + ([None] if carried else [])  # the attention mask gets no gradient

    def get_config(self):
        return {
            **super().get_config(),
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self.output_shape_argument,
            "attention_axes": self.attention_axes,
            **self.weight_config(),
            "seed": self.seed,
        }
