"""IMDB from the raw review text: `text_dataset_from_directory` reads the class folders, `text_vectorization`
(bag of words, multi-hot over 10,000 tokens) learns its vocabulary with `adapt()` and turns the strings into
vectors inside the model, and the book's dense 16-16-1 network classifies them (rmsprop, batch 512, 4 epochs).

The reviews come from the dataset's archive (`aclImdb_v1_text.tar.gz` in PIPEKERAS_DATASETS), unpacked to a
temporary folder. Set PIPEKERAS_QUICK=1 for a short run on 2,000 reviews.
"""

import os
import sys
import tarfile
import tempfile
import time

import pipekeras as pk
from pipekeras import compile, dense, sequential, text_vectorization
from pipekeras.utils import text_dataset_from_directory


def unpack(archive, into):
    """Unpacks the train and test reviews of the archive into `into`; returns the aclImdb folder."""
    with tarfile.open(archive, "r:gz") as tar:
        members = [m for m in tar if m.name.startswith(("aclImdb/train/", "aclImdb/test/"))]
        tar.extractall(into, members=members, filter="data")
    return os.path.join(into, "aclImdb")


def main(quick=False, archive=None):
    """Trains and evaluates the model; returns (test accuracy, seconds of training)."""
    archive = archive or os.path.join(os.environ.get("PIPEKERAS_DATASETS", "."), "aclImdb_v1_text.tar.gz")
    pk.set_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        root = unpack(archive, folder)
        train = text_dataset_from_directory(os.path.join(root, "train"), label_mode="binary", batch_size=512,
                                            seed=1)
        test = text_dataset_from_directory(os.path.join(root, "test"), label_mode="binary", batch_size=512,
                                           shuffle=False)
    if quick:
        train = pk.utils.TextDataset(train.texts[:2000], train.labels[:2000], 512, True, 1, train.class_names)
        test = pk.utils.TextDataset(test.texts[::12], test.labels[::12], 512, False, None, test.class_names)

    vectorize = text_vectorization(max_tokens=10000, output_mode="multi_hot")
    vectorize.adapt(train.texts)
    model = sequential() | vectorize | dense(16, "relu") | dense(16, "relu") | dense(1, "sigmoid")
    model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(train, epochs=4, verbose=2)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(test, verbose=0)["accuracy"]
    print(f"Training took {seconds:.1f} s; test accuracy {accuracy:.4f} on {len(test.texts)} reviews.")
    return accuracy, seconds


if __name__ == "__main__":
    main(quick=os.environ.get("PIPEKERAS_QUICK") == "1" or "--quick" in sys.argv)
