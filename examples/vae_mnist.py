"""The book's variational autoencoder (Deep Learning with R, 8.4) on MNIST: a convolutional encoder to a 2-D
latent space, a sampling Lambda layer, a decoder with a transposed convolution, and the loss (reconstruction
cross-entropy plus KL divergence) written with pipekeras.ops in a Keras 3-style train_step. No gradient is
written by hand: the built-in layers use their fused backward, the rest is recorded on the GradientTape.

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
latent_dim = 2

(x_train, _), _ = mnist.load_data()
x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255
x_train = x_train[:128] if quick else x_train[:int(os.environ.get("PIPEKERAS_SAMPLES", len(x_train)))]
epochs = 2 if quick else int(os.environ.get("PIPEKERAS_EPOCHS", 10))

# Encoder: image -> (z_mean, z_log_var)
image = pk.Input(shape=(28, 28, 1))
features = (image
            | pk.conv_2d(32, 3, padding="same", activation="relu")
            | pk.conv_2d(64, 3, padding="same", activation="relu", strides=2)
            | pk.conv_2d(64, 3, padding="same", activation="relu")
            | pk.flatten()
            | pk.dense(32, "relu"))
encoder = pk.Model(image, [features | pk.dense(latent_dim), features | pk.dense(latent_dim)], name="encoder")


# The sampling layer: z = z_mean + exp(z_log_var) * epsilon, as the book writes it
def sampling(args):
    z_mean, z_log_var = args
    epsilon = ops.normal(ops.shape(z_mean), stddev=1.0)
    return z_mean + ops.exp(z_log_var) * epsilon


sample = pk.lambda_layer(sampling, name="sampling")

# Decoder: z -> image
decoder = (pk.sequential(name="decoder")
           | pk.dense(14 * 14 * 64, "relu", input_shape=latent_dim)
           | pk.reshape((14, 14, 64))
           | pk.conv_2d_transpose(32, 3, padding="same", activation="relu", strides=2)
           | pk.conv_2d(1, 3, padding="same", activation="sigmoid"))


class VAE(pk.Model):
    def __init__(self, encoder, sample, decoder):
        super().__init__()
        self.encoder, self.sample, self.decoder = encoder, sample, decoder

    def call(self, x):
        z_mean, z_log_var = self.encoder(x)
        return self.decoder(self.sample([z_mean, z_log_var]))

    def train_step(self, x):
        with pk.GradientTape() as tape:
            z_mean, z_log_var = self.encoder(x, training=True)
            decoded = self.decoder(self.sample([z_mean, z_log_var]), training=True)
            xent = ops.binary_crossentropy(ops.reshape(x, (-1, 784)), ops.reshape(decoded, (-1, 784)))
            kl = -5e-4 * ops.mean(1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)
            loss = ops.mean(xent + kl)
        grads = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"loss": loss, "reconstruction": ops.mean(xent), "kl": ops.mean(kl)}


vae = VAE(encoder, sample, decoder)
vae.compile(optimizer="rmsprop")
history = vae.fit(x_train, epochs=epochs, batch_size=32 if quick else 100, verbose=2)
losses = history.history["loss"]
print(f"loss by epoch: {[round(v, 4) for v in losses]}")

# The book's figure: decode a grid of points of the latent space (printed as mean intensities here)
grid = np.stack(np.meshgrid(np.linspace(-1.5, 1.5, 3), np.linspace(-1.5, 1.5, 3)), -1).reshape(-1, 2)
digits = decoder.predict(grid.astype("float32"), verbose=0)
print("decoded grid, mean pixel per digit:", np.round(digits.mean(axis=(1, 2, 3)), 3).tolist())
