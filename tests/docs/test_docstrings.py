"""Every public name of pipekeras has a Keras-style docstring: a one-line summary, Args when it takes
arguments, Returns when it returns a value, Raises when its own code raises, and an Example."""

import ast
import inspect
import textwrap

import pytest

import pipekeras as pk
from pipekeras.docstrings import inherited_section, split
from pipekeras.layers import CONSTRUCTORS

LAYER_CLASSES = set(CONSTRUCTORS.values())
VERBS = ["compile", "fit", "evaluate", "predict", "predict_on_batch", "train_on_batch", "test_on_batch", "summary",
         "plot"]
PUBLIC = sorted(name for name in dir(pk) if not name.startswith("_") and callable(getattr(pk, name))
                and not inspect.isclass(getattr(pk, name)) or name in {"Model", "Sequential", "Layer", "InputSpec",
                                                                       "Callback", "History"})


def _takes_arguments(obj):
    function = obj.__init__ if inspect.isclass(obj) else obj
    return any(p.name != "self" for p in inspect.signature(function).parameters.values())


def _own_statements(function):
    """The statements of `function`'s own body, nested functions and classes left out (none if generated)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function))).body[0]
    except (OSError, TypeError):
        return []
    statements, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        statements.append(node)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))
    return statements


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_has_a_keras_style_docstring(name):
    obj = getattr(pk, name)
    intro, sections = split(obj.__doc__)
    assert intro and intro.splitlines()[0].strip(), f"{name}: no one-line summary"
    assert sections.get("Example"), f"{name}: no Example section"
    if _takes_arguments(obj):
        assert sections.get("Args"), f"{name}: takes arguments but has no Args section"
    if inspect.isfunction(obj) and name not in CONSTRUCTORS and name not in VERBS:
        statements = _own_statements(obj)
        if any(isinstance(node, ast.Return) and node.value is not None for node in statements):
            assert sections.get("Returns"), f"{name}: returns a value but has no Returns section"
        if any(isinstance(node, ast.Raise) and node.exc is not None for node in statements):
            assert sections.get("Raises"), f"{name}: raises but has no Raises section"


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_layer_constructor_doc_is_complete(name):
    constructor = getattr(pk, name)
    assert constructor.__name__ == name
    intro, sections = split(constructor.__doc__)
    assert intro.splitlines()[0] == split(CONSTRUCTORS[name].__doc__)[0].splitlines()[0]
    assert set(sections) >= {"Args", "Returns", "Raises", "Example"}, f"{name}: {sorted(sections)}"
    assert f"A new `{CONSTRUCTORS[name].__name__}` layer" in sections["Returns"]
    assert ">>>" in sections["Example"]


@pytest.mark.parametrize("cls", sorted(LAYER_CLASSES, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_layer_class_documents_its_arguments_and_an_example(cls):
    assert split(cls.__doc__)[1].get("Example"), f"{cls.__name__}: no Example"
    # arguments shared by a family (pool_size, ...) are documented once, in the family's base class
    assert inherited_section(cls, "Args") != inherited_section(pk.Layer, "Args") or cls.__init__ is pk.Layer.__init__


def test_family_arguments_reach_the_constructor():
    args = split(pk.average_pooling_1d.__doc__)[1]["Args"]
    assert "pool_size:" in args and "strides:" in args and "padding:" in args
    assert split(pk.add.__doc__)[1]["Args"].strip() == "**kwargs: name, trainable, dtype."


@pytest.mark.parametrize("name", VERBS)
def test_verb_doc_is_its_method_doc_with_the_pipe_form(name):
    verb = getattr(pk, name)
    target = pk.History if name == "plot" else pk.Model
    method_intro, method_sections = split(getattr(target, name).__doc__)
    intro, sections = split(verb.__doc__)
    assert intro.startswith(method_intro)
    assert f"`{target.__name__.lower()} | {name}(...)`" in intro
    assert sections["Args"] == method_sections["Args"]
    assert sections["Example"].strip().startswith(">>> ")


def test_help_on_dense_shows_how_to_use_it():
    text = pk.dense.__doc__
    for expected in ("units:", "activation:", "Returns:", "dense(model, ...)", "Raises:", "ConfigError",
                     '>>> model = sequential() | dense(512, "relu", input_shape=784)'):
        assert expected in text


def test_verbs_show_their_method_signature_in_help():
    assert list(inspect.signature(pk.fit).parameters)[:4] == ["x", "y", "batch_size", "epochs"]
    assert "self" not in inspect.signature(pk.compile).parameters
    assert list(inspect.signature(pk.dense).parameters)[:2] == ["units", "activation"]
