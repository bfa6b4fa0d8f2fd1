"""The recording: GradientTape, grad/value_and_grad, stop_gradient, custom_gradient, record_op, variables."""

import threading

import numpy as np
import pytest

from pipekeras import ops
from pipekeras.autodiff import Traced, is_recording, record_op
from pipekeras.engine.variable import Variable
from pipekeras.errors import ArgumentTypeError, NotBuiltError, ShapeError


def test_reused_values_sum_their_gradients():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0, 3.0]))
        y = ops.sum(x * x + x + ops.exp(x) * x)
    np.testing.assert_allclose(tape.gradient(y, x), 2 * x.numpy() + 1 + np.exp(x.numpy()) * (1 + x.numpy()))


def test_broadcast_gradients_are_reduced_to_the_input_shape():
    with ops.GradientTape() as tape:
        w, b = tape.watch([np.ones((3, 2)), np.zeros(2)])
        y = ops.sum(np.ones((5, 3)) @ w + b)
    dw, db = tape.gradient(y, [w, b])
    assert dw.shape == (3, 2) and db.tolist() == [5.0, 5.0]


def test_a_non_persistent_tape_gives_gradients_once():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array(2.0))
        y = x * x
    assert tape.gradient(y, x) == 4.0
    with pytest.raises(NotBuiltError, match="persistent"):
        tape.gradient(y, x)


def test_a_persistent_tape_gives_gradients_several_times():
    with ops.GradientTape(persistent=True) as tape:
        x = tape.watch(np.array(3.0))
        y = x * x
        z = y * x
    assert tape.gradient(y, x) == 6.0
    assert tape.gradient(z, x) == 27.0
    assert tape.gradient(z, y) == 3.0  # with respect to an intermediate value


def test_nested_tapes_record_what_each_watches():
    with ops.GradientTape() as outer:
        x = outer.watch(np.array(2.0))
        with ops.GradientTape() as inner:
            y = inner.watch(np.array(5.0))
            z = x * y
        w = z * x  # after the inner tape closed: only the outer records it
    assert inner.gradient(z, y) == 2.0
    assert outer.gradient(w, x) == 2 * 2.0 * 5.0


def test_the_inner_tape_does_not_see_what_only_the_outer_watches():
    with ops.GradientTape() as outer:
        x = outer.watch(np.array(2.0))
        with ops.GradientTape() as inner:
            z = x * 3.0
    assert inner.gradient(z, x) is None
    assert outer.gradient(z, x) == 3.0


def test_the_gradient_of_a_gradient_is_refused_clearly():
    with ops.GradientTape() as outer:
        x = outer.watch(np.array(2.0))
        with ops.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x
        dy = inner.gradient(y, x)
    with pytest.raises(ArgumentTypeError, match="gradient of a gradient"):
        outer.gradient(dy, x)


def test_stop_gradient():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0]))
        y = ops.sum(x * ops.stop_gradient(x))
    np.testing.assert_allclose(tape.gradient(y, x), [1.0, 2.0])
    assert isinstance(ops.stop_gradient(np.ones(2)), np.ndarray)


def test_stop_recording_and_unconnected_gradients():
    with ops.GradientTape() as tape:
        x, unused = tape.watch([np.array(1.0), np.array(1.0)])
        with tape.stop_recording():
            assert not is_recording()
            constant = x * 10
        y = x * constant
    assert tape.gradient(y, [x, unused], unconnected_gradients="zero") == [10.0, 0.0]


def test_output_gradients_seed_the_reverse_pass():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0]))
        y = x * 3
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=np.array([1.0, -1.0])), [3.0, -3.0])


def test_custom_gradient_enters_as_one_op():
    @ops.custom_gradient
    def clipped_identity(x):
        return x.copy(), lambda g: np.clip(g, -1, 1)

    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0]))
        y = ops.sum(clipped_identity(x) * 5)
    np.testing.assert_allclose(tape.gradient(y, x), [1.0, 1.0])
    assert isinstance(clipped_identity(np.ones(2)), np.ndarray)


