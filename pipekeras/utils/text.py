"""Text to tokens, shared by the `text_vectorization` layer and the R keras 2 tokenizer: standardizing,
splitting and n-grams, and reading string data from lists, arrays and batch sources."""

import re

import numpy as np

# Keras's punctuation: what "strip_punctuation" removes (TextVectorization) and the tokenizer's default filters.
PUNCTUATION = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'"
TOKENIZER_FILTERS = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n"
_PUNCTUATION_RE = re.compile("[" + re.escape(PUNCTUATION) + "]")
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = ("whitespace", "character")


def standardize(text, how):
    """Returns `text` standardized as TextVectorization's `standardize` says (a name, None, or a function)."""
    if how is None:
        return text
    if callable(how):
        return how(text)
    if how in ("lower_and_strip_punctuation", "lower"):
        text = text.lower()
    if how in ("lower_and_strip_punctuation", "strip_punctuation"):
        text = _PUNCTUATION_RE.sub("", text)
    return text


def split(text, how):
    """Returns the tokens of `text` as TextVectorization's `split` says (a name, None, or a function)."""
    if how is None:
        return [text]
    if callable(how):
        return list(how(text))
    if how == "character":
        return list(text)
    return text.split()


def with_ngrams(tokens, ngrams):
    """Returns `tokens` and their n-grams (joined by spaces) for `ngrams`: None (tokens only), an int n (all
    n-grams from 1 to n) or a tuple of n's."""
    if ngrams is None:
        return tokens
    sizes = range(1, ngrams + 1) if isinstance(ngrams, int) else ngrams
    out = []
    for n in sizes:
        out.extend(tokens if n == 1 else [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)])
    return out


def as_text(value):
    """Returns one string from str, bytes (UTF-8) or a NumPy string scalar."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def text_rows(data):
    """Returns a flat list of strings from a string, list, tuple or array of strings ((n,) or (n, 1))."""
    if isinstance(data, (str, bytes)):
        return [as_text(data)]
    array = np.asarray(data, dtype=object)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"expected a list or 1-D array of strings (or shape (n, 1)), received shape {array.shape}")
    return [as_text(v) for v in array]


def text_batches(data):
    """Yields lists of strings from `data`: strings, a list or array of them, or an iterable of batches of
    them (a batch `(texts, labels)` gives its texts)."""
    if isinstance(data, (str, bytes, list, tuple, np.ndarray)):
        yield text_rows(data)
        return
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield text_rows(batch)
