"""R names of the ops and of custom layers: op_*, k_*, tf$GradientTape, layer_lambda, new_layer_class, and an
uncalled loss_* alias given to compile."""

import numpy as np

import pipekeras as pk
import pipekeras.r as r
from pipekeras import losses, ops


def test_op_and_k_names_are_the_ops_with_python_axes():
    x = np.arange(6.0).reshape(2, 3)
    assert r.op_sum is ops.sum and r.k_mean is ops.mean and r.k_pow is ops.power
    np.testing.assert_array_equal(r.k_sum(x, axis=0), [3.0, 5.0, 7.0])  # axis 0: the first axis, as Python
    np.testing.assert_array_equal(r.k_argmax(x), [2, 2])  # R keras's k_argmax: the last axis by default
    np.testing.assert_array_equal(r.k_gather(x, [1]), x[[1]])
    with r.GradientTape() as tape:
        w = tape.watch(x)
        y = r.k_sum(r.k_square(w))
    np.testing.assert_allclose(tape.gradient(y, w), 2 * x)


def test_an_uncalled_loss_alias_is_the_built_in_loss():
    assert type(losses.get(r.loss_binary_crossentropy)) is losses.BinaryCrossentropy
    model = r.keras_model_sequential() | r.layer_dense(units=1, activation="sigmoid", input_shape=3)
    model.compile(optimizer="sgd", loss=r.loss_binary_crossentropy)
    assert type(model.loss_functions[0]) is losses.BinaryCrossentropy


def test_layer_lambda_and_new_layer_class_train():
    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], self.units), "glorot_uniform")

    def initialize(self, units):
        self.units = units

    Scaled = r.new_layer_class("Scaled", initialize=initialize, build=build, call=lambda self, x: r.k_tanh(x @ self.w))
    pk.set_seed(0)
    model = (r.keras_model_sequential() | Scaled(4, input_shape=3)
             | r.layer_lambda(lambda x: r.op_square(x) * 0.5) | r.layer_dense(units=1))
    assert model.layers[0].units == 4 and model.count_params() == 12 + 5
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    y = x[:, :1] ** 2
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_new_model_class_with_a_train_step():
    def initialize(self, units):
        self.hidden = r.layer_dense(units=units, activation="tanh")
        self.out = r.layer_dense(units=1)

    def train_step(self, data):
        x, y = data
        with r.GradientTape() as tape:
            loss = r.k_mean(r.k_square(self(x) - y))
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"loss": loss}

    Net = r.new_model_class("Net", initialize=initialize, call=lambda self, x: self.out(self.hidden(x)),
                            train_step=train_step)
    pk.set_seed(0)
    model = Net(4, name="net")
    model.compile(optimizer="adam")
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    history = model.fit(x, x[:, :1], epochs=3, batch_size=8, verbose=0)
    assert model.name == "net" and len(model.layers) == 2 and len(history.history["loss"]) == 3
