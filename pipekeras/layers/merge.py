"""Merge layers: combine a list of tensors (add, subtract, multiply, average, maximum, minimum,
concatenate, dot)."""

import numpy as np

from ..engine.layer import Layer, shape_str
from ..errors import ConfigError, ShapeError


class Merge(Layer):
    """Base of the elementwise merge layers: a list of same-shape tensors in, one tensor out.

    Args:
        **kwargs: name, trainable, dtype.
    """

    takes_list_input = True
    supports_masking = True
    min_inputs = 2
    max_inputs = None

    def validate_input_shape(self, input_shape):
        if not isinstance(input_shape, list) or not self.min_inputs <= len(input_shape) <= (self.max_inputs or 10**9):
            count = "exactly 2" if self.max_inputs == 2 else f"at least {self.min_inputs}"
            raise self.error(ShapeError, f"needs a list of {count} tensors, received "
                                         f"{len(input_shape) if isinstance(input_shape, list) else 1}. "
                                         "Pipe a list: [a, b] | add().")
        self.check_shapes(input_shape)

    def check_shapes(self, shapes):
        first = shapes[0][1:]
        for shape in shapes[1:]:
            if len(shape) != len(shapes[0]) or any(a is not None and b is not None and a != b
                                                   for a, b in zip(first, shape[1:])):
                raise self.error(ShapeError, f"inputs must have the same shape, received "
                                             f"{shape_str(list(shapes))}.")

    def ensure_built(self, input_shape, batch_known=False):
        if not isinstance(input_shape, list):
            self.validate_input_shape(input_shape)
        super().ensure_built(input_shape, batch_known)
        self.check_shapes(input_shape)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        present = [m for m in mask if m is not None]
        if isinstance(present[0], np.ndarray):
            return np.logical_and.reduce([m for m in present])
        return present[0]


class Add(Merge):
    """Adds a list of tensors: `[a, b] | add()`.

    Example:
        >>> a, b = Input(shape=16), Input(shape=16)
        >>> total = [a, b] | add()
    """

    def call(self, inputs, training=False):
        self.save_for_backward(len(inputs))
        return sum(inputs[1:], inputs[0].copy())

    def backward(self, grad_output):
        (count,) = self.saved_tensors
        return [grad_output] * count


class Subtract(Merge):
    """Subtracts two tensors: `[a, b] | subtract()` gives a - b.

    Example:
        >>> a, b = Input(shape=16), Input(shape=16)
        >>> difference = [a, b] | subtract()   # a - b
    """

    max_inputs = 2

    def call(self, inputs, training=False):
        return inputs[0] - inputs[1]

    def backward(self, grad_output):
        return [grad_output, -grad_output]


class Multiply(Merge):
    """Multiplies a list of tensors elementwise.

    Example:
        >>> values, gate = Input(shape=16), Input(shape=16)
        >>> gated = [values, gate | dense(16, "sigmoid")] | multiply()
    """

    def call(self, inputs, training=False):
        self.save_for_backward(inputs)
        result = inputs[0].copy()
        for x in inputs[1:]:
            result *= x
        return result

    def backward(self, grad_output):
        (inputs,) = self.saved_tensors
        grads = []
        for i in range(len(inputs)):
            grad = grad_output.copy()
            for j, x in enumerate(inputs):
                if j != i:
                    grad *= x
            grads.append(grad)
        return grads


class Average(Merge):
    """Averages a list of tensors elementwise.

    Example:
        >>> a, b, c = Input(shape=16), Input(shape=16), Input(shape=16)
        >>> mean = [a, b, c] | average()
    """

    def call(self, inputs, training=False):
        self.save_for_backward(len(inputs))
        return sum(inputs[1:], inputs[0].copy()) / np.asarray(len(inputs), inputs[0].dtype)

    def backward(self, grad_output):
        (count,) = self.saved_tensors
        share = grad_output / np.asarray(count, grad_output.dtype)
        return [share] * count


class _Extremum(Merge):
    """Elementwise maximum or minimum; the gradient goes to the first input holding the extremum."""

    pick = None

    def call(self, inputs, training=False):
        stacked = np.stack(inputs)
        winner = self.pick(stacked, axis=0)
        self.save_for_backward(winner, len(inputs))
        return np.take_along_axis(stacked, winner[None], axis=0)[0]

    def backward(self, grad_output):
        winner, count = self.saved_tensors
        return [np.where(winner == i, grad_output, 0).astype(grad_output.dtype) for i in range(count)]


class Maximum(_Extremum):
    """Elementwise maximum of a list of tensors.

    Example:
        >>> a, b = Input(shape=16), Input(shape=16)
        >>> largest = [a, b] | maximum()
    """

    pick = staticmethod(np.argmax)


class Minimum(_Extremum):
    """Elementwise minimum of a list of tensors.

    Example:
        >>> a, b = Input(shape=16), Input(shape=16)
        >>> smallest = [a, b] | minimum()
    """

    pick = staticmethod(np.argmin)


