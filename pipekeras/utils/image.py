"""Images from files: image_load, image_to_array, image_array_save and image_dataset_from_directory.

Decoding and encoding go through Pillow, an optional extra (`pip install pipekeras[image]`); it is imported
when first needed, so `import pipekeras` does not need it.
"""

import os

import numpy as np

from ..errors import ConfigError, DataError
from .sequence import Sequence

IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_COLOR_MODES = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}


def pillow():
    """Returns Pillow's `PIL.Image` module.

    Raises:
        ImportError: saying how to install it when it is missing.
    """
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("Reading and writing images needs Pillow, an optional extra of pipekeras: "
                          "pip install 'pipekeras[image]' (or pip install pillow).") from None
    return Image


def _resample(name):
    Image = pillow()
    methods = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
               "lanczos": Image.LANCZOS, "box": Image.BOX, "hamming": Image.HAMMING}
    if name not in methods:
        raise ConfigError(f"interpolation must be one of {sorted(methods)}, received {name!r}.")
    return methods[name]


def image_load(path, grayscale=False, color_mode="rgb", target_size=None, interpolation="nearest",
               keep_aspect_ratio=False):
    """Loads an image file as a Pillow image (R keras's `image_load`, Keras's `load_img`).

    Args:
        path: the file.
        grayscale: same as color_mode="grayscale"; color_mode: "grayscale", "rgb" or "rgba".
        target_size: (height, width) to resize to, or None.
        interpolation: "nearest", "bilinear", "bicubic", "lanczos", "box" or "hamming".
        keep_aspect_ratio: crop the center to the target's aspect ratio before resizing.

    Returns:
        A `PIL.Image.Image`.

    Raises:
        DataError: naming a file that is missing or not an image.
    """
    Image = pillow()
    mode = _COLOR_MODES.get("grayscale" if grayscale else color_mode)
    if mode is None:
        raise ConfigError(f"color_mode must be one of {list(_COLOR_MODES)}, received {color_mode!r}.")
    try:
        with open(path, "rb") as file:
            image = Image.open(file)
            image.load()
    except (OSError, ValueError) as error:
        raise DataError(f"cannot read {str(path)!r} as an image ({error}).") from None
    image = image.convert(mode[0]) if image.mode != mode[0] else image
    if target_size is not None:
        height, width = target_size
        if keep_aspect_ratio:
            w, h = image.size
            crop_w, crop_h = min(w, int(h * width / height)), min(h, int(w * height / width))
            left, top = (w - crop_w) // 2, (h - crop_h) // 2
            image = image.crop((left, top, left + crop_w, top + crop_h))
        if image.size != (width, height):
            image = image.resize((width, height), _resample(interpolation))
    return image


def image_to_array(img, data_format=None, dtype=None):
    """Returns a Pillow image as a (height, width, channels) array (channels first with
    data_format="channels_first"), float32 by default."""
    array = np.asarray(img, dtype=dtype or "float32")
    if array.ndim == 2:
        array = array[:, :, None]
    return np.moveaxis(array, -1, 0) if data_format == "channels_first" else array


def image_array_save(img, path, data_format=None, file_format=None, scale=True):
    """Saves a (height, width, channels) array as an image file (R keras's `image_array_save`).

    Args:
        img: the array (1, 3 or 4 channels; channels first with data_format="channels_first").
        path: the file; file_format: e.g. "png" (default: from the file name).
        scale: rescale the values to [0, 255] first (else they are taken as they are).
    """
    Image = pillow()
    array = np.asarray(img, dtype=np.float64)
    if data_format == "channels_first":
        array = np.moveaxis(array, 0, -1)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[-1] not in (1, 3, 4):
        raise DataError(f"image_array_save: expected (height, width, 1, 3 or 4 channels), received {array.shape}.")
    if scale:
        low, high = array.min(), array.max()
        array = (array - low) / (high - low if high > low else 1) * 255
    array = np.clip(np.round(array), 0, 255).astype(np.uint8)
    image = Image.fromarray(array[:, :, 0] if array.shape[-1] == 1 else array)
    image.save(path, format=file_format)


