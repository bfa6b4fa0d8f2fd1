"""The runner of a model (training/runner.py): chosen in one place, kept until the model changes, handed fit's
batch size; and a model's overridden train_step runs on every model."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import dense, sequential
from pipekeras.training.layer_runner import LayerRunner
from pipekeras.training.stack_runner import DenseStackRunner


def _dense_model():
    pk.set_seed(0)
    return sequential() | dense(8, "relu", input_shape=5) | dense(1)


def _conv_model():
    pk.set_seed(0)
    return sequential() | pk.reshape((5, 1), input_shape=5) | pk.conv_1d(2, 3) | pk.flatten() | dense(1)


def _data(samples=10):
    rng = np.random.default_rng(0)
    return rng.standard_normal((samples, 5)).astype(np.float32), rng.standard_normal((samples, 1)).astype(np.float32)


@pytest.mark.parametrize("make", [_dense_model, _conv_model], ids=["dense only", "layer by layer"])
def test_an_overridden_train_step_runs_on_every_model(make):
    class Counting(type(make())):
        steps = 0

        def train_step(self, x_arrays, y_arrays, sample_weight=None, batch_size=None):
            Counting.steps += 1
            return super().train_step(x_arrays, y_arrays, sample_weight, batch_size)

    model = make()
    model.__class__ = Counting
    model.compile(optimizer="sgd", loss="mse")
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.train_on_batch(x, y)
    assert Counting.steps == 2 * 3 + 1 and model.optimizer.iterations == 7


def test_the_runner_is_chosen_by_what_the_layers_describe():
    assert isinstance(_dense_model()._current_runner(), DenseStackRunner)
    assert isinstance(_conv_model()._current_runner(), LayerRunner)
    inputs = pk.Input(shape=5)
    chain = pk.Model(inputs, inputs | dense(4, "tanh") | dense(2, "softmax"))
    assert isinstance(chain._current_runner(), DenseStackRunner)
    branches = pk.Model(inputs, pk.add()([inputs | dense(3), inputs | dense(3)]))
    assert isinstance(branches._current_runner(), LayerRunner)


def test_the_runner_is_kept_until_the_model_or_its_optimizer_changes():
    model = _dense_model().compile(optimizer="sgd", loss="mse")
    x, y = _data()
    model.fit(x, y, epochs=1, verbose=0)
    runner = model._current_runner()
    model.fit(x, y, epochs=1, verbose=0)
    model.predict(x)
    assert model._current_runner() is runner

    model.layers[0].trainable = False
    frozen = model._current_runner()
    assert frozen is not runner and not frozen.trains
    model.layers[0].trainable = True
    assert model._current_runner().trains

    runner = model._current_runner()
    model.compile(optimizer="adam", loss="mse")
    assert model._current_runner() is not runner and model._current_runner().optimizer is model.optimizer

    model.add(dense(2))
    assert model._current_runner().stack.widths == [5, 8, 1, 2]


@pytest.mark.parametrize("make", [_dense_model, _conv_model], ids=["dense stack", "layer by layer"])
def test_fit_hands_its_batch_size_to_the_runner(make, monkeypatch):
    model = make().compile(optimizer="sgd", loss="mse")
    runner = model._current_runner()
    seen = []
    step = runner.train_step
    monkeypatch.setattr(runner, "train_step", lambda x, y, w, batch_size: seen.append((len(x[0]), batch_size))
                        or step(x, y, w, batch_size))
    x, y = _data()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, sample_weight=np.ones(10))  # one step per call
    assert seen == [(4, 4), (4, 4), (2, 4)]
