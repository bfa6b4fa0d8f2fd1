"""Dense on sparse rows: forward and weight gradients as on the dense rows, and float64 central differences."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.engine.layer import recording
from pipekeras.engine.sparse_rows import SparseRows
from pipekeras.errors import ShapeError


def _rows(with_values):
    rng = np.random.default_rng(0)
    indptr = np.array([0, 3, 3, 5, 8], np.int64)
    indices = np.array([0, 4, 2, 1, 1, 5, 0, 3], np.int32)
    values = rng.normal(size=8) if with_values else None
    return SparseRows(indptr, indices, values, 6, np.float64)


def _run(layer, x, dy):
    with recording():
        y, _, ctx = layer.forward_node(x, True, None)
    layer.kernel.grad = layer.bias.grad = None
    back = layer.backward_node(ctx, dy, input_grad_needed=False)
    return y, back, layer.kernel.grad.copy(), layer.bias.grad.copy()


@pytest.mark.parametrize("with_values", [False, True])
def test_sparse_rows_give_the_dense_rows_outputs_and_gradients(with_values):
    rows = _rows(with_values)
    layer = pk.layers.Dense(3, "tanh", dtype="float64")
    layer.ensure_built((None, 6))
    layer.bias.value[...] = [0.1, -0.2, 0.3]
    dy = np.random.default_rng(1).normal(size=(4, 3))
    y_sparse, back, dk_sparse, db_sparse = _run(layer, rows, dy)
    y_dense, _, dk_dense, db_dense = _run(layer, rows.toarray(), dy)
    assert back is None
    np.testing.assert_allclose(y_sparse, y_dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dk_sparse, dk_dense, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(db_sparse, db_dense, rtol=1e-12, atol=1e-12)


def test_kernel_gradient_matches_central_differences_in_float64():
    rows = _rows(True)
    layer = pk.layers.Dense(2, "sigmoid", dtype="float64")
    layer.ensure_built((None, 6))
    dy = np.random.default_rng(2).normal(size=(4, 2))
    _, _, dkernel, dbias = _run(layer, rows, dy)
    for weight, analytic in ((layer.kernel, dkernel), (layer.bias, dbias)):
        numeric = np.zeros_like(analytic)
        for i in np.ndindex(weight.shape):
            saved = weight.value[i]
            weight.value[i] = saved + 1e-6
            up = float((layer.forward_node(rows, False, None)[0] * dy).sum())
            weight.value[i] = saved - 1e-6
            down = float((layer.forward_node(rows, False, None)[0] * dy).sum())
            weight.value[i] = saved
            numeric[i] = (up - down) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)
    assert not dkernel[[i for i in range(6) if i not in rows.indices]].any()  # untouched rows stay zero


def test_a_width_that_is_not_the_kernels_is_refused():
    layer = pk.layers.Dense(2, dtype="float64")
    layer.ensure_built((None, 5))
    with pytest.raises(ShapeError, match="width 6"):
        layer.forward_node(_rows(False), False, None)
