"""A GAN with a custom train_step, with the structure of the book's GAN (Deep Learning with R, 8.5) on MNIST:
a generator from a latent vector (dense, reshape, transposed convolution up to 28 x 28), a convolutional
discriminator, and a training step that trains the discriminator on real and generated images (with noisy
labels), then the generator through the frozen discriminator ("adversarial" step). Written Keras 3's way: a
subclassed Model whose train_step uses a GradientTape per network and optimizer.apply_gradients; fit logs the
discriminator and generator losses.

Set PIPEKERAS_QUICK=1 for a short run on a slice of the data; PIPEKERAS_SAMPLES and PIPEKERAS_EPOCHS set the
training samples and epochs of a longer run (the full run's numbers are in benchmarks/NOTES.md).
"""

import os

import numpy as np

import pipekeras as pk
from pipekeras import ops
from pipekeras.datasets import mnist

quick = os.environ.get("PIPEKERAS_QUICK") == "1"
pk.set_seed(0)
latent_dim = 32

(x_train, _), _ = mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_train = x_train[:128] if quick else x_train[:int(os.environ.get("PIPEKERAS_SAMPLES", 20000))]
epochs = 1 if quick else int(os.environ.get("PIPEKERAS_EPOCHS", 5))

generator = (pk.sequential(name="generator")
             | pk.dense(7 * 7 * 64, input_shape=latent_dim)
             | pk.activation(lambda x: ops.leaky_relu(x, 0.2))
             | pk.reshape((7, 7, 64))
             | pk.conv_2d_transpose(64, 4, strides=2, padding="same")
             | pk.activation(lambda x: ops.leaky_relu(x, 0.2))
             | pk.conv_2d_transpose(32, 4, strides=2, padding="same")
             | pk.activation(lambda x: ops.leaky_relu(x, 0.2))
             | pk.conv_2d(1, 5, padding="same", activation="sigmoid"))

discriminator = (pk.sequential(name="discriminator")
                 | pk.conv_2d(32, 3, strides=2, padding="same", input_shape=(28, 28, 1))
                 | pk.activation(lambda x: ops.leaky_relu(x, 0.2))
                 | pk.conv_2d(64, 3, strides=2, padding="same")
                 | pk.activation(lambda x: ops.leaky_relu(x, 0.2))
                 | pk.flatten()
                 | pk.dropout(0.4)
                 | pk.dense(1, "sigmoid"))


class GAN(pk.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim

    def compile(self, d_optimizer, g_optimizer):
        super().compile(optimizer=d_optimizer)
        self.d_optimizer, self.g_optimizer = pk.optimizers.get(d_optimizer), pk.optimizers.get(g_optimizer)

    def call(self, z):
        return self.generator(z)

    def train_step(self, real_images):
        n = len(real_images)
        # 1. the discriminator, on generated (label 1) and real (label 0) images, labels with noise (as the book)
        generated = self.generator(ops.normal((n, self.latent_dim)))
        images = np.concatenate([generated, real_images])
        labels = np.concatenate([np.ones((n, 1)), np.zeros((n, 1))]).astype("float32")
        labels += 0.05 * ops.uniform(labels.shape)
        with pk.GradientTape() as tape:
            d_loss = ops.mean(ops.binary_crossentropy(labels, self.discriminator(images, training=True)))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
        # 2. the generator, through the discriminator, towards "real" (0); only the generator is updated
        misleading = np.zeros((n, 1), "float32")
        with pk.GradientTape() as tape:
            predictions = self.discriminator(self.generator(ops.normal((n, self.latent_dim)), training=True))
            g_loss = ops.mean(ops.binary_crossentropy(misleading, predictions))
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


gan = GAN(discriminator, generator, latent_dim)
gan.compile(d_optimizer=pk.optimizers.RMSprop(learning_rate=8e-4, clipvalue=1.0),
            g_optimizer=pk.optimizers.RMSprop(learning_rate=4e-4, clipvalue=1.0))
history = gan.fit(x_train, epochs=epochs, batch_size=32 if quick else 64, verbose=2)
print("d_loss by epoch:", [round(v, 4) for v in history.history["d_loss"]])
print("g_loss by epoch:", [round(v, 4) for v in history.history["g_loss"]])
samples = generator.predict(ops.normal((4, latent_dim)), verbose=0)
print("generated images:", samples.shape, "mean pixel", round(float(samples.mean()), 3))
