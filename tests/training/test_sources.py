"""fit / evaluate / predict on data sources: generators, iterables of batches, pk.utils.Sequence (threads and
processes): the same results as arrays, read ahead in the background, and the errors of bad sources."""

import os
import signal
import threading
import traceback
import warnings

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, sequential
from pipekeras.errors import ConfigError, DataError


def _model(seed=0):
    pk.set_seed(seed)
    model = sequential() | dense(8, "relu", input_shape=6) | dense(3, "softmax")
    return model | compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 6)).astype("float32")
    labels = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1)
    return x, np.eye(3, dtype="float32")[labels]


def _forever(x, y, batch=16, weights=None):
    while True:
        for i in range(0, len(x), batch):
            part = slice(i, i + batch)
            yield (x[part], y[part]) if weights is None else (x[part], y[part], weights[part])


class Batches(pk.utils.Sequence):
    def __init__(self, x, y, batch=16, **options):
        super().__init__(**options)
        self.x, self.y, self.batch = x, y, batch
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch)

    def __getitem__(self, index):
        part = slice(index * self.batch, (index + 1) * self.batch)
        return self.x[part], self.y[part]

    def on_epoch_end(self):
        self.epochs_ended += 1


class Loader:
    """A re-iterable source with a length (what a torch DataLoader offers)."""

    def __init__(self, x, y, batch=16):
        self.x, self.y, self.batch = x, y, batch

    def __len__(self):
        return -(-len(self.x) // self.batch)

    def __iter__(self):
        for i in range(0, len(self.x), self.batch):
            yield self.x[i:i + self.batch], self.y[i:i + self.batch]


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def _reference(x, y, epochs=2, **fit_args):
    model = _model()
    model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0, **fit_args)
    return model


@pytest.mark.parametrize("source", ["generator", "sequence", "threads", "processes", "loader"])
def test_sources_train_as_the_same_arrays_do(source):
    x, y = _data()
    reference = _reference(x, y)
    data = {"generator": lambda: _forever(x, y), "sequence": lambda: Batches(x, y),
            "threads": lambda: Batches(x, y, workers=2, max_queue_size=3),
            "processes": lambda: Batches(x, y, workers=2, use_multiprocessing=True),
            "loader": lambda: Loader(x, y)}[source]()
    model = _model()
    history = model.fit(data, epochs=2, verbose=0, steps_per_epoch=6 if source == "generator" else None)
    for got, want in zip(_weights(model), _weights(reference)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], reference.history.history["loss"], rtol=1e-5)
    if source in ("sequence", "threads", "processes"):
        assert data.epochs_ended == 2


def test_evaluate_and_predict_take_sources():
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    expected = model.evaluate(x, y, batch_size=16, verbose=0)
    got = model.evaluate(_forever(x, y), steps=6, verbose=0)
    assert got == pytest.approx(expected, rel=1e-6)
    assert model.evaluate(Batches(x, y, workers=2), verbose=0) == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(model.predict(_forever(x, y), steps=6), model.predict(x), rtol=1e-6)
    only_x = (x[i:i + 32] for i in range(0, 96, 32))
    np.testing.assert_allclose(model.predict(only_x, steps=3), model.predict(x), rtol=1e-6)


def test_validation_data_as_a_generator_and_as_a_sequence():
    x, y = _data()
    reference = _reference(x, y, validation_data=(x[:48], y[:48]))
    for validation, steps in ((_forever(x[:48], y[:48]), 3), (Batches(x[:48], y[:48]), None)):
        model = _model()
        history = model.fit(_forever(x, y), steps_per_epoch=6, epochs=2, verbose=0, validation_data=validation,
                            validation_steps=steps)
        np.testing.assert_allclose(history.history["val_loss"], reference.history.history["val_loss"], rtol=1e-5)
        np.testing.assert_allclose(history.history["val_accuracy"], reference.history.history["val_accuracy"])


