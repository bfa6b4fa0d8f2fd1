"""The recording: which ops ran on traced values, and the reverse pass over them.

Each active `GradientTape` keeps, in order, the ops whose inputs it tracks (a tape tracks what it watches
and every float value computed from it). An op enters a recording through `record_op(name, inputs,
outputs, vjp)`; `apply` is the ops' way in (forward, then `record_op` with the op's vector-Jacobian
product). The reverse pass walks a tape's list backwards, calls each op's VJP with the gradients of its
outputs, reduces broadcast gradients back to each input's shape and sums the gradients of reused values.

Nothing is recorded, and `apply` costs one attribute test more than the forward function, while no tape
is active on this thread.

Weights: `register_variable_type(cls)` names the class of the library's weights (anything with `.value`,
`.name` and `.trainable`). An op given such a variable while a tape records reads it through
`read_variable`, which gives one traced value per variable, tracked by every active tape that watches
accessed variables; `tape.gradient(loss, variables)` finds it again.
"""

import threading

import numpy as np

from ..errors import ArgumentTypeError, PipeKerasError, ShapeError
from . import traced
from .traced import Traced


class _ThreadState(threading.local):
    tapes = ()  # the active tapes, innermost last
    variables = None  # id(variable) -> (variable, Traced) while any tape is active


_state = _ThreadState()
_active = 0  # tapes active on any thread: ops check this global before the thread's own list
_active_lock = threading.Lock()
_WRAPPERS = (Traced,)
_VARIABLE_TYPES = ()


def register_variable_type(cls):
    """Lets ops take instances of `cls` (the library's weight class) and tapes watch them.

    Args:
        cls: a class whose instances have `value` (np.ndarray), `name` and `trainable`.

    Returns:
        `cls`, so it can be used as a class decorator.

    Example:
        >>> register_variable_type(Variable)   # once, where Variable is defined
    """
    global _WRAPPERS, _VARIABLE_TYPES
    if cls not in _VARIABLE_TYPES:
        _VARIABLE_TYPES = _VARIABLE_TYPES + (cls,)
        _WRAPPERS = (Traced,) + _VARIABLE_TYPES
    return cls


def is_recording():
    """Returns whether a tape records on this thread (ops then return traced values).

    Returns:
        True inside an active `GradientTape` (or `grad`), False otherwise.

    Example:
        >>> is_recording()   # False
    """
    return any(tape._recording for tape in _state.tapes)


traced.builders.is_recording = is_recording


def value_of(x):
    """Returns the NumPy value of a traced value or variable, anything else unchanged.

    Args:
        x: a `Traced`, a registered variable, an array or a Python number.

    Returns:
        The wrapped array, or `x`.

    Example:
        >>> value_of(traced)   # np.ndarray
    """
    return x.value if isinstance(x, _WRAPPERS) else x


def read_variable(variable):
    """Returns what an op sees for `variable`: its traced value when a tape tracks it, else its array.

    Args:
        variable: an instance of a registered variable type.

    Returns:
        The one `Traced` of this variable in the current recording, or `variable.value`.

    Example:
        >>> read_variable(layer.kernel)   # Traced inside a GradientTape, ndarray outside
    """
    known = _state.variables.get(id(variable)) if _state.variables is not None else None
    watching = [tape for tape in _state.tapes
                if tape._recording and tape._watch_accessed_variables and variable.trainable]
    if known is None and not watching:
        return variable.value
    traced = known[1] if known is not None else _trace_variable(variable)
    for tape in watching:
        tape._track_variable(variable, traced)
    return traced


def _trace_variable(variable):
    traced = Traced(variable.value, op=f"variable {variable.name}")
    _state.variables[id(variable)] = (variable, traced)
    return traced


def _prepare(x):
    """An op's input as recorded: variables become their traced value (or array), lists arrays."""
    if isinstance(x, _VARIABLE_TYPES):
        return read_variable(x)
    return np.asarray(x) if isinstance(x, (list, tuple)) else x


