"""to_categorical, pad_sequences, multi_hot, normalize, plot_history."""

import subprocess
import sys

import numpy as np
import pytest

from pipekeras.callbacks import History
from pipekeras.errors import ConfigError, DataError
from pipekeras.utils import multi_hot, normalize, pad_sequences, plot_history, to_categorical


# ---------------------------------------------------------------------------------------------- to_categorical

def test_to_categorical_basic():
    out = to_categorical([0, 2, 1])
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert to_categorical([1, 0], num_classes=5).shape == (2, 5)
    assert to_categorical([1, 0], dtype="int64").dtype == np.int64


def test_to_categorical_shapes():
    assert to_categorical(np.array([[1], [0], [3]])).shape == (3, 4)  # trailing 1 dropped, as Keras
    assert to_categorical(np.zeros((2, 3), dtype=int), 2).shape == (2, 3, 2)
    assert to_categorical(np.array([1.0, 2.0]), 3).tolist() == [[0, 1, 0], [0, 0, 1]]
    assert to_categorical(2, 3).tolist() == [0, 0, 1]
    assert to_categorical(np.array([], dtype=int), 3).shape == (0, 3)


def test_to_categorical_errors():
    with pytest.raises(DataError, match=r"-1 at position 2"):
        to_categorical([0, 1, -1])
    with pytest.raises(DataError, match=r"class id 5 at position 1.*num_classes is 3"):
        to_categorical([0, 5, 1], num_classes=3)
    with pytest.raises(DataError, match=r"\(1, 0\)"):
        to_categorical([[0], [7]], num_classes=3)
    with pytest.raises(DataError, match="1.5"):
        to_categorical([1.5, 0.0])
    with pytest.raises(DataError):
        to_categorical(["a", "b"])
    with pytest.raises(ConfigError, match="num_classes"):
        to_categorical([0, 1], num_classes=0)
    with pytest.raises(ValueError):  # DataError is a ValueError, as Keras users expect
        to_categorical([0, 9], num_classes=2)


# ---------------------------------------------------------------------------------------------- pad_sequences

SEQS = [[1, 2, 3, 4], [5, 6], [], [7]]


@pytest.mark.parametrize("padding, truncating, expected", [
    ("pre", "pre", [[2, 3, 4], [0, 5, 6], [0, 0, 0], [0, 0, 7]]),
    ("post", "pre", [[2, 3, 4], [5, 6, 0], [0, 0, 0], [7, 0, 0]]),
    ("pre", "post", [[1, 2, 3], [0, 5, 6], [0, 0, 0], [0, 0, 7]]),
    ("post", "post", [[1, 2, 3], [5, 6, 0], [0, 0, 0], [7, 0, 0]]),
])
def test_pad_sequences_modes(padding, truncating, expected):
    out = pad_sequences(SEQS, maxlen=3, padding=padding, truncating=truncating)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_pad_sequences_defaults_and_options():
    out = pad_sequences(SEQS)
    assert out.shape == (4, 4)
    np.testing.assert_array_equal(out[1], [0, 0, 5, 6])
    np.testing.assert_array_equal(pad_sequences([[1], [2, 3]], value=-1), [[-1, 1], [2, 3]])
    floats = pad_sequences([[0.5], [1.5, 2.5]], dtype="float32", padding="post")
    np.testing.assert_array_equal(floats, np.array([[0.5, 0], [1.5, 2.5]], dtype=np.float32))
    vectors = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], maxlen=3, dtype="float32")
    assert vectors.shape == (2, 3, 3) and vectors[1, :2].sum() == 0
    assert pad_sequences([np.array([1, 2]), (3,)], maxlen=0).shape == (2, 0)
    strings = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert strings.tolist() == [["a", "b"], ["<pad>", "c"]]
    assert pad_sequences([]).shape == (0, 0)


