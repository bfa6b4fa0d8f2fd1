"""The dense-stack runner (training/stack_runner.py, training/dense_stack.py) trains exactly as the layer-by-layer
runner."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, dropout, fit, sequential
from pipekeras.callbacks.base import needs_every_batch
from pipekeras.training import stack_runner
from pipekeras.training.dense_stack import DenseStack
from pipekeras.training.stack_runner import DenseStackRunner
from pipekeras.compute import dense_stack as stack_kernels
from pipekeras.runtime import tuning


def _model(hidden="relu", output=None, units_out=1, use_bias=True, seed=0, **output_options):
    pk.backend.set_seed(seed)
    return (sequential() | dense(16, hidden, input_shape=5, use_bias=use_bias) | dense(8, "tanh")
            | dense(units_out, output, **output_options))


def _data(units_out, loss, samples=40):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((samples, 5)).astype(np.float32)
    if loss in ("categorical_crossentropy", "kl_divergence"):
        y = np.eye(units_out, dtype=np.float32)[rng.integers(0, units_out, samples)]
    elif loss == "binary_crossentropy":
        y = rng.integers(0, 2, (samples, units_out)).astype(np.float32)
    else:
        y = rng.standard_normal((samples, units_out)).astype(np.float32)
    return x, y


class EveryBatch(pk.Callback):
    """Sees every batch, so fit takes one step per call instead of runs of steps."""

    def on_train_batch_end(self, batch, logs=None):
        pass


def _stack_runner(model):
    """The model's runner if it is the dense-stack runner, else None."""
    runner = model._current_runner()
    return runner if isinstance(runner, DenseStackRunner) else None


def _train(model, x, y, loss, optimizer, use_stack, monkeypatch, batch_size=4, every_batch=False,
           **compile_options):
    if not use_stack:
        monkeypatch.setattr(stack_runner, "_max_work", lambda: -1)
    model | compile(optimizer=optimizer, loss=loss, metrics=["mae"], **compile_options)
    history = model | fit(x, y, epochs=2, batch_size=batch_size, shuffle=False, verbose=0,
                          callbacks=[EveryBatch()] if every_batch else None)
    runner = _stack_runner(model)
    return history.history, bool(runner and runner.trains and runner.takes_batch(batch_size))


CASES = [
    ("relu", None, 1, "mse", "rmsprop"),
    ("relu", None, 1, "mae", "sgd"),
    ("sigmoid", "sigmoid", 1, "binary_crossentropy", "adam"),
    ("elu", "softmax", 3, "categorical_crossentropy", "adagrad"),
    ("softplus", "softmax", 3, "mse", "nadam"),  # softmax without a fused loss: its own backward
    ("selu", "tanh", 2, "huber", "adamax"),
    ("gelu", "linear", 2, "mse", pk.optimizers.RMSprop(centered=True, momentum=0.5)),
    ("relu", None, 2, "mse", pk.optimizers.SGD(momentum=0.9, nesterov=True, clipvalue=0.01)),
    ("relu", None, 2, "mse", pk.optimizers.AdamW(global_clipnorm=0.1)),
]


@pytest.mark.parametrize("every_batch", [False, True], ids=["runs of steps", "one step per call"])
@pytest.mark.parametrize("hidden, output, units_out, loss, optimizer", CASES)
def test_stack_matches_generic_engine(hidden, output, units_out, loss, optimizer, every_batch, monkeypatch):
    x, y = _data(units_out, loss)
    results = []
    for use_stack in (True, False):
        model = _model(hidden, output, units_out)
        opt = pk.optimizers.get(optimizer) if isinstance(optimizer, str) else \
            type(optimizer).from_config(optimizer.get_config())
        history, used = _train(model, x, y, loss, opt, use_stack, monkeypatch, every_batch=every_batch)
        assert used is use_stack
        grads = [v.grad.copy() for v in model.trainable_weights]  # of the last step
        results.append((history, model.get_weights() + grads, opt.get_weights(model.trainable_weights)))
    (h_stack, w_stack, o_stack), (h_generic, w_generic, o_generic) = results
    for key in h_generic:
        np.testing.assert_allclose(h_stack[key], h_generic[key], rtol=2e-5, atol=1e-6)
    for a, b in zip(w_stack + o_stack, w_generic + o_generic):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_no_bias_and_loss_weights(monkeypatch):
    x, y = _data(1, "mse")
    results = []
    for use_stack in (True, False):
        model = _model(use_bias=False)
        _, used = _train(model, x, y, "mse", "rmsprop", use_stack, monkeypatch, loss_weights=[0.5])
        assert used is use_stack
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_weights_stay_shared_with_the_layers(tmp_path, monkeypatch):
    x, y = _data(1, "mse")
    model = _model()
    _train(model, x, y, "mse", "rmsprop", True, monkeypatch)
    stack = _stack_runner(model).stack
    kernel = model.layers[0].kernel
    assert kernel.value.base is stack.params
    model.layers[0].set_weights([np.zeros((5, 16)), np.ones(16)])  # copies into the flat array
    assert stack.params[:5 * 16].max() == 0.0 and _stack_runner(model).stack is stack
    path = tmp_path / "m.pkeras"
    model.save(path)
    restored = pk.load_model(path)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))


