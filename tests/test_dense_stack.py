"""The compiled dense stack (engine/dense_stack.py) trains exactly as the generic layer-by-layer engine."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, dropout, fit, sequential
from pipekeras.engine import training
from pipekeras.kernels import dense_stack as stack_kernels


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


def _train(model, x, y, loss, optimizer, use_stack, monkeypatch, batch_size=4, **compile_options):
    monkeypatch.setattr(training, "MAX_WORK", training.MAX_WORK if use_stack else -1)
    model | compile(optimizer=optimizer, loss=loss, metrics=["mae"], **compile_options)
    history = model | fit(x, y, epochs=2, batch_size=batch_size, shuffle=False, verbose=0)
    stack = model._dense_stack and model._dense_stack[1]
    return history.history, bool(stack and stack.can_train(model.trainable_weights, model.optimizer))


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


@pytest.mark.parametrize("hidden, output, units_out, loss, optimizer", CASES)
def test_stack_matches_generic_engine(hidden, output, units_out, loss, optimizer, monkeypatch):
    x, y = _data(units_out, loss)
    results = []
    for use_stack in (True, False):
        model = _model(hidden, output, units_out)
        opt = pk.optimizers.get(optimizer) if isinstance(optimizer, str) else \
            type(optimizer).from_config(optimizer.get_config())
        history, used = _train(model, x, y, loss, opt, use_stack, monkeypatch)
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
    stack = model._dense_stack[1]
    kernel = model.layers[0].kernel
    assert kernel.value.base is stack.params
    model.layers[0].set_weights([np.zeros((5, 16)), np.ones(16)])  # copies into the flat array
    assert stack.params[:5 * 16].max() == 0.0 and stack.current(model.weights)
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
    stack = model._dense_stack[1]
    assert stack.current(variables)
    slots = model.optimizer._slots_of(variables[0])
    assert slots[0].base is stack.slots[0]


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
    assert model._dense_stack[1].current(model.weights)


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
    layout = np.array([[0, 4, 6, 24, pk.kernels.activations.TANH],
                       [30, 6, 3, 48, stack_kernels.SOFTMAX]], np.int64)
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
    assert model._dense_stack[1] is not None
    monkeypatch.setattr(training, "MAX_WORK", -1)
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
