"""The arrows of the graph core, the pipe, saving and utils (docs/architecture.md, "Layers of the house").

Read from the source with `ast`, function-local imports included:

- the graph core (`engine/` without the training modules) never imports the pipe or `pipekeras.r`, and
  imports saving only once, inside a function (`Model.save` and its siblings): the one allowed upward arrow;
- the graph core has no other function-local import;
- saving's modules form no cycle, and nothing in utils imports the graph core;
- no import cycle passes through the pipe, `pipekeras.r`, saving or utils.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "pipekeras"
# engine/ modules that belong to the training loop (they move to pipekeras/training/).
TRAINING = {"pipekeras.engine.training", "pipekeras.engine.data", "pipekeras.engine.dense_stack",
            "pipekeras.engine.interrupt"}
ALLOWED_UPWARD = ("pipekeras.engine.functional", "pipekeras.saving")


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _targets(module, node, is_package):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("pipekeras")]
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[:len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    if not prefix.startswith("pipekeras"):
        return []
    return [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix for alias in node.names]


def _imports(module):
    """[(imported module, inside a function?)] for every import statement of `module`."""
    path = MODULES[module]
    found = []

    def walk(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, in_function) for t in _targets(module, child, path.name == "__init__.py"))
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)))

    walk(ast.parse(path.read_text()), False)
    return [(target, local) for target, local in found if target in MODULES and target != module]


GRAPH = {module: _imports(module) for module in MODULES}
GRAPH_CORE = sorted(m for m in MODULES if m.startswith("pipekeras.engine") and m not in TRAINING)


def _is_in(module, part):
    return module == part or module.startswith(part + ".")


@pytest.mark.parametrize("module", GRAPH_CORE)
def test_graph_core_never_imports_the_pipe_or_r(module):
    bad = [t for t, _ in GRAPH[module] if _is_in(t, "pipekeras.pipe") or _is_in(t, "pipekeras.r")]
    assert not bad


@pytest.mark.parametrize("module", GRAPH_CORE)
def test_graph_core_reaches_saving_only_through_the_one_lazy_import(module):
    saving = [(t, local) for t, local in GRAPH[module] if _is_in(t, "pipekeras.saving")]
    assert saving == ([(ALLOWED_UPWARD[1], True)] if module == ALLOWED_UPWARD[0] else [])


@pytest.mark.parametrize("module", GRAPH_CORE)
def test_graph_core_imports_at_module_level(module):
    local = [t for t, is_local in GRAPH[module] if is_local and (module, t) != ALLOWED_UPWARD]
    assert not local


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _is_in(m, "pipekeras.utils")))
def test_utils_never_import_the_graph_core(module):
    assert not [t for t, _ in GRAPH[module] if _is_in(t, "pipekeras.engine")]


def _cycles(graph):
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return components


def _arrows(modules):
    return {m: {t for t, _ in GRAPH[m] if t in modules and (m, t) != ALLOWED_UPWARD} for m in modules}


def test_saving_modules_form_no_cycle():
    saving = {m for m in MODULES if _is_in(m, "pipekeras.saving")}
    assert _cycles(_arrows(saving)) == []


def test_no_cycle_passes_through_the_pipe_r_saving_or_utils():
    parts = ("pipekeras.pipe", "pipekeras.r", "pipekeras.saving", "pipekeras.utils")
    for component in _cycles(_arrows(set(MODULES))):
        assert not [m for m in component if any(_is_in(m, part) for part in parts)], sorted(component)
