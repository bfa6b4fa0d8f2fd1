"""Reuters newswires (Reuters-21578 as Keras ships it): 11,228 short newswires labelled with 46 topics."""

import json

import numpy as np

from ..errors import ConfigError
from ._files import get_file, load_npz
from .imdb import _check_args, _prepare

# Topic names by label, in Keras' order.
LABEL_NAMES = [
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee", "sugar",
    "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp",
    "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog",
    "lead",
]


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
              oov_char=2, index_from=3):
    """Loads the Reuters newswires as lists of word ids, exactly as `keras.datasets.reuters.load_data`.

    The file holds one pool of newswires (`x`, `y`). Steps, in Keras' order: the pool is shuffled with
    `np.random.RandomState(seed)`; ids are increased by `index_from` and `start_char` is put in front;
    with `maxlen`, only newswires strictly shorter than `maxlen` are kept; ids outside
    `[skip_top, num_words)` become `oov_char` (dropped when it is None); the first
    `int(n * (1 - test_split))` newswires are the training set, the rest the test set.

    Args:
        path: the file's name in the dataset directories, or a path to a local `reuters.npz`.
        num_words, skip_top, maxlen, seed, start_char, oov_char, index_from: as in `imdb.load_data`.
        test_split: fraction of the newswires kept for the test set, in [0, 1).

    Returns:
        Tuple `(x_train, y_train), (x_test, y_test)`: x object arrays of lists of ints, y int topic
        labels 0-45.

    Raises:
        ConfigError: an argument is out of range.
        DataError: the file is missing and cannot be downloaded, or `maxlen` leaves no newswire.
    """
    _check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    if not 0 <= test_split < 1:
        raise ConfigError(f"test_split must be in [0, 1), got {test_split!r}.")
    fpath = get_file("reuters.npz", path=path)
    xs, labels = load_npz(fpath, ["x", "y"], object_keys=("x",))

    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]

    [(xs, labels)] = _prepare([(xs, labels)], num_words, skip_top, maxlen, start_char, oov_char, index_from)
    cut = int(len(xs) * (1 - test_split))
    return (xs[:cut], np.array(labels[:cut])), (xs[cut:], np.array(labels[cut:]))


def get_word_index(path="reuters_word_index.json"):
    """Returns the Reuters word index: a dict word -> rank (1 = most frequent); ids are ranks + `index_from`.

    Raises:
        DataError: the file is missing and cannot be downloaded.
    """
    fpath = get_file("reuters_word_index.json", path=path)
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)


def get_label_names():
    """Returns the 46 topic names, indexed by label."""
    return tuple(LABEL_NAMES)
