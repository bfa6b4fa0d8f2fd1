"""Threads: predict and evaluate from several threads on one model give exactly the serial results; a second
training call on a model that is training in another thread raises instead of corrupting it."""

import threading

import numpy as np
import pytest

import pipekeras as pk
from pipekeras.errors import ConcurrencyError

THREADS, ROUNDS = 4, 3


def _mlp(rng):
    model = pk.sequential() | pk.dense(32, "relu", input_shape=12) | pk.dense(4, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, lambda n: rng.standard_normal((n, 12)).astype("float32"), 4


def _convnet(rng):
    model = pk.sequential() | pk.conv_2d(6, 3, activation="relu", input_shape=(12, 12, 2)) | pk.max_pooling_2d(2) \
        | pk.batch_normalization() | pk.conv_2d(4, 3, padding="same") | pk.average_pooling_2d(2) | pk.flatten() \
        | pk.dense(3, "softmax")
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model, lambda n: rng.standard_normal((n, 12, 12, 2)).astype("float32"), 3


def _recurrent(rng):
    model = pk.sequential() | pk.embedding(30, 8, mask_zero=True, input_length=10) \
        | pk.lstm(8, return_sequences=True) | pk.bidirectional(pk.gru(5, go_backwards=True)) | pk.dense(2, "softmax")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    def tokens(n):
        x = rng.integers(1, 30, size=(n, 10))
        x[: n // 2, 6:] = 0  # padded, masked
        return x

    return model, tokens, 2


MODELS = {"mlp": _mlp, "convnet": _convnet, "recurrent": _recurrent}


def _in_threads(work, inputs):
    """Runs work(x) for every x in `inputs`, ROUNDS times each, spread over THREADS threads started together;
    returns the results per input (ROUNDS each) and the first exception raised."""
    results = [[] for _ in inputs]
    errors = []
    barrier = threading.Barrier(THREADS)

    def worker(offset):
        barrier.wait()
        try:
            for _ in range(ROUNDS):
                for i in range(offset, len(inputs), THREADS):
                    results[i].append(work(inputs[i]))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _trained(name, rng):
    model, make_x, classes = MODELS[name](rng)
    x = make_x(64)
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, 64)]
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    return model, make_x, classes


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("batch", [8, 300], ids=["small batches", "chunked batches"])
def test_predict_from_threads_equals_serial(name, batch, rng):
    model, make_x, _ = _trained(name, rng)
    inputs = [make_x(batch) for _ in range(2 * THREADS)]
    serial = [model.predict(x, batch_size=batch) for x in inputs]
    for expected, got in zip(serial, _in_threads(lambda x: model.predict(x, batch_size=batch), inputs)):
        for result in got:
            np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("name", list(MODELS))
def test_evaluate_from_threads_equals_serial(name, rng):
    model, make_x, classes = _trained(name, rng)
    data = [(make_x(40), np.eye(classes, dtype="float32")[rng.integers(0, classes, 40)]) for _ in range(THREADS)]
    serial = [model.evaluate(x, y, batch_size=16, verbose=0) for x, y in data]
    threaded = _in_threads(lambda xy: model.evaluate(*xy, batch_size=16, verbose=0), data)
    for expected, got in zip(serial, threaded):
        assert got == [expected] * ROUNDS


def test_a_second_training_thread_raises_and_the_first_one_finishes(rng):
    model, make_x, classes = _trained("mlp", rng)
    x, y = make_x(256), np.eye(classes, dtype="float32")[rng.integers(0, classes, 256)]
    inside, release = threading.Event(), threading.Event()

    class Pause(pk.Callback):
        def on_epoch_end(self, epoch, logs=None):
            inside.set()
            release.wait(10)

    results = []
    first = threading.Thread(target=lambda: results.append(
        model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[Pause()])))
    first.start()
    assert inside.wait(10)
    iterations = model.optimizer.iterations
    for train in (lambda: model.fit(x, y, epochs=1, verbose=0), lambda: model.train_on_batch(x[:8], y[:8])):
        with pytest.raises(ConcurrencyError, match="is training in another thread"):
            train()
    assert model.optimizer.iterations == iterations
    release.set()
    first.join()
    assert results[0].epoch == [0, 1] and model.optimizer.iterations == iterations + 8
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)  # free again once the first fit returned
    assert model.optimizer.iterations == iterations + 16
