"""R keras 2's text tokenizer and image generator functions."""

from ..pipe import function_step as _function_step
from ..utils.image_generator import ImageDataGenerator as _ImageDataGenerator
from ..utils.text import TOKENIZER_FILTERS as _FILTERS
from ..utils.tokenizer import Tokenizer as _Tokenizer
from ..utils.tokenizer import text_to_word_sequence, tokenizer_from_json as _tokenizer_from_json  # noqa: F401


def text_tokenizer(num_words=None, filters=_FILTERS, lower=True, split=" ", char_level=False, oov_token=None):
    """R keras 2's `text_tokenizer`: a tokenizer (Keras 2's `Tokenizer`) to fit with `fit_text_tokenizer`.

    Args:
        num_words: keep the words of rank below `num_words` when converting.
        filters: characters removed from the texts; lower: lowercase them; split: the word separator.
        char_level: every character is a token; oov_token: stands for words outside the vocabulary.
    """
    return _Tokenizer(num_words, filters, lower, split, char_level, oov_token)


def _fit_text_tokenizer(object, x):
    """R keras 2's `fit_text_tokenizer(object, x)`: ranks the words of the texts `x`; returns the tokenizer."""
    return object.fit_on_texts(x)


fit_text_tokenizer = _function_step("fit_text_tokenizer", _fit_text_tokenizer, applies_to=(_Tokenizer,))


def texts_to_sequences(tokenizer, texts):
    """R keras 2's `texts_to_sequences`: one list of word ranks per text."""
    return tokenizer.texts_to_sequences(texts)


def texts_to_matrix(tokenizer, texts, mode="binary"):
    """R keras 2's `texts_to_matrix`: a (texts, num_words) matrix, mode "binary", "count", "tfidf" or "freq"."""
    return tokenizer.texts_to_matrix(texts, mode)


def sequences_to_matrix(tokenizer, sequences, mode="binary"):
    """R keras 2's `sequences_to_matrix`: a (sequences, num_words) matrix of rank sequences."""
    return tokenizer.sequences_to_matrix(sequences, mode)


def save_text_tokenizer(object, filename):
    """R keras 2's `save_text_tokenizer`: writes the tokenizer as Keras's JSON (not a pickle, unlike R keras 2:
    loading it runs no code). Returns the tokenizer."""
    with open(filename, "w", encoding="utf-8") as file:
        file.write(object.to_json())
    return object


def load_text_tokenizer(filename):
    """R keras 2's `load_text_tokenizer`: reads a tokenizer written by `save_text_tokenizer` (or Keras's
    `Tokenizer.to_json`)."""
    with open(filename, encoding="utf-8") as file:
        return _tokenizer_from_json(file.read())


def image_data_generator(**arguments):
    """R keras 2's `image_data_generator`: random augmentation and rescaling for `flow_images_from_data` and
    `flow_images_from_directory` (the arguments of Keras 2's ImageDataGenerator: rescale, rotation_range,
    width_shift_range, height_shift_range, shear_range, zoom_range, horizontal_flip, fill_mode, ...)."""
    return _ImageDataGenerator(**arguments)


def flow_images_from_data(x, y=None, generator=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
                          subset=None):
    """R keras 2's `flow_images_from_data`: augmented batches of the images `x` (and `y`), for `fit_generator`
    or `fit`."""
    generator = generator or _ImageDataGenerator()
    return generator.flow(x, y, batch_size, shuffle, sample_weight, seed, subset)


def flow_images_from_directory(directory, generator=None, target_size=(256, 256), color_mode="rgb", classes=None,
                               class_mode="categorical", batch_size=32, shuffle=True, seed=None, subset=None,
                               interpolation="nearest", follow_links=False):
    """R keras 2's `flow_images_from_directory`: augmented batches of the images in `directory`'s class folders
    (class_mode "categorical", "binary", "sparse", "input" or None)."""
    generator = generator or _ImageDataGenerator()
    return generator.flow_from_directory(directory, target_size, color_mode, classes, class_mode, batch_size,
                                         shuffle, seed, subset, interpolation, follow_links)