class Concatenate(Merge):
    """Concatenates a list of tensors along `axis` (default: the last).

    Args:
        axis: concatenation axis (counting the batch axis as 0; negative counts from the end).

    Example:
        >>> a, b = Input(shape=16), Input(shape=8)
        >>> merged = [a, b] | concatenate()   # (None, 24)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def check_shapes(self, shapes):
        rank = len(shapes[0])
        axis = self.axis % rank
        if axis == 0:
            raise self.error(ConfigError, "cannot concatenate along the batch axis (axis=0).")
        for shape in shapes:
            if len(shape) != rank or any(a is not None and b is not None and a != b
                                         for i, (a, b) in enumerate(zip(shapes[0], shape)) if i not in (0, axis)):
                raise self.error(ShapeError, f"inputs must match on every axis but axis {self.axis}, received "
                                             f"{shape_str(list(shapes))}.")

    def compute_output_shape(self, input_shape):
        axis = self.axis % len(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        total = None if any(s is None for s in sizes) else sum(sizes)
        return tuple(total if i == axis else d for i, d in enumerate(input_shape[0]))

    def call(self, inputs, training=False):
        self.save_for_backward([x.shape[self.axis] for x in inputs])
        return np.concatenate(inputs, axis=self.axis)

    def backward(self, grad_output):
        (sizes,) = self.saved_tensors
        return [np.ascontiguousarray(g) for g in np.split(grad_output, np.cumsum(sizes)[:-1], axis=self.axis)]

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dot(Merge):
    """Dot product of two tensors along `axes`, per sample (Keras' batch dot).

    Args:
        axes: int or pair of ints, the axes to contract (counting the batch axis as 0).
        normalize: L2-normalize both inputs along the axes first (cosine similarity).

    Example:
        >>> a, b = Input(shape=16), Input(shape=16)
        >>> similarity = [a, b] | dot(axes=1, normalize=True)   # cosine, (None, 1)
    """

    max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, (int, np.integer)) else tuple(axes)
        if len(pair) != 2:
            raise ConfigError(f"Dot: axes must be an int or a pair of ints, received {axes!r}.")
        self.axes = tuple(int(a) for a in pair)
        self.normalize = bool(normalize)

    def _axes_for(self, shapes):
        return [a % len(s) for a, s in zip(self.axes, shapes)]

    def check_shapes(self, shapes):
        a_axis, b_axis = self._axes_for(shapes)
        if a_axis == 0 or b_axis == 0:
            raise self.error(ConfigError, "cannot contract the batch axis (axes=0).")
        if shapes[0][a_axis] is not None and shapes[1][b_axis] is not None and \
                shapes[0][a_axis] != shapes[1][b_axis]:
            raise self.error(ShapeError, f"axis {a_axis} of {shape_str(shapes[0])} and axis {b_axis} of "
                                         f"{shape_str(shapes[1])} must have the same size.")

    def compute_output_shape(self, input_shape):
        a_axis, b_axis = self._axes_for(input_shape)
        rest = [d for i, d in enumerate(input_shape[0]) if i not in (0, a_axis)] + \
               [d for i, d in enumerate(input_shape[1]) if i not in (0, b_axis)]
        return (input_shape[0][0],) + (tuple(rest) if rest else (1,))

    @staticmethod
    def _to_matrices(a, b, a_axis, b_axis):
        a_moved = np.moveaxis(a, a_axis, -1)
        b_moved = np.moveaxis(b, b_axis, 1)
        return (a_moved.reshape(len(a), -1, a.shape[a_axis]), b_moved.reshape(len(b), b.shape[b_axis], -1),
                a_moved.shape, b_moved.shape)

    @staticmethod
    def _l2_normalize(x, axis):
        norm = np.sqrt(np.maximum((x * x).sum(axis=axis, keepdims=True), 1e-12))
        return x / norm, norm

    def call(self, inputs, training=False):
        a, b = inputs
        a_axis, b_axis = self._axes_for([a.shape, b.shape])
        norms = None
        if self.normalize:
            (a, a_norm), (b, b_norm) = self._l2_normalize(a, a_axis), self._l2_normalize(b, b_axis)
            norms = (a_norm, b_norm)
        a_mat, b_mat, a_moved, b_moved = self._to_matrices(a, b, a_axis, b_axis)
        out = np.matmul(a_mat, b_mat)
        self.save_for_backward(a, b, a_mat, b_mat, a_moved, b_moved, norms)
        return out.reshape(self.compute_output_shape([a.shape, b.shape]))

    def backward(self, grad_output):
        a, b, a_mat, b_mat, a_moved, b_moved, norms = self.saved_tensors
        a_axis, b_axis = self._axes_for([a.shape, b.shape])
        g = grad_output.reshape(len(a), a_mat.shape[1], b_mat.shape[2])
        da = np.moveaxis((g @ np.swapaxes(b_mat, 1, 2)).reshape(a_moved), -1, a_axis)
        db = np.moveaxis((np.swapaxes(a_mat, 1, 2) @ g).reshape(b_moved), 1, b_axis)
        if norms is not None:
            da = (da - a * (da * a).sum(axis=a_axis, keepdims=True)) / norms[0]
            db = (db - b * (db * b).sum(axis=b_axis, keepdims=True)) / norms[1]
        return [np.ascontiguousarray(da), np.ascontiguousarray(db)]

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
