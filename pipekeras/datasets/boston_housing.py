"""Boston housing prices (Harrison and Rubinfeld, 1978): 506 census tracts, 13 features, median value in k$."""

import numpy as np

from ..errors import ConfigError
from ._files import get_file, load_npz


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston housing dataset, split as Keras splits it.

    The 506 rows are permuted with `np.random.RandomState(seed).shuffle` of their indices; the first
    `int(506 * (1 - test_split))` rows are the training set, the rest the test set (404 / 102 with the
    defaults), exactly as `keras.datasets.boston_housing.load_data`.

    Args:
        path: the file's name in the dataset directories, or a path to a local `boston_housing.npz`.
        test_split: fraction of the data kept for the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: x float64 of shape (n, 13),
        y float64 of shape (n,) (median value, thousands of dollars).

    Raises:
        ConfigError: `test_split` is not in [0, 1).
        DataError: the file is missing and cannot be downloaded.
    """
    if not 0 <= test_split < 1:
        raise ConfigError(f"test_split must be in [0, 1), got {test_split!r}.")
    fpath = get_file("boston_housing.npz", path=path)
    x, y = load_npz(fpath, ["x", "y"])
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
