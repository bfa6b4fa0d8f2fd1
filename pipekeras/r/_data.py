"""R's data functions: the datasets as R's nested lists (`RList`), arrays and files."""

import os as _os
import pathlib as _pathlib
import shutil as _shutil
import urllib.parse as _urlparse

import numpy as _np

from .. import backend as _backend
from .. import datasets as _datasets
from ..datasets import _files as _dataset_files
from ..errors import ConfigError as _ConfigError
from ..utils import (image_array_save, image_dataset_from_directory, image_load, image_to_array,  # noqa: F401
                     multi_hot, normalize, pad_sequences, plot_history, text_dataset_from_directory,
                     timeseries_dataset_from_array, to_categorical)
from ._common import shape_tuple as _shape


class RList(dict):
    """A dict that also reads its entries as attributes: R's `mnist$train$x` is `mnist.train.x`.

    Nested dicts given to the constructor become `RList`s too. `unpack()` gives the values as nested
    tuples, as R's `%<-%` destructures:

        >>> mnist = dataset_mnist()
        >>> (x_train, y_train), (x_test, y_test) = mnist.unpack()
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, value in self.items():
            if isinstance(value, dict) and not isinstance(value, RList):
                dict.__setitem__(self, key, RList(value))

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no entry {name!r}; entries: {', '.join(map(str, self))}") from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __dir__(self):
        return list(super().__dir__()) + [k for k in self if isinstance(k, str) and k.isidentifier()]

    def unpack(self):
        """The values in order, nested `RList`s unpacked too (R's `c(c(x, y), c(xt, yt)) %<-% data`)."""
        return tuple(v.unpack() if isinstance(v, RList) else v for v in self.values())

    def __repr__(self):
        def describe(value):
            if isinstance(value, _np.ndarray):
                return f"array{value.shape} {value.dtype}"
            return repr(value)

        return "RList(" + ", ".join(f"{k}={describe(v)}" for k, v in self.items()) + ")"


def _train_test(loaded):
    (x_train, y_train), (x_test, y_test) = loaded
    return RList(train=RList(x=x_train, y=y_train), test=RList(x=x_test, y=y_test))


def dataset_mnist(path="mnist.npz"):
    """MNIST digits as R's nested list: `mnist.train.x` (60000, 28, 28) uint8, `mnist.train.y`, `mnist.test.*`."""
    return _train_test(_datasets.mnist.load_data(path=path))


def dataset_fashion_mnist():
    """Fashion-MNIST as `data.train.x`, `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.fashion_mnist.load_data())


def dataset_cifar10():
    """CIFAR-10 as `data.train.x` (50000, 32, 32, 3), `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.cifar10.load_data())


def dataset_imdb(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
                 index_from=3):
    """IMDB reviews (lists of word ids) as `imdb.train.x`, `imdb.train.y`, `imdb.test.x`, `imdb.test.y`.

    Arguments are `pipekeras.datasets.imdb.load_data`'s (R's `dataset_imdb(num_words = 10000)`).
    """
    return _train_test(_datasets.imdb.load_data(path=path, num_words=num_words, skip_top=skip_top, maxlen=maxlen,
                                                seed=seed, start_char=start_char, oov_char=oov_char,
                                                index_from=index_from))


def dataset_imdb_word_index(path="imdb_word_index.json"):
    """The IMDB word index: {word: frequency rank}."""
    return _datasets.imdb.get_word_index(path=path)


def dataset_reuters(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
                    start_char=1, oov_char=2, index_from=3):
    """Reuters newswires as `data.train.x`, `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.reuters.load_data(path=path, num_words=num_words, skip_top=skip_top,
                                                   maxlen=maxlen, test_split=test_split, seed=seed,
                                                   start_char=start_char, oov_char=oov_char,
                                                   index_from=index_from))


def dataset_reuters_word_index(path="reuters_word_index.json"):
    """The Reuters word index: {word: frequency rank}."""
    return _datasets.reuters.get_word_index(path=path)


def dataset_boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    """Boston housing as `data.train.x` (404, 13), `data.train.y`, `data.test.x`, `data.test.y`."""
    return _train_test(_datasets.boston_housing.load_data(path=path, test_split=test_split, seed=seed))


named_list = RList  # keras3's named_list(a = 1, b = 2)


def keras_array(x, dtype=None):
    """R's `keras_array(x, dtype = NULL)` (and `np_array`): `x` as a NumPy array, of `floatx()` for floating data."""
    x = _np.asarray(x)
    if dtype is None and x.dtype.kind == "f":
        dtype = _backend.floatx()
    return x if dtype is None else x.astype(dtype)


np_array = keras_array


def array_reshape(x, dim, order="C"):
    """R keras's `array_reshape(x, dim)`: reshapes in row-major (C) order, as NumPy and Keras read arrays.

    R's own `dim<-` fills column by column; `array_reshape` exists so R arrays match Keras. In Python that
    is NumPy's `reshape`.

    Args:
        x: an array.
        dim: the new shape (an integer or a tuple, R's `c(...)`).
        order: "C" (row-major, the default) or "F" (column-major, as R's `dim<-`).

    Returns:
        The reshaped array.

    Raises:
        ConfigError: `order` is not "C" or "F", or the sizes do not match.
    """
    if order not in ("C", "F"):
        raise _ConfigError(f"array_reshape: order must be 'C' (row-major) or 'F' (column-major), received {order!r}.")
    x = _np.asarray(x)
    shape = _shape(dim)
    try:
        return _np.reshape(x, shape, order=order)
    except ValueError:
        raise _ConfigError(f"array_reshape: cannot reshape an array of shape {x.shape} ({x.size} values) into "
                           f"{shape}.") from None


def get_file(fname, origin, file_hash=None, cache_subdir=None, extract=False, untar=False):
    """R's `get_file(fname, origin)`: a local copy of a file, downloaded into the cache when missing.

    The file is looked for in `$PIPEKERAS_DATASETS` and `~/.pipekeras/datasets` (under `cache_subdir`
    first) before anything is fetched. `origin` may be a URL, a `file://` URL or a local path.

    Args:
        fname: the file's name in the cache.
        origin: where to fetch it from.
        file_hash: expected sha256 (or md5) of the fetched file.
        cache_subdir: a sub-directory of the cache.
        extract, untar: also unpack the archive (zip, tar, tar.gz) next to it; R's `untar = TRUE`.

    Returns:
        The path of the file (of the folder it unpacked to, with `extract` or `untar`).

    Raises:
        DataError: the file is missing and cannot be fetched (offline: put it in `$PIPEKERAS_DATASETS`).
    """
    if not _urlparse.urlparse(str(origin)).scheme or len(_urlparse.urlparse(str(origin)).scheme) == 1:
        origin = _pathlib.Path(origin).expanduser().resolve().as_uri()  # a local path (or a Windows drive)
    path = _dataset_files.get_file(fname, origin=origin, file_hash=file_hash, subdir=cache_subdir)
    if not (extract or untar):
        return path
    target = path
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        if target.endswith(suffix):
            target = target[:-len(suffix)]
            break
    if not _os.path.isdir(target):
        _shutil.unpack_archive(path, _os.path.dirname(path))
    return target if _os.path.isdir(target) else _os.path.dirname(path)