def test_record_op_joins_a_fused_backward_with_lazy_gradients():
    calls = []

    def fused_dense(x, kernel):
        y = ops.convert_to_numpy(x) @ ops.convert_to_numpy(kernel)

        def vjp(g):
            calls.append("vjp")
            return (lambda: calls.append("dx") or g @ kernel.value.T,
                    lambda: calls.append("dkernel") or ops.convert_to_numpy(x).T @ g)

        return record_op("dense", [x, kernel], y, vjp)

    kernel = Variable(np.arange(6.0).reshape(3, 2), "dense/kernel")
    x = np.ones((4, 3))
    with ops.GradientTape() as tape:
        loss = ops.sum(ops.square(fused_dense(x, kernel)))
    (dkernel,) = tape.gradient(loss, [kernel])
    np.testing.assert_allclose(dkernel, x.T @ (2 * (x @ kernel.value)))
    assert calls == ["vjp", "dkernel"]  # the input is a constant: its gradient is never computed
    assert isinstance(fused_dense(x, kernel), np.ndarray)


def test_variables_read_by_ops_are_watched():
    kernel = Variable(np.ones((3, 2)), "d/kernel")
    bias = Variable(np.zeros(2), "d/bias")
    frozen = Variable(np.ones(2), "d/frozen", trainable=False)
    x = np.arange(6.0).reshape(2, 3)
    with ops.GradientTape() as tape:
        y = ops.sum(ops.relu(ops.matmul(x, kernel) + bias) * frozen + ops.get_item(kernel, (0, 0)))
    dkernel, dbias, dfrozen = tape.gradient(y, [kernel, bias, frozen])
    expected = x.T @ np.ones((2, 2))
    expected[0, 0] += 4  # kernel[0, 0] is broadcast over the 2x2 output
    np.testing.assert_allclose(dkernel, expected)
    np.testing.assert_allclose(dbias, [2.0, 2.0])
    assert dfrozen is None  # not trainable: not watched unless asked
    assert [v.name for v in tape.watched_variables()] == ["d/kernel", "d/bias"]


def test_watch_accessed_variables_false_watches_only_what_is_asked():
    kernel = Variable(np.full(2, 3.0), "kernel")
    other = Variable(np.ones(2), "other")
    with ops.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(kernel)
        y = ops.sum(kernel * other)
    assert tape.gradient(y, [kernel, other]) == [pytest.approx(np.ones(2)), None]


def test_outside_a_tape_variables_are_their_arrays():
    kernel = Variable(np.ones(2), "kernel")
    assert isinstance(ops.multiply(kernel, 2.0), np.ndarray)


def test_grad_and_value_and_grad():
    def loss(params, x):
        w, b = params
        return ops.mean(ops.square(x @ w + b))

    params = [np.ones((3, 1)), np.zeros(1)]
    x = np.arange(6.0).reshape(2, 3)
    value, (dw, db) = ops.value_and_grad(loss)(params, x)
    assert value == pytest.approx(np.mean((x @ params[0]) ** 2))
    np.testing.assert_allclose(dw, 2 * x.T @ (x @ params[0]) / 2)
    dparams, dx = ops.grad(loss, argnums=(0, 1))(params, x)
    assert dx.shape == x.shape and dparams[1].shape == (1,)
    (value, aux), g = ops.value_and_grad(lambda v: (ops.sum(v * v), "aux"), has_aux=True)(np.array([3.0]))
    assert aux == "aux" and g.tolist() == [6.0]


def test_grad_needs_a_scalar():
    with pytest.raises(ShapeError, match="scalar"):
        ops.grad(lambda v: v * 2)(np.ones(3))


def test_integer_values_have_no_gradient_and_asking_for_one_names_the_op():
    with ops.GradientTape(persistent=True) as tape:
        x = tape.watch(np.array([1.0, 3.0, 2.0]))
        index = ops.argmax(x)
        picked = ops.take(x, index) * ops.cast(index, "float32")
        labels = tape.watch(np.array([1, 2]))
        y = ops.sum(x[labels]) + picked
    np.testing.assert_allclose(tape.gradient(y, x), [0.0, 2.0, 1.0])
    with pytest.raises(ArgumentTypeError, match="argmax"):
        tape.gradient(y, index)
    with pytest.raises(ArgumentTypeError, match="integer"):
        tape.gradient(y, labels)
    with pytest.raises(ArgumentTypeError, match="integer"):
        ops.grad(lambda v: ops.sum(v * 1.0))(np.array([1, 2]))


def test_comparisons_and_casts_to_integers_give_zero_gradient():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 3.0]))
        y = ops.sum(ops.cast(x > 2, "float64") * 5 + ops.cast(ops.cast(x, "int32"), "float64")) + ops.sum(x)
    np.testing.assert_allclose(tape.gradient(y, x), [1.0, 1.0])


