"""GradientTape: Keras/TensorFlow-style recording of ops for gradients."""

import contextlib

import numpy as np

from ..errors import ArgumentTypeError, NotBuiltError
from . import tape as recording
from .traced import Traced


class GradientTape:
    """Records ops on watched values so `gradient` can differentiate through them.

    Inside `with GradientTape() as tape:`, every `pipekeras.ops` function (and Python operator) on a watched
    value, or on a value computed from one, is recorded. Trainable variables that ops read are watched
    automatically. Tapes nest: each records what it watches.

    Args:
        persistent: allow several `gradient` calls (otherwise the recording is freed after the first).
        watch_accessed_variables: watch every trainable variable an op reads while recording.

    Example:
        >>> with GradientTape() as tape:
        ...     x = tape.watch(np.array([1.0, 2.0]))
        ...     y = ops.sum(ops.square(x))
        >>> tape.gradient(y, x)   # array([2., 4.])
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._recording = False
        self._nodes = []
        self._tracked = set()
        self._leaves = set()  # the numbers watched (values and variables), not computed by recorded ops
        self._variables = {}  # id(variable) -> (variable, Traced)
        self._used = False

    def __enter__(self):
        recording.push_tape(self)
        self._recording = True
        return self

    def __exit__(self, *exc_info):
        self._recording = False
        recording.pop_tape(self)
        return False

    def watch(self, tensor):
        """Tracks `tensor` (and what is computed from it from now on).

        Args:
            tensor: a `Traced` value, a variable, an array or number, or a list/tuple of them.

        Returns:
            What to compute with: the traced value(s) now tracked (for an array, a new `Traced` wrapping it).

        Raises:
            NotBuiltError: the tape is not recording (called outside its `with` block).

        Example:
            >>> x = tape.watch(x)
        """
        if isinstance(tensor, (list, tuple)):
            return type(tensor)(self.watch(t) for t in tensor)
        if not self._recording:
            raise NotBuiltError("GradientTape.watch: the tape is not recording; call it inside `with tape:`.")
        if isinstance(tensor, recording._VARIABLE_TYPES):
            known = recording._state.variables.get(id(tensor))
            traced = known[1] if known else recording._trace_variable(tensor)
            self._track_variable(tensor, traced)
            return traced
        traced = tensor if isinstance(tensor, Traced) else Traced(np.asarray(tensor))
        if traced.is_float and traced.number not in self._tracked:  # a value ops computed is no leaf
            self._tracked.add(traced.number)
            self._leaves.add(traced.number)
        return traced

    def _track_variable(self, variable, traced):
        self._variables[id(variable)] = (variable, traced)
        self._tracked.add(traced.number)
        self._leaves.add(traced.number)

    def watched_variables(self):
        """Returns the variables this tape watched, in the order they were first read.

        Returns:
            A list of variables.

        Example:
            >>> [v.name for v in tape.watched_variables()]
        """
        return [variable for variable, _ in self._variables.values()]

    @contextlib.contextmanager
    def stop_recording(self):
        """A context in which ops are not recorded by this tape.

        Example:
            >>> with tape.stop_recording():
            ...     log_value = ops.mean(y)
        """
        was, self._recording = self._recording, False
        try:
            yield
        finally:
            self._recording = was

    def reset(self):
        """Forgets everything recorded so far (the tape keeps recording if active).

        Example:
            >>> tape.reset()
        """
        self._nodes, self._tracked, self._leaves, self._variables = [], set(), set(), {}

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Returns the gradient of `target` with respect to each of `sources`.

        Args:
            target: a traced value, or a list of them (their gradients add). A non-scalar target counts as
                the sum of its entries, unless `output_gradients` says otherwise.
            sources: a traced value or variable, or a list/tuple/dict of them; the result has the same
                structure.
            output_gradients: the gradient(s) of the target(s) to start from (default: ones).
            unconnected_gradients: `"none"` (None for a source the target does not depend on) or `"zero"`.

        Returns:
            NumPy arrays (or None), in the structure of `sources`.

        Raises:
            NotBuiltError: a second call on a non-persistent tape.
            ArgumentTypeError: the target is not a traced value, or a source is an integer or boolean value or
                not a traced value or variable.

        Example:
            >>> dw, db = tape.gradient(loss, [w, b])
        """
        if self._used and not self._persistent:
            raise NotBuiltError(
                "GradientTape.gradient: a non-persistent tape can compute gradients once; use "
                "GradientTape(persistent=True) for several calls."
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ArgumentTypeError(
                f"GradientTape.gradient: unconnected_gradients must be 'none' or 'zero', received "
                f"{unconnected_gradients!r}."
            )
        self._used = True
        targets = list(target) if isinstance(target, (list, tuple)) else [target]
        seeds_given = output_gradients if isinstance(output_gradients, (list, tuple)) else [output_gradients]
        if output_gradients is None:
            seeds_given = [None] * len(targets)
        seeds = {}
        for t, seed in zip(targets, seeds_given):
            if not isinstance(t, Traced):
                raise ArgumentTypeError(
                    f"GradientTape.gradient: the target is a {type(t).__name__}, not a value computed inside the "
                    "tape from watched values. Compute it with pipekeras.ops inside `with tape:`. (Gradients are "
                    "NumPy arrays, so the gradient of a gradient is not supported.)"
                )
            if t.number not in self._tracked:
                continue
            seed = np.ones(t.shape, t.dtype) if seed is None else np.broadcast_to(recording.value_of(seed), t.shape)
            seeds[t.number] = seeds[t.number] + seed if t.number in seeds else seed
        flat, rebuild = _flatten(sources)
        numbers = [self._number_of(s) for s in flat]
        keep = {n for n in numbers if n is not None}
        # watched values not asked for need no gradient (a layer's input when only its weights' are wanted)
        grads = recording.reverse_pass(self._nodes, self._tracked - (self._leaves - keep), seeds, keep)
        if not self._persistent:
            self._nodes, self._tracked = [], set()  # free the recording; watched_variables() stays
        results = []
        for source, number in zip(flat, numbers):
            grad = grads.get(number)
            if grad is None and unconnected_gradients == "zero":
                grad = np.zeros(np.shape(recording.value_of(source)), np.result_type(recording.value_of(source)))
            results.append(None if grad is None else np.array(grad, copy=not grad.flags.writeable))
        return rebuild(results)

    def _number_of(self, source):
        if isinstance(source, recording._VARIABLE_TYPES):
            known = self._variables.get(id(source))
            return known[1].number if known else None
        if not isinstance(source, Traced):
            raise ArgumentTypeError(
                f"GradientTape.gradient: a source must be a traced value or a variable, received "
                f"{type(source).__name__}. Watch arrays with `x = tape.watch(x)` and compute with that x."
            )
        recording.check_differentiable(source, "GradientTape.gradient")
        return source.number if source.number in self._tracked else None


def _flatten(structure):
    """Returns (leaves, rebuild) for a value, or a list/tuple/dict of values (one level)."""
    if isinstance(structure, dict):
        keys = list(structure)
        return [structure[k] for k in keys], lambda leaves: dict(zip(keys, leaves))
    if isinstance(structure, (list, tuple)):
        kind = type(structure)
        return list(structure), lambda leaves: kind(leaves)
    return [structure], lambda leaves: leaves[0]
