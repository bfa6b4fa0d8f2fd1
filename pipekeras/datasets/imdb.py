"""IMDB movie reviews (Maas et al., 2011): 25,000 training and 25,000 test reviews, labelled 1 positive, 0 negative.

Each review is a list of word ids; a word's id is its frequency rank (1 = most frequent), shifted by
`index_from` so the low ids stay free for padding (0), the start marker (1) and out-of-vocabulary (2).
"""

import itertools
import json

import numpy as np

from ..errors import ConfigError, DataError
from ._files import get_file, load_npz


def _check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from):
    if num_words is not None and (not isinstance(num_words, (int, np.integer)) or num_words < 1):
        raise ConfigError(f"num_words must be a positive integer or None, got {num_words!r}.")
    if not isinstance(skip_top, (int, np.integer)) or skip_top < 0:
        raise ConfigError(f"skip_top must be a non-negative integer, got {skip_top!r}.")
    if maxlen is not None and (not isinstance(maxlen, (int, np.integer)) or maxlen < 1):
        raise ConfigError(f"maxlen must be a positive integer or None, got {maxlen!r}.")
    for name, value in (("start_char", start_char), ("oov_char", oov_char)):
        if value is not None and not isinstance(value, (int, np.integer)):
            raise ConfigError(f"{name} must be an integer or None, got {value!r}.")
    if not isinstance(index_from, (int, np.integer)) or index_from < 0:
        raise ConfigError(f"index_from must be a non-negative integer, got {index_from!r}.")


def _flatten(seqs):
    lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
    flat = np.fromiter(itertools.chain.from_iterable(seqs), dtype=np.int64, count=int(lengths.sum()))
    return flat, lengths


def _to_object_array(flat, lengths):
    out = np.empty(len(lengths), dtype=object)
    values = flat.tolist()
    ends = np.cumsum(lengths).tolist()
    start = 0
    for i, end in enumerate(ends):
        out[i] = values[start:end]
        start = end
    return out


def _encode(seqs, start_char, index_from):
    """Shifts ids by `index_from` and prepends `start_char` (when not None). Returns (flat, lengths)."""
    flat, lengths = _flatten(seqs)
    flat = flat + index_from
    if start_char is None:
        return flat, lengths
    new_lengths = lengths + 1
    starts = np.concatenate([[0], np.cumsum(new_lengths)[:-1]]).astype(np.int64)
    out = np.empty(int(new_lengths.sum()), dtype=np.int64)
    is_start = np.zeros(len(out), dtype=bool)
    is_start[starts] = True
    out[is_start] = start_char
    out[~is_start] = flat
    return out, new_lengths


def _keep_shorter(flat, lengths, labels, maxlen):
    """Keeps the sequences strictly shorter than `maxlen` (Keras' rule), with their labels."""
    keep = lengths < maxlen
    return flat[np.repeat(keep, lengths)], lengths[keep], labels[keep]


def _restrict_vocabulary(flat, lengths, num_words, skip_top, oov_char):
    """Ids outside [skip_top, num_words) become `oov_char`, or are dropped when it is None."""
    inside = (flat >= skip_top) & (flat < num_words)
    if oov_char is not None:
        return np.where(inside, flat, oov_char), lengths
    owner = np.repeat(np.arange(len(lengths)), lengths)
    kept_lengths = np.bincount(owner[inside], minlength=len(lengths)).astype(np.int64)
    return flat[inside], kept_lengths


def _prepare(parts, num_words, skip_top, maxlen, start_char, oov_char, index_from):
    """Keras' sequence preparation on (sequences, labels) parts that are split apart afterwards.

    `parts` is a list of (object array of sequences, labels). Each part is encoded and (when `maxlen`)
    filtered on its own; `num_words` defaults to the largest id over all parts. Returns a list of
    (object array of lists, labels) in the same order.
    """
    encoded = []
    for seqs, labels in parts:
        flat, lengths = _encode(seqs, start_char, index_from)
        labels = np.asarray(labels)
        if maxlen:
            flat, lengths, labels = _keep_shorter(flat, lengths, labels, maxlen)
        encoded.append((flat, lengths, labels))
    if maxlen and any(len(lengths) == 0 for _, lengths, _ in encoded):
        raise DataError(f"After keeping only sequences shorter than maxlen={maxlen}, no sequence is left "
                        f"in a split. Increase maxlen.")
    if not num_words:
        num_words = max(int(flat.max()) for flat, _, _ in encoded if len(flat))
    result = []
    for flat, lengths, labels in encoded:
        flat, lengths = _restrict_vocabulary(flat, lengths, num_words, skip_top, oov_char)
        result.append((_to_object_array(flat, lengths), labels))
    return result


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3):
    """Loads the IMDB reviews as lists of word ids, exactly as `keras.datasets.imdb.load_data`.

    Steps, in Keras' order: the training reviews are shuffled with `np.random.RandomState(seed)`, then
    the test reviews with the same generator (continued); every id is increased by `index_from` and
    `start_char` is put in front of each review; with `maxlen`, only reviews strictly shorter than
    `maxlen` (start mark included) are kept, in each split; ids outside `[skip_top, num_words)` become
    `oov_char` (or are dropped when `oov_char` is None). `num_words` defaults to the largest id.

    Args:
        path: the file's name in the dataset directories, or a path to a local `imdb.npz`.
        num_words: keep ids below this (the `num_words - index_from` most frequent words, roughly);
            None keeps all.
        skip_top: ids below this (the most frequent words, and the marks) become `oov_char`.
        maxlen: keep only reviews shorter than this; None keeps all.
        seed: seed of the shuffle.
        start_char: id put at the start of every review; None for none.
        oov_char: id that replaces the words cut by `num_words` / `skip_top`; None drops them.
        index_from: added to every word rank.

    Returns:
        Tuple `(x_train, y_train), (x_test, y_test)`: x are object arrays of Python lists of ints,
        y int arrays of 0/1 labels.

    Raises:
        ConfigError: an argument is out of range.
        DataError: the file is missing and cannot be downloaded, or `maxlen` leaves no review.
    """
    _check_args(num_words, skip_top, maxlen, start_char, oov_char, index_from)
    fpath = get_file("imdb.npz", path=path)
    x_train, labels_train, x_test, labels_test = load_npz(fpath, ["x_train", "y_train", "x_test", "y_test"],
                                                          object_keys=("x_train", "x_test"))

    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]

    (x_train, y_train), (x_test, y_test) = _prepare(
        [(x_train, labels_train), (x_test, labels_test)], num_words, skip_top, maxlen, start_char, oov_char,
        index_from)
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="imdb_word_index.json"):
    """Returns the IMDB word index: a dict word -> rank (1 = most frequent).

    The ids in `load_data`'s reviews are these ranks plus `index_from` (3 by default): to decode,
    `{rank + 3: word for word, rank in get_word_index().items()}`, with 0 padding, 1 start, 2 unknown.

    Args:
        path: the file's name in the dataset directories, or a path to a local `imdb_word_index.json`.

    Raises:
        DataError: the file is missing and cannot be downloaded.
    """
    fpath = get_file("imdb_word_index.json", path=path)
    with open(fpath, encoding="utf-8") as f:
        return json.load(f)
