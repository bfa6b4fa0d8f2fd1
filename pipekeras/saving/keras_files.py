"""Keras interoperability: Keras 3 `.keras` / `.weights.h5` files and Keras 2 style `.h5` model files.

Reading needs h5py (the optional extra `pipekeras[h5]`); it is imported only when an HDF5 file is touched.
Every HDF5 file is read through `hdf5_reader` (checked, and parsed in a child process unless
`safe_mode=False`), which hands back plain groups, attributes and arrays.

- Configs: a Keras layer config is mapped onto the pipekeras class of the same name. Keys that pipekeras's
  constructor does not take are dropped only when their value means "feature off" (`sparse=False`,
  `quantization_config=None`, `groups=1`, ...); any other unsupported key is an error naming it. Keras
  `DTypePolicy` dicts become their dtype name; initializers pipekeras lacks fall back to the default (the
  weights are loaded anyway). Functional graphs (`inbound_nodes` with `__keras_tensor__` references) are
  converted to pipekeras's node references. Nothing is ever imported or evaluated: `Lambda` and other
  code-carrying layers are refused (see `safety`).
- Weights: Keras and pipekeras share the layouts of Dense, Conv, Embedding and recurrent layers (LSTM gates
  i, f, c, o; GRU z, r, h), so arrays are copied in Keras order. Keras 3 files store each layer under
  `layers/<snake_case class name>[_<n>]/vars/<i>` (recurrent layers under `.../cell/vars/<i>`), with the
  layer's name as the `name` attribute of `vars`; Keras 2 files under `model_weights/<layer>/` with a
  `weight_names` attribute.
- Text layers: the vocabularies of adapted TextVectorization, StringLookup and IntegerLookup layers live
  under the zip's assets/ and their tf-idf weights in model.weights.h5, read and written by `keras_assets`.
- Writing: `save_model(model, "m.keras")` writes config.json (Keras class and module names, Keras 3
  `inbound_nodes`), metadata.json and model.weights.h5 in Keras 3's layout; `save_weights("m.weights.h5")`
  writes the same weights layout. Keras 3.15 loads both (tested). No optimizer state is written.
- Optimizer state from Keras files is not restored (Keras keeps it in its own layout); `compile_config`'s
  optimizer and loss are, where pipekeras has them.
"""

import importlib
import inspect
import io
import json
import re
import warnings

import numpy as np

from .. import optimizers
from ..engine.input_layer import InputLayer
from ..engine.layer import get_layer_class, to_snake_case
from ..errors import ConfigError, PipeKerasError, SavingError, ShapeError
from . import keras_assets, safety
from .archive import dumps, write_file, zip_bytes
from .hdf5_reader import Group, Refused
from .hdf5_sandbox import read_hdf5
from .model_config import build_model, check_loss_weights
from .weights import WeightGroup, assign_weight_groups

KERAS_MODEL_CLASSES = {"Sequential": "Sequential", "Functional": "Model", "Model": "Model"}
RECURRENT_CLASSES = {"SimpleRNN", "LSTM", "GRU", "ConvLSTM2D"}
# Keras config keys that pipekeras layers do not take, with the values meaning "not used".
_OFF_VALUES = {
    "quantization_config": (None,), "sparse": (False,), "ragged": (False,), "optional": (False,),
    "lora_rank": (None, 0), "lora_alpha": (None,), "lora_enabled": (False,), "groups": (1,),
    "zero_output_for_mask": (False, True), "input_length": (None,), "autocast": (True,),
    "synchronized": (False,), "use_cudnn": ("auto", True, False), "input_axes": (None,), "output_axes": (None,),
    "time_major": (False,), "implementation": (1, 2), "reset_after": (),
    "renorm": (False,), "renorm_clipping": (None,), "renorm_momentum": (), "rms_scaling": (False,),
    "vocabulary_size": (), "oov_method": ("floormod",), "salt": (None,),
}
# Keras 3 functional graphs record the masks they compute (Masking, Embedding(mask_zero=True)) as operation
# nodes that only feed `mask=` arguments; pipekeras's layers compute their masks themselves
_MASK_OPS = {"NotEqual", "Any", "LogicalOr", "LogicalAnd"}
_LAYER_BASE_KEYS = {"name", "trainable", "input_shape", "batch_input_shape", "batch_size", "input_dim", "dtype"}


def _h5py():
    try:
        import h5py
    except ImportError:
        raise SavingError("Reading or writing HDF5 files (.h5, .weights.h5, .keras) needs h5py, which is not "
                          "installed. Install it with: pip install 'pipekeras[h5]'  (or pip install h5py).") from None
    return h5py


