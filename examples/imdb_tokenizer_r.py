"""Book chapter 6.1 ("Deep Learning with R") on the raw IMDB text, through pipekeras.r as the book writes it:
read the review files, `text_tokenizer` + `fit_text_tokenizer`, `texts_to_sequences`, `pad_sequences`, then an
embedding (without the GloVe weights) -> flatten -> dense model trained on 200 reviews and validated on 10,000.

The reviews come from `aclImdb_v1_text.tar.gz` in PIPEKERAS_DATASETS, unpacked to a temporary folder. Set
PIPEKERAS_QUICK=1 for a short run.
"""

import os
import sys
import tarfile
import tempfile

import numpy as np

import pipekeras as pk
from pipekeras.r import (compile, fit, fit_text_tokenizer, keras_model_sequential, layer_dense, layer_embedding,
                         layer_flatten, pad_sequences, text_tokenizer, texts_to_sequences)


def read_reviews(train_dir):
    """The book's loop: every review of train/neg and train/pos, with label 0 or 1."""
    labels, texts = [], []
    for label_type in ("neg", "pos"):
        dir_name = os.path.join(train_dir, label_type)
        for fname in sorted(os.listdir(dir_name)):
            if fname.endswith(".txt"):
                with open(os.path.join(dir_name, fname), encoding="utf-8") as file:
                    texts.append(file.read())
                labels.append(0 if label_type == "neg" else 1)
    return texts, np.array(labels, dtype="float32")


def main(quick=False, archive=None):
    """Runs the chapter; returns the History."""
    archive = archive or os.path.join(os.environ.get("PIPEKERAS_DATASETS", "."), "aclImdb_v1_text.tar.gz")
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(folder, members=[m for m in tar if m.name.startswith("aclImdb/train/")], filter="data")
        texts, labels = read_reviews(os.path.join(folder, "aclImdb", "train"))

    maxlen, training_samples, max_words, embedding_dim = 100, 200, 10000, 8
    validation_samples = 1000 if quick else 10000
    tokenizer = text_tokenizer(num_words=max_words) | fit_text_tokenizer(texts)
    sequences = texts_to_sequences(tokenizer, texts)
    word_index = tokenizer.word_index
    print(f"Found {len(word_index)} unique tokens.")
    data = pad_sequences(sequences, maxlen=maxlen)
    print(f"Shape of data tensor: {data.shape}; shape of label tensor: {labels.shape}")

    indices = np.random.default_rng(0).permutation(len(data))
    training_indices = indices[:training_samples]
    validation_indices = indices[training_samples:training_samples + validation_samples]
    x_train, y_train = data[training_indices], labels[training_indices]
    x_val, y_val = data[validation_indices], labels[validation_indices]

    pk.set_seed(0)
    model = keras_model_sequential() \
        | layer_embedding(input_dim=max_words, output_dim=embedding_dim, input_length=maxlen) \
        | layer_flatten() | layer_dense(units=32, activation="relu") | layer_dense(units=1, activation="sigmoid")
    model | compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model | fit(x_train, y_train, epochs=3 if quick else 20, batch_size=32, validation_data=(x_val, y_val),
                       verbose=2)


if __name__ == "__main__":
    main(quick=os.environ.get("PIPEKERAS_QUICK") == "1" or "--quick" in sys.argv)