def test_reloaded_optimizer_state_is_taken_up(monkeypatch):
    x, y = _data(1, "mse")
    model = _model()
    _train(model, x, y, "mse", "adam", True, monkeypatch)
    variables = model.trainable_weights
    state = model.optimizer.get_weights(variables)
    doubled = [state[0]] + [s * 2 for s in state[1:]]
    model.optimizer.set_weights(variables, doubled)
    model.train_on_batch(x[:2], y[:2])  # rebuilds the stack around the reloaded slots
    stack = _stack_runner(model).stack
    assert model.optimizer._slots_of(variables[0])[0].base is model.optimizer.flat_slots(stack.variables)[0]


def test_gradient_check_after_stack_training(monkeypatch):
    x, y = _data(1, "mse")
    model = _model()
    _train(model, x, y, "mse", "rmsprop", True, monkeypatch)
    before = model.get_weights()
    result = pk.gradient_check.check_gradients(model, x[:3])
    assert result, result
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.train_on_batch(x[:2], y[:2])  # the check swapped the values and back: the stack rebuilds
    stack = _stack_runner(model).stack
    assert all(v.value.base is stack.params for v in stack.variables)


@pytest.mark.parametrize("make", [
    lambda: sequential() | dense(4, "relu", input_shape=5) | dropout(0.5) | dense(1),
    lambda: sequential() | dense(4, "relu", input_shape=5, kernel_regularizer="l2") | dense(1),
    lambda: sequential() | dense(4, "relu", input_shape=5, kernel_constraint="non_neg") | dense(1),
    lambda: sequential() | dense(4, "relu", input_shape=(3, 5)) | dense(1),
])
def test_models_that_do_not_qualify_use_the_generic_engine(make, monkeypatch):
    model = make()
    x = np.ones((4,) + model.inputs[0].shape[1:], np.float32)
    y = np.ones((4,) + model.outputs[0].shape[1:], np.float32)
    _, used = _train(model, x, y, "mse", "rmsprop", True, monkeypatch)
    assert not used


def test_frozen_layer_and_clipnorm_do_not_qualify(monkeypatch):
    x, y = _data(1, "mse")
    model = _model()
    model.layers[0].trainable = False
    assert not _train(model, x, y, "mse", "rmsprop", True, monkeypatch)[1]
    model = _model()
    assert not _train(model, x, y, "mse", pk.optimizers.RMSprop(clipnorm=1.0), True, monkeypatch)[1]