def _read_h5(data, source, safe_mode):
    """The checked content of an HDF5 file as a `hdf5_reader.Group` tree (see `hdf5_reader`)."""
    _h5py()
    try:
        return read_hdf5(data, safe_mode)
    except Refused as refusal:
        raise SavingError(f"{source}: refused to load this HDF5 file: {refusal}.") from None
    except RuntimeError as error:
        raise SavingError(f"{source}: {error}.") from None


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _pipekeras_dtype(dtype):
    """A Keras input dtype as pipekeras names it ("string" -> "str")."""
    return "str" if dtype == "string" else dtype or "float32"


def _keras_dtype(dtype):
    return "string" if dtype == "str" else dtype


def _texts(value):
    """A string-list attribute (one string when the file stored a scalar)."""
    return [_text(v) for v in value] if isinstance(value, list) else [_text(value)]


# ----- configs: Keras -> pipekeras ------------------------------------------------------------------

def is_keras_config(obj):
    """True for a model config written by Keras (`model.to_json()` or a `.keras` file's config.json)."""
    if not isinstance(obj, dict):
        return False
    if "keras_version" in obj or "module" in obj or obj.get("class_name") == "Functional":
        return True
    layers = obj.get("config", {}).get("layers") if isinstance(obj.get("config"), dict) else None
    return isinstance(layers, list) and any(isinstance(l, dict) and ("module" in l or (
        isinstance(l.get("config"), dict) and isinstance(l["config"].get("dtype"), dict))) for l in layers)


def _plain(value):
    """Strips Keras serialization wrappers (module, registered_name) from nested objects."""
    if isinstance(value, dict):
        if value.get("class_name") == "DTypePolicy" or value.get("class_name") == "FloatDTypePolicy":
            return value.get("config", {}).get("name", "float32")
        if value.get("class_name") == "__tuple__":
            return [_plain(v) for v in value.get("config", {}).get("value", [])]
        return {k: _plain(v) for k, v in value.items() if k not in ("module", "registered_name", "shared_object_id")}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _object(kind, value, layer, key):
    """Maps an initializer/regularizer/constraint config to pipekeras's, or None to use the default."""
    if not isinstance(value, dict) or "class_name" not in value:
        return value
    module = importlib.import_module(f"pipekeras.{kind}")
    registry = getattr(module, "_REGISTRY", None)
    try:
        cls = registry.lookup(value["class_name"]) if registry is not None else None
    except PipeKerasError:
        cls = None
    if cls is None or not isinstance(cls, type):
        if kind == "initializers":
            return "__default__"
        raise ConfigError(f"Keras layer {layer!r}: {key} uses {value['class_name']!r}, which pipekeras does not have.")
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values())
    config = {k: v for k, v in (value.get("config") or {}).items() if takes_any or k in params}
    return {"class_name": value["class_name"], "config": config}


def _layer_config(class_name, config, cls):
    name = config.get("name", class_name)
    config = _plain(config)
    if isinstance(config.get("activation"), dict):
        config["activation"] = config["activation"].get("config", config["activation"].get("class_name"))
    params = inspect.signature(cls.__init__).parameters
    takes_any = any(p.kind == p.VAR_KEYWORD for p in params.values()) and cls.__init__ is not object.__init__
    accepted = set(params) | _LAYER_BASE_KEYS
    result = {}
    for key, value in config.items():
        if key in _WRAPPED_PARTS or key in ("layer", "cell"):  # a wrapper's layer, an RNN's cell: checked alike
            value = keras_entry_to_pipekeras(value) if isinstance(value, dict) and "class_name" in value else value
        if key == "cells" and isinstance(value, list):  # StackedRNNCells
            value = [keras_entry_to_pipekeras(v) if isinstance(v, dict) and "class_name" in v else v for v in value]
        if key.endswith("_initializer"):
            value = _object("initializers", value, name, key)
            if value == "__default__":
                continue
        elif key.endswith("_regularizer"):
            value = _object("regularizers", value, name, key)
        elif key.endswith("_constraint"):
            value = _object("constraints", value, name, key)
        if key in accepted or (takes_any and key not in _OFF_VALUES):
            result[key] = value
        elif key in _OFF_VALUES and (not _OFF_VALUES[key] or value in _OFF_VALUES[key]):
            continue
        elif key in ("batch_shape",) and "batch_input_shape" in accepted:
            result["batch_input_shape"] = value
        else:
            raise ConfigError(f"Keras layer {name!r} ({class_name}) has {key}={value!r}, which pipekeras's "
                              f"{class_name} does not support.")
    if "batch_shape" in result and "batch_input_shape" in result:
        result.pop("batch_input_shape")
    return result


