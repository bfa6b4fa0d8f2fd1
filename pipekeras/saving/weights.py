"""Weights in files: the native weights format, and matching saved weights to a model's layers (by order, by
layer name, skipping mismatched layers). `api.save_weights` / `api.load_weights` choose the file kind.

Weight files:

- native (any extension but `.npz` and `.h5`; `.pkweights` is suggested): a zip holding `weights.json`
  (format name and version, then per layer: name, class name, and each weight's name, shape, dtype and the
  `.npy` entry holding it) and the `.npy` entries. Supports `by_name=True`.
- `.npz`: NumPy's own format, `arr_0`, `arr_1`, ... in `model.get_weights()` order (what `np.savez`
  writes, and what `ModelCheckpoint` wrote before models had `save_weights`). Loaded by order only.
- `.h5` / `.weights.h5`: Keras 3's weights layout (needs h5py), see `keras_files`.

`load_weights` also accepts a full `.pkeras` model file and a Keras `.keras` file, and reads their weights.

Loading validates every array against the model before assigning any, so on an error the model is
unchanged.
"""

import re
import warnings

import numpy as np

from ..errors import ConfigError, SavingError, ShapeError
from . import archive as ar
from .model_config import MODEL_FORMAT, MODEL_FORMAT_VERSION

WEIGHTS_FORMAT = "pipekeras-weights"
WEIGHTS_FORMAT_VERSION = 1
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def layers_with_weights(model):
    """[(layer, [variables])] for the model's layers that hold weights, in model order."""
    return [(layer, layer.weights) for layer in model.layers if layer.weights]


def short_name(variable):
    return variable.name.rsplit("/", 1)[-1]


def weight_entries(model, prefix):
    """Manifest rows and zip entries for the model's weights, grouped by layer."""
    layers, entries, count = [], {}, 0
    for layer, variables in layers_with_weights(model):
        rows = []
        for variable in variables:
            entry = f"{prefix}{count:05d}.npy"
            count += 1
            value = variable.numpy()
            entries[entry] = ar.array_bytes(value)
            rows.append({"name": short_name(variable), "shape": list(value.shape), "dtype": value.dtype.name,
                         "entry": entry})
        layers.append({"name": layer.name, "class_name": type(layer).__name__, "weights": rows})
    return layers, entries


class WeightGroup:
    """The weights a file holds for one layer."""

    def __init__(self, name, class_name, arrays, weight_names=None):
        self.name = name
        self.class_name = class_name
        self.arrays = arrays
        self.weight_names = weight_names or [str(i) for i in range(len(arrays))]

    def __repr__(self):
        return f"<WeightGroup {self.name!r} ({self.class_name}) {[a.shape for a in self.arrays]}>"


def read_weight_groups(archive, manifest_layers):
    """Reads the arrays that a manifest lists; checks the manifest's structure on the way."""
    if not isinstance(manifest_layers, list):
        raise SavingError(f"{archive.source}: the weights manifest is malformed (layers is not a list).")
    groups = []
    for layer in manifest_layers:
        if not isinstance(layer, dict) or not isinstance(layer.get("name"), str) or \
                not isinstance(layer.get("weights"), list):
            raise SavingError(f"{archive.source}: the weights manifest is malformed; the file is corrupted.")
        arrays, names = [], []
        for row in layer["weights"]:
            if not isinstance(row, dict) or not isinstance(row.get("entry"), str) or \
                    not isinstance(row.get("shape"), list) or not isinstance(row.get("dtype"), str):
                raise SavingError(f"{archive.source}: the weights manifest is malformed; the file is corrupted.")
            arrays.append(archive.read_array(row["entry"], row["shape"], row["dtype"]))
            names.append(str(row.get("name", len(names))))
        groups.append(WeightGroup(layer["name"], str(layer.get("class_name", "?")), arrays, names))
    return groups


def _shapes(items):
    return [tuple(getattr(x, "shape", ())) for x in items]


def fitting_order(owner, variables, arrays):
    """`variables` (`owner.weights`), or, when only that fits the arrays' shapes, the order pipekeras files were
    written in before `weights` followed Keras (all trainable weights, then the rest), so they still load."""
    if _shapes(variables) == _shapes(arrays):
        return variables
    legacy = owner.trainable_weights + owner.non_trainable_weights
    return legacy if _shapes(legacy) == _shapes(arrays) else variables


def _mismatch(layer, variables, group):
    expected, received = _shapes(variables), _shapes(group.arrays)
    if expected == received:
        return None
    source = "" if group.name == layer.name else f" (saved from layer {group.name!r})"
    return (f"layer {layer.name!r} ({type(layer).__name__}) expects {len(expected)} weight(s) with shapes "
            f"{expected}, the file holds {len(received)} with shapes {received}{source}.")


