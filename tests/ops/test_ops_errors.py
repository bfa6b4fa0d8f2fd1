"""Bad input: errors name the op, the shapes and the rule, as pipekeras errors (never a raw NumPy error)."""

import numpy as np
import pytest

from pipekeras import ops
from pipekeras.errors import ConfigError, PipeKerasError, ShapeError


@pytest.mark.parametrize("op", [ops.add, ops.subtract, ops.multiply, ops.divide, ops.maximum, ops.power])
def test_elementwise_ops_name_the_op_the_shapes_and_the_broadcasting_rule(op):
    with pytest.raises(ShapeError) as error:
        op(np.ones((2, 3)), np.ones((4, 3)))
    message = str(error.value)
    assert op.__name__ in message and "(2, 3)" in message and "(4, 3)" in message and "Broadcasting rule" in message


def test_the_same_error_while_recording():
    with ops.GradientTape() as tape:
        x = tape.watch(np.ones((2, 3)))
        with pytest.raises(ShapeError, match=r"add: the shapes \(2, 3\) and \(3, 2\)"):
            x + np.ones((3, 2))


@pytest.mark.parametrize("a, b, expected", [
    ((2, 3), (4, 5), r"last axis of x1 \(3\) must equal the second-to-last axis of x2 \(4\)"),
    ((2, 3), (4,), r"the only axis of x2 \(4\)"),
    ((2, 2, 3), (3, 3, 4), r"batch axes of x1 \(2,\) and x2 \(3,\) do not broadcast"),
    ((), (3,), "at least 1 axis"),
])
def test_matmul_errors(a, b, expected):
    with pytest.raises(ShapeError, match=expected):
        ops.matmul(np.ones(a), np.ones(b))


def test_shape_op_errors():
    with pytest.raises(ShapeError, match=r"reshape: cannot reshape an array of shape \(2, 3\) \(6 entries\) into shape \(4, 2\)"):
        ops.reshape(np.ones((2, 3)), (4, 2))
    with pytest.raises(ShapeError, match=r"concatenate: arrays of shapes \(2, 3\), \(2, 4\)"):
        ops.concatenate([np.ones((2, 3)), np.ones((2, 4))])
    with pytest.raises(ShapeError, match="stack"):
        ops.stack([np.ones(2), np.ones(3)])
    with pytest.raises(ShapeError, match="squeeze: axis 0"):
        ops.squeeze(np.ones((2, 3)), axis=0)
    with pytest.raises(ShapeError, match="split"):
        ops.split(np.ones(5), 2)
    with pytest.raises(ShapeError, match="tensordot"):
        ops.tensordot(np.ones((2, 3)), np.ones((4, 2)), axes=1)
    with pytest.raises(ShapeError, match="dot"):
        ops.dot(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ShapeError, match="einsum"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)), np.ones((4, 2)))
    with pytest.raises(ShapeError, match="top_k: k=4"):
        ops.top_k(np.ones(3), 4)
    with pytest.raises(ShapeError, match="get_item"):
        ops.get_item(np.ones(3), 5)
    with pytest.raises(ShapeError, match="take"):
        ops.take(np.ones(3), [7])


def test_argument_errors():
    with pytest.raises(ConfigError, match="pad: unknown mode"):
        ops.pad(np.ones(2), 1, mode="median")
    with pytest.raises(ConfigError, match="rate"):
        ops.dropout(np.ones(2), 1.0)
    with pytest.raises(ConfigError, match="sparse"):
        ops.one_hot(np.array([1]), 3, sparse=True)
    with pytest.raises(ConfigError, match="seed"):
        ops.normal((2,), seed=-1)


def test_errors_are_pipekeras_errors_and_value_errors():
    with pytest.raises(PipeKerasError):
        ops.add(np.ones(2), np.ones(3))
    with pytest.raises(ValueError):
        ops.add(np.ones(2), np.ones(3))


def test_a_custom_gradient_of_the_wrong_shape_names_the_op():
    @ops.custom_gradient
    def bad(x):
        return x * 2, lambda g: np.ones(5)

    with ops.GradientTape() as tape:
        x = tape.watch(np.ones(3))
        y = ops.sum(bad(x))
    with pytest.raises(ShapeError, match="'bad' returned a gradient of shape \\(5,\\) for an input of shape \\(3,\\)"):
        tape.gradient(y, x)