def test_forward_kernel_matches_numpy_in_float64():
    rng = np.random.default_rng(3)
    widths = [4, 6, 3]
    kernels = [rng.standard_normal((a, b)) for a, b in zip(widths[:-1], widths[1:])]
    biases = [rng.standard_normal(b) for b in widths[1:]]
    params = np.concatenate([np.concatenate([k.ravel(), b]) for k, b in zip(kernels, biases)])
    layout = np.array([[0, 4, 6, 24, pk.compute.activation_table.TANH],
                       [30, 6, 3, 48, pk.compute.activation_table.SOFTMAX]], np.int64)
    options = np.zeros((2, 3), np.float64)
    batch = 5
    x = rng.standard_normal((batch, 4))
    acts = np.concatenate([x.ravel(), np.zeros(batch * 9)])
    pres = np.zeros(batch * 9)
    stack_kernels.forward(params, layout, options, acts, pres, batch)
    hidden = np.tanh(x @ kernels[0] + biases[0])
    logits = hidden @ kernels[1] + biases[1]
    expected = np.exp(logits - logits.max(1, keepdims=True))
    expected /= expected.sum(1, keepdims=True)
    np.testing.assert_allclose(acts[batch * 10:].reshape(batch, 3), expected, rtol=1e-12)

    grad_out = rng.standard_normal((batch, 3))
    grads = np.zeros_like(params)
    stack_kernels.backward(params, layout, options, acts, pres, batch, grad_out, False, grads)

    def loss(p):
        a, q = acts.copy(), pres.copy()
        stack_kernels.forward(p, layout, options, a, q, batch)
        return float((a[batch * 10:].reshape(batch, 3) * grad_out).sum())

    step = 1e-6
    numeric = np.array([(loss(params + step * e) - loss(params - step * e)) / (2 * step)
                        for e in np.eye(params.size)])
    np.testing.assert_allclose(grads, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("freeze_first", [False, True])
def test_predict_and_evaluate_match_the_generic_engine(freeze_first, monkeypatch):
    x, y = _data(3, "categorical_crossentropy")
    model = _model("relu", "softmax", 3)
    model.layers[0].trainable = not freeze_first
    model | compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    fast = (model.predict(x, batch_size=8), model.predict_on_batch(x[:1]), model.evaluate(x, y, verbose=0))
    assert _stack_runner(model)
    monkeypatch.setattr(stack_runner, "_max_work", lambda: -1)
    slow = (model.predict(x, batch_size=8), model.predict_on_batch(x[:1]), model.evaluate(x, y, verbose=0))
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-6, atol=1e-7)
    assert fast[2] == pytest.approx(slow[2], rel=1e-6)


def test_predict_output_is_not_overwritten_by_the_next_call():
    model = _model()
    first = model.predict(np.ones((1, 5), np.float32))
    kept = first.copy()
    model.predict(np.zeros((1, 5), np.float32))
    np.testing.assert_array_equal(first, kept)


def test_predict_from_several_threads_matches_serial_calls():
    from concurrent.futures import ThreadPoolExecutor

    model = _model("relu", "softmax", 3)
    batches = [np.random.default_rng(i).standard_normal((1 + i % 3, 5)).astype(np.float32) for i in range(64)]
    serial = [model.predict(b) for b in batches]
    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(model.predict, batches))
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)


# ----- runs of steps (DenseStack.train_steps) -------------------------------------------------------------

def _count_runs(monkeypatch):
    calls = []
    original = DenseStack.train_steps
    monkeypatch.setattr(DenseStack, "train_steps", lambda self, *args: calls.append(1) or original(self, *args))
    return calls


@pytest.mark.parametrize("shuffle, batch_size, verbose", [(True, 7, 0), (False, 40, 1), (True, 1, 2)])
def test_runs_match_one_step_per_call(shuffle, batch_size, verbose, monkeypatch, capsys):
    x, y = _data(3, "categorical_crossentropy", samples=45)
    results = []
    for every_batch in (False, True):
        model = _model("relu", "softmax", 3)
        model | compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy", "mae"])
        pk.set_seed(5)  # the same shuffles
        calls = _count_runs(monkeypatch)
        history = model.fit(x, y, epochs=3, batch_size=batch_size, shuffle=shuffle, validation_split=0.2,
                            verbose=verbose, callbacks=[EveryBatch()] if every_batch else None)
        assert bool(calls) is not every_batch
        results.append((history.history, model.get_weights(), model.optimizer.iterations))
    (runs, w_runs, it_runs), (steps, w_steps, it_steps) = results
    assert it_runs == it_steps == 3 * -(-36 // batch_size)
    assert runs.keys() == steps.keys() == {"loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae"}
    for key in steps:
        np.testing.assert_allclose(runs[key], steps[key], rtol=2e-5, atol=1e-6)
    for a, b in zip(w_runs, w_steps):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)
    if verbose == 1:
        assert "36/36" not in capsys.readouterr().out  # the bar counts batches: 1/1 at batch 40
    elif verbose == 2:
        assert capsys.readouterr().out.count("Epoch ") == 6


@pytest.mark.parametrize("case", ["sample weights", "batch callback", "lambda batch callback", "huber loss",
                                  "integer targets", "from_logits", "label smoothing"])