def assign_weight_groups(model, groups, by_name=False, skip_mismatch=False, source="the file"):
    """Matches file groups to model layers, validates everything, then assigns.

    Raises:
        ShapeError: for a different number of layers (by order), or a layer whose weight count or shapes
            differ (unless `skip_mismatch`, which warns and skips it). Nothing is assigned then.
        ConfigError: when the model has no weights yet (not built).
    """
    targets = layers_with_weights(model)
    if not targets and any(g.arrays for g in groups):
        raise ConfigError(f"load_weights: model {model.name!r} has no weights yet (it is not built). Build it "
                          "first (give input_shape= or call it on data), then load the weights.")
    groups = [g for g in groups if g.arrays]
    plan, skipped = [], []
    if by_name:
        by_layer = {}
        for group in groups:
            if group.name in by_layer:
                raise SavingError(f"{source} holds two layers named {group.name!r}; cannot load by name.")
            by_layer[group.name] = group
        pairs = [(layer, variables, by_layer[layer.name]) for layer, variables in targets if layer.name in by_layer]
    else:
        if len(targets) != len(groups):
            raise ShapeError(
                f"load_weights: {source} holds weights for {len(groups)} layer(s) {[g.name for g in groups]}, "
                f"but model {model.name!r} has {len(targets)} layer(s) with weights {[l.name for l, _ in targets]}."
                " Load into the same architecture, or use by_name=True to load the layers whose names match."
            )
        pairs = [(layer, variables, group) for (layer, variables), group in zip(targets, groups)]
    pairs = [(layer, fitting_order(layer, variables, group.arrays), group) for layer, variables, group in pairs]
    for layer, variables, group in pairs:
        problem = _mismatch(layer, variables, group)
        if problem is not None:
            if skip_mismatch:
                skipped.append(problem)
                continue
            raise ShapeError(f"load_weights: {problem} Nothing was loaded; the model is unchanged. "
                             "Pass skip_mismatch=True to skip such layers.")
        plan.extend(zip(variables, group.arrays))
    for problem in skipped:
        warnings.warn(f"load_weights: skipping {problem}", UserWarning, stacklevel=3)
    warn_non_finite(plan, source)
    for variable, array in plan:
        variable.assign(np.asarray(array, dtype=variable.dtype))
    return model


def warn_non_finite(pairs, source):
    """Warns once, naming them, when weights about to be loaded hold NaN or infinity.

    Such weights are loaded (Keras loads them too, and a diverged checkpoint is worth inspecting), but the
    model's outputs will be NaN or meaningless, so the user hears about it now rather than from a metric.
    """
    bad = [variable.name for variable, array in pairs
           if np.asarray(array).dtype.kind in "fc" and not np.isfinite(array).all()]
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        warnings.warn(f"{source} holds NaN or infinite values in weight(s) {shown}; they are loaded as they are, "
                      "and the model's predictions will not be meaningful (the file was saved after training "
                      "diverged, or it is corrupted).", UserWarning, stacklevel=4)


def weights_bytes(model):
    layers, entries = weight_entries(model, "weights/")
    manifest = {"format": WEIGHTS_FORMAT, "format_version": WEIGHTS_FORMAT_VERSION,
                "model_name": model.name, "layers": layers}
    return ar.zip_bytes({"weights.json": ar.dumps(manifest, "weights manifest").encode("utf-8"), **entries})


def read_groups_from_bytes(data, source):
    """WeightGroups from any supported file's bytes (a list of plain arrays for a flat .npz)."""
    if data[:8] == HDF5_SIGNATURE:
        raise SavingError(f"{source} is an HDF5 (Keras) file; load it with load_weights.")
    archive = ar.Archive(data, source)
    if "weights.json" in archive:
        manifest = archive.read_json("weights.json")
        if not isinstance(manifest, dict) or manifest.get("format") != WEIGHTS_FORMAT:
            raise SavingError(f"{source} is not a pipekeras weights file.")
        check_version(manifest, WEIGHTS_FORMAT_VERSION, source)
        return read_weight_groups(archive, manifest.get("layers"))
    if "config.json" in archive:
        config = archive.read_json("config.json")
        if isinstance(config, dict) and config.get("format") == MODEL_FORMAT:
            check_version(config, MODEL_FORMAT_VERSION, source)
            return read_weight_groups(archive, config.get("layers"))
    flat = sorted((n for n in archive.names if re.fullmatch(r"arr_\d+\.npy", n)), key=lambda n: int(n[4:-4]))
    if flat and len(flat) == len(archive.names):
        return [archive.read_array(n) for n in flat]
    raise SavingError(f"{source} is not a weights file pipekeras knows (no weights.json, config.json or "
                      "arr_N.npy entries).")


def assign_flat(model, arrays, by_name, source):
    """Assigns the arrays of a plain `.npz` (no layer names) to the model's weights, in `weights` order."""
    if by_name:
        raise ConfigError(f"load_weights: {source} is a plain .npz without layer names; by_name=True needs a "
                          "file written by save_weights to a non-.npz path (e.g. 'model.pkweights').")
    variables = fitting_order(model, model.weights, arrays)
    expected, received = _shapes(variables), _shapes(arrays)
    if expected != received:
        raise ShapeError(f"load_weights: {source} holds {len(arrays)} arrays with shapes {received}, model "
                         f"{model.name!r} expects {len(expected)} with shapes {expected}. Nothing was loaded.")
    warn_non_finite(list(zip(variables, arrays)), source)
    for variable, array in zip(variables, arrays):
        variable.assign(np.asarray(array, dtype=variable.dtype))
    return model


def check_version(manifest, supported, source):
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise SavingError(f"{source}: the format version {version!r} is not valid; the file is corrupted.")
    if version > supported:
        raise SavingError(f"{source} was written by a newer pipekeras (format version {version}; this pipekeras "
                          f"reads up to version {supported}). Upgrade pipekeras to load it: "
                          "pip install --upgrade pipekeras.")
