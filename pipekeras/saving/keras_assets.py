"""The vocabularies of TextVectorization, StringLookup and IntegerLookup in Keras 3 `.keras` files.

Keras keeps an adapted vocabulary out of the config: the layer's config has `"vocabulary": null`, the zip
holds `assets/<layer path>/vocabulary.txt` (every token, the special ones first, one per line, joined by
"\\n", UTF-8), and a "tf_idf" layer's weights per index are `<layer path>/vars/idf_weights` in
model.weights.h5. A TextVectorization writes both a second time for its inner lookup layer
(`<layer path>/_lookup_layer/...`). `<layer path>` is `layers/<key>` with the layer's Keras key
(`keras_files.keras_keys`). A layer given `vocabulary=` in its constructor keeps it in the config and has no
asset.

Reading treats the file as untrusted: entries are found by the names built here (the archive is read in
memory, nothing is extracted, so no entry name from the file becomes a path), each vocabulary is read with
a size bound, decoded and checked (integers for IntegerLookup, no repeated token, at most `max_tokens`), and
tf-idf weights must be finite floats, one per index. Every problem is a SavingError naming the entry.
"""

import numpy as np

from ..errors import NotBuiltError, SavingError
from .hdf5_reader import Group

ASSET_CLASSES = ("TextVectorization", "StringLookup", "IntegerLookup")
VOCABULARY_FILE = "vocabulary.txt"
IDF_KEY = "idf_weights"  # the one named (not numbered) entry of a Keras layer's vars
MAX_VOCABULARY_BYTES = 64 << 20


def has_assets(layer):
    return type(layer).__name__ in ASSET_CLASSES


def _asset_paths(class_name, layer_path):
    """The zip entries Keras writes (and reads) for the vocabulary of a layer of `class_name` at `layer_path`
    (`layers/<key>`; in a nested model `layers/<model key>/layers/<key>`)."""
    path = f"assets/{layer_path}"
    inner = [f"{path}/_lookup_layer/{VOCABULARY_FILE}"] if class_name == "TextVectorization" else []
    return [f"{path}/{VOCABULARY_FILE}", *inner]


# ----- reading --------------------------------------------------------------------------------------------

def _lines(data, entry, source):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SavingError(f"{source}: {entry} is not UTF-8 text ({error}); the file is corrupted.") from None
    lines = text.splitlines()  # as Keras reads it
    while lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise SavingError(f"{source}: {entry} holds no tokens; the file is corrupted.")
    return lines


def _values(class_name, name, lines, entry, source):
    if class_name != "IntegerLookup":
        return lines
    values = []
    for number, line in enumerate(lines, 1):
        try:
            values.append(int(line))
        except ValueError:
            raise SavingError(f"{source}: line {number} of {entry} is {line[:40]!r}, not an integer (the "
                              f"vocabulary of IntegerLookup layer {name!r}); the file is corrupted.") from None
    return values


def _specials(class_name, config, most):
    """The special tokens Keras puts first in the vocabulary of a layer with this config (at most `most` + 1 of
    them: a file's vocabulary of `most` lines cannot hold more)."""
    vector_mode = config.get("output_mode", "int") != "int"
    if class_name == "TextVectorization":
        return ["[UNK]"] if vector_mode else ["", "[UNK]"]
    mask = [] if config.get("mask_token") is None or vector_mode else [config["mask_token"]]
    count = config.get("num_oov_indices", 1)
    count = min(count, most + 1) if isinstance(count, int) and count >= 0 else 1
    return mask + [config.get("oov_token", "[UNK]" if class_name == "StringLookup" else -1)] * count


def _check_tokens(class_name, config, name, values, path, source):
    """Keras's rules for a vocabulary file: the special tokens first, then each token once, at most
    `max_tokens` in all."""
    specials = _specials(class_name, config, len(values))
    if values[:len(specials)] != specials:
        raise SavingError(f"{source}: {path} does not start with the special tokens {specials} of layer {name!r} "
                          f"(mask_token, oov_token, num_oov_indices); it starts with {values[:len(specials)]}. The "
                          "file does not match its config.")
    tokens = values[len(specials):]
    if len(set(tokens)) != len(tokens):
        seen = set()
        repeated = next(t for t in tokens if t in seen or seen.add(t))
        raise SavingError(f"{source}: {path} repeats the token {repeated!r}; a vocabulary holds each token once.")
    limit = config.get("max_tokens")
    if isinstance(limit, int) and len(values) > limit:
        raise SavingError(f"{source}: {path} holds {len(values)} tokens, more than max_tokens={limit} of layer "
                          f"{name!r}; the file is corrupted.")


def _idf(config, name, weights_file, layer_path, count, source):
    """The file's tf-idf weights of the layer's first `count` indices (the rest is padding for max_tokens)."""
    path = f"{layer_path}/vars/{IDF_KEY}"
    item = weights_file[path] if path in weights_file else None
    if not isinstance(item, np.ndarray):
        raise SavingError(f"{source}: model.weights.h5 /{path} is missing; the tf_idf layer {name!r} needs its idf "
                          "weights.")
    longest = max(count, config.get("max_tokens") or 0)
    if item.ndim != 1 or item.dtype.kind != "f" or not count <= len(item) <= longest:
        raise SavingError(f"{source}: model.weights.h5 /{path} has shape {item.shape} and dtype {item.dtype}; layer "
                          f"{name!r} needs {count} float weights (one per vocabulary index).")
    if not np.isfinite(item).all():
        raise SavingError(f"{source}: model.weights.h5 /{path} holds NaN or infinite weights; the file is "
                          "corrupted.")
    return [float(w) for w in item[:count]]


