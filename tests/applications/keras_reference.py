"""What tests/fixtures/make_application_fixtures.py recorded from Keras 3.15.1 (see that script)."""

import importlib.util
import json
import os

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "applications")
with open(os.path.join(FIXTURES, "structure.json")) as _f:
    STRUCTURE = json.load(_f)["applications"]
PREDICTIONS = np.load(os.path.join(FIXTURES, "predictions.npz"))
_spec = importlib.util.spec_from_file_location("application_variants",
                                               os.path.join(FIXTURES, "..", "application_variants.py"))
_variants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_variants)
MODES, SMALL = _variants.MODES, _variants.SMALL


def layer_table(model):
    """[name, class name, [weight shapes]] per layer in model order, as the fixture lists Keras's."""
    return [[layer.name, type(layer).__name__, [list(w.shape) for w in layer.weights]] for layer in model.layers]


def keras_table(app):
    return STRUCTURE[app]["layers"]