def image_files(directory, class_names=None, follow_links=False, extensions=IMAGE_EXTENSIONS):
    """Returns (paths, class indices, class names) of the files with `extensions` in `directory`'s class
    folders (sorted names; files sorted by path).

    Raises:
        DataError: for a missing folder or class folder, or no file.
    """
    if not os.path.isdir(directory):
        raise DataError(f"{str(directory)!r} is not a folder.")
    found = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    names = list(class_names) if class_names is not None else found
    missing = [n for n in names if n not in found]
    if missing:
        raise DataError(f"no folder {missing} in {str(directory)!r} (found {found}).")
    paths, indices = [], []
    for index, name in enumerate(names):
        for folder, _, files in sorted(os.walk(os.path.join(directory, name), followlinks=follow_links)):
            for file in sorted(files):
                if file.lower().endswith(extensions):
                    paths.append(os.path.join(folder, file))
                    indices.append(index)
    if not paths:
        raise DataError(f"no image files ({', '.join(extensions)}) under {str(directory)!r}.")
    return paths, np.asarray(indices, dtype=np.int64), names


def encode_labels(indices, label_mode, classes):
    """Class indices as "int", "categorical" (one-hot) or "binary" (float (n, 1)) labels."""
    if label_mode == "int":
        return indices
    if label_mode == "binary":
        if classes != 2:
            raise ConfigError(f"label_mode='binary' needs 2 classes, found {classes}.")
        return indices.astype(np.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(classes, dtype=np.float32)[indices]
    raise ConfigError(f"label_mode must be 'int', 'categorical', 'binary' or None, received {label_mode!r}.")


class ImageDataset(Sequence):
    """Batches of images read from files when a batch is asked for (by the workers of fit), with labels.

    Attributes:
        file_paths: the files, in the dataset's order; class_names: the class folders.
    """

    def __init__(self, paths, labels, batch_size, image_size, color_mode, interpolation, crop_to_aspect_ratio,
                 class_names, shuffle=False, seed=None):
        super().__init__(workers=2)
        self.file_paths, self.labels = np.asarray(paths, dtype=object), labels
        self.batch_size = batch_size or len(paths)
        self.image_size, self.color_mode, self.interpolation = tuple(image_size), color_mode, interpolation
        self.crop_to_aspect_ratio, self.class_names = crop_to_aspect_ratio, class_names
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = self._rng.permutation(len(paths)) if shuffle else np.arange(len(paths))

    def __len__(self):
        return -(-len(self.file_paths) // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        images = np.stack([image_to_array(image_load(self.file_paths[i], color_mode=self.color_mode,
                                                     target_size=self.image_size, interpolation=self.interpolation,
                                                     keep_aspect_ratio=self.crop_to_aspect_ratio)) for i in rows])
        return images if self.labels is None else (images, self.labels[rows])

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.file_paths))


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear", follow_links=False,
                                 crop_to_aspect_ratio=False):
    """Images in class folders (`directory/<class>/*.png`, also .jpg, .jpeg, .bmp, .gif) as batches of
    (images, labels), decoded and resized when read (by fit's worker threads).

    Args:
        directory: the folder with one subfolder per class.
        labels: "inferred" (from the folders) or None (images only).
        label_mode: "int", "categorical", "binary" or None.
        class_names: the folders to use, in label order (default: all, sorted).
        color_mode: "grayscale", "rgb" or "rgba".
        batch_size: images per batch (None: one batch).
        image_size: (height, width) every image is resized to.
        shuffle, seed: shuffle the files (again every epoch); the seed also fixes the validation split.
        validation_split, subset: hold out the last `validation_split` of the shuffled files; subset
            "training", "validation" or "both" (a pair).
        interpolation: the resizing method ("bilinear", "nearest", ...).
        follow_links: follow symbolic links to folders.
        crop_to_aspect_ratio: crop the center to the target's aspect ratio before resizing.

    Returns:
        An `ImageDataset` (a `Sequence`), or a pair of them for subset="both".

    Raises:
        DataError: for a missing folder, no image files, or (when read) a file that is not an image, named.
        ImportError: when Pillow is missing.
    """
    pillow()
    if (validation_split is None) != (subset is None) or subset not in (None, "training", "validation", "both"):
        raise ConfigError("image_dataset_from_directory: give validation_split= together with subset= "
                          "('training', 'validation' or 'both').")
    paths, indices, names = image_files(directory, class_names, follow_links)
    targets = None if labels is None or label_mode is None else encode_labels(indices, label_mode, len(names))
    order = np.random.default_rng(seed).permutation(len(paths)) if shuffle or validation_split else \
        np.arange(len(paths))
    paths = [paths[i] for i in order]
    targets = None if targets is None else targets[order]

    def dataset(part):
        return ImageDataset(paths[part], None if targets is None else targets[part], batch_size, image_size,
                            color_mode, interpolation, crop_to_aspect_ratio, names, shuffle, seed)

    if validation_split is None:
        return dataset(slice(None))
    split = len(paths) - int(validation_split * len(paths))
    train, held = dataset(slice(0, split)), dataset(slice(split, None))
    return {"training": train, "validation": held, "both": (train, held)}[subset]
