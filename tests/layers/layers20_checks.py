"""Checks every layer of issue 20 goes through (imported by the tests/layers/test_layers20_*.py files)."""

import numpy as np

import pipekeras as pk
from pipekeras.engine.layer import recording


def check_layer(layer, input_shape, tmp_path, rng, grad_input=None):
    """The layer contract on one layer: its node's shapes and masks, its config round trip, its weights
    through .pkeras and Keras .keras files, and a float64 gradient check of a model around it.

    Args:
        layer: an unbuilt layer.
        input_shape: its input shape without the batch axis.
        tmp_path: a folder for the files.
        rng: a NumPy generator (random weights and inputs).
        grad_input: optional input for the gradient check (default: normal values).
    """
    inputs = pk.Input(shape=input_shape)
    outputs = inputs | layer
    assert layer.input is inputs and layer.output is outputs
    assert layer.get_input_at(0) is inputs and layer.get_output_at(0) is outputs
    assert layer.input_shape == (None,) + tuple(input_shape)
    assert layer.get_output_shape_at(0) == layer.output_shape == outputs.shape
    assert layer.input_mask is None and layer.get_output_mask_at(0) is None
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    model = pk.Model(inputs, outputs)
    model.set_weights([rng.normal(size=w.shape).astype("float32") for w in model.get_weights()])
    x = rng.normal(size=(3,) + tuple(input_shape)).astype("float32")
    expected = model.predict(x, verbose=0)
    for file in ("m.pkeras", "m.keras"):
        model.save(str(tmp_path / file))
        loaded = pk.load_model(str(tmp_path / file), safe_mode=False)  # our own file: no child process
        assert [type(l) for l in loaded.layers] == [type(l) for l in model.layers]
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)
    model.save_weights(str(tmp_path / "m.weights.h5"))
    fresh = pk.Model.from_config(model.get_config())
    fresh.load_weights(str(tmp_path / "m.weights.h5"), safe_mode=False)
    np.testing.assert_allclose(fresh.predict(x, verbose=0), expected, atol=1e-6)
    result = pk.check_gradients(model, rng.normal(size=(2,) + tuple(input_shape)) if grad_input is None
                                else grad_input)
    assert result, result
    return model


def masked_gradient_error(layer, x, mask, epsilon=1e-6):
    """The largest relative error between a layer's input gradient under a fixed `mask` and central
    differences, in float64 (check_gradients cannot hold a mask still: perturbing a masked entry of a Masking
    layer's input unmasks it)."""
    x = np.asarray(x, dtype=np.float64)
    projection = np.random.default_rng(0).normal(size=layer(x, mask=mask).shape)
    with recording():
        _, _, ctx = layer.forward_node(x, False, mask)
    analytic = layer.backward_node(ctx, projection)
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        shifted = [x.copy(), x.copy()]
        shifted[0][index] += epsilon
        shifted[1][index] -= epsilon
        values = [float((layer(s, mask=mask) * projection).sum()) for s in shifted]
        numeric[index] = (values[0] - values[1]) / (2 * epsilon)
    return float(np.max(np.abs(analytic - numeric)) / max(1.0, float(np.max(np.abs(numeric)))))
