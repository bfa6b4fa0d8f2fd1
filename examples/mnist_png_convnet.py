"""The book's MNIST convnet (5.1) trained from image files: the digits are written as PNG files in class
folders, `image_dataset_from_directory` reads them back (decoded by fit's worker threads while a step
computes), and `random_translation` augments them in training only.

Needs Pillow (`pip install pipekeras[image]`). Set PIPEKERAS_QUICK=1 for a short run on 1,000 digits.
"""

import os
import sys
import tempfile
import time

import numpy as np

import pipekeras as pk
from pipekeras import (compile, conv_2d, dense, flatten, max_pooling_2d, random_translation, rescaling,
                       sequential)
from pipekeras.utils import image_array_save, image_dataset_from_directory


def write_pngs(images, labels, folder):
    """Writes each image as folder/<label>/<index>.png."""
    for label in np.unique(labels):
        os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
    for i, (image, label) in enumerate(zip(images, labels)):
        image_array_save(image[:, :, None], os.path.join(folder, str(label), f"{i}.png"), scale=False)


def main(quick=False):
    """Trains and evaluates; returns (test accuracy, seconds of training)."""
    (x_train, y_train), (x_test, y_test) = pk.datasets.mnist.load_data()
    if quick:
        x_train, y_train, x_test, y_test = x_train[:1000], y_train[:1000], x_test[:300], y_test[:300]
    with tempfile.TemporaryDirectory() as folder:
        write_pngs(x_train, y_train, os.path.join(folder, "train"))
        write_pngs(x_test, y_test, os.path.join(folder, "test"))
        options = dict(color_mode="grayscale", image_size=(28, 28), batch_size=64, label_mode="categorical")
        train = image_dataset_from_directory(os.path.join(folder, "train"), seed=1, **options)
        test = image_dataset_from_directory(os.path.join(folder, "test"), shuffle=False, **options)

        pk.set_seed(0)
        model = sequential() | rescaling(1 / 255, input_shape=(28, 28, 1)) \
            | random_translation(0.05, 0.05, fill_mode="constant", seed=0) \
            | conv_2d(32, 3, activation="relu") | max_pooling_2d(2) \
            | conv_2d(64, 3, activation="relu") | max_pooling_2d(2) | conv_2d(64, 3, activation="relu") \
            | flatten() | dense(64, "relu") | dense(10, "softmax")
        model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(train, epochs=2 if quick else 5, verbose=2)
        seconds = time.perf_counter() - start
        accuracy = model.evaluate(test, verbose=0)["accuracy"]
    print(f"Training took {seconds:.1f} s; test accuracy {accuracy:.4f} on {len(x_test)} digits.")
    return accuracy, seconds


if __name__ == "__main__":
    main(quick=os.environ.get("PIPEKERAS_QUICK") == "1" or "--quick" in sys.argv)
