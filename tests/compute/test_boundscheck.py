"""The kernels under Numba's bounds checking: an index out of range raises IndexError instead of reading or
writing past an array.

The test runs this file as a script in a subprocess with NUMBA_BOUNDSCHECK=1 and an empty Numba cache
directory (kernels cached without the checks must not be loaded), started in the background when the session
collects the test (tests/compute/conftest.py). The script first shows that the checks
are on, then trains and predicts one small model per kernel family (dense, activations, every optimizer,
convolution and pooling, normalization, embedding and recurrent layers with masks and go_backwards) and
checks that every compiled function of every kernel module ran (twins in both their serial and parallel
copies). Compiling everything with the checks takes most of its ~50 s.
"""

import functools
import os
import time

import numpy as np


KERNEL_MODULES = tuple(f"compute.{name}" for name in (
    "activations", "checks", "convolution", "dense", "dense_stack", "embedding", "gather", "inference",
    "normalization", "optimizers", "pooling", "recurrent")) + ("runtime.gemm",)


def test_kernels_run_under_bounds_checking(bounds_checked):
    result, seconds = bounds_checked.result(os.path.basename(__file__))  # started in the background (conftest.py)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    lines = result.stdout.splitlines()
    assert "bounds checking: on (a[5] of 3 elements raised IndexError)" in lines
    for module in KERNEL_MODULES:
        assert any(line.startswith(f"{module}: ") and line.endswith(" ran") for line in lines), module
    print(result.stdout, f"{seconds:.0f} s", sep="\n")


def _show_bounds_checking_is_on():
    from numba import njit

    @njit
    def element(a, i):
        return a[i]

    try:
        element(np.zeros(3), 5)
    except IndexError:
        print("bounds checking: on (a[5] of 3 elements raised IndexError)")
    else:
        raise SystemExit("bounds checking is off: a[5] of 3 elements did not raise")


