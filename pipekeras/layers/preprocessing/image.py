"""Image preprocessing and augmentation layers on channels-last batches (batch, height, width, channels).

rescaling, resizing and center_crop always apply; random_flip, random_rotation, random_zoom,
random_translation, random_contrast and random_crop change images only in training (fit) and pass them through
in inference (random_crop then takes the center). Every transform is linear in the pixels, so each has an exact
backward (the transposed map), and a seed makes the random draws repeat.
"""

import numpy as np

from ... import backend
from ...engine.layer import Layer
from ...errors import ConfigError, ShapeError
from ...utils.image_transform import Warp, resize_matrix

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _factor_range(factor, name, layer):
    """(lower, upper) of a Keras factor: a number f means (-f, f)."""
    low, high = (-factor, factor) if np.isscalar(factor) else tuple(factor)
    if low > high:
        raise layer.error(ConfigError, f"{name} must be a number or (lower, upper) with lower <= upper, received "
                                       f"{factor!r}.")
    return float(low), float(high)


def _floats(inputs, dtype):
    """The images as floats: float arrays as they are (float64 for gradient checks), others as `dtype`."""
    x = np.asarray(inputs)
    return x if x.dtype.kind == "f" else x.astype(dtype)


class _Random(Layer):
    """A layer drawing random transforms in training, from its own generator when seeded."""

    def __init__(self, seed=None, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    @property
    def rng(self):
        return self._rng if self._rng is not None else backend.rng()

    def validate_input_shape(self, input_shape):
        if len(input_shape) not in (3, 4):
            raise self.error(ShapeError, f"expects images (batch, height, width, channels) or one image "
                                         f"(height, width, channels); received {input_shape}.")

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class _Affine(_Random):
    """Random rotations, zooms or translations as affine resamplings."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if fill_mode not in _FILL_MODES:
            raise self.error(ConfigError, f"fill_mode must be one of {list(_FILL_MODES)}, received {fill_mode!r}.")
        if interpolation not in ("bilinear", "nearest"):
            raise self.error(ConfigError, f"interpolation must be 'bilinear' or 'nearest', received "
                                          f"{interpolation!r}.")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images = np.asarray(inputs)
        single = images.ndim == 3
        images = images[None] if single else images
        warp = Warp(images.shape, self.matrices(images.shape[0], *images.shape[1:3]), self.interpolation,
                     self.fill_mode)
        self.save_for_backward(warp, single)
        out = warp.forward(images, self.fill_value)
        return out[0] if single else out

    def backward(self, grad_output):
        warp, single = self.saved_tensors
        grad = warp.backward(grad_output[None] if single else grad_output)
        return grad[0] if single else grad

    @staticmethod
    def about_center(height, width, linear, shift):
        """Matrices mapping output (row, col, 1) to input (row, col): `linear` about the image center, then
        `shift` (rows, cols)."""
        center = np.array([(height - 1) / 2, (width - 1) / 2])
        offset = center - np.einsum("bij,j->bi", linear, center) + shift
        return np.concatenate([linear, offset[:, :, None]], axis=2)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomRotation(_Affine):
    """Rotates images by a random angle in training: `factor` (a fraction of a full turn) f or (lower, upper).

    Args:
        factor: rotations drawn from [lower * 2 pi, upper * 2 pi] (f means [-f, f]).
        fill_mode: "reflect", "wrap", "constant" (fill_value) or "nearest", for pixels from outside.
        interpolation: "bilinear" or "nearest"; seed: for repeatable draws; fill_value: with "constant".
        **kwargs: name, trainable, input_shape, batch_input_shape, batch_size, dtype.

    Example:
        >>> model = sequential() | random_rotation(0.1, input_shape=(28, 28, 1)) | conv_2d(8, 3)
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor
        self._range = _factor_range(factor, "factor", self)

    def matrices(self, batch, height, width):
        angles = self.rng.uniform(*self._range, size=batch) * 2 * np.pi
        cos, sin = np.cos(angles), np.sin(angles)
        linear = np.stack([np.stack([cos, -sin], 1), np.stack([sin, cos], 1)], 1)
        return self.about_center(height, width, linear, np.zeros((batch, 2)))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_Affine):
    """Zooms images by a random amount in training: a factor f in [lower, upper] shows (1 + f) times the area
    per axis (positive zooms out, negative zooms in, as Keras).

    Args:
        height_factor: f or (lower, upper) for the height; width_factor: the same for the width (None: the
            height's draw, keeping the aspect).
        fill_mode, interpolation, seed, fill_value: as `RandomRotation`.

    Example:
        >>> model = sequential() | random_zoom(0.2, input_shape=(28, 28, 1)) | conv_2d(8, 3)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._heights = _factor_range(height_factor, "height_factor", self)
        self._widths = None if width_factor is None else _factor_range(width_factor, "width_factor", self)

    def matrices(self, batch, height, width):
        rows = 1 + self.rng.uniform(*self._heights, size=batch)
        cols = rows if self._widths is None else 1 + self.rng.uniform(*self._widths, size=batch)
        linear = np.zeros((batch, 2, 2))
        linear[:, 0, 0], linear[:, 1, 1] = rows, cols
        return self.about_center(height, width, linear, np.zeros((batch, 2)))

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomTranslation(_Affine):
    """Shifts images by a random fraction of their size in training.

    Args:
        height_factor, width_factor: f or (lower, upper), fractions of the height and width.
        fill_mode, interpolation, seed, fill_value: as `RandomRotation`.

    Example:
        >>> model = sequential() | random_translation(0.1, 0.1, input_shape=(28, 28, 1)) | conv_2d(8, 3)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self._heights = _factor_range(height_factor, "height_factor", self)
        self._widths = _factor_range(width_factor, "width_factor", self)

    def matrices(self, batch, height, width):
        shift = np.stack([self.rng.uniform(*self._heights, size=batch) * height,
                          self.rng.uniform(*self._widths, size=batch) * width], 1)
        return self.about_center(height, width, np.broadcast_to(np.eye(2), (batch, 2, 2)), -shift)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor}


