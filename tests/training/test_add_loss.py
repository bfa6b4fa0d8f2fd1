"""add_loss: losses added inside call (of a layer or a subclassed model) join the training loss with their
gradient, in a graph model trained by fit and in a subclassed model's default step; `losses` lists them."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import ops


class Penalized(pk.Layer):
    """A product whose output's squares are added to the loss."""

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1], 3), "glorot_uniform")

    def call(self, x):
        y = x @ self.w
        self.add_loss(0.1 * ops.square(y))  # summed to a scalar, as Keras does
        return y


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((8, 2)).astype(np.float32)


def _reference_step(dense_1, layer, dense_2, x, y, learning_rate):
    """One SGD step on mse + 0.1 * sum(p^2), differentiated by a tape over ops on the same variables."""
    weights = [dense_1.kernel, dense_1.bias, layer.w, dense_2.kernel, dense_2.bias]
    with pk.GradientTape() as tape:
        p = (x @ dense_1.kernel + dense_1.bias) @ layer.w
        loss = ops.mean(ops.square(p @ dense_2.kernel + dense_2.bias - y)) + 0.1 * ops.sum(ops.square(p))
    grads = tape.gradient(loss, weights)
    return float(ops.convert_to_numpy(loss)), [w.numpy() - learning_rate * g for w, g in zip(weights, grads)]


def test_a_layer_loss_trains_in_a_graph_model_with_its_gradient():
    pk.set_seed(0)
    x, y = _data()
    model = pk.sequential() | pk.dense(4, input_shape=4) | Penalized() | pk.dense(2)
    model.compile(optimizer=pk.optimizers.SGD(learning_rate=0.05), loss="mse")
    expected_loss, expected = _reference_step(*model.layers, x, y, 0.05)
    loss = model.train_on_batch(x, y)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    for a, b in zip(model.get_weights(), expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert len(model.losses) == 1 and model.losses[0] == pytest.approx(float(model.layers[1].losses[0]))


def test_a_subclassed_model_adds_losses_of_its_layers_and_its_own():
    class PenalizedModel(pk.Model):
        def __init__(self):
            super().__init__()
            self.first, self.penalized, self.last = pk.Dense(4), Penalized(), pk.Dense(2)

        def call(self, x):
            out = self.last(self.penalized(self.first(x)))
            self.add_loss(0.0 * ops.sum(out))  # the model's own, counted (zero here)
            return out

    pk.set_seed(0)
    x, y = _data()
    model = PenalizedModel()
    model(x)
    model.compile(optimizer=pk.optimizers.SGD(learning_rate=0.05), loss="mse")
    expected_loss, expected = _reference_step(model.first, model.penalized, model.last, x, y, 0.05)
    assert model.train_on_batch(x, y) == pytest.approx(expected_loss, rel=1e-5)
    for a, b in zip(model.get_weights(), expected):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_losses_hold_the_last_call_only():
    layer = Penalized()
    x, _ = _data()
    layer(x)
    layer(x[:2])
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.1 * float(np.sum((x[:2] @ layer.w.numpy()) ** 2)), rel=1e-5)
    model = pk.sequential() | pk.dense(4, input_shape=4) | Penalized()
    model.predict(x, batch_size=2)
    assert len(model.losses) == 1  # one per call, not one per batch of predict


def test_add_loss_refuses_what_is_not_a_value():
    class Bad(pk.Layer):
        def call(self, x):
            self.add_loss("big")
            return x

    with pytest.raises(pk.errors.ArgumentTypeError, match="add_loss expected a value computed with pipekeras.ops"):
        Bad()(np.ones((1, 2), np.float32))


class Sampling(pk.Layer):
    """The book's VAE (8.4) sampling layer with its KL term added as a loss (R's custom layer calling
    add_loss)."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        self.add_loss(-5e-4 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var)))
        return z_mean + ops.exp(z_log_var / 2) * ops.normal(ops.shape(z_mean), seed=1)


def test_the_books_vae_trains_with_its_kl_loss_added_in_a_layer():
    pk.set_seed(0)
    images = (np.random.default_rng(0).random((32, 8, 8, 1)) > 0.6).astype(np.float32)
    inputs = pk.Input(shape=(8, 8, 1))
    features = inputs | pk.conv_2d(4, 3, padding="same", activation="relu", strides=2) | pk.flatten()
    z = pk.Model(inputs, [features | pk.dense(2), features | pk.dense(2)])
    decoder = (pk.sequential() | pk.dense(4 * 4 * 4, "relu", input_shape=2) | pk.reshape((4, 4, 4))
               | pk.conv_2d_transpose(1, 3, strides=2, padding="same", activation="sigmoid"))

    class VAE(pk.Model):
        def __init__(self):
            super().__init__()
            self.encoder, self.sampling, self.decoder = z, Sampling(), decoder

        def call(self, x):
            return self.decoder(self.sampling(self.encoder(x)))

    vae = VAE()
    vae.compile(optimizer=pk.optimizers.RMSprop(learning_rate=0.01), loss="binary_crossentropy")
    history = vae.fit(images, images, epochs=4, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(vae.losses) == 1 and vae.predict(images[:3]).shape == (3, 8, 8, 1)
