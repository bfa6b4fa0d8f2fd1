"""R keras 2's image_data_generator with flow_images_from_directory / flow_images_from_data, as book chapter 5.2
writes them, on real MNIST digits written as PNGs."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConfigError
from pipekeras.r import (compile, fit_generator, flow_images_from_data, flow_images_from_directory,
                         generator_next, image_array_save, image_data_generator, keras_model_sequential,
                         layer_conv_2d, layer_dense, layer_flatten, layer_max_pooling_2d)


@pytest.fixture(scope="module")
def digit_folders(tmp_path_factory):
    (x, y), _ = pk.datasets.mnist.load_data()
    root = tmp_path_factory.mktemp("mnist_png")
    for label in (3, 7):
        (root / str(label)).mkdir()
        for i, index in enumerate(np.flatnonzero(y == label)[:50]):
            image_array_save(x[index][:, :, None], root / str(label) / f"{i}.png", scale=False)
    return root


def test_book_5_2_pipeline_as_written(digit_folders):
    train_datagen = image_data_generator(rescale=1 / 255, rotation_range=10, width_shift_range=0.1,
                                         height_shift_range=0.1, shear_range=5, zoom_range=0.1,
                                         horizontal_flip=False, fill_mode="nearest", validation_split=0.2)
    train_generator = flow_images_from_directory(digit_folders, train_datagen, target_size=(28, 28),
                                                 color_mode="grayscale", batch_size=16, class_mode="binary",
                                                 subset="training", seed=1)
    test_datagen = image_data_generator(rescale=1 / 255, validation_split=0.2)  # validation is not augmented
    validation_generator = flow_images_from_directory(digit_folders, test_datagen, target_size=(28, 28),
                                                      color_mode="grayscale", batch_size=20, class_mode="binary",
                                                      subset="validation", shuffle=False)
    batch = generator_next(train_generator)
    assert batch[0].shape == (16, 28, 28, 1) and batch[1].shape == (16, 1)
    assert 0.0 <= batch[0].min() and batch[0].max() <= 1.0
    assert train_generator.class_indices == {"3": 0, "7": 1} and train_generator.n == 80
    pk.set_seed(0)
    model = keras_model_sequential() | layer_conv_2d(filters=8, kernel_size=3, activation="relu",
                                                     input_shape=(28, 28, 1)) \
        | layer_max_pooling_2d(pool_size=2) | layer_flatten() | layer_dense(units=1, activation="sigmoid")
    model | compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
    history = model | fit_generator(train_generator, steps_per_epoch=5, epochs=12, validation_data=validation_generator,
                                    validation_steps=1, verbose=0)
    assert max(history.history["val_acc"]) >= 0.9


def test_flow_images_from_data_draws_repeat_with_the_seed_and_flip():
    x = np.random.default_rng(0).uniform(size=(10, 5, 6, 1))
    generator = image_data_generator(horizontal_flip=True, rotation_range=20)
    a = flow_images_from_data(x, np.arange(10), generator, batch_size=4, seed=3)
    b = flow_images_from_data(x, np.arange(10), generator, batch_size=4, seed=3)
    np.testing.assert_array_equal(a[1][0], b[1][0])
    np.testing.assert_array_equal(a[1][1], b[1][1])
    assert not np.allclose(a[0][0], x[a[0][1]])
    plain = flow_images_from_data(x, generator=image_data_generator(rescale=2.0), batch_size=3, shuffle=False)
    np.testing.assert_allclose(plain[0], 2 * x[:3])
    with pytest.raises(ConfigError, match="not supported"):
        image_data_generator(featurewise_center=True)