def test_sample_weights_in_batches_and_class_weight():
    x, y = _data()
    weights = np.linspace(0.5, 2.0, len(x)).astype("float32")
    reference = _reference(x, y, sample_weight=weights, class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    model = _model()
    model.fit(_forever(x, y, weights=weights), steps_per_epoch=6, epochs=2, verbose=0,
              class_weight={0: 1.0, 1: 2.0, 2: 0.5})
    for got, want in zip(_weights(model), _weights(reference)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_batches_are_read_in_a_background_thread_while_the_step_computes():
    x, y = _data()
    readers = []

    def source():
        for batch in _forever(x, y):
            readers.append(threading.current_thread())
            yield batch

    _model().fit(source(), steps_per_epoch=6, epochs=1, verbose=0)
    assert readers and all(t is not threading.main_thread() for t in readers)
    assert not any(t.name.startswith("pipekeras-data") for t in threading.enumerate())  # readers end with fit


def test_callbacks_see_every_batch_and_the_progress_bar_counts_steps(capsys):
    x, y = _data()
    seen = []

    class Record(pk.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((batch, round(logs["loss"], 6)))

    _model().fit(_forever(x, y), steps_per_epoch=6, epochs=2, verbose=2, callbacks=[Record()])
    assert [b for b, _ in seen] == list(range(6)) * 2
    assert capsys.readouterr().out.count("6/6") == 2


def test_ctrl_c_stops_after_the_current_step():
    x, y = _data()

    class Interrupt(pk.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                os.kill(os.getpid(), signal.SIGINT)

    model = _model()
    history = model.fit(Batches(x, y, workers=2), epochs=3, verbose=0, callbacks=[Interrupt()])
    assert history.interrupted and history.epoch == [] and model.optimizer.iterations == 2


def test_a_non_finite_loss_warns_as_with_arrays():
    x, y = _data()
    model = sequential() | dense(3, "softmax", input_shape=6)
    model.compile(optimizer=pk.optimizers.SGD(learning_rate=1e30), loss="categorical_crossentropy")
    with pytest.warns(RuntimeWarning, match="the loss became"):
        model.fit(_forever(x * 1e10, y), steps_per_epoch=6, epochs=1, verbose=0)


# ----- bad input --------------------------------------------------------------------------------

def test_validation_split_batch_size_y_and_missing_steps_are_refused_with_the_reason():
    x, y = _data()
    model = _model()
    with pytest.raises(ConfigError, match="validation_split cannot be used with a data source"):
        model.fit(_forever(x, y), steps_per_epoch=2, validation_split=0.2, verbose=0)
    with pytest.raises(ConfigError, match="batch_size cannot be given"):
        model.fit(_forever(x, y), steps_per_epoch=2, batch_size=16, verbose=0)
    with pytest.raises(ConfigError, match="y cannot be given with a data source"):
        model.fit(_forever(x, y), y, steps_per_epoch=2, verbose=0)
    with pytest.raises(ConfigError, match="give steps_per_epoch="):
        model.fit(_forever(x, y), verbose=0)
    with pytest.raises(ConfigError, match="give steps="):
        model.predict(_forever(x, y))
    with pytest.raises(ConfigError, match="steps_per_epoch must be a positive integer"):
        model.fit(_forever(x, y), steps_per_epoch=0, verbose=0)


def test_inconsistent_shapes_and_structures_name_the_batch_and_the_difference():
    x, y = _data()

    def shapes():
        yield x[:16], y[:16]
        yield x[16:32, :5], y[16:32]

    with pytest.raises(DataError, match=r"batch 2 of the data source differs from the first batch: its x has "
                                        r"samples of shape \(5,\) where the first batch's had samples of shape \(6,\)"):
        _model().fit(shapes(), steps_per_epoch=2, verbose=0)

    def structures():
        yield x[:16], y[:16]
        yield x[16:32], y[16:32], np.ones(16)

    with pytest.raises(DataError, match="batch 2 .* it has a sample_weight where the first batch had none"):
        _model().fit(structures(), steps_per_epoch=2, verbose=0)

    def targetless():
        yield x[:16]

    with pytest.raises(DataError, match="batch 1 of the data source has no targets"):
        _model().fit(targetless(), steps_per_epoch=1, verbose=0)


def test_a_nan_in_a_batch_names_the_batch():
    x, y = _data()
    x = x.copy()
    x[40, 2] = np.nan
    with pytest.raises(DataError, match=r"x \(batch 3\) contains nan"):
        _model().fit(_forever(x, y), steps_per_epoch=6, verbose=0)


def test_a_generator_that_ends_early_warns_once_ends_the_epoch_and_stops():
    x, y = _data()
    model = _model()
    batches = (b for _, b in zip(range(8), _forever(x, y)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(batches, steps_per_epoch=6, epochs=4, verbose=0)
    ran_out = [w for w in caught if "ran out of batches" in str(w.message)]
    assert len(ran_out) == 1 and "after 2 of 6 steps" in str(ran_out[0].message)
    assert history.epoch == [0, 1] and model.optimizer.iterations == 8


def test_an_error_in_a_worker_is_raised_with_its_traceback():
    x, y = _data()

    def broken():
        yield x[:16], y[:16]
        raise ValueError("disk gone")

    with pytest.raises(ValueError, match="disk gone") as info:
        _model().fit(broken(), steps_per_epoch=3, verbose=0)
    assert "broken" in "".join(traceback.format_exception(info.value))
    assert "reading batch 2" in "".join(info.value.__notes__)

    class Broken(Batches):
        def __getitem__(self, index):
            if index == 3:
                raise KeyError("record 3")
            return super().__getitem__(index)

    for options in ({"workers": 2}, {"workers": 2, "use_multiprocessing": True}):
        with pytest.raises(KeyError, match="record 3") as info:
            _model().fit(Broken(x, y, **options), epochs=1, verbose=0)
        text = "".join(traceback.format_exception(info.value))
        assert "__getitem__" in text and "Broken.__getitem__(3)" in text
