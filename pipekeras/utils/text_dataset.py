"""text_dataset_from_directory: text files in class folders -> batches of (texts, labels)."""

import os

import numpy as np

from ..errors import ConfigError, DataError
from .sequence import Sequence

_LABEL_MODES = ("int", "categorical", "binary", None)


class TextDataset(Sequence):
    """Batches of `(texts, labels)` (or texts alone) from lists in memory, in a fixed or reshuffled order.

    Args:
        texts: an object array of strings; labels: an array of labels or None.
        batch_size: texts per batch (None: one batch of all).
        shuffle: shuffle again after every epoch (with `seed`).
        class_names: the names of the classes, index order.

    Attributes:
        class_names: the class names (the folders' names for `text_dataset_from_directory`).
    """

    def __init__(self, texts, labels, batch_size, shuffle, seed, class_names):
        super().__init__()
        self.texts, self.labels = texts, labels
        self.batch_size = batch_size or len(texts)
        self.shuffle = shuffle
        self.class_names = class_names
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(texts)) if shuffle else np.arange(len(texts))

    def __len__(self):
        return -(-len(self.texts) // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        return self.texts[rows] if self.labels is None else (self.texts[rows], self.labels[rows])

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.texts))


def _labels(indices, label_mode, classes):
    indices = np.asarray(indices, dtype=np.int64)
    if label_mode == "int":
        return indices
    if label_mode == "binary":
        if classes != 2:
            raise ConfigError(f"text_dataset_from_directory: label_mode='binary' needs 2 classes, found {classes}.")
        return indices.astype(np.float32).reshape(-1, 1)
    return np.eye(classes, dtype=np.float32)[indices]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False):
    """Reads `.txt` files from class folders (`directory/<class>/*.txt`) into batches of (texts, labels).

    Args:
        directory: the folder holding one subfolder per class (their sorted names are the classes).
        labels: "inferred" (from the folders), None (texts only), or a list of integer labels, one per file in
            sorted path order.
        label_mode: "int" (class indices), "categorical" (one-hot), "binary" (0/1 as float, 2 classes), None.
        class_names: the folders to read, in label order (default: all, sorted).
        batch_size: texts per batch; None for one batch.
        max_length: keep at most this many characters of each text.
        shuffle, seed: shuffle the files (again each epoch) with this seed.
        validation_split, subset: hold out the last `validation_split` of the shuffled files; `subset`
            "training", "validation" or "both" (a pair).
        follow_links: follow symbolic links to folders.

    Returns:
        A `TextDataset` (a `Sequence`: fit, evaluate, predict and `adapt` take it), or a pair for "both".

    Raises:
        DataError: for a missing folder, no text files, or an unreadable file (named).
        ConfigError: for inconsistent arguments.
    """
    if not os.path.isdir(directory):
        raise DataError(f"text_dataset_from_directory: {directory!r} is not a folder.")
    if label_mode not in _LABEL_MODES:
        raise ConfigError(f"text_dataset_from_directory: label_mode must be one of {list(_LABEL_MODES)}, received "
                          f"{label_mode!r}.")
    if (validation_split is None) != (subset is None) or subset not in (None, "training", "validation", "both"):
        raise ConfigError("text_dataset_from_directory: give validation_split= together with subset= "
                          "('training', 'validation' or 'both').")
    found = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    names = list(class_names) if class_names is not None else found
    missing = [n for n in names if n not in found]
    if missing:
        raise DataError(f"text_dataset_from_directory: no folder {missing} in {directory!r} (found {found}).")
    paths, indices = [], []
    for index, name in enumerate(names if labels == "inferred" else ["."]):
        root = os.path.join(directory, name)
        for folder, _, files in sorted(os.walk(root, followlinks=follow_links)):
            for file in sorted(files):
                if file.endswith(".txt"):
                    paths.append(os.path.join(folder, file))
                    indices.append(index)
    if not paths:
        raise DataError(f"text_dataset_from_directory: no .txt files under {directory!r}.")
    texts = np.empty(len(paths), dtype=object)
    for i, path in enumerate(paths):
        try:
            with open(path, encoding="utf-8") as file:
                texts[i] = file.read(max_length) if max_length else file.read()
        except (OSError, UnicodeDecodeError) as error:
            raise DataError(f"text_dataset_from_directory: cannot read {path!r} as UTF-8 text ({error}).") from None
    if labels is None or label_mode is None:
        targets = None
    elif labels == "inferred":
        targets = _labels(indices, label_mode, len(names))
    else:
        if len(labels) != len(paths):
            raise ConfigError(f"text_dataset_from_directory: {len(labels)} labels for {len(paths)} files.")
        targets = _labels(labels, label_mode, int(max(labels)) + 1)
    order = np.random.default_rng(seed).permutation(len(paths)) if shuffle or validation_split else \
        np.arange(len(paths))
    texts = texts[order]
    targets = None if targets is None else targets[order]

    def dataset(part):
        return TextDataset(texts[part], None if targets is None else targets[part], batch_size, shuffle, seed,
                           names if labels == "inferred" else None)

    if validation_split is None:
        return dataset(slice(None))
    split = len(paths) - int(validation_split * len(paths))
    train, held = dataset(slice(0, split)), dataset(slice(split, None))
    return {"training": train, "validation": held, "both": (train, held)}[subset]