def test_steps_one_at_a_time_when_a_run_cannot_do_them(case, monkeypatch):
    x, y = _data(1, "binary_crossentropy")
    loss, fit_options = "binary_crossentropy", {}
    model = _model("relu", "sigmoid", 1)
    if case == "sample weights":
        fit_options["sample_weight"] = np.ones(len(x), np.float32)
    elif case == "batch callback":
        fit_options["callbacks"] = [EveryBatch()]
    elif case == "lambda batch callback":
        fit_options["callbacks"] = [pk.callbacks.LambdaCallback(on_train_batch_begin=lambda batch, logs: None)]
    elif case == "huber loss":
        loss = "huber"
    elif case == "integer targets":
        y = y.astype(np.int64)
    elif case == "from_logits":
        loss = pk.losses.BinaryCrossentropy(from_logits=True)
    else:
        loss = pk.losses.BinaryCrossentropy(label_smoothing=0.1)
    model | compile(optimizer="rmsprop", loss=loss)
    calls = _count_runs(monkeypatch)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, **fit_options)
    assert not calls and model.optimizer.iterations == 10


def test_epoch_callbacks_and_progress_bar_allow_runs(monkeypatch):
    x, y = _data(1, "mse")
    model = _model() | compile(optimizer="rmsprop", loss="mse")
    seen = []
    calls = _count_runs(monkeypatch)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, callbacks=[
        pk.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs["loss"])),
        pk.callbacks.EarlyStopping(monitor="loss", patience=5)])
    assert len(calls) == 2 and len(seen) == 2


def test_a_run_ends_at_run_work(monkeypatch):
    x, y = _data(1, "mse", samples=40)
    model = _model() | compile(optimizer="sgd", loss="mse")
    calls = _count_runs(monkeypatch)
    with tuning.override(DENSE_STACK_RUN_FLOPS=2 * 3 * 4 * model.count_params()):  # 3 steps of 4 samples
        model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert len(calls) == 4 and model.optimizer.iterations == 10  # 3 + 3 + 3 + 1 steps


def test_a_non_finite_loss_in_a_run_names_its_batch():
    x, y = _data(1, "mse")
    y[13] = 3e38  # its squared error overflows float32: batch 4 of 10
    model = _model() | compile(optimizer="sgd", loss="mse")
    with pytest.warns(RuntimeWarning, match=r"the loss became inf at epoch 1, batch 4 "):
        model.fit(x, y, epochs=1, batch_size=4, verbose=0, shuffle=False)


def test_callbacks_that_need_every_batch():
    class EpochsOnly(pk.Callback):
        def on_epoch_end(self, epoch, logs=None):
            pass

    class KerasTwoNames(pk.Callback):
        def on_batch_begin(self, batch, logs=None):
            pass

    assert not needs_every_batch(pk.Callback()) and not needs_every_batch(EpochsOnly())
    assert needs_every_batch(EveryBatch()) and needs_every_batch(KerasTwoNames())
    assert not needs_every_batch(pk.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: None))
    assert needs_every_batch(pk.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: None))
    assert not needs_every_batch(pk.callbacks.ProgbarLogger())
    assert needs_every_batch(pk.callbacks.TerminateOnNaN())


@pytest.mark.parametrize("code, output", [(stack_kernels.MSE, pk.compute.activation_table.TANH),
                                          (stack_kernels.MAE, pk.compute.activation_table.LINEAR),
                                          (stack_kernels.SIGMOID_CROSSENTROPY, pk.compute.activation_table.SIGMOID),
                                          (stack_kernels.SOFTMAX_CROSSENTROPY, pk.compute.activation_table.SOFTMAX)])
