"""The GAN of Deep Learning with R 8.5 (generator and discriminator for 32 x 32 x 3 images) through
pipekeras.r, each R line as the comment above its port; `layer_activation_leaky_relu()` as the book calls it."""

import numpy as np

from pipekeras.r import (compile, freeze_weights, keras_model, layer_activation_leaky_relu, layer_conv_2d,
                         layer_conv_2d_transpose, layer_dense, layer_dropout, layer_flatten, layer_input,
                         layer_reshape, optimizer_rmsprop)


def test_book_gan_builds_with_layer_activation_leaky_relu():
    # latent_dim <- 32; height <- 32; width <- 32; channels <- 3
    latent_dim, height, width, channels = 32, 32, 32, 3

    # generator_input <- layer_input(shape = c(latent_dim))
    generator_input = layer_input(shape=latent_dim)
    # generator_output <- generator_input %>%
    generator_output = generator_input | \
        layer_dense(units=128 * 16 * 16) | \
        layer_activation_leaky_relu() | \
        layer_reshape(target_shape=(16, 16, 128)) | \
        layer_conv_2d(filters=256, kernel_size=5, padding="same") | \
        layer_activation_leaky_relu() | \
        layer_conv_2d_transpose(filters=256, kernel_size=4, strides=2, padding="same") | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=256, kernel_size=5, padding="same") | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=256, kernel_size=5, padding="same") | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=channels, kernel_size=7, activation="tanh", padding="same")
    # generator <- keras_model(generator_input, generator_output)
    generator = keras_model(generator_input, generator_output)

    # discriminator_input <- layer_input(shape = c(height, width, channels))
    discriminator_input = layer_input(shape=(height, width, channels))
    # discriminator_output <- discriminator_input %>%
    discriminator_output = discriminator_input | \
        layer_conv_2d(filters=128, kernel_size=3) | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=128, kernel_size=4, strides=2) | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=128, kernel_size=4, strides=2) | \
        layer_activation_leaky_relu() | \
        layer_conv_2d(filters=128, kernel_size=4, strides=2) | \
        layer_activation_leaky_relu() | \
        layer_flatten() | \
        layer_dropout(rate=0.4) | \
        layer_dense(units=1, activation="sigmoid")
    # discriminator <- keras_model(discriminator_input, discriminator_output)
    discriminator = keras_model(discriminator_input, discriminator_output)

    # discriminator_optimizer <- optimizer_rmsprop(lr = 0.0008, clipvalue = 1.0)
    discriminator_optimizer = optimizer_rmsprop(lr=0.0008, clipvalue=1.0)
    # discriminator %>% compile(optimizer = discriminator_optimizer, loss = "binary_crossentropy")
    discriminator | compile(optimizer=discriminator_optimizer, loss="binary_crossentropy")

    # the book's summaries: 6,264,579 and 790,913 parameters; leaky relu with Keras's slope 0.3
    assert generator.output_shape == (None, 32, 32, 3) and generator.count_params() == 6264579
    assert discriminator.count_params() == 790913
    leaky = [layer for layer in generator.layers + discriminator.layers if type(layer).__name__ == "LeakyReLU"]
    assert len(leaky) == 9 and all(layer.negative_slope == 0.3 for layer in leaky)

    # freeze_weights(discriminator)
    freeze_weights(discriminator)
    # gan_input <- layer_input(shape = c(latent_dim))
    gan_input = layer_input(shape=latent_dim)
    # gan_output <- discriminator(generator(gan_input))
    gan_output = discriminator(generator(gan_input))
    # gan <- keras_model(gan_input, gan_output)
    gan = keras_model(gan_input, gan_output)
    # gan_optimizer <- optimizer_rmsprop(lr = 0.0004, clipvalue = 1.0)
    # gan %>% compile(optimizer = gan_optimizer, loss = "binary_crossentropy")
    gan | compile(optimizer=optimizer_rmsprop(lr=0.0004, clipvalue=1.0), loss="binary_crossentropy")
    assert gan.output_shape == (None, 1)
    assert sum(int(np.prod(w.shape)) for w in gan.trainable_weights) == 6264579
