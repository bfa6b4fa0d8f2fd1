"""Layers without backward: a `call` written in pipekeras.ops trains (the layer runner records it on a tape);
built-in layers enter a user's GradientTape as one op each; sublayers and variables kept as attributes are
tracked; errors name the layer."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops
from pipekeras.errors import ArgumentTypeError


class OpsDense(pk.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "glorot_uniform")
        self.b = self.add_weight("b", (self.units,), "glorot_uniform")

    def call(self, x):
        return ops.tanh(x @ self.w + self.b)


class Block(pk.Layer):
    """A custom layer holding built-in layers and a variable as attributes."""

    def build(self, input_shape):
        self.first = pk.Dense(4, "relu")
        self.second = pk.Dense(3)
        self.scale = self.add_weight("scale", (3,), "ones")

    def call(self, x):
        return self.second(self.first(x)) * self.scale


def _data(n=16, d=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, 3))


def test_a_layer_without_backward_has_exact_gradients_between_built_in_layers():
    pk.backend.set_floatx("float64")
    try:
        model = pk.sequential() | pk.dense(6, "relu", input_shape=5) | OpsDense(4) | pk.dense(3)
        assert pk.check_gradients(model, _data()[0])
        assert pk.check_gradients(pk.sequential() | Block(input_shape=5), _data()[0])
    finally:
        pk.backend.set_floatx("float32")


def test_sublayers_and_variables_kept_as_attributes_are_counted_and_trained():
    pk.set_seed(0)
    model = pk.sequential() | Block(input_shape=5)
    assert model.count_params() == 5 * 4 + 4 + 4 * 3 + 3 + 3
    before = [w.copy() for w in model.get_weights()]
    x, y = _data()
    model.compile("sgd", "mse").fit(x.astype(np.float32), y.astype(np.float32), epochs=2, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


def test_a_user_tape_sees_a_model_as_one_op_and_matches_fit():
    pk.set_seed(1)
    model = pk.sequential() | pk.dense(6, "relu", input_shape=5) | OpsDense(4) | pk.dense(3)
    x, y = (a.astype(np.float32) for a in _data())
    with ops.GradientTape(persistent=True) as tape:
        loss = ops.mean(ops.mean_squared_error(y, model(x, training=True)))
    assert tape._nodes[0].name == model.name  # the model's fused backward, its custom layer's tape inside it
    grads = tape.gradient(loss, model.trainable_weights)
    model.compile("sgd", "mse")
    model.train_on_batch(x, y)  # fit's gradients, through the layer runner
    expected = [v.grad for v in model.trainable_weights]
    for got, want in zip(grads, expected):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_a_model_of_built_in_layers_records_nothing_outside_a_tape():
    model = pk.sequential() | pk.dense(3, input_shape=5)
    x = np.ones((2, 5), np.float32)
    assert type(model(x)) is np.ndarray and type(model.predict(x, verbose=0)) is np.ndarray


def test_a_numpy_call_in_a_recorded_call_names_the_layer_and_the_line():
    class Leaky(pk.Layer):
        def call(self, x):
            return ops.relu(np.tanh(np.mean(x, axis=0)) + x)

    model = pk.sequential() | Leaky(input_shape=5, name="leaky") | pk.dense(1)
    model.compile("sgd", "mse")
    with pytest.raises(ArgumentTypeError, match=r"'leaky' \(Leaky\): at .*test_custom_layers_autodiff.py:\d+ "
                                                r"\(return ops.relu\(np.tanh\(np.mean"):
        model.train_on_batch(np.ones((2, 5), np.float32), np.ones((2, 1), np.float32))


def test_a_layer_without_call_or_returning_the_wrong_structure_is_named():
    class NoCall(pk.Layer):
        pass

    class Wrong(pk.Layer):
        def call(self, x):
            return {"y": x}

    with pytest.raises(NotImplementedError, match=r"'no_call' \(NoCall\): has no call"):
        NoCall(name="no_call")(np.ones((2, 3)))
    with ops.GradientTape():
        with pytest.raises(ArgumentTypeError, match=r"'wrong' \(Wrong\): call\(\) returned a dict"):
            Wrong(name="wrong")(np.ones((2, 3)))


def test_built_in_layers_called_in_a_tape_enter_it_as_one_op_each():
    pk.set_seed(2)
    first, custom, last = pk.Dense(6, "relu"), OpsDense(4), pk.Dense(3)
    x = _data()[0].astype(np.float32)
    with ops.GradientTape(persistent=True) as tape:
        out = ops.sum(last(custom(first(x))))
    assert [node.name for node in tape._nodes] == [first.name, "matmul", "add", "tanh", last.name, "sum"]
    grads = tape.gradient(out, [first.kernel, custom.w, last.bias])
    np.testing.assert_allclose(grads[2], np.full(3, len(x)), rtol=1e-6)
    assert all(g is not None and np.abs(g).sum() > 0 for g in grads)


def test_a_user_class_named_like_a_built_in_does_not_replace_it_when_loading(tmp_path):
    model = pk.sequential() | pk.dense(3, input_shape=(4,)) | pk.dense(1)
    path = tmp_path / "m.pkeras"
    model.save(path)

    class Dense(pk.Layer):  # a user's own class that happens to share Keras's name
        def call(self, inputs):
            return inputs

    loaded = pk.load_model(path)
    assert type(loaded.layers[0]) is pk.layers.Dense and type(loaded.layers[0]) is not Dense
    x = np.ones((2, 4), np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