def _train(model, x, y, optimizer="adam", loss="mse"):
    """One epoch of two batches and a predict, checking that everything stays finite."""
    model.compile(optimizer=optimizer, loss=loss)
    history = model.fit(x, y, epochs=1, batch_size=max(1, len(x) // 2), verbose=0)
    assert np.isfinite(history.history["loss"][0]), model.name
    assert np.isfinite(model.predict(x, verbose=0)).all(), model.name


def _dense_and_optimizers(rng):
    import pipekeras as pk

    x, y = rng.standard_normal((8, 5)).astype("float32"), rng.standard_normal((8, 3)).astype("float32")
    optimizers = [lambda name=name: name for name in pk.optimizers.names()] + [
        lambda: pk.optimizers.SGD(momentum=0.9, nesterov=True),
        lambda: pk.optimizers.RMSprop(momentum=0.5, centered=True)]
    for make in optimizers:  # the dense stack's flat update, then the per-weight one
        _train(pk.sequential() | pk.dense(4, "relu", input_shape=5) | pk.dense(3), x, y, optimizer=make())
        regularized = pk.dense(4, "tanh", input_shape=5, kernel_regularizer=pk.regularizers.l2(0.01))
        _train(pk.sequential() | regularized | pk.dense(3, "softmax"), x, y, make(), "categorical_crossentropy")
    big = pk.sequential() | pk.dense(64, "relu", input_shape=5) | pk.dense(3)
    _train(big, rng.standard_normal((512, 5)).astype("float32"), rng.standard_normal((512, 3)).astype("float32"))
    from pipekeras.runtime.gemm import split_product, split_product_serial

    for dtype in ("float32", "float64"):
        a = rng.standard_normal((37, 11)).astype(dtype)
        for b in (rng.standard_normal((11, 6)), rng.standard_normal((11, 50))):  # blocks of rows, of columns
            b = b.astype(dtype)
            for a_transposed, b_transposed in ((False, False), (True, True)):  # C-ordered, F-ordered operands
                a_stored = a.T.copy() if a_transposed else a
                b_stored = b.T.copy() if b_transposed else b
                for product in (split_product, split_product_serial):  # a step's threads, or one thread
                    out = np.empty((37, b.shape[1]), dtype)
                    product(a_stored, a_transposed, b_stored, b_transposed, out, 3)
                    assert np.abs(out - a @ b).max() <= 1e-5 * np.abs(a @ b).max()  # float32 rounding


def _activations(rng):
    import pipekeras as pk

    for dtype in ("float32", "float64"):
        x = rng.standard_normal((4, 8)).astype(dtype) * 3  # an even width: glu splits the last axis in halves
        for name in pk.activations.names():
            function = pk.activations.get(name)
            y = function(x)
            assert np.isfinite(function.backward(x, y, np.ones_like(y))).all(), name
    # the layer-by-layer path's fused bias + activation and its backward, plain relu and a table activation
    from pipekeras.compute import activation_table, activations as kernels

    z = rng.standard_normal((4, 8)).astype("float32")
    for code in (activation_table.RELU, activation_table.TANH):
        y = kernels.bias_activation(z.copy(), np.ones(8, "float32"), code)
        assert np.isfinite(kernels.backward_rows(z, y, np.ones_like(y), code)).all(), code


def _convolution_and_pooling(rng):
    import pipekeras as pk
    from pipekeras.compute.convolution import conv2d_direct_backward, conv2d_direct_forward

    x, kernel, bias = rng.standard_normal((2, 7, 6, 2)), rng.standard_normal((3, 2, 2, 4)), np.zeros(4)
    for pads, out_hw in (((0, 0), (3, 5)), ((1, 1), (4, 6))):  # the direct loops the layers do not use
        z = conv2d_direct_forward(x, kernel, bias, (2, 1), (1, 1), pads, out_hw)
        conv2d_direct_backward(x, kernel, np.ones_like(z), (2, 1), (1, 1), pads)

    images = rng.standard_normal((4, 9, 9, 2)).astype("float32")
    pipes = [
        pk.sequential() | pk.conv_2d(3, 3, padding="same", activation="relu", input_shape=(9, 9, 2))
        | pk.max_pooling_2d(2) | pk.conv_2d(2, (2, 3), strides=2, dilation_rate=1) | pk.flatten(),
        pk.sequential() | pk.conv_2d(2, 3, dilation_rate=2, input_shape=(9, 9, 2))
        | pk.average_pooling_2d(2, padding="same") | pk.global_max_pooling_2d(),
        pk.sequential() | pk.conv_2d_transpose(2, 3, strides=2, padding="same", input_shape=(9, 9, 2))
        | pk.global_average_pooling_2d(),
        pk.sequential() | pk.depthwise_conv_2d(3, depth_multiplier=2, input_shape=(9, 9, 2))
        | pk.separable_conv_2d(3, 3, padding="same") | pk.flatten(),
        pk.sequential() | pk.zero_padding_2d(1, input_shape=(9, 9, 2)) | pk.cropping_2d(2)
        | pk.up_sampling_2d(2, interpolation="bilinear") | pk.up_sampling_2d(1) | pk.conv_2d(1, 2) | pk.flatten(),
    ]
    for model in pipes:
        _train(model, images, rng.standard_normal((4,) + model.output_shape[1:]).astype("float32"))
    sequences = rng.standard_normal((4, 12, 3)).astype("float32")
    pipes = [
        pk.sequential() | pk.conv_1d(4, 3, padding="causal", input_shape=(12, 3)) | pk.max_pooling_1d(2)
        | pk.conv_1d(2, 2, strides=2, dilation_rate=1) | pk.global_average_pooling_1d(),
        pk.sequential() | pk.zero_padding_1d(2, input_shape=(12, 3)) | pk.cropping_1d(1) | pk.up_sampling_1d(2)
        | pk.average_pooling_1d(3) | pk.global_max_pooling_1d(),
    ]
    for model in pipes:
        _train(model, sequences, rng.standard_normal((4,) + model.output_shape[1:]).astype("float32"))


def _normalization(rng):
    import pipekeras as pk

    x = rng.standard_normal((6, 5, 4)).astype("float32")
    model = pk.sequential() | pk.batch_normalization(input_shape=(5, 4)) | pk.layer_normalization() \
        | pk.batch_normalization(axis=1) | pk.layer_normalization(axis=[1, 2]) | pk.flatten()
    _train(model, x, rng.standard_normal((6, 20)).astype("float32"))


def _embedding_and_recurrent(rng):
    import pipekeras as pk

    tokens = rng.integers(1, 20, size=(6, 7))
    tokens[:3, 4:] = 0  # padding, masked by mask_zero
    for cell in (pk.simple_rnn, pk.lstm, pk.gru, functools.partial(pk.gru, reset_after=False)):
        for go_backwards in (False, True):
            model = pk.sequential() | pk.embedding(20, 4, mask_zero=True, input_length=7) \
                | cell(5, return_sequences=True, go_backwards=go_backwards) \
                | pk.bidirectional(cell(3, go_backwards=go_backwards)) | pk.dense(1, "sigmoid")
            _train(model, tokens, (rng.random((6, 1)) > 0.5).astype("float32"), "rmsprop", "binary_crossentropy")
    plain = pk.sequential() | pk.lstm(4, input_shape=(5, 3)) | pk.dense(2)
    _train(plain, rng.standard_normal((4, 5, 3)).astype("float32"), rng.standard_normal((4, 2)).astype("float32"))
    table = pk.sequential() | pk.simple_rnn(4, activation="gelu", return_sequences=True, input_shape=(5, 3)) \
        | pk.lstm(4, activation="elu", recurrent_activation="softsign", return_sequences=True) \
        | pk.gru(4, activation="selu", recurrent_activation="silu", return_sequences=True) \
        | pk.gru(3, reset_after=False, activation="mish", recurrent_activation="softsign") | pk.dense(2)
    _train(table, rng.standard_normal((4, 5, 3)).astype("float32"), rng.standard_normal((4, 2)).astype("float32"))


def _dispatchers(value, module, depth=3):
    """The compiled functions `module` defines in `value`: Numba dispatchers, both copies of a `parallel_loop`, and
    what a wrapper's closure holds. Functions inlined into their callers are never compiled alone: skipped."""
    from numba.core.registry import CPUDispatcher

    if isinstance(value, CPUDispatcher):
        if value.py_func.__module__ == module and value.targetoptions.get("inline") != "always":
            yield value
    elif depth and callable(value):
        inner = [getattr(value, "serial", None), getattr(value, "parallel", None)]
        inner += [cell.cell_contents for cell in getattr(value, "__closure__", None) or ()]
        for item in inner:
            yield from _dispatchers(item, module, depth - 1)


def _compiled_functions():
    """Per kernel module: (names of the compiled functions that ran, names of those that did not)."""
    import importlib

    counts = {}
    for name in KERNEL_MODULES:
        module = importlib.import_module(f"pipekeras.{name}")
        functions = {f for value in vars(module).values() for f in _dispatchers(value, module.__name__)}
        counts[name] = (sorted(f.__name__ for f in functions if f.signatures),
                        sorted(f.__name__ for f in functions if not f.signatures))
    return counts


def main():
    import pipekeras as pk
    from pipekeras.runtime import tuning

    _show_bounds_checking_is_on()
    families = (_dense_and_optimizers, _activations, _convolution_and_pooling, _normalization,
                _embedding_and_recurrent)
    for threshold, copy in ((1 << 62, "serial"), (0, "parallel")):  # each parallel_loop's two copies
        with tuning.override(PARALLEL_MIN_WORK=threshold, POOL_MIN_WORK=threshold):
            for family in families:
                start = time.perf_counter()
                pk.set_seed(0)
                family(np.random.default_rng(0))
                print(f"{family.__name__[1:]}, {copy} loops: {time.perf_counter() - start:.1f} s")
    for module, (ran, idle) in _compiled_functions().items():
        print(f"{module}: {len(ran)} of {len(ran) + len(idle)} compiled functions ran"
              + (f" (not: {', '.join(idle)})" if idle else ""))
        assert not idle, f"add a call of pipekeras.{module}.{idle[0]} to tests/compute/test_boundscheck.py"


if __name__ == "__main__":
    main()
