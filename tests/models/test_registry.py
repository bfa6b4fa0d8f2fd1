"""The one name lookup (pipekeras/registry.py) behind layer classes, activations, losses, metrics, optimizers,
initializers, regularizers and constraints."""

import pytest

import pipekeras as pk
from pipekeras import activations, constraints, initializers, losses, metrics, optimizers, regularizers
from pipekeras.engine.layer import get_layer_class, registered_layer_names
from pipekeras.errors import ConfigError
from pipekeras.registry import Registry


class Base:
    pass


def test_register_lookup_find_and_get():
    registry = Registry("widget", Base)

    @registry.register("round_widget", "rw")
    class RoundWidget(Base):
        def __init__(self, size=1):
            self.size = size

        def get_config(self):
            return {"size": self.size}

    assert registry.lookup("rw") is registry.lookup("RoundWidget") is RoundWidget
    assert registry.find("nope") is None
    assert registry.names() == ["round_widget", "rw"] and registry.class_names() == ["RoundWidget"]
    assert registry.get("round_widget").size == 1
    assert registry.get({"class_name": "RoundWidget", "config": {"size": 3}}).size == 3
    assert registry.serialize(registry.get("rw", size=2)) == {"class_name": "RoundWidget", "config": {"size": 2}}
    with pytest.raises(ConfigError, match="Unknown widget 'round_widgit'.*Did you mean 'round_widget'"):
        registry.lookup("round_widgit")
    square = registry.add(object(), "square")
    assert registry.lookup("square") is square


@pytest.mark.parametrize("module, name, typo", [
    (activations, "relu", "rleu"), (losses, "mse", "msee"), (metrics, "mae", "maee"),
    (optimizers, "adam", "adamm"), (initializers, "glorot_uniform", "glorot_unifrom"),
    (regularizers, "l2", "l22"), (constraints, "max_norm", "max_nrom"),
])
def test_every_kind_looks_names_up_through_a_registry(module, name, typo):
    assert isinstance(module._REGISTRY, Registry)
    assert module.get(name) is not None
    with pytest.raises(ConfigError, match=f"Did you mean '{name}'"):
        module.get(typo)


def test_keras_aliases_still_resolve():
    assert activations.get("swish") is activations.silu
    assert activations.get(None) is activations.linear
    assert metrics.get("acc", loss=losses.get("binary_crossentropy")).name == "acc"
    assert type(optimizers.get("Adam")) is optimizers.Adam
    assert type(losses.get("mse")) is type(losses.get("mean_squared_error"))


def test_layer_classes_are_registered_for_saving():
    assert get_layer_class("Dense") is pk.layers.Dense
    assert get_layer_class("Densse") is None
    assert "LSTM" in registered_layer_names()

    class MyOwnLayer(pk.Layer):
        pass

    assert get_layer_class("MyOwnLayer") is MyOwnLayer