def _history_ref(item):
    if isinstance(item, dict) and item.get("class_name") == "__keras_tensor__":
        return list(item["config"]["keras_history"])
    if isinstance(item, list) and item and isinstance(item[0], str):  # Keras 2: [name, node, tensor, kwargs]
        return [item[0], int(item[1]), int(item[2])]
    raise ConfigError(f"Keras config: cannot read the layer input reference {item!r:.100}.")


def _inbound(nodes):
    result = []
    for node in nodes:
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            args = node.get("args", [])
            kwargs = node.get("kwargs") or {}
            # MultiHeadAttention is called as layer(query, value, key=...): every tensor argument is an input
            tensor_args = args if len(args) > 1 or "key" in kwargs else args[:1]
            tensor_args = list(tensor_args) + [kwargs[k] for k in ("key",) if isinstance(kwargs.get(k), dict)]
            refs = []
            for arg in tensor_args:
                items = arg if isinstance(arg, list) else [arg]
                refs += [_history_ref(item) for item in items]
            if isinstance(kwargs.get("attention_mask"), dict):  # MultiHeadAttention: [query, value, key, mask]
                refs = (refs + [refs[-1]] * 2)[:3] + [_history_ref(kwargs["attention_mask"])]
            states = (node.get("kwargs") or {}).get("initial_state")  # a recurrent layer's: inputs after args
            if states is not None:
                refs += [_history_ref(item) for item in (states if isinstance(states, list) else [states])]
            result.append(refs)
        else:  # Keras 2: [[name, node, tensor, kwargs], ...]
            result.append([_history_ref(item) for item in node])
    return result


def _call_options(cls, nodes):
    """Call arguments of a Keras node that pipekeras keeps on the layer (`use_causal_mask`, ...), as config."""
    options = {}
    for node in nodes:
        kwargs = node.get("kwargs") or {} if isinstance(node, dict) else {}
        for name in getattr(cls, "call_options", ()):
            if kwargs.get(name):
                options[name] = True
    return options


def _refs(value):
    if value and isinstance(value[0], str):
        return [list(value[:3])], False
    return [list(v[:3]) for v in value], True


def keras_entry_to_pipekeras(entry, custom_objects=None):
    """`{"class_name", "config"}` written by Keras -> the same for pipekeras (checked, not built)."""
    entry = dict(entry)
    class_name = entry.get("class_name")
    config = entry.get("config") or {}
    if class_name in ("Sequential", "Functional", "Model") and isinstance(config.get("layers"), list):
        layers = [l for l in config["layers"] if not (isinstance(l, dict) and l.get("class_name") in _MASK_OPS)]
        check = {**(custom_objects or {}), "Functional": object, "Model": object}
        safety.check_layer_classes([l for l in layers if isinstance(l, dict)], check,
                                   f"Keras model config {config.get('name')!r}")
        if class_name == "Sequential":
            out = {"name": config.get("name"), "trainable": config.get("trainable", True), "layers": []}
            for layer in layers:
                if layer.get("class_name") == "InputLayer":
                    c = layer.get("config", {})
                    out["build_input_shape"] = c.get("batch_shape", c.get("batch_input_shape"))
                    out["input_dtype"] = _pipekeras_dtype(_plain(c.get("dtype")))
                    continue
                out["layers"].append(keras_entry_to_pipekeras(layer, custom_objects))
            if "build_input_shape" not in out:
                first = out["layers"][0]["config"] if out["layers"] else {}
                if first.get("batch_input_shape") is not None:
                    out["build_input_shape"] = first["batch_input_shape"]
            return {"class_name": "Sequential", "config": out}
        out_layers = []
        for layer in layers:
            converted = keras_entry_to_pipekeras(layer, custom_objects)
            converted["name"] = layer.get("name", converted["config"].get("name"))
            converted["inbound_nodes"] = _inbound(layer.get("inbound_nodes", []))
            cls = get_layer_class(converted["class_name"])
            converted["config"].update(_call_options(cls, layer.get("inbound_nodes", [])))
            out_layers.append(converted)
        inputs, inputs_are_list = _refs(config["input_layers"])
        outputs, outputs_are_list = _refs(config["output_layers"])
        return {"class_name": "Model", "config": {
            "name": config.get("name"), "trainable": config.get("trainable", True), "layers": out_layers,
            "input_layers": inputs, "output_layers": outputs,
            "inputs_are_list": inputs_are_list, "outputs_are_list": outputs_are_list}}
    if class_name in safety.CODE_LAYER_NAMES:
        raise safety.lambda_error(class_name)
    cls = (custom_objects or {}).get(class_name) or get_layer_class(class_name)
    if cls is None:
        safety.check_layer_classes([entry], custom_objects, "Keras model config")
    if (custom_objects or {}).get(class_name) is not None:
        return {"class_name": class_name, "config": _plain(config)}
    if class_name == "InputLayer":
        c = _plain(config)
        return {"class_name": "InputLayer", "config": {
            "name": c.get("name"), "dtype": _pipekeras_dtype(c.get("dtype")),
            "batch_shape": c.get("batch_shape", c.get("batch_input_shape"))}}
    return {"class_name": class_name, "config": _layer_config(class_name, config, cls)}


