"""Keras 2's ImageDataGenerator (R keras 2's `image_data_generator`) and its iterators over arrays
(`flow_images_from_data`) and class folders (`flow_images_from_directory`): augmented batches, drawn afresh each
time a batch is read."""

import numpy as np

from ..errors import ConfigError, DataError
from .image import encode_labels, image_files, image_load, image_to_array, pillow
from .image_transform import Warp
from .sequence import Sequence


class ImageDataGenerator:
    """Random augmentation and rescaling of images (channels last), as Keras 2's ImageDataGenerator.

    Args:
        rescale: a factor applied first (e.g. 1/255); samplewise_center, samplewise_std_normalization: per image.
        rotation_range: degrees; width_shift_range, height_shift_range: fractions of the size; shear_range:
            degrees; zoom_range: f or [lower, upper] (a draw z shows z times the area per axis, as Keras 2).
        horizontal_flip, vertical_flip: flip half of the images.
        fill_mode: "nearest" (default), "constant" (cval), "reflect" or "wrap".
        preprocessing_function: applied to each image last.
        validation_split: the fraction `subset="validation"` takes.
    """

    def __init__(self, featurewise_center=False, samplewise_center=False, featurewise_std_normalization=False,
                 samplewise_std_normalization=False, zca_whitening=False, zca_epsilon=1e-6, rotation_range=0.0,
                 width_shift_range=0.0, height_shift_range=0.0, brightness_range=None, shear_range=0.0,
                 zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0, horizontal_flip=False,
                 vertical_flip=False, rescale=None, preprocessing_function=None, data_format=None,
                 validation_split=0.0, dtype=None):
        unsupported = {"featurewise_center": featurewise_center, "zca_whitening": zca_whitening,
                       "featurewise_std_normalization": featurewise_std_normalization,
                       "brightness_range": brightness_range, "channel_shift_range": channel_shift_range}
        used = [name for name, value in unsupported.items() if value]
        if used:
            raise ConfigError(f"image_data_generator: {used} are not supported; use a normalization layer "
                              "(adapt it on the training images) instead.")
        if data_format == "channels_first":
            raise ConfigError("image_data_generator: only channels_last images are supported.")
        if fill_mode not in ("nearest", "constant", "reflect", "wrap"):
            raise ConfigError(f"image_data_generator: fill_mode must be 'nearest', 'constant', 'reflect' or 'wrap', "
                              f"received {fill_mode!r}.")
        self.samplewise_center, self.samplewise_std_normalization = samplewise_center, samplewise_std_normalization
        self.rotation_range, self.shear_range = float(rotation_range), float(shear_range)
        self.width_shift_range, self.height_shift_range = float(width_shift_range), float(height_shift_range)
        zoom = (1 - zoom_range, 1 + zoom_range) if np.isscalar(zoom_range) else tuple(zoom_range)
        self.zoom_range = (float(zoom[0]), float(zoom[1]))
        self.fill_mode, self.cval = fill_mode, float(cval)
        self.horizontal_flip, self.vertical_flip = horizontal_flip, vertical_flip
        self.rescale, self.preprocessing_function = rescale, preprocessing_function
        self.validation_split = float(validation_split)
        self.dtype = dtype or "float32"

    def _augments(self):
        return self.rotation_range or self.shear_range or self.width_shift_range or self.height_shift_range or \
            self.zoom_range != (1.0, 1.0)

    def _matrices(self, rng, batch, height, width):
        theta = np.deg2rad(rng.uniform(-self.rotation_range, self.rotation_range, batch))
        shear = np.deg2rad(rng.uniform(-self.shear_range, self.shear_range, batch))
        zoom_rows, zoom_cols = rng.uniform(*self.zoom_range, batch), rng.uniform(*self.zoom_range, batch)
        shift = np.stack([rng.uniform(-self.height_shift_range, self.height_shift_range, batch) * height,
                          rng.uniform(-self.width_shift_range, self.width_shift_range, batch) * width], 1)
        cos, sin = np.cos(theta), np.sin(theta)
        rotate = np.stack([np.stack([cos, -sin], 1), np.stack([sin, cos], 1)], 1)
        sheared = np.zeros((batch, 2, 2))
        sheared[:, 0, 0], sheared[:, 0, 1], sheared[:, 1, 1] = 1, -np.sin(shear), np.cos(shear)
        zoom = np.zeros((batch, 2, 2))
        zoom[:, 0, 0], zoom[:, 1, 1] = zoom_rows, zoom_cols
        linear = rotate @ sheared @ zoom
        center = np.array([(height - 1) / 2, (width - 1) / 2])
        offset = center - np.einsum("bij,j->bi", linear, center) + shift
        return np.concatenate([linear, offset[:, :, None]], axis=2)

    def transform_batch(self, images, rng):
        """Returns the batch `images` rescaled, augmented with draws from `rng` and standardized."""
        images = np.asarray(images, dtype=np.float64)
        if self.rescale:
            images = images * self.rescale
        if self._augments():
            warp = Warp(images.shape, self._matrices(rng, *images.shape[:3]), "bilinear", self.fill_mode)
            images = warp.forward(images, self.cval)
        for axis, wanted in ((2, self.horizontal_flip), (1, self.vertical_flip)):
            if wanted:
                chosen = rng.random(len(images)) < 0.5
                images[chosen] = np.flip(images[chosen], axis=axis)
        if self.samplewise_center:
            images = images - images.mean(axis=(1, 2, 3), keepdims=True)
        if self.samplewise_std_normalization:
            images = images / (images.std(axis=(1, 2, 3), keepdims=True) + 1e-6)
        if self.preprocessing_function is not None:
            images = np.stack([self.preprocessing_function(image) for image in images])
        return images.astype(self.dtype)

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None, subset=None):
        """Returns an `ImageIterator` over the arrays `x` (and `y`, `sample_weight`)."""
        x = np.asarray(x)
        if x.ndim != 4:
            raise DataError(f"flow_images_from_data: x must be images (samples, height, width, channels), received "
                            f"shape {x.shape}.")
        parts = [x] + [np.asarray(a) for a in (y, sample_weight) if a is not None]
        if any(len(a) != len(x) for a in parts):
            raise DataError(f"flow_images_from_data: x, y and sample_weight differ in length: "
                            f"{[len(a) for a in parts]}.")
        rows = self._subset(len(x), subset)
        arrays = [a[rows] for a in parts]
        return ImageIterator(self, lambda index: arrays[0][index], [a for a in arrays[1:]], len(rows), batch_size,
                             shuffle, seed, y is None)

    def flow_from_directory(self, directory, target_size=(256, 256), color_mode="rgb", classes=None,
                            class_mode="categorical", batch_size=32, shuffle=True, seed=None, subset=None,
                            interpolation="nearest", follow_links=False):
        """Returns an `ImageIterator` over the images in `directory`'s class folders (read when a batch is)."""
        pillow()
        paths, indices, names = image_files(directory, classes, follow_links)
        rows = self._subset(len(paths), subset, indices)
        paths, indices = [paths[i] for i in rows], indices[rows]
        modes = {"categorical": "categorical", "binary": "binary", "sparse": "int", "input": None, None: None}
        if class_mode not in modes:
            raise ConfigError(f"flow_images_from_directory: class_mode must be one of {list(modes)}, received "
                              f"{class_mode!r}.")

        def load(index):
            return np.stack([image_to_array(image_load(paths[i], color_mode=color_mode, target_size=target_size,
                                                       interpolation=interpolation)) for i in index])

        labels = [] if modes[class_mode] is None else [encode_labels(indices, modes[class_mode], len(names))]
        iterator = ImageIterator(self, load, labels, len(paths), batch_size, shuffle, seed, class_mode is None,
                                 input_targets=class_mode == "input")
        iterator.class_indices = {name: i for i, name in enumerate(names)}
        iterator.filenames, iterator.classes = paths, indices
        return iterator

    def _subset(self, n, subset, indices=None):
        if subset is None:
            return np.arange(n)
        if subset not in ("training", "validation") or not self.validation_split:
            raise ConfigError("subset must be 'training' or 'validation', with validation_split set on the "
                              "generator.")
        held = np.zeros(n, dtype=bool)
        groups = [np.arange(n)] if indices is None else [np.flatnonzero(indices == c) for c in np.unique(indices)]
        for group in groups:  # the first validation_split of each class, as Keras 2
            held[group[:int(len(group) * self.validation_split)]] = True
        return np.flatnonzero(held if subset == "validation" else ~held)


