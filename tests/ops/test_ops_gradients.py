"""Every op's gradient against central differences in float64, on random shapes (broadcasting included)."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pipekeras import ops
from tests.ops.test_autodiff_gradcheck import check_gradient

FEW = settings(max_examples=20, deadline=None, derandomize=True)
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
BROADCAST = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
SEEDS = st.integers(0, 2**31 - 1)


def _draw(rng, shape, domain):
    if domain == "positive":
        return rng.uniform(0.5, 2.0, size=shape)
    if domain == "unit":
        return rng.uniform(0.1, 0.9, size=shape)
    if domain == "small":
        return rng.uniform(-2.0, 2.0, size=shape)
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < 0.05, 0.3, x)  # away from the kinks of relu, abs, ... at 0


UNARY = {
    "exp": (ops.exp, "any"), "log": (ops.log, "positive"), "log1p": (ops.log1p, "positive"),
    "expm1": (ops.expm1, "any"), "sqrt": (ops.sqrt, "positive"), "rsqrt": (ops.rsqrt, "positive"),
    "square": (ops.square, "any"), "sin": (ops.sin, "any"), "cos": (ops.cos, "any"), "tanh": (ops.tanh, "any"),
    "sigmoid": (ops.sigmoid, "any"), "softplus": (ops.softplus, "any"), "relu": (ops.relu, "any"),
    "gelu": (ops.gelu, "any"), "gelu_exact": (lambda x: ops.gelu(x, approximate=False), "any"),
    "erf": (ops.erf, "any"), "abs": (ops.abs, "any"), "negative": (ops.negative, "any"), "sign": (ops.sign, "any"),
    "relu6": (ops.relu6, "any"), "leaky_relu": (lambda x: ops.leaky_relu(x, negative_slope=0.1), "any"),
    "elu": (lambda x: ops.elu(x, alpha=0.7), "any"), "selu": (ops.selu, "any"), "softsign": (ops.softsign, "any"),
    "hard_sigmoid": (ops.hard_sigmoid, "small"), "silu": (ops.silu, "any"), "mish": (ops.mish, "any"),
    "exponential": (ops.exponential, "small"), "linear": (ops.linear, "any"),
    "softmax": (ops.softmax, "any"), "log_softmax": (ops.log_softmax, "any"),
    "softmax_axis0": (lambda x: ops.softmax(x, axis=0), "any"),
    "clip": (lambda x: ops.clip(x, -0.5, 0.7), "any"), "std": (lambda x: ops.std(ops.stack([x, ops.square(x) + 1.0]), axis=0), "any"),
    "transpose": (ops.transpose, "any"), "flip": (ops.flip, "any"), "flip0": (lambda x: ops.flip(x, 0), "any"),
    "cumsum": (ops.cumsum, "any"), "cumsum_last": (lambda x: ops.cumsum(x, axis=-1), "any"),
    "reshape": (lambda x: ops.reshape(x, (-1,)), "any"), "expand_dims": (lambda x: ops.expand_dims(x, 1), "any"),
    "squeeze": (lambda x: ops.squeeze(ops.expand_dims(x, 0), 0), "any"),
    "tile": (lambda x: ops.tile(x, (2, 1)), "any"), "repeat": (lambda x: ops.repeat(x, 2, axis=0), "any"),
    "repeat_flat": (lambda x: ops.repeat(x, 3), "any"),
    "pad_constant": (lambda x: ops.pad(x, [(1, 2)] + [(0, 1)] * (x.ndim - 1), constant_values=3.0), "any"),
    "pad_reflect": (lambda x: ops.pad(x, [(0, x.shape[0] - 1)] + [(0, 0)] * (x.ndim - 1), mode="reflect"), "any"),
    "pad_symmetric": (lambda x: ops.pad(x, 2, mode="symmetric"), "any"),
    "pad_edge": (lambda x: ops.pad(x, 1, mode="edge"), "any"), "pad_wrap": (lambda x: ops.pad(x, 1, mode="wrap"), "any"),
    "cast": (lambda x: ops.cast(x, "float64"), "any"),
    "get_item_slice": (lambda x: x[::-1, ...][:2], "any"),
    "get_item_fancy": (lambda x: x[np.array([0, 0, -1])], "any"),
    "get_item_mask": (lambda x: x[np.asarray(x.numpy() if hasattr(x, "numpy") else x) > 0], "any"),
    "get_item_newaxis": (lambda x: x[None, ..., 0], "any"),
    "take": (lambda x: ops.take(x, np.array([[0, 0], [-1, 0]]), axis=0), "any"),
    "take_flat": (lambda x: ops.take(x, np.array([0, 0, -1])), "any"),
    "take_last": (lambda x: ops.take(x, np.array([0, 0]), axis=-1), "any"),
    "take_along_axis": (lambda x: ops.take_along_axis(x, np.zeros(x.shape[:-1] + (3,), int), axis=-1), "any"),
    "top_k": (lambda x: ops.top_k(x, 1)[0], "any"),
    "split": (lambda x: ops.concatenate([ops.multiply(p, i + 1.0) for i, p in enumerate(ops.split(x, [1], axis=0))]),
              "any"),
    "stack": (lambda x: ops.stack([x, ops.square(x)], axis=-1), "any"),
    "slice": (lambda x: ops.slice(x, (0,) * x.ndim, (1,) * x.ndim), "any"),
    "moments": (lambda x: ops.add(*ops.moments(x, axes=[0])), "any"),
    "layer_normalization": (lambda x: ops.layer_normalization(x, epsilon=0.1), "any"),
    "dropout": (lambda x: ops.dropout(x, 0.5, seed=3), "any"),
    "norm": (ops.norm, "any"), "norm_l1": (lambda x: ops.norm(x, ord=1, axis=-1), "any"),
    "norm_inf": (lambda x: ops.norm(x, ord=np.inf, axis=0, keepdims=True), "any"),
    "norm_p3": (lambda x: ops.norm(x, ord=3, axis=-1), "any"),
    "norm_matrix_fro": (lambda x: ops.norm(ops.reshape(x, (x.shape[0], -1)), ord="fro"), "any"),
    "norm_matrix_1": (lambda x: ops.norm(ops.reshape(x, (x.shape[0], -1)), ord=1), "any"),
    "norm_matrix_inf": (lambda x: ops.norm(ops.reshape(x, (x.shape[0], -1)), ord=np.inf, axis=(0, 1)), "any"),
    "operators": (lambda x: -(2.0 * x - 1.0) / 3.0 + x ** 2 + abs(x), "any"),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@FEW
@given(shape=SHAPES, seed=SEEDS)
def test_unary_gradient(name, shape, seed):
    fn, domain = UNARY[name]
    rng = np.random.default_rng(seed)
    check_gradient(fn, _draw(rng, shape, domain), seed=seed)


BINARY = {
    "add": (ops.add, "any", "any"), "subtract": (ops.subtract, "any", "any"), "multiply": (ops.multiply, "any", "any"),
    "divide": (ops.divide, "any", "positive"), "power": (ops.power, "positive", "any"),
    "maximum": (ops.maximum, "any", "any"), "minimum": (ops.minimum, "any", "any"),
    "where": (lambda a, b: ops.where(np.asarray(ops.convert_to_numpy(a)) > 0, a, b), "any", "any"),
    "operators": (lambda a, b: a * b - b / (a * a + 1.0) + (a - b) ** 2.0, "any", "any"),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@FEW
@given(shapes=BROADCAST, seed=SEEDS)
def test_binary_gradient_with_broadcasting(name, shapes, seed):
    fn, first, second = BINARY[name]
    rng = np.random.default_rng(seed)
    a, b = _draw(rng, shapes.input_shapes[0], first), _draw(rng, shapes.input_shapes[1], second)
    check_gradient(fn, a, b, seed=seed)


REDUCTIONS = {
    "sum": ops.sum, "mean": ops.mean, "max": ops.max, "min": ops.min, "prod": ops.prod, "var": ops.var,
    "std": ops.std, "logsumexp": ops.logsumexp,
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@FEW
@given(shape=SHAPES, seed=SEEDS, keepdims=st.booleans(), data=st.data())
def test_reduction_gradient(name, shape, seed, keepdims, data):
    axes = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1)
                     | st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True).map(tuple))
    reduced = range(len(shape)) if axes is None else np.atleast_1d(axes)
    assume(name != "std" or np.prod([shape[a] for a in reduced]) > 1)  # sqrt(0): no derivative
    x = _draw(np.random.default_rng(seed), shape, "any")
    check_gradient(lambda v: REDUCTIONS[name](v, axis=axes, keepdims=keepdims), x, seed=seed)


def test_prod_gradient_with_zeros():
    x = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0]])
    check_gradient(lambda v: ops.prod(v, axis=1), x)


@FEW
@given(shapes=hnp.mutually_broadcastable_shapes(signature="(n,k),(k,m)->(n,m)", max_dims=2, max_side=3),
       seed=SEEDS)
def test_matmul_gradient_with_batch_broadcasting(shapes, seed):
    rng = np.random.default_rng(seed)
    check_gradient(ops.matmul, *(_draw(rng, s, "any") for s in shapes.input_shapes), seed=seed)


@pytest.mark.parametrize("shapes", [((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)), ((4, 2, 3), (3,)), ((3,), (2, 3, 4))])
def test_matmul_gradient_with_vectors(shapes):
    rng = np.random.default_rng(0)
    check_gradient(ops.matmul, *(rng.normal(size=s) for s in shapes))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3, 4)), ((2, 3), (3,)), ((2, 2, 3), (4, 3, 2)), ((), (2,))])
def test_dot_gradient(shapes):
    rng = np.random.default_rng(1)
    check_gradient(ops.dot, *(rng.normal(size=s) for s in shapes))


@pytest.mark.parametrize("shapes, axes", [(((2, 3, 4), (3, 4, 5)), 2), (((2, 3), (3, 2)), 1),
                                          (((2, 3, 4), (4, 2)), ([2, 0], [0, 1])), (((3, 2), (2, 3)), ([1, 0], [0, 1]))])
def test_tensordot_gradient(shapes, axes):
    rng = np.random.default_rng(2)
    check_gradient(lambda a, b: ops.tensordot(a, b, axes=axes), *(rng.normal(size=s) for s in shapes))


@pytest.mark.parametrize("subscripts, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("ij->i", [(3, 4)]),
    ("ij,ij->", [(2, 3), (2, 3)]), ("i,j->ij", [(2,), (3,)]), ("...ij,...jk", [(2, 2, 3), (3, 2)]),
    ("ij,kj", [(2, 3), (4, 3)]), ("ijk->kji", [(2, 3, 4)]), ("i,i,i->", [(3,), (3,), (3,)]),
])
def test_einsum_gradient(subscripts, shapes):
    rng = np.random.default_rng(3)
    check_gradient(lambda *xs: ops.einsum(subscripts, *xs), *(rng.normal(size=s) for s in shapes))


@FEW
@given(shapes=st.lists(hnp.array_shapes(min_dims=2, max_dims=2, max_side=3), min_size=2, max_size=3), seed=SEEDS)
def test_concatenate_gradient(shapes, seed):
    rng = np.random.default_rng(seed)
    xs = [_draw(rng, (s[0], 2), "any") for s in shapes]
    check_gradient(lambda *a: ops.concatenate(list(a), axis=0), *xs, seed=seed)


def test_transpose_with_axes_gradient():
    check_gradient(lambda x: ops.transpose(x, (2, 0, 1)), np.random.default_rng(4).normal(size=(2, 3, 4)))