def model_from_keras_config(obj, custom_objects=None, weight_bytes=None):
    """Builds a pipekeras model (untrained) from a Keras model config; `weight_bytes` as in `build_model`."""
    if isinstance(obj.get("config"), str):  # model.to_json() of Keras 2 may nest JSON text
        obj = {**obj, "config": json.loads(obj["config"])}
    entry = keras_entry_to_pipekeras(obj, custom_objects)
    return build_model(entry, custom_objects, "the Keras config", weight_bytes)


# ----- weights: Keras 3 layout -------------------------------------------------------------------------

def _group(item, path, source):
    if not isinstance(item, Group):
        raise SavingError(f"{source}: {path} is not an HDF5 group; the file is corrupted.")
    return item


def _array(item, path, source):
    if not isinstance(item, np.ndarray):
        raise SavingError(f"{source}: {path} is not a dataset; the file is corrupted.")
    return item


def _collect(group, source, cell_names=(), nested=None):
    """The arrays of a layer's group, its own vars then its sub-groups'; a StackedRNNCells' `cells` in the order
    of `cell_names` (Keras's keys of the stack's cells, in stack order; sorted, they could come out of order), a
    nested model's `layers` in the order `nested` gives for the group's path (see `_nested_orders`)."""
    arrays = []
    if "vars" in group:
        vars_group = _group(group["vars"], f"{group.name}/vars", source)
        for key in sorted(vars_group.keys(), key=lambda k: int(k) if k.isdigit() else 1 << 30):
            if key == keras_assets.IDF_KEY:  # a lookup's tf-idf weights: read with its vocabulary
                continue
            arrays.append(_array(vars_group[key], f"{vars_group.name}/{key}", source))
    order = _subgroup_order
    if group.name.endswith("/cells") and cell_names:
        order = lambda key: (cell_names.index(key) if key in cell_names else len(cell_names), key)
    if nested and group.name in nested:
        keys = nested[group.name]
        order = lambda key: (keys.index(key) if key in keys else len(keys), key)
    for key in sorted(group.keys(), key=order):
        if key != "vars" and isinstance(group[key], Group):
            arrays += _collect(group[key], source, cell_names, nested)
    return arrays


_WRAPPED_PARTS = {"forward_layer": 0, "backward_layer": 1}
# MultiHeadAttention's projections, in its weight order (sorted by name, key would come before query)
_PART_ORDER = {**_WRAPPED_PARTS, "query_dense": 2, "key_dense": 3, "value_dense": 4, "output_dense": 5}


def _subgroup_order(key):
    """Sub-groups by name in pipekeras's weight order: a Bidirectional's forward layer before its backward one
    (sorted by name, backward would come first and the shapes would not tell), MultiHeadAttention's query,
    key, value and output projections, then the rest sorted."""
    return _PART_ORDER.get(key, len(_PART_ORDER)), key


def _nested_orders(layers, path="/layers"):
    """{h5 path of the `layers` group of a model nested in `layers`: the Keras keys of its layers, in order}."""
    orders = {}
    for layer, key in zip(layers, keras_keys(layers)):
        inner = getattr(layer, "layers", None)
        if hasattr(layer, "iter_nodes") and isinstance(inner, list):
            where = f"{path}/{key}/layers"
            orders[where] = keras_keys(inner)
            orders.update(_nested_orders(inner, where))
    return orders


def _keras3_groups(file, source, cell_names=(), nested=None):
    """{h5 key: WeightGroup named after the layer} for a Keras 3 weights file (`cell_names`, `nested`: see
    `_collect`)."""
    groups = {}
    layers = _group(file["layers"], "/layers", source)
    for key in layers.keys():
        group = _group(layers[key], f"/layers/{key}", source)
        name = key
        if isinstance(group.members.get("vars"), Group) and "name" in group["vars"].attrs:
            name = _text(group["vars"].attrs["name"])
        groups[key] = WeightGroup(name, key, _collect(group, source, cell_names, nested))
    return groups


