"""Forward values of ops against NumPy; dtypes kept; arrays in, arrays out when nothing records."""

import numpy as np
import pytest
import scipy.special

from pipekeras import activations, ops

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(4,))
P = RNG.uniform(0.5, 2.0, size=(3, 4))

CASES = {
    "add": (lambda: ops.add(X, Y), X + Y), "subtract": (lambda: ops.subtract(X, Y), X - Y),
    "multiply": (lambda: ops.multiply(X, Y), X * Y), "divide": (lambda: ops.divide(X, P), X / P),
    "power": (lambda: ops.power(P, X), P ** X), "negative": (lambda: ops.negative(X), -X),
    "abs": (lambda: ops.abs(X), np.abs(X)), "sign": (lambda: ops.sign(X), np.sign(X)),
    "exp": (lambda: ops.exp(X), np.exp(X)), "log": (lambda: ops.log(P), np.log(P)),
    "log1p": (lambda: ops.log1p(P), np.log1p(P)), "expm1": (lambda: ops.expm1(X), np.expm1(X)),
    "sqrt": (lambda: ops.sqrt(P), np.sqrt(P)), "rsqrt": (lambda: ops.rsqrt(P), 1 / np.sqrt(P)),
    "square": (lambda: ops.square(X), X * X), "sin": (lambda: ops.sin(X), np.sin(X)),
    "cos": (lambda: ops.cos(X), np.cos(X)), "tanh": (lambda: ops.tanh(X), np.tanh(X)),
    "sigmoid": (lambda: ops.sigmoid(X), 1 / (1 + np.exp(-X))), "softplus": (lambda: ops.softplus(X), np.log1p(np.exp(X))),
    "relu": (lambda: ops.relu(X), np.maximum(X, 0)), "erf": (lambda: ops.erf(X), scipy.special.erf(X)),
    "gelu_exact": (lambda: ops.gelu(X, approximate=False), 0.5 * X * (1 + scipy.special.erf(X / np.sqrt(2)))),
    "gelu": (lambda: ops.gelu(X), 0.5 * X * (1 + np.tanh(np.sqrt(2 / np.pi) * (X + 0.044715 * X ** 3)))),
    "maximum": (lambda: ops.maximum(X, Y), np.maximum(X, Y)), "minimum": (lambda: ops.minimum(X, 0.1), np.minimum(X, 0.1)),
    "clip": (lambda: ops.clip(X, -0.5, 0.5), np.clip(X, -0.5, 0.5)),
    "where": (lambda: ops.where(X > 0, X, Y), np.where(X > 0, X, Y)),
    "greater": (lambda: ops.greater(X, Y), X > Y), "less_equal": (lambda: ops.less_equal(X, Y), X <= Y),
    "equal": (lambda: ops.equal(X, X), np.ones_like(X, bool)), "not_equal": (lambda: ops.not_equal(X, Y), X != Y),
    "sum": (lambda: ops.sum(X, axis=1), X.sum(1)), "mean": (lambda: ops.mean(X, axis=(0, 1)), X.mean()),
    "max": (lambda: ops.max(X, axis=0, keepdims=True), X.max(0, keepdims=True)), "min": (lambda: ops.min(X), X.min()),
    "prod": (lambda: ops.prod(X, axis=-1), X.prod(-1)), "var": (lambda: ops.var(X, axis=0), X.var(0)),
    "std": (lambda: ops.std(X), X.std()), "logsumexp": (lambda: ops.logsumexp(X, axis=1), np.log(np.exp(X).sum(1))),
    "argmax": (lambda: ops.argmax(X, axis=1), X.argmax(1)), "argmin": (lambda: ops.argmin(X), X.argmin()),
    "any": (lambda: ops.any(X > 2, axis=0), (X > 2).any(0)), "all": (lambda: ops.all(X > -5), (X > -5).all()),
    "cumsum": (lambda: ops.cumsum(X, axis=1), X.cumsum(1)),
    "matmul": (lambda: ops.matmul(X, X.T), X @ X.T), "dot": (lambda: ops.dot(X, Y), X.dot(Y)),
    "einsum": (lambda: ops.einsum("ij,j->i", X, Y), X @ Y),
    "tensordot": (lambda: ops.tensordot(X, X, axes=([1], [1])), np.tensordot(X, X, axes=([1], [1]))),
    "transpose": (lambda: ops.transpose(X), X.T), "norm": (lambda: ops.norm(X, axis=1), np.linalg.norm(X, axis=1)),
    "norm_matrix_1": (lambda: ops.norm(X, ord=1), np.linalg.norm(X, ord=1)),
    "norm_matrix_inf": (lambda: ops.norm(X, ord=np.inf), np.linalg.norm(X, ord=np.inf)),
    "norm_nuc": (lambda: ops.norm(X, ord="nuc"), np.linalg.norm(X, ord="nuc")),
    "reshape": (lambda: ops.reshape(X, (2, -1)), X.reshape(2, -1)),
    "expand_dims": (lambda: ops.expand_dims(X, 1), X[:, None]), "squeeze": (lambda: ops.squeeze(X[None]), X),
    "concatenate": (lambda: ops.concatenate([X, X], axis=1), np.concatenate([X, X], 1)),
    "stack": (lambda: ops.stack([X, X], axis=1), np.stack([X, X], 1)),
    "take": (lambda: ops.take(X, [2, 0], axis=0), X[[2, 0]]), "get_item": (lambda: ops.get_item(X, (1, slice(1, 3))), X[1, 1:3]),
    "one_hot": (lambda: ops.one_hot(np.array([0, 2]), 3), np.eye(3)[[0, 2]]),
    "tile": (lambda: ops.tile(Y, (2, 1)), np.tile(Y, (2, 1))), "repeat": (lambda: ops.repeat(X, 2, axis=1), X.repeat(2, 1)),
    "pad": (lambda: ops.pad(X, ((1, 0), (0, 2))), np.pad(X, ((1, 0), (0, 2)))),
    "cast": (lambda: ops.cast(X, "int32"), X.astype("int32")), "flip": (lambda: ops.flip(X, 1), X[:, ::-1]),
    "softmax": (lambda: ops.softmax(X), np.exp(X) / np.exp(X).sum(-1, keepdims=True)),
    "log_softmax": (lambda: ops.log_softmax(X, axis=0), X - np.log(np.exp(X).sum(0, keepdims=True))),
    "selu": (lambda: ops.selu(X), activations.selu(X)), "elu": (lambda: ops.elu(X, 0.5), activations.elu(X, alpha=0.5)),
    "layer_normalization": (lambda: ops.layer_normalization(X, epsilon=0.0),
                            (X - X.mean(-1, keepdims=True)) / X.std(-1, keepdims=True)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_matches_numpy_and_returns_arrays(name):
    compute, expected = CASES[name]
    result = compute()
    assert isinstance(result, (np.ndarray, np.generic)), type(result)
    np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("fn", [ops.exp, ops.sigmoid, ops.relu, ops.softmax, ops.tanh, lambda x: ops.sum(x, axis=0),
                                lambda x: x @ x.T, lambda x: ops.add(x, 1.0), lambda x: ops.multiply(2, x),
                                ops.layer_normalization, lambda x: ops.mean(ops.square(x), axis=-1)])
def test_float32_stays_float32(fn):
    x = RNG.normal(size=(3, 3)).astype(np.float32)
    assert np.asarray(fn(x)).dtype == np.float32


def test_split_and_top_k_and_moments():
    parts = ops.split(np.arange(6.0), 3)
    assert [p.tolist() for p in parts] == [[0, 1], [2, 3], [4, 5]]
    values, indices = ops.top_k(np.array([[1.0, 5.0, 3.0]]), 2)
    assert values.tolist() == [[5.0, 3.0]] and indices.tolist() == [[1, 2]]
    mean, variance = ops.moments(X, axes=[0])
    np.testing.assert_allclose(mean, X.mean(0))
    np.testing.assert_allclose(variance, X.var(0))


def test_random_is_seeded():
    np.testing.assert_array_equal(ops.normal((3,), seed=5), ops.normal((3,), seed=5))
    assert ops.uniform((2, 2), dtype="float64", seed=1).dtype == np.float64
    from pipekeras import backend

    backend.set_seed(7)
    first = ops.dropout_mask((100,), 0.3)
    backend.set_seed(7)
    np.testing.assert_array_equal(first, ops.dropout_mask((100,), 0.3))
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.7)}
    kept = ops.dropout(np.ones((4, 5)), 0.5, noise_shape=(4, 1), seed=2)
    assert all(len(set(row)) == 1 for row in kept.tolist())


def test_creation_functions():
    assert ops.zeros((2,)).dtype == np.float32 and ops.ones((1, 2)).shape == (1, 2)
    assert ops.full((2,), 3.0).tolist() == [3.0, 3.0] and ops.eye(2).tolist() == [[1, 0], [0, 1]]
    assert ops.arange(3).tolist() == [0, 1, 2] and ops.shape(X) == (3, 4)
    assert ops.zeros_like(X).shape == X.shape and ops.ones_like(Y).sum() == 4
    assert ops.convert_to_tensor([1, 2], dtype="float32").dtype == np.float32
