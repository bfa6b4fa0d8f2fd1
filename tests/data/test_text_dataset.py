"""text_dataset_from_directory: class folders -> batches of (texts, labels), label modes, validation split,
and unreadable files named."""

import numpy as np
import pytest

from pipekeras.errors import ConfigError, DataError
from pipekeras.utils import text_dataset_from_directory


@pytest.fixture
def folder(tmp_path):
    for name, texts in {"neg": ["bad", "awful", "dull"], "pos": ["good", "great"]}.items():
        (tmp_path / name).mkdir()
        for i, text in enumerate(texts):
            (tmp_path / name / f"{i}.txt").write_text(text)
    (tmp_path / "pos" / "notes.md").write_text("not a review")
    return tmp_path


def test_reads_class_folders_with_labels(folder):
    data = text_dataset_from_directory(folder, batch_size=2, shuffle=False)
    assert data.class_names == ["neg", "pos"] and len(data) == 3
    texts, labels = data[0]
    assert list(texts) == ["bad", "awful"] and list(labels) == [0, 0]
    assert list(data[2][0]) == ["great"]
    binary = text_dataset_from_directory(folder, label_mode="binary", batch_size=None, shuffle=False)
    assert binary[0][1].shape == (5, 1)
    categorical = text_dataset_from_directory(folder, label_mode="categorical", batch_size=None, shuffle=False)
    np.testing.assert_array_equal(categorical[0][1][-1], [0, 1])
    assert isinstance(text_dataset_from_directory(folder, labels=None, shuffle=False)[0], np.ndarray)


def test_shuffle_and_validation_split_share_the_seed(folder):
    train, held = text_dataset_from_directory(folder, validation_split=0.4, subset="both", seed=3, batch_size=None)
    assert len(train.texts) == 3 and len(held.texts) == 2
    assert sorted(list(train.texts) + list(held.texts)) == sorted(["bad", "awful", "dull", "good", "great"])
    with pytest.raises(ConfigError, match="validation_split= together with subset="):
        text_dataset_from_directory(folder, validation_split=0.2)


def test_bad_folders_and_files_are_named(folder, tmp_path):
    (folder / "pos" / "broken.txt").write_bytes(b"\xff\xfe\xfa")
    with pytest.raises(DataError, match="broken.txt"):
        text_dataset_from_directory(folder)
    with pytest.raises(DataError, match="is not a folder"):
        text_dataset_from_directory(tmp_path / "missing")
    with pytest.raises(DataError, match=r"no folder \['maybe'\]"):
        text_dataset_from_directory(folder, class_names=["neg", "maybe"])