def test_traced_values_behave_like_arrays():
    with ops.GradientTape() as tape:
        x = tape.watch(np.arange(6.0).reshape(2, 3))
        assert isinstance(x, Traced) and x.shape == (2, 3) and x.ndim == 2 and x.dtype == np.float64
        y = np.ones((2, 3)) + x  # NumPy defers to the traced value's operator
        assert isinstance(y, Traced) and isinstance(x > 1, Traced)
        z = np.sum((2 ** x)[1, ::2]) + ops.mean(x.T @ x) + len(x) + x.reshape(-1)[0] + np.max(x.astype("float32"))
        assert isinstance(z, Traced) and float(z) > 0 and y.numpy()[0, 0] == 1.0
    assert tape.gradient(z, x).shape == (2, 3)


def test_numpy_ufuncs_with_an_op_are_recorded_and_other_numpy_functions_refused():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0, 3.0]))
        y = np.sum(np.exp(x) * np.maximum(x, 2.0)) + np.add.reduce(x)
        with pytest.raises(ArgumentTypeError, match=r"ops\.mean"):
            np.mean(x)
        with pytest.raises(ArgumentTypeError, match="gradient would be lost"):
            np.asarray(x)
        with pytest.raises(ArgumentTypeError, match="numpy.arctan"):
            np.arctan(x)
    v = x.numpy()
    np.testing.assert_allclose(tape.gradient(y, x), np.exp(v) * np.maximum(v, 2) + np.exp(v) * (v >= 2) + 1)
    assert np.asarray(x).shape == (3,)


def test_variables_with_array_operators():
    kernel = Variable(np.array([1.0, 2.0]), "kernel")
    assert isinstance(kernel * 2, np.ndarray) and isinstance(np.exp(kernel), np.ndarray)
    assert kernel[1] == 2.0 and kernel in [kernel]  # identity equality kept
    with ops.GradientTape() as tape:
        y = np.sum(kernel * kernel) + kernel[0]
    np.testing.assert_allclose(tape.gradient(y, kernel), [3.0, 4.0])


def test_ops_record_nothing_outside_a_tape_and_on_unwatched_arrays():
    x = np.ones((2, 2))
    assert not is_recording()
    assert type(ops.exp(x)) is np.ndarray and type(ops.matmul(x, x)) is np.ndarray
    with ops.GradientTape() as tape:
        assert is_recording()
        assert type(ops.exp(x)) is np.ndarray  # nothing watched: still plain arrays
    assert tape._nodes == []
    assert type(ops.add(x, 1)) is np.ndarray


def test_recording_is_per_thread():
    seen = []
    with ops.GradientTape():
        thread = threading.Thread(target=lambda: seen.append(is_recording()))
        thread.start()
        thread.join()
    assert seen == [False]


def test_watch_outside_the_tape_is_an_error():
    tape = ops.GradientTape()
    with pytest.raises(NotBuiltError, match="not recording"):
        tape.watch(np.ones(2))


def test_a_source_must_be_traced_or_a_variable():
    with ops.GradientTape() as tape:
        x = tape.watch(np.ones(2))
        y = ops.sum(x)
    with pytest.raises(ArgumentTypeError, match="tape.watch"):
        tape.gradient(y, np.ones(2))


def test_multi_output_ops_fill_missing_gradients_with_zeros():
    with ops.GradientTape() as tape:
        x = tape.watch(np.arange(6.0))
        first, second, third = ops.split(x, 3)
        y = ops.sum(first * 2) + ops.sum(third)
    np.testing.assert_allclose(tape.gradient(y, x), [2, 2, 0, 0, 1, 1])


def test_watching_a_computed_value_keeps_the_gradient_through_it():
    with ops.GradientTape() as tape:
        x = tape.watch(np.array([1.0, 2.0]))
        y = tape.watch(ops.square(x))
        z = ops.sum(y * 3.0)
    np.testing.assert_allclose(tape.gradient(z, x), [6.0, 12.0])


def test_watched_values_not_asked_for_get_no_gradient_computed():
    calls = []

    @ops.custom_gradient
    def traced_identity(a, b):
        def grad_fn(g):
            return (lambda: calls.append("a") or g), (lambda: calls.append("b") or g)
        return a + b, grad_fn

    with ops.GradientTape() as tape:
        a, b = tape.watch([np.ones(2), np.ones(2)])
        out = ops.sum(traced_identity(a, b))
    np.testing.assert_allclose(tape.gradient(out, b), [1.0, 1.0])
    assert calls == ["b"]
