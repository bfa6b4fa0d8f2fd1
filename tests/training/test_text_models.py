"""Text models from the raw IMDB reviews (../shared/datasets/aclImdb_v1_text.tar.gz) through
text_dataset_from_directory and text_vectorization: the quick run of the example, and (slow) the full run
with the book's accuracy."""

import importlib.util
import os
import pathlib
import tarfile

import pytest

ARCHIVE = pathlib.Path(os.environ.get("PIPEKERAS_DATASETS", "../shared/datasets")) / "aclImdb_v1_text.tar.gz"
EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "imdb_text_vectorization.py"
needs_archive = pytest.mark.skipif(not ARCHIVE.exists(), reason=f"{ARCHIVE} is not there")


def _example():
    spec = importlib.util.spec_from_file_location("imdb_text_vectorization", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    """The real archive cut to its first 1,000 reviews of each class in train and in test (the quick run uses
    2,000 training reviews, and unpacking all 50,000 took most of its time)."""
    path = tmp_path_factory.mktemp("imdb") / "aclImdb_small.tar.gz"
    kept = {}
    with tarfile.open(ARCHIVE, "r:gz") as source, tarfile.open(path, "w:gz") as small:
        for member in source:
            folder = member.name.rsplit("/", 1)[0]
            if member.isfile() and folder.count("/") == 2 and kept.get(folder, 0) < 1000:
                kept[folder] = kept.get(folder, 0) + 1
                small.addfile(member, source.extractfile(member))
    assert sorted(kept.values()) == [1000] * 4, kept
    return path


@needs_archive
def test_quick_run_of_the_raw_text_example_learns(small_archive):
    accuracy, _ = _example().main(quick=True, archive=str(small_archive))
    assert accuracy > 0.7


@needs_archive
@pytest.mark.slow
def test_raw_text_multi_hot_model_reaches_87_5_percent():
    accuracy, _ = _example().main(quick=False, archive=str(ARCHIVE))
    assert accuracy >= 0.875


@needs_archive
@pytest.mark.slow  # tokenizes all 25,000 training reviews, for the book's token count
def test_book_chapter_6_1_tokenizer_path_runs_as_written(capsys):
    spec = importlib.util.spec_from_file_location("imdb_tokenizer_r", EXAMPLE.parent / "imdb_tokenizer_r.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    history = module.main(quick=True, archive=str(ARCHIVE))
    assert len(history.history["val_acc"]) == 3 and history.history["acc"][-1] > 0.6
    assert "Found 88582 unique tokens." in capsys.readouterr().out  # the count the book prints
