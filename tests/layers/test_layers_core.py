"""Every layer of the foundation: shapes, gradients (float64 finite differences), configs, weights."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.serialization import deserialize_layer, serialize_layer

# (constructor, input shape(s) without batch, expected output shape without batch)
CASES = {
    "dense": (lambda: pk.dense(5, "tanh"), (4,), (5,)),
    "dense_rank3": (lambda: pk.dense(3, "sigmoid", use_bias=False), (2, 4), (2, 3)),
    "dense_linear": (lambda: pk.dense(2), (3,), (2,)),
    "activation_softmax": (lambda: pk.activation("softmax"), (4,), (4,)),
    "activation_elu": (lambda: pk.activation("elu"), (2, 3), (2, 3)),
    "dropout": (lambda: pk.dropout(0.3), (4,), (4,)),
    "flatten": (lambda: pk.flatten(), (2, 3, 2), (12,)),
    "reshape": (lambda: pk.reshape((3, -1)), (6,), (3, 2)),
    "permute": (lambda: pk.permute((2, 1)), (2, 3), (3, 2)),
    "repeat_vector": (lambda: pk.repeat_vector(3), (4,), (3, 4)),
    "add": (lambda: pk.add(), [(3,), (3,), (3,)], (3,)),
    "subtract": (lambda: pk.subtract(), [(3,), (3,)], (3,)),
    "multiply": (lambda: pk.multiply(), [(2, 3), (2, 3)], (2, 3)),
    "average": (lambda: pk.average(), [(3,), (3,)], (3,)),
    "maximum": (lambda: pk.maximum(), [(3,), (3,)], (3,)),
    "minimum": (lambda: pk.minimum(), [(3,), (3,)], (3,)),
    "concatenate": (lambda: pk.concatenate(axis=1), [(2, 3), (4, 3)], (6, 3)),
    "dot": (lambda: pk.dot(axes=1), [(4,), (4,)], (1,)),
    "dot_normalized": (lambda: pk.dot(axes=(2, 2), normalize=True), [(2, 3), (4, 3)], (2, 4)),
}


def _inputs(shapes, rng, batch=3):
    if isinstance(shapes, list):
        return [rng.standard_normal((batch,) + s) for s in shapes]
    return rng.standard_normal((batch,) + shapes)


@pytest.mark.parametrize("case", sorted(CASES))
def test_output_shapes_symbolic_and_eager(case, rng):
    make, in_shape, out_shape = CASES[case]
    layer = make()
    if isinstance(in_shape, list):
        symbolic = [pk.Input(shape=s) for s in in_shape] | layer
    else:
        symbolic = pk.Input(shape=in_shape) | layer
    assert symbolic.shape == (None,) + out_shape
    assert layer.output_shape == (None,) + out_shape
    eager = layer(_inputs(in_shape, rng))
    assert eager.shape == (3,) + out_shape


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradients_match_finite_differences(case, rng):
    make, in_shape, _ = CASES[case]
    result = pk.check_gradients(make(), _inputs(in_shape, rng))
    assert result.ok, result


def test_dropout_gradient_in_training_mode_uses_the_same_mask(rng):
    layer = pk.dropout(0.5, seed=3)
    x = rng.standard_normal((4, 6))
    layer(x)
    from pipekeras.engine.layer import recording

    with recording():
        y, _, ctx = layer.forward_node(x, True, None)
    grad = layer.backward_node(ctx, np.ones_like(y))
    np.testing.assert_array_equal(grad != 0, y != 0)
    assert set(np.unique(np.round(grad, 6))) <= {0.0, 2.0}


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_round_trip(case, rng):
    make, in_shape, _ = CASES[case]
    layer = make()
    layer(_inputs(in_shape, rng))
    clone = deserialize_layer(serialize_layer(layer))
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    clone_from_class = type(layer).from_config(layer.get_config())
    assert clone_from_class.get_config() == layer.get_config()


@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_round_trip(case, rng):
    make, in_shape, _ = CASES[case]
    x = _inputs(in_shape, rng)
    source, target = make(), make()
    source(x)
    target(x)
    target.set_weights(source.get_weights())
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(source(x), target(x))
    assert source.count_params() == sum(w.size for w in source.get_weights())


def test_dense_matches_the_formula_in_float64(rng):
    layer = pk.dense(3, "relu", dtype="float64")
    x = rng.standard_normal((4, 5))
    y = layer(x)
    kernel, bias = layer.get_weights()
    np.testing.assert_allclose(y, np.maximum(x @ kernel + bias, 0), rtol=1e-12)
    assert kernel.dtype == np.float64


def test_dense_regularizers_and_constraints_are_kept():
    layer = pk.dense(2, kernel_regularizer=pk.regularizers.l2(0.01), kernel_constraint=pk.constraints.non_neg(),
                     activity_regularizer=pk.regularizers.l1(0.1))
    layer(np.ones((1, 3), "float32"))
    assert layer.kernel.regularizer is not None
    assert layer.constraints == {layer.kernel: layer.kernel_constraint}
    assert len(layer.losses) == 1
    config = layer.get_config()
    clone = pk.Dense.from_config(config)
    assert clone.get_config() == config


def test_dense_trains_with_activity_regularizer_gradient(rng):
    inputs = pk.Input(shape=3)
    model = pk.Model(inputs, inputs | pk.dense(2, "tanh", activity_regularizer=pk.regularizers.l2(0.5)))
    assert pk.check_gradients(model, rng.standard_normal((4, 3)))
