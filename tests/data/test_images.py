"""Images from files: image_dataset_from_directory over real MNIST digits written as PNGs, image_load /
image_to_array / image_array_save, bad files named, and the error without Pillow."""

import sys

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, conv_2d, dense, flatten, max_pooling_2d, rescaling, sequential
from pipekeras.errors import DataError
from pipekeras.utils import image_array_save, image_dataset_from_directory, image_load, image_to_array


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """40 real MNIST digits of each of the classes 0, 1 and 2 as PNG files in class folders."""
    (x, y), _ = pk.datasets.mnist.load_data()
    root = tmp_path_factory.mktemp("digits")
    for label in (0, 1, 2):
        (root / str(label)).mkdir()
        for i, index in enumerate(np.flatnonzero(y == label)[:40]):
            image_array_save(x[index][:, :, None], root / str(label) / f"{i}.png", scale=False)
    return root, x, y


def test_png_round_trip_keeps_the_pixels(digits, tmp_path):
    root, x, y = digits
    first = np.flatnonzero(y == 0)[0]
    image = image_load(root / "0" / "0.png", color_mode="grayscale")
    np.testing.assert_array_equal(image_to_array(image)[:, :, 0], x[first])
    assert image_to_array(image_load(root / "0" / "0.png", target_size=(14, 14))).shape == (14, 14, 3)
    assert image_to_array(image, data_format="channels_first").shape == (1, 28, 28)


def test_image_dataset_from_directory_trains_a_convnet(digits):
    root, _, _ = digits
    train, held = image_dataset_from_directory(root, color_mode="grayscale", image_size=(28, 28), batch_size=16,
                                               validation_split=0.25, subset="both", seed=1,
                                               label_mode="categorical")
    assert train.class_names == ["0", "1", "2"] and len(train.file_paths) == 90 and len(held.file_paths) == 30
    images, labels = train[0]
    assert images.shape == (16, 28, 28, 1) and labels.shape == (16, 3)
    pk.set_seed(0)
    model = sequential() | rescaling(1 / 255, input_shape=(28, 28, 1)) | conv_2d(8, 3, activation="relu") \
        | max_pooling_2d(2) | flatten() | dense(3, "softmax")
    model | compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=6, validation_data=held, verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.9


def test_bad_image_files_are_named(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.png").write_bytes(b"not an image")
    (tmp_path / "a" / "notes.txt").write_text("skipped: not an image extension")
    data = image_dataset_from_directory(tmp_path, image_size=(8, 8))
    assert len(data.file_paths) == 1
    with pytest.raises(DataError, match="broken.png"):
        data[0]
    with pytest.raises(DataError, match="no image files"):
        image_dataset_from_directory(tmp_path, class_names=[], image_size=(8, 8))


def test_missing_pillow_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"pipekeras\[image\]"):
        image_load(tmp_path / "x.png")
