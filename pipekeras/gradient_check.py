"""check_gradients: does a layer's backward agree with finite differences of its forward?"""

import numpy as np

from .engine.layer import recording


class GradientCheckResult:
    """Per-array maximum relative errors of a gradient check.

    Attributes:
        errors: dict name -> max relative error ("input", "input[1]", or a weight name).
        tolerance: the threshold used.
        ok: True when every error is below the tolerance.
    """

    def __init__(self, errors, tolerance):
        self.errors = errors
        self.tolerance = tolerance
        self.ok = all(e <= tolerance for e in errors.values())

    def __bool__(self):
        return self.ok

    def __repr__(self):
        rows = [f"  {name:<32} {err:.2e} {'ok' if err <= self.tolerance else 'MISMATCH'}"
                for name, err in self.errors.items()]
        return f"Gradient check ({'passed' if self.ok else 'FAILED'}, tolerance {self.tolerance:.0e}):\n" + "\n".join(rows)


def _relative_error(analytic, numeric):
    floor = 1e-3 * max(1.0, float(np.max(np.abs(numeric), initial=0.0)))
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    return float(np.max(np.abs(analytic - numeric) / scale)) if analytic.size else 0.0


def _activity_penalty(layer):
    layers = [layer] + layer.flat_layers()
    return sum(item.activity_penalty for item in layers if item.activity_regularizer is not None)


def check_gradients(layer, x, training=False, epsilon=1e-5, tolerance=1e-5, max_entries=40, seed=0):
    """Compares a layer's (or model's) backward with central finite differences, in float64.

    The scalar checked is `sum(output * R)` for a fixed random R, so every output entry counts.

    Args:
        layer: a Layer or Model (built on `x` if needed).
        x: input array (or list of arrays for merge layers / multi-input models).
        training: run in training mode (keep False for layers with randomness such as dropout).
        epsilon: finite-difference step.
        tolerance: largest accepted relative error.
        max_entries: entries checked per array (sampled at random beyond that).
        seed: seed for R and the sampling.

    Returns:
        A `GradientCheckResult` (truthy when the check passed); print it for a table.

    Example:
        >>> result = check_gradients(dense(3, "tanh"), np.random.rand(4, 5))
        >>> assert result, result
    """
    generator = np.random.default_rng(seed)
    as_list = isinstance(x, (list, tuple))
    inputs = [np.array(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else np.asarray(a)
              for a in (x if as_list else [x])]
    pack = (lambda arrays: list(arrays)) if as_list else (lambda arrays: arrays[0])
    if not layer.built:
        layer(pack(inputs))
    originals = [(v, v.value) for v in layer.weights]
    for variable, value in originals:
        variable.value = value.astype(np.float64)
    try:
        with recording():
            outputs = layer.forward_node(pack(inputs), training, None)
        out_list = list(outputs[0]) if isinstance(outputs[0], (list, tuple)) else [outputs[0]]
        projections = [generator.standard_normal(o.shape) for o in out_list]

        def objective():
            with recording():  # so activity regularizers add their penalty, as backward adds its gradient
                result = layer.forward_node(pack(inputs), training, None)[0]
            result = list(result) if isinstance(result, (list, tuple)) else [result]
            return sum(float((o * p).sum()) for o, p in zip(result, projections)) + _activity_penalty(layer)

        for variable in layer.weights:
            variable.grad = None
        with recording():
            ctx = layer.forward_node(pack(inputs), training, None)[2]
            grad_out = list(projections) if len(projections) > 1 else projections[0]
            grads_in = layer.backward_node(ctx, grad_out, True)
        grads_in = list(grads_in) if as_list else [grads_in]
        targets = [(f"input[{i}]" if as_list else "input", a, g) for i, (a, g) in enumerate(zip(inputs, grads_in))
                   if a.dtype.kind == "f"]
        targets += [(v.name, v.value, v.grad if v.grad is not None else np.zeros_like(v.value))
                    for v in layer.trainable_weights]
        errors = {}
        for name, array, analytic in targets:
            flat = array.reshape(-1)
            picks = generator.choice(flat.size, size=min(flat.size, max_entries), replace=False)
            numeric = np.empty(len(picks))
            for k, index in enumerate(picks):
                saved = flat[index]
                flat[index] = saved + epsilon
                plus = objective()
                flat[index] = saved - epsilon
                minus = objective()
                flat[index] = saved
                numeric[k] = (plus - minus) / (2 * epsilon)
            errors[name] = _relative_error(np.asarray(analytic, np.float64).reshape(-1)[picks], numeric)
        return GradientCheckResult(errors, tolerance)
    finally:
        for variable, value in originals:
            variable.value = value
            variable.grad = None
