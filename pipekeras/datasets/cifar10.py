"""CIFAR-10: 50,000 training and 10,000 test 32x32 colour images of 10 classes.

Label names: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck.
"""

import os
import pickle
import tarfile

import numpy as np

from ._files import check_unpickling_allowed, find_file, get_file

ARCHIVE = "cifar-10-python.tar.gz"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"  # the origin Keras downloads from
DIRNAME = "cifar-10-batches-py"
LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
_TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
_TEST_BATCH = "test_batch"
_PICKLED = "the CIFAR-10 batches are Python pickles (the authors' format)"


def _parse_batch(raw):
    """One python-pickled CIFAR batch -> (x uint8 (n, 3, 32, 32), y uint8 (n,)).

    The batches are pickles, as in the authors' release: the caller checks that the file is trusted first
    (`_files.check_unpickling_allowed`).
    """
    batch = pickle.loads(raw, encoding="bytes")
    data = batch[b"data"] if b"data" in batch else batch["data"]
    labels = batch[b"labels"] if b"labels" in batch else batch["labels"]
    x = np.asarray(data, dtype=np.uint8).reshape(-1, 3, 32, 32)
    return x, np.asarray(labels, dtype=np.uint8)


def _read_batches(names):
    """Reads batches from an extracted `cifar-10-batches-py` directory, else from the tar.gz archive."""
    directory = find_file(DIRNAME, isdir=True)
    if directory is not None and all(os.path.isfile(os.path.join(directory, n)) for n in names):
        raws = []
        for name in names:
            check_unpickling_allowed(os.path.join(directory, name), _PICKLED)
            with open(os.path.join(directory, name), "rb") as f:
                raws.append(f.read())
        return [_parse_batch(r) for r in raws]
    archive = get_file(ARCHIVE, origin=ORIGIN)
    check_unpickling_allowed(archive, _PICKLED)
    out = []
    with tarfile.open(archive, "r:gz") as tar:
        for name in names:
            member = tar.extractfile(f"{DIRNAME}/{name}")
            out.append(_parse_batch(member.read()))
    return out


def load_data():
    """Loads CIFAR-10, as `keras.datasets.cifar10.load_data` does with channels-last images.

    Looks for an extracted `cifar-10-batches-py` directory or the `cifar-10-python.tar.gz` archive in
    `$PIPEKERAS_DATASETS` and `~/.pipekeras/datasets`, else downloads the archive (sha256-checked) into
    the latter.

    Returns:
        Tuple of NumPy arrays `(x_train, y_train), (x_test, y_test)`: `x_train` uint8 of shape
        (50000, 32, 32, 3), `y_train` uint8 of shape (50000, 1) with labels 0-9; `x_test`
        (10000, 32, 32, 3) and `y_test` (10000, 1).

    Raises:
        DataError: the data is missing and cannot be downloaded.
    """
    batches = _read_batches(_TRAIN_BATCHES + [_TEST_BATCH])
    x_train = np.concatenate([x for x, _ in batches[:5]])
    y_train = np.concatenate([y for _, y in batches[:5]])
    x_test, y_test = batches[5]
    x_train = x_train.transpose(0, 2, 3, 1)
    x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
