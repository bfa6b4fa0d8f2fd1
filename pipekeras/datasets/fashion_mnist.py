"""Fashion-MNIST: 60,000 training and 10,000 test 28x28 grey images of 10 kinds of clothing.

Label names: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker,
8 Bag, 9 Ankle boot.
"""

import gzip

import numpy as np

from ._files import KERAS_ORIGIN, get_file

SUBDIR = "fashion-mnist"
FILES = ["train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz"]
LABEL_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]

# IDX headers: labels 8 bytes (magic, count), images 16 bytes (magic, count, rows, cols).
_LABEL_HEADER = 8
_IMAGE_HEADER = 16


def _read_gz(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def load_data():
    """Loads the Fashion-MNIST dataset.

    The four gzipped IDX files (Keras' layout) are looked up as `fashion-mnist/<file>` or `<file>` in
    `$PIPEKERAS_DATASETS` and `~/.pipekeras/datasets`, else downloaded from Keras' storage
    (`.../tf-keras-datasets/<file>`, without a checksum check: see `_files.KNOWN_HASHES`).

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x_train` uint8 of shape
        (60000, 28, 28), `y_train` uint8 of shape (60000,) with labels 0-9; `x_test` (10000, 28, 28)
        and `y_test` (10000,) likewise.

    Raises:
        DataError: a file is missing and cannot be downloaded.
    """
    paths = [get_file(name, origin=KERAS_ORIGIN + name, subdir=SUBDIR) for name in FILES]
    y_train = _read_gz(paths[0], _LABEL_HEADER)
    x_train = _read_gz(paths[1], _IMAGE_HEADER).reshape(len(y_train), 28, 28)
    y_test = _read_gz(paths[2], _LABEL_HEADER)
    x_test = _read_gz(paths[3], _IMAGE_HEADER).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