class ImageIterator(Sequence):
    """Augmented batches `(images, labels[, sample_weight])` from an `ImageDataGenerator`: a `Sequence` (fit
    reads it by index with workers) that also iterates forever (R keras 2's `generator_next`).

    Attributes:
        n: the number of images; batch_size; class_indices, filenames, classes (from a directory).
    """

    def __init__(self, generator, load, extras, n, batch_size, shuffle, seed, images_only, input_targets=False):
        super().__init__(workers=2)
        self.generator, self.load, self.extras = generator, load, extras
        self.n, self.batch_size, self.shuffle = n, batch_size, shuffle
        self.images_only, self.input_targets = images_only and not input_targets, input_targets
        self._rng = np.random.default_rng(seed)
        self._seeds = np.random.default_rng(seed).integers(2**63)
        self._epoch, self._next = 0, 0
        self._order = self._rng.permutation(n) if shuffle else np.arange(n)

    def __len__(self):
        return -(-self.n // self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"batch {index} of {len(self)}")
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        rng = np.random.default_rng([self._seeds, self._epoch, index])  # the same draws whichever worker reads it
        images = self.generator.transform_batch(self.load(rows), rng)
        if self.images_only:
            return images
        if self.input_targets:
            return images, images
        return (images,) + tuple(extra[rows] for extra in self.extras)

    def on_epoch_end(self):
        self._epoch += 1
        if self.shuffle:
            self._order = self._rng.permutation(self.n)

    def __next__(self):
        if self._next >= len(self):
            self._next = 0
            self.on_epoch_end()
        self._next += 1
        return self[self._next - 1]

    def __iter__(self):
        return self