class RandomFlip(_Random):
    """Flips images at random in training: "horizontal", "vertical" or "horizontal_and_vertical", each
    direction with probability 1/2 per image.

    Args:
        mode: the directions; seed: for repeatable draws.

    Example:
        >>> model = sequential() | random_flip("horizontal", input_shape=(32, 32, 3)) | conv_2d(8, 3)
    """

    def __init__(self, mode="horizontal_and_vertical", seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in ("horizontal", "vertical", "horizontal_and_vertical"):
            raise self.error(ConfigError, f"mode must be 'horizontal', 'vertical' or 'horizontal_and_vertical', "
                                          f"received {mode!r}.")
        self.mode = mode

    def _flip(self, images, flips):
        out = images.copy()
        for axis, chosen in flips:
            out[chosen] = np.flip(out[chosen], axis=axis)
        return out

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images = np.asarray(inputs)
        single = images.ndim == 3
        images = images[None] if single else images
        flips = []
        if self.mode != "vertical":
            flips.append((2, self.rng.random(len(images)) < 0.5))
        if self.mode != "horizontal":
            flips.append((1, self.rng.random(len(images)) < 0.5))
        self.save_for_backward(flips, single)
        out = self._flip(images, flips)
        return out[0] if single else out

    def backward(self, grad_output):
        flips, single = self.saved_tensors
        grad = self._flip(grad_output[None] if single else grad_output, flips[::-1])
        return grad[0] if single else grad

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class RandomContrast(_Random):
    """Scales each image's contrast by a random factor in training: per channel, (x - mean) * c + mean with c in
    [1 - lower, 1 + upper], clipped to `value_range`.

    Args:
        factor: f or (lower, upper), each in [0, 1].
        seed: for repeatable draws; value_range: the pixel range clipped to ((0, 255) as Keras).

    Example:
        >>> model = sequential() | random_contrast(0.2, input_shape=(32, 32, 3)) | conv_2d(8, 3)
    """

    def __init__(self, factor, seed=None, value_range=(0, 255), **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = factor
        low, high = (factor, factor) if np.isscalar(factor) else tuple(factor)
        if not (0 <= low <= 1 and 0 <= high):
            raise self.error(ConfigError, f"factor must be in [0, 1] (or a pair of them), received {factor!r}.")
        self._range = (1 - low, 1 + high)
        self.value_range = tuple(value_range)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        images = np.asarray(inputs)
        axes = (-3, -2)
        scale = self.rng.uniform(*self._range, size=images.shape[:-3] + (1, 1, 1)).astype(images.dtype)
        mean = images.mean(axis=axes, keepdims=True)
        out = (images - mean) * scale + mean
        clipped = np.clip(out, *self.value_range)
        self.save_for_backward(scale, clipped == out)
        return clipped.astype(images.dtype)

    def backward(self, grad_output):
        scale, inside = self.saved_tensors
        grad = grad_output * inside
        return grad * scale + (grad.sum(axis=(-3, -2), keepdims=True) * (1 - scale)) / \
            (grad.shape[-3] * grad.shape[-2])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": list(self.value_range)}


class _Crop(Layer):
    """Crops to (height, width) at offsets the subclass chooses."""

    def __init__(self, height, width, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.height, self.width = int(height), int(width)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def validate_input_shape(self, input_shape):
        if len(input_shape) != 4:
            raise self.error(ShapeError, f"expects images (batch, height, width, channels); received {input_shape}.")
        h, w = input_shape[-3], input_shape[-2]
        if (h is not None and h < self.height) or (w is not None and w < self.width):
            raise self.error(ShapeError, f"cannot crop {h}x{w} images to {self.height}x{self.width}; resize them "
                                         "first (resizing).")

    def _crop(self, images, tops, lefts):
        out = np.empty(images.shape[:-3] + (self.height, self.width, images.shape[-1]), dtype=images.dtype)
        for i, (top, left) in enumerate(zip(tops, lefts)):
            out[i] = images[i, top:top + self.height, left:left + self.width]
        self.save_for_backward(images.shape, tops, lefts)
        return out

    def backward(self, grad_output):
        shape, tops, lefts = self.saved_tensors
        grad = np.zeros(shape, dtype=grad_output.dtype)
        for i, (top, left) in enumerate(zip(tops, lefts)):
            grad[i, top:top + self.height, left:left + self.width] = grad_output[i]
        return grad

    def _center(self, images):
        top, left = (images.shape[-3] - self.height) // 2, (images.shape[-2] - self.width) // 2
        return [top] * len(images), [left] * len(images)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class CenterCrop(_Crop):
    """Crops the center (height, width) of every image.

    Args:
        height, width: the size of the crop.

    Example:
        >>> center_crop(24, 24)(np.zeros((2, 28, 28, 1))).shape   # (2, 24, 24, 1)
    """

    def call(self, inputs):
        images = np.asarray(inputs)
        return self._crop(images, *self._center(images))


class RandomCrop(_Crop):
    """Crops a random (height, width) window of every image in training, the center one in inference.

    Args:
        height, width: the size of the crop; seed: for repeatable draws.

    Example:
        >>> model = sequential() | random_crop(24, 24, input_shape=(28, 28, 1)) | conv_2d(8, 3)
    """

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(height, width, **kwargs)
        self.seed = seed
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def call(self, inputs, training=False):
        images = np.asarray(inputs)
        if not training:
            return self._crop(images, *self._center(images))
        rng = self._rng if self._rng is not None else backend.rng()
        tops = rng.integers(0, images.shape[-3] - self.height + 1, size=len(images))
        lefts = rng.integers(0, images.shape[-2] - self.width + 1, size=len(images))
        return self._crop(images, tops, lefts)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


class Rescaling(Layer):
    """Multiplies by `scale` and adds `offset`: `rescaling(1 / 255)` maps pixels to [0, 1].

    Args:
        scale, offset: the factor and the shift.

    Example:
        >>> model = sequential() | rescaling(1 / 255, input_shape=(28, 28, 1)) | conv_2d(8, 3)
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs):
        x = _floats(inputs, self.dtype)
        return x * x.dtype.type(self.scale) + x.dtype.type(self.offset)

    def backward(self, grad_output):
        return grad_output * grad_output.dtype.type(self.scale)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Resizing(Layer):
    """Resizes images to (height, width), bilinear (half-pixel centers, as Keras 3 without antialiasing) or
    nearest.

    Args:
        height, width: the output size.
        interpolation: "bilinear" or "nearest".
        crop_to_aspect_ratio: crop the center to the output's aspect ratio first instead of stretching.

    Example:
        >>> resizing(14, 14)(np.zeros((2, 28, 28, 1))).shape   # (2, 14, 14, 1)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        if interpolation not in ("bilinear", "nearest"):
            raise self.error(ConfigError, f"interpolation must be 'bilinear' or 'nearest', received "
                                          f"{interpolation!r}.")
        self.height, self.width = int(height), int(width)
        self.interpolation, self.crop_to_aspect_ratio = interpolation, bool(crop_to_aspect_ratio)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def _window(self, h, w):
        if not self.crop_to_aspect_ratio:
            return 0, h, 0, w
        target = self.width / self.height
        if w / h > target:
            cw = int(round(h * target))
            return 0, h, (w - cw) // 2, (w - cw) // 2 + cw
        ch = int(round(w / target))
        return (h - ch) // 2, (h - ch) // 2 + ch, 0, w

    def call(self, inputs):
        images = _floats(inputs, self.dtype)
        top, bottom, left, right = self._window(images.shape[-3], images.shape[-2])
        rows = resize_matrix(bottom - top, self.height, self.interpolation).astype(images.dtype)
        cols = resize_matrix(right - left, self.width, self.interpolation).astype(images.dtype)
        self.save_for_backward(images.shape, (top, bottom, left, right), rows, cols)
        window = images[..., top:bottom, left:right, :]
        return np.einsum("ih,...hwc,jw->...ijc", rows, window, cols, optimize=True)

    def backward(self, grad_output):
        shape, (top, bottom, left, right), rows, cols = self.saved_tensors
        grad = np.zeros(shape, dtype=grad_output.dtype)
        grad[..., top:bottom, left:right, :] = np.einsum("ih,...ijc,jw->...hwc", rows, grad_output, cols,
                                                         optimize=True)
        return grad

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio}