def _path_of(name, parent, default_key, weights_file):
    """The path of layer `name` among the layers at `parent`: the group of model.weights.h5 that names it, else
    the one of `default_key`."""
    layers = weights_file[parent] if parent in weights_file else None
    for key in (layers.keys() if isinstance(layers, Group) else ()):
        group = layers[key]
        vars_group = group.members.get("vars") if isinstance(group, Group) else None
        if isinstance(vars_group, Group) and vars_group.attrs.get("name") in (name, name.encode()):
            return f"{parent}/{key}"
    return f"{parent}/{default_key}"


def vocabulary_config(entry, parent, default_key, archive, weights_file, source):
    """The vocabulary (and idf weights) of a Keras layer entry of `ASSET_CLASSES` whose config has none, read
    from the archive, as config entries: {"vocabulary": [...], "idf_weights": [...] or None}; {} when the
    config holds its vocabulary.

    Args:
        entry: the layer's `{"class_name", "config"}` in the Keras config; parent: the path of its model's
            layers ("layers", or "layers/<key>/layers" in a nested model); default_key: its Keras key by
            position (used when no weights group names the layer).
        archive: the file's `archive.Archive`; weights_file: its model.weights.h5 as a `hdf5_reader.Group`.

    Raises:
        SavingError: for a missing or malformed vocabulary or idf weights, naming the entry.
    """
    config, class_name = entry.get("config") or {}, entry.get("class_name")
    if config.get("vocabulary") is not None:
        return {}
    name = str(config.get("name", class_name))
    layer_path = _path_of(name, parent, default_key, weights_file)
    path = _asset_paths(class_name, layer_path)[0]
    if path not in archive:
        raise SavingError(f"{source}: {path} is missing: layer {name!r} ({class_name}) has no vocabulary in its "
                          "config, so the file must hold it there; the file is incomplete.")
    values = _values(class_name, name, _lines(archive.read(path, MAX_VOCABULARY_BYTES), path, source), path, source)
    size = config.get("vocabulary_size")
    if isinstance(size, int) and size != len(values):
        raise SavingError(f"{source}: {path} holds {len(values)} tokens, the config of layer {name!r} says "
                          f"vocabulary_size={size}; the file is corrupted.")
    _check_tokens(class_name, config, name, values, path, source)
    idf = _idf(config, name, weights_file, layer_path, len(values), source) \
        if config.get("output_mode") == "tf_idf" else None
    return {"vocabulary": values, "idf_weights": idf}


# ----- writing --------------------------------------------------------------------------------------------

def vocabulary_bytes(layer):
    """The layer's vocabulary file as Keras writes it (the special tokens alone for a layer without one, which
    Keras 3.15 then cannot load: it refuses an empty lookup table, in its own files too).

    Raises:
        SavingError: for a token holding a line break, which a vocabulary file cannot keep.
    """
    try:
        tokens = [str(t) for t in layer.get_vocabulary()]
    except NotBuiltError:
        tokens = [str(t) for t in _specials(type(layer).__name__, layer.get_config(), 0)]
    for token in tokens:
        if len(token.splitlines()) > 1 or token.endswith(("\n", "\r")):
            raise SavingError(f"Writing .keras: the vocabulary of layer {layer.name!r} holds the token {token!r:.60} "
                              "with a line break, which Keras's vocabulary file (one token per line) cannot keep. "
                              "Save to .pkeras instead, which keeps the vocabulary in the config.")
    return "\n".join(tokens).encode("utf-8")


def asset_entries(layer, key):
    """{zip entry: bytes} of the layer's vocabulary, where Keras writes it."""
    data = vocabulary_bytes(layer)
    return {entry: data for entry in _asset_paths(type(layer).__name__, f"layers/{key}")}


def idf_weights(layer):
    """The layer's tf-idf weight per vocabulary index (float32), or None outside "tf_idf" mode. Not padded to
    `max_tokens`: Keras 3.15 pads the weights it writes for `pad_to_max_tokens=True` and then cannot load them
    (its `set_vocabulary` wants one weight per token); it pads these itself."""
    if layer.output_mode != "tf_idf" or layer.idf_weights is None:
        return None
    return np.asarray(layer.idf_weights, dtype=np.float32)[:layer.vocabulary_size()]


def write_idf_weights(group, layer):
    """Writes a "tf_idf" layer's weights into its h5 group as Keras does (`vars/idf_weights`, and for a
    TextVectorization again under `_lookup_layer/vars`)."""
    weights = idf_weights(layer)
    if weights is None:
        return
    group["vars"].create_dataset(IDF_KEY, data=weights)
    if type(layer).__name__ == "TextVectorization":
        inner = group.create_group("_lookup_layer").create_group("vars")
        inner.attrs["name"] = "string_lookup"
        inner.create_dataset(IDF_KEY, data=weights)


def keras_config(layer, config):
    """The layer's config as Keras writes it for an adapted layer: the vocabulary and idf weights live in the
    assets and the weights file, not the config."""
    return {**config, "vocabulary": None, "idf_weights": None}