def apply(name, forward, vjp, inputs, **params):
    """Runs `forward(*input_values, **params)`, recorded with its VJP when a tape tracks an input.

    Args:
        name: the op's name, for errors and for `Traced.op`.
        forward: computes the output (an array, or a tuple of arrays) from NumPy values.
        vjp: `vjp(g, y, *input_values, **params)` -> one gradient per input (array, None for none, or a
            zero-argument function computing it, called only when that input needs it); `g` is the output's
            gradient (a tuple of them for several outputs). None: the op is not differentiable.
        inputs: the op's array inputs (arrays, numbers, traced values or variables).
        **params: the op's other arguments (axis, shape, ...), passed to `forward` and `vjp`.

    Returns:
        The output as NumPy arrays when nothing records, as traced values otherwise.

    Raises:
        ShapeError: the inputs' shapes do not broadcast (for ops whose forward broadcasts).

    Example:
        >>> apply("exp", np.exp, lambda g, y, x: (g * y,), (x,))
    """
    if not _active or not _state.tapes:
        values = [a if type(a) is np.ndarray else value_of(a) for a in inputs]
        try:
            return forward(*values, **params)
        except ValueError as error:
            raise _explained(name, values, error) from None
    inputs = [_prepare(a) for a in inputs]
    values = [value_of(a) for a in inputs]
    try:
        outputs = forward(*values, **params)
    except ValueError as error:
        raise _explained(name, values, error) from None
    if not any(type(a) is Traced for a in inputs):
        return outputs
    return _record(name, inputs, outputs, None if vjp is None else (lambda g: vjp(g, outputs, *values, **params)))


def _explained(name, values, error):
    """The error to raise for a ValueError from an op's forward: a ShapeError when shapes do not broadcast."""
    if isinstance(error, PipeKerasError):
        return error
    shapes = [np.shape(v) for v in values]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        listed = " and ".join(str(s) for s in shapes)
        return ShapeError(
            f"{name}: the shapes {listed} do not broadcast together. Broadcasting rule: shapes are aligned on their "
            "last axis, and each pair of axes must be equal or one of them 1 (a missing axis counts as 1)."
        )
    return error


class _Node:
    """One recorded op: its inputs' and outputs' numbers and the VJP that maps output to input gradients.

    `inputs` holds None for an input no gradient goes to (a constant, an integer value); `input_specs` the
    (shape, dtype) of each input, known for the others only.
    """

    __slots__ = ("name", "inputs", "input_specs", "outputs", "output_specs", "several", "vjp")

    def __init__(self, name, numbers, inputs, outputs, several, vjp):
        self.name = name
        self.inputs = numbers
        self.input_specs = tuple((x.value.shape, x.value.dtype) if n is not None else None
                                 for n, x in zip(numbers, inputs))
        self.outputs = tuple(y.number for y in outputs)
        self.output_specs = tuple((y.value.shape, y.value.dtype) for y in outputs)
        self.several = several
        self.vjp = vjp


def record_op(name, inputs, outputs, vjp):
    """Enters an already computed op into every active recording that tracks one of its inputs.

    This is how anything with its own backward (a built-in layer's fused kernels, a `custom_gradient`)
    joins a recording as one op.

    Args:
        name: the op's name (shown in errors and as the outputs' `Traced.op`).
        inputs: the op's inputs: traced values, variables (read through `read_variable`), arrays or numbers.
        outputs: the computed output, an array or a tuple/list of arrays (NumPy values, not traced).
        vjp: `vjp(g) -> sequence of one gradient per input` (array, None, or a zero-argument function
            returning it, called only if that input needs a gradient); `g` is the output's gradient, or a
            tuple of them (zeros for outputs nothing depended on). None: not differentiable.

    Returns:
        The outputs as `Traced` values (same structure) while a tape records, else `outputs` unchanged.

    Example:
        >>> y = record_op("dense", [x, kernel], x.numpy() @ kernel.value,
        ...               lambda g: (lambda: g @ kernel.value.T, lambda: x.numpy().T @ g))
    """
    if not _state.tapes:
        return outputs
    return _record(name, [_prepare(x) for x in inputs], outputs, vjp)


def _record(name, inputs, outputs, vjp):
    several = isinstance(outputs, (tuple, list))
    traced = tuple(Traced(value_of(y), op=name) for y in (outputs if several else (outputs,)))
    numbers = tuple(x.number if type(x) is Traced and x.value.dtype.kind in "fc" else None for x in inputs)
    tapes = [tape for tape in _state.tapes
             if tape._recording and any(n is not None and n in tape._tracked for n in numbers)]
    if tapes and vjp is not None:
        node = _Node(name, numbers, inputs, traced, several, vjp)
        differentiable = [y.number for y in traced if y.value.dtype.kind in "fc"]
        for tape in tapes:
            tape._nodes.append(node)
            tape._tracked.update(differentiable)
    if several:
        return type(outputs)(traced) if isinstance(outputs, list) else traced
    return traced[0]


