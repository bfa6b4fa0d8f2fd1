"""What the attention layers share: per-call options kept on the layer, the inputs as [query, value, key],
and the masks of those inputs turned into one boolean (batch, queries, keys) mask."""

import numpy as np

from ...engine.layer import Layer, shape_str
from ...engine.tensor import is_symbolic
from ...errors import ConfigError, ShapeError
from ..validation import boolean


class AttentionLayer(Layer):
    """Base of the attention layers.

    Keras passes `use_causal_mask` and `return_attention_scores` to each call; a pipekeras graph node holds
    tensors only, so the layer keeps them: given to the constructor (for pipes, `x | attention(use_causal_mask
    = TRUE)`) or to a call, where a later call on symbolic tensors must not change them. Configs carry them
    only when on, and Keras files carry them in the call (the Keras file reader and writer move them).

    Args:
        use_causal_mask: mask keys after each query's position (decoder self-attention).
        return_attention_scores: also return the attention probabilities (a second output).
        **kwargs: name, trainable, dtype.
    """

    call_options = ("use_causal_mask", "return_attention_scores")
    supports_masking = True

    def __init__(self, use_causal_mask=False, return_attention_scores=False, **kwargs):
        super().__init__(**kwargs)
        cls = type(self).__name__
        self.use_causal_mask = boolean(cls, "use_causal_mask", use_causal_mask)
        self.return_attention_scores = boolean(cls, "return_attention_scores", return_attention_scores)
        self._attention_mask = None

    def _call_with(self, inputs, options, attention_mask, training, mask):
        """Calls the layer with the call options `options` ({name: value or None}) and an attention mask."""
        options = {k: boolean(type(self).__name__, k, v) for k, v in options.items() if v is not None}
        symbolic = is_symbolic(inputs)
        if symbolic:
            changed = [k for k, v in options.items() if v != getattr(self, k)]
            if changed and self.inbound_nodes:
                raise self.error(ConfigError, f"{changed[0]}={options[changed[0]]} differs from its earlier calls "
                                              f"({changed[0]}={getattr(self, changed[0])}); a layer keeps its call "
                                              "options in a graph. Use a second layer for the other setting.")
            if attention_mask is not None:
                raise self.error(ConfigError, "attention_mask as a symbolic tensor is not supported in a graph; "
                                              "give masks through the inputs (embedding(mask_zero=TRUE), masking()) "
                                              "or use_causal_mask=TRUE, or pass attention_mask with array inputs.")
            for k, v in options.items():
                setattr(self, k, v)
            return Layer.__call__(self, inputs, training, mask)
        kept = {k: getattr(self, k) for k in options}
        try:
            for k, v in options.items():
                setattr(self, k, v)
            self._attention_mask = attention_mask
            return Layer.__call__(self, inputs, training, mask)
        finally:
            for k, v in kept.items():
                setattr(self, k, v)
            self._attention_mask = None

    def _parts(self, inputs):
        """(query, value, key) from a list [query, value(, key)] (of tensors, arrays or shapes), or one tensor
        (one shape tuple) attending to itself."""
        if not isinstance(inputs, list):
            return inputs, inputs, inputs
        if not 2 <= len(inputs) <= 3:
            raise self.error(ShapeError, f"expected [query, value] or [query, value, key], received a list of "
                                         f"{len(inputs)} tensor(s).")
        return inputs[0], inputs[1], inputs[2] if len(inputs) == 3 else inputs[1]

    def compute_mask(self, inputs, mask=None):
        """The query's mask (Keras's attention outputs keep it)."""
        if mask is None:
            return None
        query_mask = mask[0] if isinstance(mask, (list, tuple)) else mask
        if self.return_attention_scores:
            return [query_mask, None]
        return query_mask

    def check_input_shapes(self, query, value, key, max_rank=3):
        """Raises a ShapeError naming the argument when the shapes cannot attend."""
        for name, shape in zip(("query", "value", "key"), (query, value, key)):
            if not 3 <= len(shape) <= (max_rank or len(shape)):
                wanted = "3" if max_rank == 3 else ">= 3"
                raise self.error(ShapeError, f"{name} must have rank {wanted} (batch, steps, features), received "
                                             f"shape {shape_str(shape)}.")
        batch = [s[0] for s in (query, value, key) if s[0] is not None]
        if batch and any(b != batch[0] for b in batch):
            raise self.error(ShapeError, f"query, value and key must have the same batch size, received "
                                         f"{shape_str([query, value, key])}.")
        if value[1:-1] != key[1:-1] and all(d is not None for d in value[1:-1] + key[1:-1]):
            raise self.error(ShapeError, f"value and key must have the same shape except the last axis, received "
                                         f"value {shape_str(value)} and key {shape_str(key)}.")

    def combined_mask(self, query, value, mask, value_is_key):
        """One boolean (batch, queries, keys) mask from the inputs' masks and the attention mask, or None.

        Args:
            query, value: the query and value arrays (batch, queries, ...), (batch, keys, ...).
            mask: the inputs' masks (one, or a list [query, value(, key)]), or None.
            value_is_key: whether no separate key was given (its mask then is the value's).
        """
        masks = list(mask) if isinstance(mask, (list, tuple)) else [mask, mask] if mask is not None else []
        batch, t, s = query.shape[0], int(np.prod(query.shape[1:-1])), int(np.prod(value.shape[1:-1]))
        names = ("query", "value", "key")
        combined = None
        for index, m in enumerate(masks):
            if m is None or (index == 2 and value_is_key):
                continue
            target = query if index == 0 else value
            m = np.asarray(m)
            if m.shape != target.shape[:-1]:
                raise self.error(ShapeError, f"the {names[index]} mask must have shape {shape_str(target.shape[:-1])} "
                                             f"(the {names[index]}'s shape without its feature axis), received "
                                             f"{shape_str(m.shape)}.")
            m = m.astype(bool).reshape(batch, -1)
            part = m[:, :, None] if index == 0 else m[:, None, :]
            combined = part if combined is None else combined & part
        if self._attention_mask is not None:
            given = np.asarray(self._attention_mask)
            if given.shape not in ((batch, t, s), (t, s)) and given.shape != (batch,) + query.shape[1:-1] + value.shape[1:-1]:
                raise self.error(ShapeError, f"attention_mask must have shape {shape_str((batch, t, s))} "
                                             f"(batch, query steps, value steps), received {shape_str(given.shape)}.")
            given = np.broadcast_to(given.astype(bool).reshape((-1, t, s)), (batch, t, s))
            combined = given if combined is None else combined & given
        if combined is None:
            return None
        return np.ascontiguousarray(np.broadcast_to(combined, (batch, t, s)))

    def get_config(self):
        config = super().get_config()
        for name in self.call_options:
            if getattr(self, name):
                config[name] = True
        return config