def test_pad_sequences_errors():
    with pytest.raises(ConfigError, match='padding must be "pre" or "post"'):
        pad_sequences(SEQS, padding="left")
    with pytest.raises(ConfigError, match="truncating"):
        pad_sequences(SEQS, truncating="middle")
    with pytest.raises(DataError, match="element 1 is 2"):
        pad_sequences([[1], 2, [3]])
    with pytest.raises(DataError):
        pad_sequences(5)
    with pytest.raises(DataError, match="shape"):
        pad_sequences([np.ones((2, 3)), np.ones((1, 4))])
    with pytest.raises(ConfigError, match="string"):
        pad_sequences(SEQS, value="x")
    with pytest.raises(ConfigError, match="maxlen"):
        pad_sequences(SEQS, maxlen=-1)


# ---------------------------------------------------------------------------------------------- multi_hot

def test_multi_hot_matches_vectorize_sequences():
    seqs = [[1, 3, 3], [], [0, 4]]
    reference = np.zeros((3, 6))
    for i, s in enumerate(seqs):
        reference[i, s] = 1.0
    out = multi_hot(seqs, 6)
    assert out.dtype == np.float32 and out.shape == (3, 6)
    np.testing.assert_array_equal(out, reference)
    assert multi_hot(seqs).shape == (3, 5)
    assert multi_hot(seqs, dimension=8).shape == (3, 8)
    np.testing.assert_array_equal(multi_hot(np.array([[0, 1], [2, 2]]), 3), [[1, 1, 0], [0, 0, 1]])
    assert multi_hot(np.array([[1, 2]], dtype=object).tolist(), 3, dtype="int8").dtype == np.int8


def test_multi_hot_errors():
    with pytest.raises(DataError, match=r"class id 9 at position 1 of sequence 2.*num_classes is 5"):
        multi_hot([[1], [2, 3], [0, 9]], 5)
    with pytest.raises(DataError, match=r"-2 at position 0 of sequence 1"):
        multi_hot([[1], [-2]], 5)
    with pytest.raises(DataError, match="element 0 is 3"):
        multi_hot([3, 4], 5)
    with pytest.raises(ConfigError):
        multi_hot([[1]], num_classes=3, dimension=4)
    with pytest.raises(DataError, match="no ids"):
        multi_hot([[], []])


# ---------------------------------------------------------------------------------------------- normalize

def test_normalize():
    np.testing.assert_allclose(normalize([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [0, 0]])
    np.testing.assert_allclose(normalize(np.array([[1, 3], [1, 1]]), axis=0, order=1), [[0.5, 0.75], [0.5, 0.25]])
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    out = normalize(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), 1, rtol=1e-6)
    with pytest.raises(ConfigError, match="axis"):
        normalize(x, axis=2)


# ---------------------------------------------------------------------------------------------- imports / plotting

def test_utils_import_does_not_import_matplotlib():
    code = "import sys; from pipekeras.utils import to_categorical; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def make_history(keys, epochs=4):
    history = History()
    for epoch in range(epochs):
        history.on_epoch_end(epoch, {k: 1.0 / (epoch + 1 + i) for i, k in enumerate(keys)})
    return history


def test_plot_history():
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    history = make_history(["accuracy", "loss", "val_loss", "val_accuracy"])
    fig = plot_history(history)
    try:
        axes = fig.get_axes()
        assert len(axes) == 2
        assert axes[0].get_ylabel() == "loss" and axes[1].get_ylabel() == "accuracy"
        lines = axes[0].get_lines()
        assert len(lines) == 2  # training and validation
        assert list(lines[0].get_xdata()) == [1, 2, 3, 4]  # 1-based epochs
        assert [t.get_text() for t in axes[0].get_legend().get_texts()] == ["training", "validation"]
    finally:
        plt.close(fig)

    fig = plot_history(make_history(["loss", "mae"], epochs=12), metrics="mae", smooth=True)
    assert len(fig.get_axes()) == 1
    plt.close(fig)
    fig = history.plot()  # History.plot goes through plot_history
    assert len(fig.get_axes()) == 2
    plt.close(fig)


def test_plot_history_errors():
    pytest.importorskip("matplotlib")
    with pytest.raises(ConfigError, match="Did you mean 'accuracy'"):
        plot_history(make_history(["loss", "accuracy"]), metrics=["acuracy"])
    with pytest.raises(ConfigError, match="empty"):
        plot_history(History())


def test_plot_history_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match=r"pip install pipekeras\[plot\]"):
        plot_history(make_history(["loss"]))