def _keras_snake_case(name):
    """Keras 3's snake_case of a class name: as `to_snake_case`, but digits do not extend a capital's word
    (`ConvLSTM2D` -> `conv_lstm2d`)."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def keras_keys(layers):
    """Keras 3's h5 group keys for layers in model order: snake_case class name, then _1, _2, ..."""
    counts, keys = {}, []
    for layer in layers:
        base = _keras_snake_case(type(layer).__name__ if not isinstance(layer, str) else layer)
        if base == "model":
            base = "functional"
        n = counts.get(base, 0)
        counts[base] = n + 1
        keys.append(base if n == 0 else f"{base}_{n}")
    return keys


def _legacy_groups(file, source):
    """[WeightGroup] in layer order for a Keras 2 style file (`model_weights/` or a bare weights file)."""
    root = _group(file["model_weights"], "/model_weights", source) if "model_weights" in file else file
    names = _texts(root.attrs.get("layer_names", []))
    groups = []
    for name in names:
        if name not in root:
            raise SavingError(f"{source}: layer {name!r} is listed but has no weights group; the file is corrupted.")
        group = _group(root[name], name, source)
        weight_names = _texts(group.attrs.get("weight_names", []))
        arrays = []
        for weight_name in weight_names:
            if weight_name not in group:
                raise SavingError(f"{source}: weight {weight_name!r} of layer {name!r} is missing.")
            arrays.append(_array(group[weight_name], weight_name, source))
        groups.append(WeightGroup(name, name, arrays, [w.rsplit("/", 1)[-1] for w in weight_names]))
    return groups


def load_h5_weights(model, data, by_name=False, skip_mismatch=False, source="the file", safe_mode=True):
    """Loads a Keras `.weights.h5` (Keras 3) or `.h5` (Keras 2 layout) file into a pipekeras model.

    `safe_mode` parses the file in a child process (see `hdf5_reader`)."""
    return _assign_h5_weights(model, _read_h5(data, source, safe_mode), by_name, skip_mismatch, source)


def _assign_h5_weights(model, file, by_name, skip_mismatch, source):
    """`load_h5_weights` of a file already read (a `hdf5_reader.Group`)."""
    try:
        if "layers" in file:
            stacked = [getattr(getattr(layer, "cell", None), "cells", None) for layer in model.layers]
            cell_names = [key for cells in stacked if isinstance(cells, list) for key in keras_keys(cells)]
            keyed, legacy = _keras3_groups(file, source, cell_names, _nested_orders(model.layers)), None
        elif "model_weights" in file or "layer_names" in file.attrs:
            keyed, legacy = None, _legacy_groups(file, source)
        else:
            raise SavingError(f"{source} is an HDF5 file but not a Keras weights file.")
    except PipeKerasError:
        raise
    except Exception as error:  # noqa: BLE001 - a structure that does not follow Keras's layout
        raise SavingError(f"{source}: cannot read the Keras weights ({type(error).__name__}: {error}).") from None
    if legacy is not None:
        return assign_weight_groups(model, legacy, by_name, skip_mismatch, source)
    named = list(keyed.values())
    if by_name:
        return assign_weight_groups(model, named, True, skip_mismatch, source)
    by_layer = {g.name: g for g in named}
    with_weights = [layer for layer in model.layers if layer.weights]
    fits = all(layer.name in by_layer and [a.shape for a in by_layer[layer.name].arrays] ==
               [v.shape for v in layer.weights] for layer in with_weights)
    if fits and with_weights:
        return assign_weight_groups(model, named, True, skip_mismatch, source)
    ordered = []
    for layer, key in zip(model.layers, keras_keys(model.layers)):
        if not layer.weights:
            continue
        group = keyed.get(key)
        if group is None:
            raise ShapeError(f"load_weights: {source} has no weights for layer {layer.name!r} (Keras key {key!r}); "
                             f"it holds {sorted(k for k, g in keyed.items() if g.arrays)}.")
        ordered.append(WeightGroup(group.name, key, group.arrays))
    extra = [k for k, g in keyed.items() if g.arrays and k not in set(keras_keys(model.layers))]
    if extra:
        raise ShapeError(f"load_weights: {source} holds weights for layers {extra} that model {model.name!r} "
                         "does not have.")
    return assign_weight_groups(model, ordered, False, skip_mismatch, source)


# ----- whole models ----------------------------------------------------------------------------------

