"""The README's tables match the code."""

import pathlib
import re

import pytest

import pipekeras as pk
from pipekeras.layers import CONSTRUCTORS

README = (pathlib.Path(__file__).parents[2] / "README.md").read_text()
NAMES_IN_README = set(re.findall(r"`([A-Za-z_0-9]+)`", README))


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_every_layer_constructor_is_in_the_readme(name):
    assert name in NAMES_IN_README
    assert callable(getattr(pk, name))


@pytest.mark.parametrize("name", pk.optimizers.names())
def test_every_optimizer_is_in_the_readme(name):
    assert name in NAMES_IN_README


@pytest.mark.parametrize("name", [c for c in pk.callbacks.__all__ if c not in ("CallbackList", "ProgbarLogger", "History")])
def test_every_callback_is_in_the_readme(name):
    assert name in NAMES_IN_README


def test_quick_start_is_two_commands():
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
