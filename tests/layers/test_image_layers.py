"""Image preprocessing and augmentation layers: values, training-only randomness with seeds, exact gradients
(central differences in float64), configs and saving."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import (center_crop, check_gradients, compile, conv_2d, dense, flatten, random_contrast, random_crop,
                       random_flip, random_rotation, random_translation, random_zoom, rescaling, resizing,
                       sequential)
from pipekeras.errors import ConfigError, ShapeError
from pipekeras.layers import RandomRotation, Resizing


@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(0, 255, size=(2, 6, 8, 3))


def test_rescaling_resizing_and_center_crop_values(images):
    np.testing.assert_allclose(rescaling(1 / 255, offset=-1)(images), images / 255 - 1)
    np.testing.assert_allclose(resizing(6, 8)(images), images)  # same size: unchanged
    row = np.array([[0.0, 4.0]])[None, :, :, None]  # 1x2 image -> 1x4, half-pixel centers
    np.testing.assert_allclose(resizing(1, 4)(row)[0, 0, :, 0], [0, 1, 3, 4])
    np.testing.assert_array_equal(resizing(3, 4, interpolation="nearest")(images)[0, :, :, 0],
                                  images[0, 1::2, 1::2, 0])  # half-pixel centers: rows 1, 3, 5
    assert resizing(4, 4, crop_to_aspect_ratio=True)(images).shape == (2, 4, 4, 3)
    np.testing.assert_array_equal(center_crop(2, 4)(images), images[:, 2:4, 2:6])
    with pytest.raises(ShapeError, match="cannot crop 6x8 images to 7x8"):
        center_crop(7, 8)(images)


@pytest.mark.parametrize("make", [
    lambda: resizing(4, 5), lambda: resizing(9, 11), lambda: center_crop(3, 5), lambda: rescaling(0.5, 1.0),
    lambda: random_rotation((0.1, 0.1), fill_mode="constant"), lambda: random_zoom((0.3, 0.3)),
    lambda: random_translation((0.2, 0.2), (-0.1, -0.1), fill_mode="wrap"),
])
def test_gradients_are_exact(make, images):
    result = check_gradients(make(), images / 255, training=True)
    assert result, result


def test_random_layers_change_images_only_in_training_and_repeat_with_a_seed(images):
    for make in (lambda: random_flip(seed=1), lambda: random_rotation(0.2, seed=1), lambda: random_zoom(0.3, seed=1),
                 lambda: random_translation(0.3, 0.3, seed=1), lambda: random_contrast(0.5, seed=1)):
        layer = make()
        np.testing.assert_array_equal(layer(images), images)
        first = layer(images, training=True)
        assert not np.allclose(first, images)
        np.testing.assert_array_equal(make()(images, training=True), first)
    cropped = random_crop(4, 4, seed=0)
    assert cropped(images, training=True).shape == (2, 4, 4, 3)
    np.testing.assert_array_equal(cropped(images), images[:, 1:5, 2:6])


def test_flip_and_rotation_by_a_half_turn():
    image = np.arange(12.0).reshape(1, 3, 4, 1)
    turned = random_rotation((0.5, 0.5), interpolation="nearest")(image, training=True)
    np.testing.assert_allclose(turned, image[:, ::-1, ::-1])
    flipped = random_flip("horizontal", seed=3)(np.repeat(image, 20, axis=0), training=True)
    assert {tuple(f[0, :, 0]) for f in flipped} == {(0, 1, 2, 3), (3, 2, 1, 0)}


def test_configs_and_a_saved_augmenting_convnet(tmp_path, images):
    layer = random_rotation(0.1, fill_mode="nearest", seed=4)
    clone = RandomRotation.from_config(layer.get_config())
    np.testing.assert_array_equal(clone(images, training=True), layer(images, training=True))
    assert Resizing.from_config(resizing(3, 3, "nearest").get_config()).interpolation == "nearest"
    pk.set_seed(0)
    model = sequential() | rescaling(1 / 255, input_shape=(6, 8, 3)) | random_flip("horizontal", seed=0) \
        | random_zoom(0.1, seed=0) | conv_2d(4, 3, activation="relu") | flatten() | dense(1, "sigmoid")
    model | compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(images, np.array([0.0, 1.0]), epochs=2, verbose=0)
    model.save(tmp_path / "augmenting.pkeras")
    loaded = pk.load_model(tmp_path / "augmenting.pkeras")
    np.testing.assert_allclose(loaded.predict(images), model.predict(images), rtol=1e-6)
    with pytest.raises(ConfigError, match="fill_mode must be one of"):
        random_zoom(0.1, fill_mode="mirror")
