"""fit / evaluate / predict fed by a real torch DataLoader (skipped where PyTorch is not installed): over a
TensorDataset and over a Dataset of NumPy (x, y) pairs, with and without worker processes, the model trains as
it does on the same arrays, and the tensors arrive as arrays of the model's dtype and shape."""

import numpy as np
import pytest

import pipekeras as pk
from pipekeras import compile, dense, sequential

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader, Dataset, TensorDataset  # noqa: E402


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 6))
    labels = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1)
    return x, labels


def _model():
    pk.set_seed(0)
    model = sequential() | dense(8, "relu", input_shape=6) | dense(3, "softmax")
    return model | compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


class Pairs(Dataset):
    """One (x, y) NumPy pair per sample: float64 features, an int64 label."""

    def __init__(self, x, labels):
        self.x, self.labels = x, labels

    def __len__(self):
        return len(self.x)

    def __getitem__(self, index):
        return self.x[index], self.labels[index]


class CountingLoader(DataLoader):
    """A DataLoader that counts how often an iteration over it starts."""

    iterations = 0

    def __iter__(self):
        CountingLoader.iterations += 1
        return super().__iter__()


def _reference(x, labels, epochs):
    model = _model()
    history = model.fit(x.astype("float32"), labels, batch_size=16, epochs=epochs, shuffle=False, verbose=0)
    return model, history.history


@pytest.mark.parametrize("kind", ["tensors", "numpy_pairs", "workers"])
def test_a_dataloader_trains_as_the_same_arrays(kind):
    x, labels = _data()
    reference, expected = _reference(x, labels, epochs=4)
    if kind == "tensors":
        dataset = TensorDataset(torch.from_numpy(x.astype("float32")), torch.from_numpy(labels))
    else:
        dataset = Pairs(x, labels)
    CountingLoader.iterations = 0
    workers = {"num_workers": 2, "persistent_workers": True} if kind == "workers" else {}
    loader = CountingLoader(dataset, batch_size=16, shuffle=False, **workers)
    model = _model()
    history = model.fit(loader, epochs=4, verbose=0).history
    assert CountingLoader.iterations == 4  # one pass per epoch, none started only to look at the loader
    assert history["loss"][-1] < history["loss"][0]
    np.testing.assert_allclose(history["loss"], expected["loss"], rtol=1e-5)
    for got, want in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    assert model.evaluate(loader, verbose=0) == pytest.approx(
        reference.evaluate(x.astype("float32"), labels, batch_size=16, verbose=0), rel=1e-6)
    predicted = model.predict(loader, verbose=0)
    assert predicted.shape == (96, 3) and predicted.dtype == np.float32
    np.testing.assert_allclose(predicted, reference.predict(x.astype("float32"), verbose=0), rtol=1e-6)


def test_tensors_arrive_as_arrays_of_the_model_dtype_and_shape():
    seen = []

    class Probe(pk.Layer):
        def call(self, inputs):
            seen.append((type(inputs), inputs.dtype, inputs.shape))
            return inputs

    x, labels = _data(20)
    model = sequential() | Probe(input_shape=(6,)) | dense(2)
    expected = model.predict(x.astype("float32"), verbose=0)
    seen.clear()
    got = model.predict(DataLoader(TensorDataset(torch.from_numpy(x)), batch_size=8), verbose=0)  # float64 tensors
    float32 = np.dtype("float32")
    assert seen == [(np.ndarray, float32, (8, 6)), (np.ndarray, float32, (8, 6)), (np.ndarray, float32, (4, 6))]
    np.testing.assert_array_equal(got, expected)


def test_validation_data_as_a_dataloader():
    x, labels = _data()
    model = _model()
    train = DataLoader(Pairs(x[:64], labels[:64]), batch_size=16)
    validation = DataLoader(Pairs(x[64:], labels[64:]), batch_size=16)
    history = model.fit(train, epochs=2, validation_data=validation, verbose=0).history
    assert history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[64:].astype("float32"), labels[64:], verbose=0)["loss"], rel=1e-6)


class Named(Dataset):
    """Samples of a two-input model: ({"a": x_a, "b": x_b}, y), collated by torch into dicts of tensors."""

    def __init__(self, xa, xb, y):
        self.xa, self.xb, self.y = xa, xb, y

    def __len__(self):
        return len(self.y)

    def __getitem__(self, index):
        return {"a": self.xa[index], "b": self.xb[index]}, self.y[index]


def test_dict_batches_feed_the_named_inputs():
    rng = np.random.default_rng(1)
    xa, xb = rng.standard_normal((20, 3)).astype("float32"), rng.standard_normal((20, 2)).astype("float32")
    y = rng.standard_normal((20, 1)).astype("float32")
    a, b = pk.Input((3,), name="a"), pk.Input((2,), name="b")
    model = pk.Model([a, b], pk.layers.Dense(1)(pk.layers.Concatenate()([a, b])))
    model.compile(optimizer="sgd", loss="mse")
    loader = DataLoader(Named(xa, xb, y), batch_size=8)
    np.testing.assert_allclose(model.predict(loader, verbose=0), model.predict([xa, xb], verbose=0), rtol=1e-6)
    assert model.evaluate(loader, verbose=0) == pytest.approx(model.evaluate([xa, xb], y, verbose=0), rel=1e-6)