def test_train_batch_gradient_matches_finite_differences_in_float64(code, output):
    rng = np.random.default_rng(7)
    widths, batch, samples = [4, 5, 3], 3, 6
    layout = np.array([[0, 4, 5, 20, pk.compute.activation_table.TANH], [25, 5, 3, 40, output]], np.int64)
    options = np.zeros((2, 3), np.float64)
    params = rng.standard_normal(43) * 0.5
    x = rng.standard_normal((samples, 4))
    y = rng.random((samples, 3))
    if code == stack_kernels.SOFTMAX_CROSSENTROPY:
        y /= y.sum(1, keepdims=True)
    rows = np.array([4, 1, 5], np.int64)
    weight = 0.7

    def run(p, grads):
        acts, pres = np.zeros(batch * sum(widths)), np.zeros(batch * 8)
        outputs = np.zeros((batch + 2, 3))
        stack_kernels.train_batch(p, layout, options, acts, pres, x, y, rows, code, weight / batch,
                                  np.zeros(batch * 3), grads, outputs, 2)
        return outputs[2:]

    def loss(p):
        out, target = run(p, np.zeros_like(p)), y[rows]
        if code == stack_kernels.MSE:
            values = ((out - target) ** 2).mean(1)
        elif code == stack_kernels.MAE:
            values = np.abs(out - target).mean(1)
        elif code == stack_kernels.SIGMOID_CROSSENTROPY:
            values = -(target * np.log(out) + (1 - target) * np.log(1 - out)).mean(1)
        else:
            values = -(target * np.log(out)).sum(1)
        return weight * values.mean()

    grads = np.zeros_like(params)
    outputs = run(params, grads)
    assert outputs.shape == (batch, 3) and np.all(np.isfinite(outputs))
    step = 1e-6
    numeric = np.array([(loss(params + step * e) - loss(params - step * e)) / (2 * step)
                        for e in np.eye(params.size)])
    np.testing.assert_allclose(grads, numeric, rtol=1e-5, atol=1e-8)


# ----- the predict shortcut (DenseStackRunner.predict_direct) --------------------------------------------------

def test_predict_shortcut_takes_only_what_it_can_and_reports_bad_data(monkeypatch):
    x, _ = _data(1, "mse", samples=6)
    model = _model()
    expected = model.predict(x)  # builds the stack
    calls = []
    original = stack_kernels.predict
    monkeypatch.setattr(stack_kernels, "predict", lambda *args: calls.append(1) or original(*args))
    np.testing.assert_array_equal(model.predict_on_batch(x), expected)
    np.testing.assert_allclose(model.predict(x[:2], batch_size=2), expected[:2], rtol=1e-6)  # BLAS by batch
    assert len(calls) == 2
    for other in (x.astype(np.float64), np.asfortranarray(x), x[::2], x.tolist()):
        np.testing.assert_allclose(model.predict_on_batch(other), model.predict_on_batch(np.array(other, np.float32)),
                                   rtol=1e-6)
    bad = x.copy()
    bad[1, 2] = np.nan
    with pytest.raises(pk.errors.DataError, match=r"index \(1, 2\)"):
        model.predict_on_batch(bad)
    with pytest.raises(pk.errors.ShapeError, match="expects"):
        model.predict(x[:, :4])
    with pytest.raises(pk.errors.DataError, match="empty"):
        model.predict(x[:0])


def test_adding_or_removing_a_layer_drops_the_stack():
    x, _ = _data(1, "mse", samples=3)
    model = _model()
    assert model.predict(x).shape == (3, 1)
    model.add(dense(4))
    assert model.predict(x).shape == (3, 4)
    model.pop()
    model.pop()
    assert model.predict(x).shape == (3, 8)


@pytest.mark.parametrize("rows, inner, units", [(1, 13, 64), (3, 7, 1), (2, 64, 64), (300, 64, 64), (1, 300, 64)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_small_products_match_numpy(rows, inner, units, dtype):
    """The loops below SMALL_PRODUCT multiply-adds and BLAS above it (a matrix-vector product for one row) give
    a @ w, a.T @ d and d @ w.T."""
    rng = np.random.default_rng(rows + inner)
    a, w, d = (rng.standard_normal(shape).astype(dtype) for shape in ((rows, inner), (inner, units), (rows, units)))
    tolerance = 1e-12 if dtype == np.float64 else 2e-5
    out = np.empty((rows, units), dtype)
    stack_kernels._times(a, w, out)
    np.testing.assert_allclose(out, a.astype(np.float64) @ w, rtol=tolerance, atol=tolerance)
    grad = np.empty((inner, units), dtype)
    stack_kernels._transposed_times(a, d, grad)
    np.testing.assert_allclose(grad, a.T.astype(np.float64) @ d, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(stack_kernels._times_transposed(d, w), d.astype(np.float64) @ w.T, rtol=tolerance,
                               atol=tolerance)