def _compile_from_keras(model, compile_config, custom_objects):
    """Compiles with Keras' recorded optimizer and loss where pipekeras has them; warns otherwise."""
    try:
        opt = _plain(compile_config.get("optimizer"))
        if isinstance(opt, dict):
            name = opt["class_name"]  # Keras 2.11+ .h5 files name the optimizer "Custom>RMSprop"
            cls = optimizers._REGISTRY.lookup(name[len("Custom>"):] if name.startswith("Custom>") else name,
                                              custom_objects)
            params = inspect.signature(cls.__init__).parameters
            opt = cls(**{k: v for k, v in opt.get("config", {}).items() if k in params and k != "name"})
        loss = _plain(compile_config.get("loss"))
        if loss is None:
            return model
        check_loss_weights(compile_config.get("loss_weights"), "the file")
        if isinstance(loss, dict) and "class_name" in loss:
            loss = {"class_name": loss["class_name"], "config": {k: v for k, v in loss.get("config", {}).items()
                                                                if k not in ("reduction", "dtype")}}
        metrics = _plain(compile_config.get("metrics"))
        model.compile(optimizer=opt, loss=loss, metrics=metrics if isinstance(metrics, (list, dict)) else None,
                      loss_weights=compile_config.get("loss_weights"))
    except PipeKerasError as error:
        warnings.warn(f"load_model: the Keras file's compile settings could not be used ({error}); the model is "
                      "loaded uncompiled. Compile it yourself.", UserWarning, stacklevel=4)
    return model


def _with_vocabularies(config, archive, weights_file, source, parent="layers"):
    """The Keras model config with the vocabularies its text layers keep under assets/ (`keras_assets`) written
    into their configs (in nested models too; `parent`: the weights path of the model's layers)."""
    inner = config.get("config")
    layers = inner.get("layers") if isinstance(inner, dict) else None
    if not isinstance(layers, list):
        return config
    entries = [layer for layer in layers if isinstance(layer, dict) and isinstance(layer.get("class_name"), str)]
    keys = dict(zip(map(id, entries), keras_keys([layer["class_name"] for layer in entries])))
    converted = []
    for layer in layers:
        if id(layer) in keys and layer["class_name"] in keras_assets.ASSET_CLASSES and \
                isinstance(layer.get("config"), dict):
            given = keras_assets.vocabulary_config(layer, parent, keys[id(layer)], archive, weights_file, source)
            layer = {**layer, "config": {**layer["config"], **given}}
        elif id(layer) in keys and layer["class_name"] in KERAS_MODEL_CLASSES:
            layer = _with_vocabularies(layer, archive, weights_file, source, f"{parent}/{keys[id(layer)]}/layers")
        converted.append(layer)
    return {**config, "config": {**inner, "layers": converted}}


def load_keras_archive(archive, config, source, custom_objects, compile, safe_mode=True):
    """A pipekeras model from a Keras 3 `.keras` zip (config.json + model.weights.h5 + the vocabularies of text
    layers under assets/, see `keras_assets`)."""
    weights_file = _read_h5(archive.read("model.weights.h5"), source, safe_mode)
    config = _with_vocabularies(config, archive, weights_file, source)
    model = model_from_keras_config(config, custom_objects, weight_bytes=archive.declared_bytes)
    _assign_h5_weights(model, weights_file, False, False, source)
    if compile and isinstance(config.get("compile_config"), dict):
        _compile_from_keras(model, config["compile_config"], custom_objects)
    return model


def load_keras_h5(data, source, custom_objects, compile, safe_mode=True):
    """A pipekeras model from a Keras 2 style `.h5` model file (model_config attribute + model_weights)."""
    file = _read_h5(data, source, safe_mode)
    if "model_config" not in file.attrs:
        raise SavingError(f"{source} is an HDF5 file without a model config: it holds weights only; build the "
                          "model and call load_weights.")
    config = json.loads(_text(file.attrs["model_config"]))
    training = file.attrs.get("training_config")
    training = json.loads(_text(training)) if training is not None else None
    groups = _legacy_groups(file, source)
    model = model_from_keras_config(config, custom_objects, weight_bytes=len(data))
    assign_weight_groups(model, groups, by_name=True, source=source)
    missing = [layer.name for layer in model.layers if layer.weights and layer.name not in {g.name for g in groups}]
    if missing:
        raise SavingError(f"{source}: no weights for layers {missing}; the file is incomplete.")
    if compile and isinstance(training, dict):
        _compile_from_keras(model, {"optimizer": training.get("optimizer_config"), "loss": training.get("loss"),
                                    "metrics": training.get("metrics"),
                                    "loss_weights": training.get("loss_weights")}, custom_objects)
    return model


# ----- writing Keras 3 files ----------------------------------------------------------------------------

