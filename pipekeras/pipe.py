"""The pipe's functions: layer constructors (`dense(...)`) and verbs (`compile(...)`, `fit(...)`).

`lhs | step` and `lhs >> step` are R keras's `%>%`. The operands decide what a pipe does
(`engine/pipe_step.py`); this module only makes the steps. What happens depends on the left side:

| left side            | right side | result                                                  |
| -------------------- | ---------- | ------------------------------------------------------- |
| Sequential model     | layer      | appended in place; the same model is returned           |
| symbolic tensor(s)   | layer      | the layer is called on them; new symbolic tensor(s)     |
| NumPy array(s)       | layer      | the layer runs eagerly; array(s)                        |
| model or History     | verb       | the verb (compile, fit, ...) is applied                 |

Layer constructors (`dense(...)`) also take the R form with the model first, `dense(model, 512)`.
"""

import inspect
import textwrap

import numpy as np

from .docstrings import inherited_section, join, split
from .errors import ArgumentTypeError
from .models.functional import Model
from .engine.layer import Layer, to_snake_case
from .engine.pipe_step import PipeStep
from .engine.tensor import is_symbolic


class Verb(PipeStep):
    """A pipe step that applies a function to whatever is on its left (`model | fit(x, y)`)."""

    def __init__(self, name, function, args, kwargs):
        self.name = name
        self.function = function
        self.args = args
        self.kwargs = kwargs

    def __call__(self, target):
        return self.function(target, *self.args, **self.kwargs)

    def __ror__(self, lhs):
        return self(lhs)

    def __repr__(self):
        return f"<pipe step {self.name}(...)>"


def _is_pipe_target(value):
    return isinstance(value, Model) or is_symbolic(value) or isinstance(value, np.ndarray)


def _indented(text, width=100):
    """`text` filled to `width` columns (words never broken), each line indented by four spaces. A greedy fill
    rather than `textwrap.fill`, which took a third of the ~100 constructors' docstrings at `import pipekeras`."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join("    " + line for line in lines + [line])


def constructor_doc(cls, name):
    """The docstring of the constructor `name` of layer class `cls`: the class's own, plus how it pipes.

    A class whose arguments are documented in its family's base class (the pooling or merge layers)
    gets them from there.
    """
    intro, sections = split(cls.__doc__)
    sections["Args"] = sections.get("Args") or inherited_section(cls, "Args")
    sections["Returns"] = _indented(
        f"A new `{cls.__name__}` layer. With a model, a symbolic tensor or an array as first argument (R's form, "
        f"`{name}(model, ...)`), the layer is applied to it at once and the result is returned instead: the "
        "model (modified in place), a new symbolic tensor, or an array.")
    sections["Raises"] = sections.get("Raises") or (
        "    ConfigError: for an invalid argument.\n"
        "    ShapeError: in R's form, when the input does not fit the layer.")
    return join(intro, sections)


def layer_constructor(cls, name=None):
    """Makes the snake_case constructor of a layer class (`dense` for `Dense`).

    Called with the usual arguments it returns the layer; called with a model, a symbolic tensor or an
    array first (R's form) it builds the layer and pipes it: `dense(model, 64)` is `model | dense(64)`.

    Args:
        cls: a `Layer` subclass.
        name: the constructor's name (default: the class name in snake_case).

    Returns:
        The constructor function, with the class's signature and a docstring made from the class's.

    Example:
        >>> my_layer = layer_constructor(MyLayer)
        >>> model = sequential() | dense(8, input_shape=4) | my_layer(units=2)
    """
    name = name or to_snake_case(cls.__name__)

    def construct(*args, **kwargs):
        if args and _is_pipe_target(args[0]):
            return args[0] | cls(*args[1:], **kwargs)
        return cls(*args, **kwargs)

    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = constructor_doc(cls, name)
    construct.__signature__ = _signature_without_self(cls.__init__)
    construct.layer_class = cls
    return construct


def verb(method_name, example, applies_to=None):
    """Makes a pipe verb (`compile`, `fit`, ...) that calls `target.<method_name>(...)`.

    `fit(model, x, y)` (R's form) applies at once; `fit(x, y)` returns a step for `model | fit(x, y)`.
    The verb's docstring is the method's, with the pipe form and `example` added.

    Args:
        method_name: the method the verb calls on its target.
        example: one line of code using the verb, for its docstring.
        applies_to: the tuple of types taken as the target when passed first (models by default); the
            first one documents the method.

    Returns:
        The verb function.

    Example:
        >>> freeze = verb("freeze", "model | freeze()")   # given a Model.freeze method
    """
    targets = applies_to or (Model,)

    def run(target, *args, **kwargs):
        method = getattr(target, method_name, None)
        if method is None:
            raise ArgumentTypeError(f"{method_name}: cannot be applied to a {type(target).__name__}.")
        return method(*args, **kwargs)

    step = function_step(method_name, run, targets)
    step.__doc__ = verb_doc(method_name, targets[0], example)
    step.__signature__ = _signature_without_self(getattr(targets[0], method_name))
    return step


def function_step(name, function, applies_to=(Layer,)):
    """Makes a pipe function from `function(target, ...)`: it runs at once when its first argument is a
    target, and is a pipe step otherwise.

    `function_step("freeze_weights", freeze)(model, to=2)` calls `freeze(model, to=2)`; without the model,
    `freeze_weights(to=2)` returns a `Verb` for `model | freeze_weights(to=2)`.

    Args:
        name: the function's name, shown in its repr and errors.
        function: called as `function(target, *args, **kwargs)`.
        applies_to: the tuple of types taken as the target when passed first (layers and models by default).

    Returns:
        The pipe function, with `function`'s docstring.
    """

    def step(*args, **kwargs):
        if args and isinstance(args[0], applies_to):
            return function(*args, **kwargs)
        return Verb(name, function, args, kwargs)

    step.__name__ = step.__qualname__ = name
    step.__doc__ = function.__doc__
    return step


def _signature_without_self(function):
    """The signature of a method as its pipe function shows it in `help()`: without `self`."""
    signature = inspect.signature(function)
    return signature.replace(parameters=[p for p in signature.parameters.values() if p.name != "self"])


def verb_doc(method_name, target_class, example):
    """The docstring of a verb: its method's, with the pipe form and an example."""
    method = getattr(target_class, method_name)
    intro, sections = split(method.__doc__)
    target = target_class.__name__.lower()
    usage = textwrap.fill(f"Pipe step: `{target} | {method_name}(...)` calls `{target}.{method_name}(...)`; in R's "
                          f"form, `{method_name}({target}, ...)` runs at once.", 100)
    sections["Example"] = f"    >>> {example}"
    return join(f"{intro}\n\n{usage}", sections)
