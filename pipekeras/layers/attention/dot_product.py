"""Attention (Luong-style dot-product or concat scores) and AdditiveAttention (Bahdanau-style), as Keras 3's,
with hand-written backward passes."""

import numpy as np

from ... import backend
from ...compute.attention import MASK_SUBTRACT, batched_product, masked_softmax, masked_softmax_backward
from ...engine.layer import InputSpec
from ...errors import ShapeError
from ...engine.layer import shape_str
from ..validation import boolean, one_of, rate_in_unit_interval
from .base import AttentionLayer


class Attention(AttentionLayer):
    """Dot-product attention: `softmax(query . key) . value` for inputs [query, value(, key)].

    Inputs: query (batch, Tq, dim), value (batch, Tv, dim) and optionally key (batch, Tv, dim) (default the
    value). A value mask keeps padded value steps out of the softmax; the output keeps the query's mask and
    is zero at masked query steps.

    Args:
        use_scale: learn a scalar that multiplies the scores (weight `scale`).
        score_mode: "dot" (query . key) or "concat" (sum(tanh(query + key)), times a learned scalar
            `concat_score_weight`).
        dropout: dropout rate on the attention probabilities (training only).
        seed: seed of the dropout.
        use_causal_mask: each query step attends only to value steps at or before it (also a call argument).
        return_attention_scores: also return the probabilities (batch, Tq, Tv) (also a call argument).
        **kwargs: name, trainable, dtype.

    Example:
        >>> query, value = Input(shape=c(10, 16)), Input(shape=c(12, 16))
        >>> attended = list(query, value) | attention()
    """

    mask_mode = MASK_SUBTRACT

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, use_causal_mask=False,
                 return_attention_scores=False, **kwargs):
        super().__init__(use_causal_mask=use_causal_mask, return_attention_scores=return_attention_scores, **kwargs)
        cls = type(self).__name__
        self.use_scale = boolean(cls, "use_scale", use_scale)
        self.score_mode = one_of(cls, "score_mode", score_mode, ("dot", "concat"))
        self.dropout = rate_in_unit_interval(cls, "dropout", dropout)
        self.seed = seed
        self._generator = np.random.default_rng(seed) if seed is not None else None
        self.scale = self.concat_score_weight = None

    def __call__(self, inputs, training=False, mask=None, return_attention_scores=None, use_causal_mask=None):
        """Calls the layer on `[query, value]` or `[query, value, key]`.

        Returns:
            The attention output (and the attention scores when `return_attention_scores`).
        """
        options = {"use_causal_mask": use_causal_mask, "return_attention_scores": return_attention_scores}
        return self._call_with(inputs, options, None, training, mask)

    def validate_input_shape(self, input_shape):
        if not isinstance(input_shape, list) or not 2 <= len(input_shape) <= 3:
            count = len(input_shape) if isinstance(input_shape, list) else 1
            raise self.error(ShapeError, f"expects a list [query, value] or [query, value, key], received {count} "
                                         "tensor(s). Pipe a list: list(query, value) | attention().")
        query, value, key = self._parts(input_shape)
        self.check_input_shapes(query, value, key)
        dims = [s[-1] for s in (query, key)]
        if None not in dims and dims[0] != dims[1]:
            raise self.error(ShapeError, f"query and key must have the same last axis, received query "
                                         f"{shape_str(query)} and key {shape_str(key)}.")

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight("scale", (), "ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight("concat_score_weight", (), "ones")
        self.input_spec = [InputSpec(ndim=3, axes={-1: s[-1]}) for s in input_shape]

    def compute_output_shape(self, input_shape):
        query, value, key = self._parts(input_shape)
        output = tuple(query[:-1]) + (value[-1],)
        return [output, (query[0], query[1], value[1])] if self.return_attention_scores else output

    # ----- scores: dot or concat (AdditiveAttention overrides) -----------------------------------------

    def _scores(self, query, key):
        """Returns (scores, what _scores_backward needs)."""
        if self.score_mode == "dot":
            raw = batched_product(query, key, transpose_b=True)
            a = self.scale.value if self.scale is not None else None
            return (raw * a if a is not None else raw), raw
        a = self.scale.value if self.scale is not None else None
        pre = query[:, :, None, :] + key[:, None, :, :]
        th = np.tanh(pre * a if a is not None else pre)
        c = self.concat_score_weight.value
        return c * th.sum(-1), (pre, th)

    def _scores_backward(self, query, key, saved, dscores):
        """Returns (dquery, dkey) and adds the weights' gradients."""
        if self.score_mode == "dot":
            raw = saved
            if self.scale is not None:
                self.add_grad(self.scale, np.asarray((dscores * raw).sum(), dtype=raw.dtype))
                dscores = dscores * self.scale.value
            return batched_product(dscores, key), batched_product(dscores, query, transpose_a=True)
        pre, th = saved
        c = self.concat_score_weight.value
        self.add_grad(self.concat_score_weight, np.asarray((dscores * th.sum(-1)).sum(), dtype=th.dtype))
        dpre = (dscores * c)[..., None] * (1 - th * th)
        if self.scale is not None:
            self.add_grad(self.scale, np.asarray((dpre * pre).sum(), dtype=th.dtype))
            dpre = dpre * self.scale.value
        return dpre.sum(2), dpre.sum(1)

    # ----- forward and backward ------------------------------------------------------------------------

    def _score_mask(self, query, value, mask):
        if mask is None:
            return None, None
        masks = list(mask) + [None] * (2 - len(mask)) if isinstance(mask, (list, tuple)) else [mask, mask]
        names = ("query", "value")
        checked = []
        for name, m, x in zip(names, masks[:2], (query, value)):
            if m is not None:
                m = np.asarray(m)
                if m.shape != x.shape[:-1]:
                    raise self.error(ShapeError, f"the {name} mask must have shape {shape_str(x.shape[:-1])} "
                                                 f"(the {name}'s shape without its feature axis), received "
                                                 f"{shape_str(m.shape)}.")
                m = m.astype(bool)
            checked.append(m)
        query_mask, value_mask = checked
        scores_mask = None
        if value_mask is not None:
            scores_mask = np.ascontiguousarray(
                np.broadcast_to(value_mask[:, None, :], (query.shape[0], query.shape[1], value.shape[1])))
        return query_mask, scores_mask

    def call(self, inputs, training=False, mask=None):
        query, value, key = (np.asarray(x, dtype=self.dtype) for x in self._parts(inputs))
        if not (query.shape[0] == value.shape[0] == key.shape[0]):
            self.check_input_shapes(query.shape, value.shape, key.shape)
        query_mask, scores_mask = self._score_mask(query, value, mask)
        scores, saved = self._scores(query, key)
        scores = np.ascontiguousarray(scores, dtype=self.dtype)
        probs = masked_softmax(scores, scores_mask, self.use_causal_mask, self.mask_mode)
        keep = None
        if training and self.dropout > 0:
            dtype = probs.dtype
            generator = self._generator or backend.rng()
            keep = (generator.random(probs.shape) >= self.dropout).astype(dtype) / dtype.type(1.0 - self.dropout)
        used = probs * keep if keep is not None else probs
        output = batched_product(used, value)
        if query_mask is not None:
            output *= query_mask[..., None]
        self.save_for_backward(query, value, key, saved, probs, keep, used, scores_mask, query_mask,
                               len(inputs), self.use_causal_mask, self.return_attention_scores)
        return [output, used] if self.return_attention_scores else output

    def backward(self, grad_output):
        (query, value, key, saved, probs, keep, used, scores_mask, query_mask, count, causal,
         with_scores) = self.saved_tensors
        grad_scores = None
        if with_scores:
            grad_output, grad_scores = grad_output
        dout = np.asarray(grad_output, dtype=probs.dtype)
        if query_mask is not None:
            dout = dout * query_mask[..., None]
        dvalue = batched_product(used, dout, transpose_a=True)
        dused = batched_product(dout, value, transpose_b=True)
        if grad_scores is not None:
            dused += np.asarray(grad_scores, dtype=probs.dtype)
        dprobs = dused * keep if keep is not None else dused
        dscores = masked_softmax_backward(probs, dprobs, scores_mask, causal, self.mask_mode)
        dquery, dkey = self._scores_backward(query, key, saved, dscores)
        if not self.input_grad_needed:
            return None
        if count == 3:
            return [dquery, dvalue, dkey]
        return [dquery, dvalue + dkey]

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores `sum(scale * tanh(query + key))` for inputs
    [query, value(, key)]; masks as `Attention`.

    Args:
        use_scale: learn a scale vector of the features' size (weight `scale`, glorot_uniform).
        dropout: dropout rate on the attention probabilities (training only).
        seed, use_causal_mask, return_attention_scores, **kwargs: as `Attention`.

    Example:
        >>> query, value = Input(shape=c(10, 16)), Input(shape=c(12, 16))
        >>> attended = list(query, value) | additive_attention()
    """

    def __init__(self, use_scale=True, dropout=0.0, seed=None, use_causal_mask=False, return_attention_scores=False,
                 **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, seed=seed, use_causal_mask=use_causal_mask,
                         return_attention_scores=return_attention_scores, **kwargs)

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight("scale", (input_shape[0][-1],), "glorot_uniform")
        self.input_spec = [InputSpec(ndim=3, axes={-1: s[-1]}) for s in input_shape]

    def _scores(self, query, key):
        th = np.tanh(query[:, :, None, :] + key[:, None, :, :])
        scores = (th * self.scale.value).sum(-1) if self.scale is not None else th.sum(-1)
        return scores, th

    def _scores_backward(self, query, key, th, dscores):
        if self.scale is not None:
            self.add_grad(self.scale, (dscores[..., None] * th).sum((0, 1, 2)).astype(th.dtype))
            dth = dscores[..., None] * self.scale.value
        else:
            dth = np.repeat(dscores[..., None], th.shape[-1], axis=-1)
        dpre = dth * (1 - th * th)
        return dpre.sum(2), dpre.sum(1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