_OBJECT_MODULES = {"_initializer": "keras.initializers", "_regularizer": "keras.regularizers",
                   "_constraint": "keras.constraints"}
# Keras layers whose constructor takes only name and dtype of the base arguments (no `trainable`)
_NAME_AND_DTYPE_ONLY = {"SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"}


def _keras_value(key, value):
    if isinstance(value, tuple):
        return [_keras_value(key, v) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        module = next((m for suffix, m in _OBJECT_MODULES.items() if key.endswith(suffix)), "keras")
        return {"module": module, "class_name": value["class_name"], "config": value.get("config", {}),
                "registered_name": None}
    return value


def _keras_layer_entry(layer):
    if isinstance(layer, InputLayer):
        return {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
                "config": {"batch_shape": list(layer.batch_shape), "dtype": _keras_dtype(layer.dtype), "sparse": False,
                           "name": layer.name}}
    if layer.weights and layer.sublayers and type(layer).__name__ not in (*_WRAPPERS, "RNN", "ConvLSTM2D"):
        raise SavingError(f"Writing .keras: layer {layer.name!r} ({type(layer).__name__}) nests other layers; "
                          "only flat models, RNN(cell), ConvLSTM2D and the wrappers Bidirectional and "
                          "TimeDistributed can be written for Keras.")
    options = getattr(layer, "call_options", ())
    config = {k: _keras_value(k, v) for k, v in layer.get_config().items()
              if k != "batch_input_shape" and k not in options}
    if type(layer).__name__ in _NAME_AND_DTYPE_ONLY:
        config.pop("trainable", None)
    if keras_assets.has_assets(layer):
        config = keras_assets.keras_config(layer, config)
    if type(layer).__name__ == "RNN":
        config["cell"] = _keras_cell_entry(layer.cell)
    for key, inner in _WRAPPERS.get(type(layer).__name__, lambda _: {})(layer).items():
        config[key] = {"module": "keras.layers", "class_name": type(inner).__name__, "registered_name": None,
                       "config": {k: _keras_value(k, v) for k, v in inner.get_config().items()
                                  if k != "batch_input_shape"}}
    entry = {"module": "keras.layers", "class_name": type(layer).__name__, "config": config, "registered_name": None}
    if layer.build_input_shape is not None:
        shape = layer.build_input_shape
        entry["build_config"] = {"input_shape": [list(s) for s in shape] if isinstance(shape, list) else list(shape)}
        if getattr(layer, "takes_initial_state", False) and isinstance(shape, list):  # built with initial states
            entry["build_config"] = {"shapes_dict": {"sequences_shape": list(shape[0]),
                                                     "initial_state_shape": [list(s) for s in shape[1:]]}}
        elif hasattr(layer, "keras_weight_groups"):  # MultiHeadAttention builds from (query, value, key) shapes
            shapes = shape if isinstance(shape, list) else [shape, shape]
            entry["build_config"] = {"shapes_dict": {f"{part}_shape": list(s) for part, s in
                                                     zip(("query", "value", "key"), shapes)}}
    return entry


def _keras_cell_entry(cell):
    """An RNN's cell (a StackedRNNCells' cells nested) as Keras writes it."""
    config = {k: _keras_value(k, v) for k, v in cell.get_config().items() if k != "cells"}
    if isinstance(getattr(cell, "cells", None), list):
        config["cells"] = [_keras_cell_entry(inner) for inner in cell.cells]
    return {"module": "keras.layers", "class_name": type(cell).__name__, "config": config, "registered_name": None}


def _keras_tensor(model, tensor):
    return {"class_name": "__keras_tensor__", "config": {"shape": list(tensor.shape),
                                                         "dtype": _keras_dtype(tensor.dtype),
                                                         "keras_history": model.tensor_ref(tensor)}}


def keras_model_config(model):
    """The Keras 3 config.json content for a pipekeras model."""
    if model.is_stack:
        layers = [_keras_layer_entry(model.inputs[0].node.layer)] + [_keras_layer_entry(l) for l in model.layers]
        return {"module": "keras", "class_name": "Sequential", "registered_name": None,
                "config": {"name": model.name, "trainable": model.trainable, "layers": layers},
                "build_config": {"input_shape": list(model.inputs[0].shape)}}
    layers = []
    for layer in model.layers:
        entry = _keras_layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = []
        for node in model.nodes_of(layer):
            if node.is_input:
                continue
            tensors = [_keras_tensor(model, t) for t in node.input_tensors]
            if getattr(layer, "takes_initial_state", False) and len(tensors) > 1:  # Keras 3 passes states by keyword
                entry["inbound_nodes"].append({"args": [tensors[0]], "kwargs": {"initial_state": tensors[1:]}})
                continue
            args = [tensors if node.inputs_are_list else tensors[0]]
            kwargs = {name: True for name in getattr(layer, "call_options", ()) if getattr(layer, name)}
            if hasattr(layer, "keras_weight_groups"):  # MultiHeadAttention: layer(query, value, key)
                args = tensors if len(tensors) > 1 else tensors * 2
                if len(tensors) == 4:  # [query, value, key, attention_mask]; a key that is the value goes unwritten
                    same_key = node.input_tensors[2] is node.input_tensors[1]
                    args, kwargs["attention_mask"] = tensors[:2] if same_key else tensors[:3], tensors[3]
            entry["inbound_nodes"].append({"args": args, "kwargs": kwargs})
        layers.append(entry)
    refs = lambda structure: ([model.tensor_ref(t) for t in structure] if isinstance(structure, list)
                              else model.tensor_ref(structure))
    return {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
            "config": {"name": model.name, "trainable": model.trainable, "layers": layers,
                       "input_layers": refs(model.input), "output_layers": refs(model.output)}}


def _h5_bytes(model):
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        layers = file.create_group("layers")
        for layer, key in zip(model.layers, keras_keys(model.layers)):
            _write_layer_group(layers.create_group(key), layer)
        file.create_group("vars").attrs["name"] = model.name
    return buffer.getvalue()


# the wrappers written for Keras: their inner layers by the attribute names Keras stores them under
_WRAPPERS = {"Bidirectional": lambda layer: {"layer": layer.forward_layer, "backward_layer": layer.backward_layer},
             "TimeDistributed": lambda layer: {"layer": layer.layer}}


def _write_layer_group(group, layer):
    """One layer's weights in Keras 3's layout: `vars/<i>`, a recurrent layer's under `cell/vars/<i>`, a
    wrapper's inner layers in sub-groups named as Keras's attributes (`forward_layer`, `backward_layer`,
    `layer`)."""
    own = group.create_group("vars")
    own.attrs["name"] = layer.name
    name = type(layer).__name__
    if name in _WRAPPERS:
        parts = _WRAPPERS[name](layer)
        for part, inner in parts.items():
            _write_layer_group(group.create_group("forward_layer" if name == "Bidirectional" and part == "layer"
                                                  else part), inner)
        return
    if hasattr(layer, "keras_weight_groups"):  # MultiHeadAttention: one sub-group per projection
        for part, vars_name, variables in layer.keras_weight_groups():
            target = group.create_group(part).create_group("vars")
            target.attrs["name"] = vars_name
            for i, variable in enumerate(variables):
                target.create_dataset(str(i), data=variable.numpy())
        return
    target = own
    if name == "RNN":
        cell = group.create_group("cell")
        cells = getattr(layer.cell, "cells", None)
        for inner, key in zip(cells, keras_keys(cells)) if isinstance(cells, list) else [(layer.cell, None)]:
            vars_group = (cell if key is None else cell.require_group("cells").create_group(key)).create_group("vars")
            vars_group.attrs["name"] = inner.name
            for i, variable in enumerate(inner.weights):
                vars_group.create_dataset(str(i), data=variable.numpy())
        return
    if name in RECURRENT_CLASSES:
        target = group.create_group("cell").create_group("vars")
        target.attrs["name"] = f"{to_snake_case(name)}_cell"
    for i, variable in enumerate(layer.weights):
        target.create_dataset(str(i), data=variable.numpy())
    if keras_assets.has_assets(layer):
        keras_assets.write_idf_weights(group, layer)


def save_weights_h5(model, path):
    """Writes Keras 3's `.weights.h5` layout (needs h5py); Keras' `model.load_weights` reads it."""
    return write_file(path, _h5_bytes(model))


def save_keras_file(model, path):
    """Writes a Keras 3 `.keras` file (config.json, metadata.json, model.weights.h5, the vocabularies of text
    layers under assets/); no optimizer state."""
    config = keras_model_config(model)
    metadata = {"keras_version": "3.0.0", "date_saved": "1980-01-01@00:00:00", "saved_by": "pipekeras"}
    assets = {}
    for layer, key in zip(model.layers, keras_keys(model.layers)):
        if keras_assets.has_assets(layer):
            assets.update(keras_assets.asset_entries(layer, key))
    data = zip_bytes({"metadata.json": dumps(metadata).encode(), "config.json": dumps(config, "model config").encode(),
                      "model.weights.h5": _h5_bytes(model), **assets})
    return write_file(path, data)
