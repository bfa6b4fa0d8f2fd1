"""MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey pixels, classes 0-9."""

from ._files import get_file, load_npz


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset.

    Args:
        path: the file's name in the dataset directories (`$PIPEKERAS_DATASETS`,
            `~/.pipekeras/datasets`), or a path to a local copy of Keras' `mnist.npz`.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x_train` uint8 of shape
        (60000, 28, 28) with values 0-255, `y_train` uint8 of shape (60000,) with digits 0-9;
        `x_test` (10000, 28, 28) and `y_test` (10000,) likewise.

    Raises:
        DataError: the file is missing and cannot be downloaded.
    """
    fpath = get_file("mnist.npz", path=path)
    x_train, y_train, x_test, y_test = load_npz(fpath, ["x_train", "y_train", "x_test", "y_test"])
    return (x_train, y_train), (x_test, y_test)
