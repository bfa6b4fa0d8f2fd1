"""runtime.jit: pipekeras's compiled functions are cached under a stamp of every compiled source file, so an
edit of one file (a new activation in compute/activation_table.py) recompiles the functions of the others."""

import numpy as np
from numba import njit

from pipekeras.compute import activations
from pipekeras.runtime import jit


def _locator(dispatcher):
    return dispatcher._cache._impl._locator


def test_pipekeras_functions_are_stamped_with_every_compiled_source():
    activations.bias_activation(np.ones((2, 3), np.float32), np.zeros(3, np.float32))
    locator = _locator(activations.bias_activation_serial)
    assert type(locator).__name__.startswith("Pipekeras")
    assert locator.get_source_stamp()[1] == jit.compiled_sources_digest()


@njit(cache=True)
def _outside(x):
    return x + 1


def test_functions_outside_pipekeras_keep_numbas_locators():
    assert _outside(1) == 2
    assert not type(_locator(_outside)).__name__.startswith("Pipekeras")


def test_the_digest_changes_with_any_compiled_source(tmp_path, monkeypatch):
    for part in ("compute", "runtime"):
        (tmp_path / part).mkdir()
        for path in (jit._PACKAGE / part).glob("*.py"):
            (tmp_path / part / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(jit, "_PACKAGE", tmp_path)
    jit.compiled_sources_digest.cache_clear()
    try:
        before = jit.compiled_sources_digest()
        table = tmp_path / "compute" / "activation_table.py"
        table.write_text(table.read_text() + "\n# a new activation\n")
        jit.compiled_sources_digest.cache_clear()
        assert jit.compiled_sources_digest() != before
    finally:
        monkeypatch.undo()
        jit.compiled_sources_digest.cache_clear()
