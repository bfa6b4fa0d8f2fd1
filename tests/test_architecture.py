"""The architecture of docs/architecture.md ("Layers of the house"), enforced over the package's imports.

Read from the source with `ast`, imports inside functions included:

- each part never imports the parts above it (the FORBIDDEN table below mirrors the doc's);
- the top-level parts form no import cycle, counting every arrow but the one the doc allows to point up
  (`Model.save` and its siblings import saving when they run);
- an import of pipekeras inside a function is listed, with its reason, in the doc's "Imports inside
  functions" table (and every row there still exists).
"""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipekeras"
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text()

# part -> the parts it must never import, directly or through another module.
FORBIDDEN = {
    "runtime": {"compute", "autodiff", "ops", "engine", "layers", "models", "training", "saving", "pipe", "r",
                "callbacks", "utils", "datasets"},
    "compute": {"autodiff", "ops", "engine", "layers", "models", "training", "saving", "pipe", "r", "callbacks"},
    "autodiff": {"ops", "engine", "layers", "models", "training", "saving", "pipe", "r", "callbacks"},
    "ops": {"engine", "layers", "models", "training", "saving", "pipe", "r", "callbacks"},
    "engine": {"layers", "models", "training", "saving", "pipe", "r", "callbacks"},
    "layers": {"models", "training", "saving", "pipe", "r", "callbacks"},
    "training": {"models", "saving", "pipe", "r", "layers"},
    "models": {"pipe", "r"},
    "saving": {"pipe", "r"},
    "applications": {"pipe", "r"},
    "utils": {"engine", "layers", "models", "training", "saving", "pipe", "r"},
    "distribution": {"engine", "layers", "models", "training", "saving", "pipe", "r"},
    "tuning": {"engine", "layers", "models", "training", "saving", "pipe", "r"},
}
ALLOWED_UPWARD = {("pipekeras.models.functional", "pipekeras.saving")}


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _targets(module, node, is_package):
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith("pipekeras")]
    base = module.split(".") if is_package else module.split(".")[:-1]
    prefix = ".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else [])) if node.level \
        else node.module or ""
    if not prefix.startswith("pipekeras"):
        return []
    return [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix for alias in node.names]


def _imports(module):
    """[(imported module, the function it is imported in or None)] for every import in `module`."""
    path, found = MODULES[module], []

    def walk(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((t, function) for t in _targets(module, child, path.name == "__init__.py"))
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            walk(child, function or inner)

    walk(ast.parse(path.read_text()), None)
    return [(target, function) for target, function in found if target in MODULES and target != module]


IMPORTS = {module: _imports(module) for module in MODULES}


def _part(module):
    return module.split(".")[1] if module.count(".") else "__init__"


def _reachable(start_modules):
    """Every module reachable from `start_modules` by imports, with the chain that reaches it."""
    chains = {m: [m] for m in start_modules}
    todo = list(start_modules)
    while todo:
        module = todo.pop()
        for target, _ in IMPORTS[module]:
            if target not in chains and (module, target) not in ALLOWED_UPWARD:
                chains[target] = chains[module] + [target]
                todo.append(target)
    return chains


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_a_part_never_imports_the_parts_above_it(part):
    chains = _reachable([m for m in MODULES if _part(m) == part])
    bad = sorted(" -> ".join(chain) for module, chain in chains.items() if _part(module) in FORBIDDEN[part])
    assert not bad, f"{part} must not import {sorted(FORBIDDEN[part])}:\n" + "\n".join(bad)


def test_the_top_level_parts_form_no_cycle():
    parts = {_part(m) for m in MODULES} - {"__init__"}
    arrows = {p: set() for p in parts}
    for module, imports in IMPORTS.items():
        for target, _ in imports:
            if {_part(module), _part(target)} <= parts and _part(target) != _part(module) and \
                    (module, target) not in ALLOWED_UPWARD:
                arrows[_part(module)].add(_part(target))
    assert [sorted(c) for c in _cycles(arrows)] == []


def _cycles(graph):
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _documented_local_imports():
    section = ARCHITECTURE.split("## Imports inside functions", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([\w.]+)` \| `([\w.]+)` \|", section, re.M))


def _local_imports():
    return {(module, target) for module, imports in IMPORTS.items() for target, function in imports if function}


def test_every_import_inside_a_function_has_its_reason_in_the_architecture_doc():
    missing = sorted(_local_imports() - _documented_local_imports())
    assert not missing, "add a row with the reason to docs/architecture.md, 'Imports inside functions': " + \
        ", ".join(f"{a} -> {b}" for a, b in missing)


def test_the_architecture_doc_lists_no_import_that_is_gone():
    assert sorted(_documented_local_imports() - _local_imports()) == []


def test_a_forbidden_arrow_is_caught():
    """The check itself: an import of the pipe from the graph core would be reported."""
    IMPORTS["pipekeras.engine.layer"].append(("pipekeras.pipe", None))
    try:
        assert "pipekeras.pipe" in _reachable([m for m in MODULES if _part(m) == "engine"])
    finally:
        IMPORTS["pipekeras.engine.layer"].pop()
