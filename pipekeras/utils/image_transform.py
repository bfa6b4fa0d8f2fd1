"""Resampling images: 1-D resize matrices and batches of affine warps as gathers with weights (exactly
transposable, for the image layers' backward). Channels-last arrays, NumPy only."""

import numpy as np


def resize_matrix(size_in, size_out, interpolation):
    """The (size_out, size_in) matrix of 1-D resizing with half-pixel centers (bilinear or nearest)."""
    matrix = np.zeros((size_out, size_in))
    centers = (np.arange(size_out) + 0.5) * size_in / size_out - 0.5
    if interpolation == "nearest":
        matrix[np.arange(size_out), np.clip(np.floor(centers + 0.5), 0, size_in - 1).astype(int)] = 1
        return matrix
    centers = np.clip(centers, 0, size_in - 1)
    low = np.floor(centers).astype(int)
    high = np.minimum(low + 1, size_in - 1)
    weight = centers - low
    np.add.at(matrix, (np.arange(size_out), low), 1 - weight)
    np.add.at(matrix, (np.arange(size_out), high), weight)
    return matrix


def _fill_index(index, size, mode):
    """Maps sample coordinates outside [0, size) per `fill_mode`; returns (index, inside mask)."""
    if mode == "reflect":
        period = 2 * size
        index = np.mod(index, period)
        index = np.where(index >= size, period - 1 - index, index)
    elif mode == "wrap":
        index = np.mod(index, size)
    elif mode == "nearest":
        index = np.clip(index, 0, size - 1)
    inside = (index >= 0) & (index < size)
    return np.clip(index, 0, size - 1), inside


class Warp:
    """A batch of affine resamplings (output pixel -> input coordinate) as gathers with weights, kept for the
    backward scatter."""

    def __init__(self, shape, matrices, interpolation, fill_mode):
        batch, height, width = shape[:3]
        rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        points = np.stack([rows.ravel(), cols.ravel(), np.ones(rows.size)])  # (3, H*W)
        source = np.einsum("bij,jp->bip", matrices, points)  # (batch, 2, H*W): input row, col
        if interpolation == "nearest":
            corners = [(np.floor(source[:, 0] + 0.5), np.floor(source[:, 1] + 0.5), np.ones_like(source[:, 0]))]
        else:
            r0, c0 = np.floor(source[:, 0]), np.floor(source[:, 1])
            fr, fc = source[:, 0] - r0, source[:, 1] - c0
            corners = [(r0, c0, (1 - fr) * (1 - fc)), (r0, c0 + 1, (1 - fr) * fc), (r0 + 1, c0, fr * (1 - fc)),
                       (r0 + 1, c0 + 1, fr * fc)]
        self.shape, self.taps = shape, []
        for r, c, w in corners:
            r, inside_r = _fill_index(r.astype(np.int64), height, fill_mode)
            c, inside_c = _fill_index(c.astype(np.int64), width, fill_mode)
            flat = (np.arange(batch)[:, None] * height + r) * width + c
            self.taps.append((flat.ravel(), (w * inside_r * inside_c).ravel()))

    def forward(self, images, fill_value):
        batch, height, width, channels = images.shape
        flat = images.reshape(-1, channels)
        out = np.zeros((batch * height * width, channels), dtype=np.float64)
        weight_sum = np.zeros(batch * height * width)
        for index, weight in self.taps:
            out += flat[index] * weight[:, None]
            weight_sum += weight
        out += fill_value * (1 - weight_sum)[:, None]  # what falls outside (constant fill)
        return out.reshape(images.shape).astype(images.dtype)

    def backward(self, grad):
        channels = grad.shape[-1]
        flat = grad.reshape(-1, channels)
        out = np.zeros_like(flat, dtype=np.float64)
        for index, weight in self.taps:
            np.add.at(out, index, flat * weight[:, None])
        return out.reshape(grad.shape).astype(grad.dtype)