def unbroadcast(grad, shape, name="op"):
    """Sums a gradient over the axes broadcasting added or stretched, so it has the input's `shape`.

    Args:
        grad: a gradient of a broadcast result.
        shape: the input's shape.
        name: the op, for the error.

    Returns:
        An array of `shape`.

    Raises:
        ShapeError: `grad` cannot have come from broadcasting an input of `shape`.

    Example:
        >>> unbroadcast(np.ones((4, 3)), (3,))   # array([4., 4., 4.])
    """
    if type(grad) is not np.ndarray:
        grad = np.asarray(grad)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, (g, s) in enumerate(zip(grad.shape, shape)) if s == 1 and g != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    try:
        return np.broadcast_to(grad, shape)
    except ValueError:
        raise ShapeError(
            f"the gradient function of {name!r} returned a gradient of shape {grad.shape} for an input of shape "
            f"{tuple(shape)}."
        ) from None


def reverse_pass(nodes, tracked, seeds, keep):
    """Propagates output gradients back through recorded ops.

    Args:
        nodes: the recorded ops, in the order they ran.
        tracked: the numbers of the values the recording tracks.
        seeds: {number: gradient} to start from.
        keep: numbers whose gradient is wanted (kept even after their producer's VJP used them).

    Returns:
        {number: gradient} for the numbers in `keep` that a gradient reached.

    Example:
        >>> reverse_pass(tape._nodes, tape._tracked, {loss.number: np.ones(())}, {w.number})
    """
    grads = dict(seeds)
    for node in reversed(nodes):
        outs = [grads.get(n) if n in keep else grads.pop(n, None) for n in node.outputs]
        if not node.several:
            if outs[0] is None:
                continue
            input_grads = node.vjp(outs[0])
        elif all(g is None for g in outs):
            continue
        else:
            input_grads = node.vjp(tuple(np.zeros(*spec) if g is None else g for g, spec in zip(outs, node.output_specs)))
        for number, spec, grad in zip(node.inputs, node.input_specs, input_grads):
            if number is None or grad is None or number not in tracked:
                continue
            shape, dtype = spec
            grad = grad() if callable(grad) else grad
            grad = unbroadcast(grad, shape, node.name)
            if grad.dtype != dtype:
                grad = grad.astype(dtype)
            grads[number] = grads[number] + grad if number in grads else grad
    return {n: grads[n] for n in keep if n in grads}


def push_tape(tape):
    """Makes `tape` the innermost active tape of this thread."""
    global _active
    with _active_lock:
        _active += 1
    if not _state.tapes:
        _state.variables = {}
    _state.tapes = _state.tapes + (tape,)


def pop_tape(tape):
    """Ends `tape`'s recording on this thread."""
    global _active
    with _active_lock:
        _active -= 1
    _state.tapes = tuple(t for t in _state.tapes if t is not tape)
    if not _state.tapes:
        _state.variables = None


def check_differentiable(source, what):
    """Raises the error for a gradient asked with respect to an integer or boolean value.

    Raises:
        ArgumentTypeError: `source` is an integer or boolean traced value or array.
    """
    dtype = np.result_type(value_of(source))
    if dtype.kind not in "fc":
        made_by = f"made by {source.op!r}" if isinstance(source, Traced) else "given"
        raise ArgumentTypeError(
            f"{what}: the source is a {dtype} value {made_by}; integer and boolean values have no gradient. "
            "Differentiate with respect to a float value (cast it with ops.cast(x, 'float32') before use)."
        )


class suspended:
    """Context: no tape of this thread records inside it (the tapes resume after it).

    A layer with its own backward runs its forward inside it and then enters the recordings as one op
    (`record_op`), so what it computes inside is not recorded twice.

    Example:
        >>> with suspended():
        ...     outputs = layer.call(values)
    """

    def __enter__(self):
        self._saved = (_state.tapes, _state.variables)
        _state.tapes, _state.variables = (), None
        return self

    def __exit__(self, *exc_info):
        _state.tapes, _state.variables = self._saved
        return False
