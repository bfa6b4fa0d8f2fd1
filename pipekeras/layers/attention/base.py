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
    takes_attention_mask = False  # whether calls take an attention_mask (the graph then carries it as 4th input)

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
                inputs = self._with_attention_mask(inputs, attention_mask)
            for k, v in options.items():
                setattr(self, k, v)
            return Layer.__call__(self, inputs, training, mask)
        if attention_mask is not None and is_symbolic(attention_mask):
            raise self.error(ConfigError, "attention_mask is a symbolic tensor but the inputs are arrays; call the "
                                          "layer on symbolic inputs (a functional model) or give an array mask.")
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

    def _with_attention_mask(self, inputs, attention_mask):
        """The node's inputs [query, value, key, attention_mask] for a symbolic call given an attention mask
        (the key is the value when not given), so that the graph carries the mask."""
        if not is_symbolic(attention_mask):
            raise self.error(ConfigError, f"attention_mask must be a symbolic tensor when the inputs are (e.g. "
                                          f"Input(shape=c(queries, keys), dtype=\"bool\")), received "
                                          f"{type(attention_mask).__name__}.")
        parts = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if not 1 <= len(parts) <= 3:
            raise self.error(ShapeError, f"expected [query, value] or [query, value, key] with an attention_mask, "
                                         f"received a list of {len(parts)} tensor(s).")
        query, value, key = (parts + [parts[-1]] * 2)[:3] if len(parts) < 3 else parts
        return [query, value, key, attention_mask]

    def _parts(self, inputs):
        """(query, value, key) from a list [query, value(, key)] (of tensors, arrays or shapes; a layer taking
        attention masks also [query, value, key, attention_mask]), or one tensor (one shape tuple) attending to
        itself."""
        if not isinstance(inputs, list):
            return inputs, inputs, inputs
        if not 2 <= len(inputs) <= (4 if self.takes_attention_mask else 3):
            raise self.error(ShapeError, f"expected [query, value] or [query, value, key], received a list of "
                                         f"{len(inputs)} tensor(s).")
        return inputs[0], inputs[1], inputs[2] if len(inputs) >= 3 else inputs[1]

    def _mask_carried(self, inputs):
        """Whether `inputs` (tensors, arrays or shapes) end with an attention mask carried by the graph."""
        return self.takes_attention_mask and isinstance(inputs, list) and len(inputs) == 4

    def _split_attention_mask(self, inputs, mask):
        """(inputs, input masks, attention mask) with a carried attention mask taken out of the inputs; without
        one, the attention mask of an array call (or None)."""
        if not self._mask_carried(inputs):
            return inputs, mask, self._attention_mask
        masks = list(mask)[:3] if isinstance(mask, (list, tuple)) else mask
        return inputs[:3], masks, inputs[3]

    def ensure_built(self, input_shape, batch_known=False):
        """Checks a carried attention mask's shape, then builds from the shapes of query, value and key."""
        if self._mask_carried(input_shape):
            self._check_attention_mask_shape(input_shape[:3], tuple(input_shape[3]))
            input_shape = input_shape[:3]
        super().ensure_built(input_shape, batch_known)

    def _check_attention_mask_shape(self, shapes, given):
        query, value, _ = shapes
        steps = lambda shape: None if None in shape[1:-1] else int(np.prod(shape[1:-1]))
        expected = (query[0], steps(query), steps(value))
        full = (query[0],) + tuple(query[1:-1]) + tuple(value[1:-1])
        fits = lambda want, sizes: len(given) == len(want) and all(a is None or b is None or a in sizes(b)
                                                                   for a, b in zip(given, want))
        if not (fits(expected, lambda b: (1, b)) or fits(full, lambda b: (b,))):
            raise self._attention_mask_error(expected, given)

    def _attention_mask_error(self, expected, received):
        return self.error(ShapeError, f"attention_mask must have shape {shape_str(expected)} (batch, query steps, "
                                      f"key steps; an axis of size 1 broadcasts), received {shape_str(received)}.")

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

    def combined_mask(self, query, value, mask, value_is_key, attention_mask=None):
        """One boolean (batch, queries, keys) mask from the inputs' masks and the attention mask, or None.

        Args:
            query, value: the query and value arrays (batch, queries, ...), (batch, keys, ...).
            mask: the inputs' masks (one, or a list [query, value(, key)]), or None.
            value_is_key: whether no separate key was given (its mask then is the value's).
            attention_mask: the attention mask (True where a query may attend), or None.
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
        if attention_mask is not None:
            received = np.asarray(attention_mask)
            given = received.reshape(batch, t, s) if received.shape == (batch,) + query.shape[1:-1] + \
                value.shape[1:-1] else received[None] if received.ndim == 2 else received
            if given.ndim != 3 or any(g not in (1, w) for g, w in zip(given.shape, (batch, t, s))):
                raise self._attention_mask_error((batch, t, s), received.shape)
            given = np.broadcast_to(given.astype(bool), (batch, t, s))
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
