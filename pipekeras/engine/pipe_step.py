"""What may stand on the right of `|` (and `>>`): a pipe step, which knows what to do with its left side.

The graph core defines the protocol; layers and the verbs of `pipekeras.pipe` implement it. A left side
that takes some steps itself (a Sequential model appends a layer) hands every other step to `pipe_into`.
"""

from ..errors import ArgumentTypeError


class PipeStep:
    """Base class of everything that can be piped into: layers and verbs (`compile(...)`, `fit(...)`).

    A subclass implements `__ror__(lhs)`, which applies the step to the value on its left and returns the
    result; `>>` is the same pipe.
    """

    __array_ufunc__ = None  # make `numpy_array | step` call __ror__ instead of broadcasting

    def __ror__(self, lhs):
        raise NotImplementedError(f"{type(self).__name__} must implement __ror__(lhs).")

    def __rrshift__(self, lhs):
        return self.__ror__(lhs)


def pipe_into(lhs, step):
    """`lhs | step` for a left side that hands the step over: calls `step.__ror__(lhs)`.

    Raises:
        ArgumentTypeError: if `step` is not a pipe step.
    """
    if isinstance(step, PipeStep):
        return step.__ror__(lhs)
    raise ArgumentTypeError(
        f"Cannot pipe into a {type(step).__name__}: the right side of | must be a layer "
        "(dense(64), ...) or a verb (compile(...), fit(...), ...)."
    )
