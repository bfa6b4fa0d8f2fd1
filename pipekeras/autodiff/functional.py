"""JAX-style gradient functions, `stop_gradient` and `custom_gradient`."""

import functools

import numpy as np

from ..errors import ArgumentTypeError, ShapeError
from . import tape as recording
from .gradient_tape import GradientTape, _flatten
from .traced import Traced


def value_and_grad(fn, argnums=0, has_aux=False):
    """Returns a function computing `fn`'s value and its gradient with respect to some arguments.

    Args:
        fn: a function of arrays returning a scalar (written with `pipekeras.ops`).
        argnums: the position (int) or positions (tuple) of the arguments to differentiate. Each may be an
            array, or a list/tuple/dict of arrays (the gradient has the same structure).
        has_aux: `fn` returns `(value, aux)`; `aux` is returned beside the value, not differentiated.

    Returns:
        A function of `fn`'s arguments returning `(value, grads)` (`((value, aux), grads)` with `has_aux`);
        `grads` is one gradient for an int `argnums`, a tuple for a tuple.

    Example:
        >>> loss, dw = value_and_grad(lambda w: ops.sum(ops.square(w)))(np.ones(3))
    """
    positions = (argnums,) if isinstance(argnums, int) else tuple(argnums)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        args = list(args)
        with GradientTape(watch_accessed_variables=False) as tape:
            watched = {}
            for i in positions:
                if i >= len(args):
                    raise ArgumentTypeError(f"grad: argnums {i} but the function was given {len(args)} arguments.")
                leaves, rebuild = _flatten(args[i])
                for leaf in leaves:
                    recording.check_differentiable(leaf, f"grad of {_name(fn)} (argument {i})")
                watched[i] = [tape.watch(recording.value_of(leaf)) for leaf in leaves]
                args[i] = rebuild(watched[i])
            out = fn(*args, **kwargs)
        value, aux = out if has_aux else (out, None)
        if np.ndim(recording.value_of(value)) != 0:
            raise ShapeError(
                f"grad of {_name(fn)}: the function must return a scalar to differentiate, it returned shape "
                f"{np.shape(recording.value_of(value))}. Reduce it first (ops.sum or ops.mean)."
            )
        grads = tape.gradient(value, [leaf for i in positions for leaf in watched[i]], unconnected_gradients="zero")
        structured, start = [], 0
        for i in positions:
            count = len(watched[i])
            structured.append(_flatten(args[i])[1](grads[start:start + count]))
            start += count
        grads = structured[0] if isinstance(argnums, int) else tuple(structured)
        value = np.asarray(recording.value_of(value))[()]
        return ((value, _values(aux)) if has_aux else value), grads

    return wrapped


def grad(fn, argnums=0, has_aux=False):
    """Returns a function computing the gradient of `fn` with respect to some of its arguments.

    Args:
        fn: a function of arrays returning a scalar (written with `pipekeras.ops`).
        argnums: an int or a tuple of ints, as in `value_and_grad`.
        has_aux: `fn` returns `(value, aux)`; the new function then returns `(grads, aux)`.

    Returns:
        A function of `fn`'s arguments returning the gradient(s).

    Example:
        >>> grad(lambda x: ops.sum(ops.sin(x)))(np.zeros(2))   # array([1., 1.])
    """
    with_value = value_and_grad(fn, argnums, has_aux)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        value, grads = with_value(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapped


def _name(fn):
    return getattr(fn, "__name__", "function")


def _values(structure):
    leaves, rebuild = _flatten(structure)
    return rebuild([recording.value_of(leaf) for leaf in leaves])


def stop_gradient(variable):
    """Returns the same value, seen by recordings as a constant (no gradient flows through it).

    Args:
        variable: an array, traced value or variable.

    Returns:
        A traced value no tape tracks (while recording), else the array.

    Example:
        >>> target = ops.stop_gradient(q_values)
    """
    value = recording.value_of(variable)
    return Traced(value, op="stop_gradient") if recording._state.tapes else value


def custom_gradient(fn):
    """Decorator: a function that returns its value and its own gradient function (TensorFlow style).

    `fn(*inputs)` computes on NumPy arrays and returns `(outputs, grad_fn)`, where `grad_fn(upstream)` returns
    the gradient of each input (a tuple for several inputs). The decorated function enters a recording as
    one op named after `fn`; what `fn` computes inside is not recorded.

    Args:
        fn: the function, `fn(*inputs) -> (outputs, grad_fn)`.

    Returns:
        The decorated function, taking arrays, traced values or variables.

    Example:
        >>> @custom_gradient
        ... def clip_gradient(x):
        ...     return x, lambda g: np.clip(g, -1, 1)
    """

    @functools.wraps(fn)
    def wrapped(*inputs):
        values = [recording.value_of(recording._prepare(x)) for x in inputs]
        outputs, grad_fn = fn(*values)
        if not recording._state.tapes:
            return outputs

        def vjp(g):
            grads = grad_fn(g)
            grads = grads if isinstance(grads, (tuple, list)) else (grads,)
            if len(grads) != len(inputs):
                raise ArgumentTypeError(
                    f"custom_gradient {_name(fn)}: the gradient function returned {len(grads)} gradients for "
                    f"{len(inputs)} inputs."
                )
            return [None if g is None else recording.value_of(g) for g in grads]

        return recording.record_op(_name(fn), inputs, outputs, vjp)

    return wrapped
