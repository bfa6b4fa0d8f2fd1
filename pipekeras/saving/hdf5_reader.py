"""Reading untrusted HDF5 files (Keras `.h5`, `.weights.h5`, a `.keras` file's `model.weights.h5`).

HDF5 can make a file's bytes come from elsewhere: a dataset's "external storage" names other files by path,
a virtual dataset maps other files' datasets, soft and external links point at other objects or files. Read
naively, a model file could copy a local file (keys, tokens) into a weight, block on a FIFO, or make the
reader allocate gigabytes it never stored. So before any data is read, every object of the file is checked:

- links must be hard links (no soft, external or user-defined links; no group cycles);
- a dataset must keep its bytes in this file (no external storage, no virtual layout), use only filters that
  cannot expand data (shuffle, Fletcher-32), hold integers or floats (no object references, compound,
  variable-length, string or enum data), and store at least as many bytes as its shape declares, within
  the file (a never-written dataset would read as invented fill values); the datasets together may not
  declare more bytes than the file has;
- only the attributes Keras files use are read (`ALLOWED_ATTRIBUTES`), strings or numbers, bounded in size.

The HDF5 library itself can crash or loop forever on corrupted bytes, which no check in Python can prevent.
`read_hdf5(data, safe_mode=True)` therefore parses the file in a child Python process (this file run as a
script: it imports only NumPy and h5py) under a memory and a time limit, and receives plain arrays and
attributes back; a crash, a hang or an exhausted limit there is an error here. `safe_mode=False` parses in
this process, with the same checks, for files you trust (no process start-up, no copy).
"""

import io
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np

# The attributes Keras's weight layouts use; no other attribute is ever read.
ALLOWED_ATTRIBUTES = ("name", "layer_names", "weight_names", "model_config", "training_config")
MAX_ATTRIBUTE_BYTES = 64 << 20
MAX_ATTRIBUTE_ITEMS = 1 << 20
MAX_OBJECTS = 200_000
MAX_DEPTH = 64
# HDF5 filter ids whose output is never larger than their input by more than a checksum.
SAFE_FILTERS = {2: "shuffle", 3: "fletcher32"}
# The child process: address space and wall-clock time, both grow with the file.
CHILD_BASE_MEMORY = 768 << 20
CHILD_MEMORY_PER_BYTE = 4
CHILD_BASE_SECONDS = 30.0
CHILD_SECONDS_PER_BYTE = 1 / (20 << 20)
_MAGIC = b"PKH5"
# The child: this file run as a script by the same interpreter, isolated from the user's environment
# variables and site directory (`-I`); its argument is the address-space limit in bytes.
CHILD_COMMAND = [sys.executable, "-I", os.path.abspath(__file__)]


class Refused(Exception):
    """The file uses an HDF5 feature or declares a size that a model file never needs."""


class Group:
    """One HDF5 group as plain data: `attrs` (the allowed ones) and members (Groups or NumPy arrays)."""

    def __init__(self, name, attrs, members):
        self.name = name
        self.attrs = attrs
        self.members = members

    def keys(self):
        return self.members.keys()

    def _find(self, path):
        item = self
        for part in (p for p in path.split("/") if p):
            if not isinstance(item, Group) or part not in item.members:
                return None
            item = item.members[part]
        return item

    def __contains__(self, path):
        return self._find(path) is not None

    def __getitem__(self, path):
        item = self._find(path)
        if item is None:
            raise KeyError(path)
        return item

    def __repr__(self):
        return f"<Group {self.name!r} {sorted(self.members)}>"


# ----- checking and reading (runs in the child in safe mode) -----------------------------------------------

class _Walk:
    def __init__(self, h5py, file_size):
        self.h5py = h5py
        self.file_size = file_size
        self.byte_budget = file_size
        self.objects = 0
        self.datasets = {}

    def group(self, group, path, ancestors, depth):
        h5py = self.h5py
        if depth > MAX_DEPTH:
            raise Refused(f"groups are nested more than {MAX_DEPTH} deep at {path!r}")
        address = h5py.h5o.get_info(group.id).addr
        if address in ancestors:
            raise Refused(f"group {path!r} contains itself (a link cycle)")
        attrs = self.attributes(group, path)
        members = {}
        for name in list(group.keys()):
            self.objects += 1
            if self.objects > MAX_OBJECTS:
                raise Refused(f"it has more than {MAX_OBJECTS} objects")
            member_path = f"{path.rstrip('/')}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                raise Refused(f"{member_path!r} is a soft link (to {link.path!r}); model files hold no links")
            if isinstance(link, h5py.ExternalLink):
                raise Refused(f"{member_path!r} is an external link (to {link.filename!r}); a model file's data "
                              "must all be in the file")
            if not isinstance(link, h5py.HardLink):
                raise Refused(f"{member_path!r} is a {type(link).__name__}; model files hold no such links")
            item = group[name]
            if isinstance(item, h5py.Group):
                members[name] = self.group(item, member_path, ancestors | {address}, depth + 1)
            elif isinstance(item, h5py.Dataset):
                members[name] = self.dataset(item, member_path)
        return Group(path, attrs, members)

    def dataset(self, dataset, path):
        h5py = self.h5py
        address = h5py.h5o.get_info(dataset.id).addr
        if address in self.datasets:
            return self.datasets[address]
        plist = dataset.id.get_create_plist()
        layout = plist.get_layout()
        if layout == h5py.h5d.VIRTUAL:
            raise Refused(f"{path!r} is a virtual dataset (its data would come from other files)")
        if plist.get_external_count() > 0:
            name = plist.get_external(0)[0]
            raise Refused(f"{path!r} keeps its data in an external file ({name!r}); a model file's data must all "
                          "be in the file")
        if layout not in (h5py.h5d.COMPACT, h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED):
            raise Refused(f"{path!r} has an unknown storage layout ({layout})")
        for i in range(plist.get_nfilters()):
            code = plist.get_filter(i)[0]
            if code not in SAFE_FILTERS:
                raise Refused(f"{path!r} uses HDF5 filter {code} (compression); Keras never compresses weights, "
                              "and compressed data can expand without bound. Load a file you trust with "
                              "safe_mode=False.")
        type_class = dataset.id.get_type().get_class()
        if type_class not in (h5py.h5t.INTEGER, h5py.h5t.FLOAT):
            raise Refused(f"{path!r} holds {_type_class_name(h5py, type_class)} data; weights are numbers")
        dtype = dataset.dtype
        if dtype.kind not in "iuf" or dtype.hasobject or dtype.fields is not None:
            raise Refused(f"{path!r} holds {dtype} data; weights are numbers")
        shape = dataset.shape
        if shape is None:
            raise Refused(f"{path!r} has no dataspace")
        declared = math.prod(shape) * dtype.itemsize
        if declared > self.byte_budget:
            raise Refused(f"{path!r} declares {declared} bytes (shape {shape}, {dtype}), more than the "
                          f"{self.file_size}-byte file can hold with its other datasets")
        stored = dataset.id.get_storage_size()
        if declared and stored < declared:
            raise Refused(f"{path!r} declares {declared} bytes but stores {stored}: the missing data would be "
                          "invented fill values")
        if stored > self.file_size:
            raise Refused(f"{path!r} claims {stored} stored bytes, more than the file has")
        if layout == h5py.h5d.CONTIGUOUS and declared:
            offset = dataset.id.get_offset()
            if offset is None or offset + stored > self.file_size:
                raise Refused(f"{path!r} stores its data outside the file")
        self.byte_budget -= declared
        array = np.empty(shape, dtype=dtype.newbyteorder("="))
        if declared:
            dataset.read_direct(array)
        self.datasets[address] = array
        return array

    def attributes(self, obj, path):
        h5py = self.h5py
        values = {}
        for name in ALLOWED_ATTRIBUTES:
            key = name.encode()
            if not h5py.h5a.exists(obj.id, key):
                continue
            attribute = h5py.h5a.open(obj.id, key)
            type_class = attribute.get_type().get_class()
            if type_class not in (h5py.h5t.STRING, h5py.h5t.INTEGER, h5py.h5t.FLOAT):
                raise Refused(f"attribute {name!r} of {path!r} holds {_type_class_name(h5py, type_class)} data")
            shape = attribute.shape or ()
            if math.prod(shape) > MAX_ATTRIBUTE_ITEMS or \
                    math.prod(shape) * attribute.get_type().get_size() > MAX_ATTRIBUTE_BYTES:
                raise Refused(f"attribute {name!r} of {path!r} is larger than {MAX_ATTRIBUTE_BYTES} bytes")
            values[name] = _plain_attribute(obj.attrs[name])
        return values


def _type_class_name(h5py, type_class):
    names = {h5py.h5t.STRING: "string", h5py.h5t.COMPOUND: "compound", h5py.h5t.REFERENCE: "object reference",
             h5py.h5t.VLEN: "variable-length", h5py.h5t.ENUM: "enum", h5py.h5t.OPAQUE: "opaque",
             h5py.h5t.ARRAY: "array", h5py.h5t.BITFIELD: "bitfield", h5py.h5t.TIME: "time"}
    return names.get(type_class, f"class-{type_class}")


def _plain_attribute(value):
    """An attribute value as JSON data: str, a list of str, a number or a list of numbers."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        if value.dtype.hasobject or value.dtype.kind in "SU":
            return [_plain_attribute(v) for v in value.ravel().tolist()]
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def read_tree(data):
    """The checked content of HDF5 bytes as a `Group` tree, read in this process.

    Raises:
        Refused: for a feature or size that model files never use (see the module doc).
        Exception: whatever h5py raises for corrupted bytes.
    """
    import h5py

    with h5py.File(io.BytesIO(data), "r") as file:
        return _Walk(h5py, len(data)).group(file, "/", frozenset(), 0)


# ----- the child process and its reply ---------------------------------------------------------------------

def _encode(tree):
    """Bytes for a Group tree: magic, header length, JSON header, then the arrays' raw bytes."""
    arrays, index, chunks, offset = [], {}, [], 0

    def node(group):
        members = {}
        for name, item in group.members.items():
            if isinstance(item, Group):
                members[name] = {"group": node(item)}
                continue
            if id(item) not in index:
                index[id(item)] = len(arrays)
                raw = np.ascontiguousarray(item).tobytes()
                nonlocal offset
                arrays.append({"dtype": item.dtype.str, "shape": list(item.shape), "offset": offset,
                               "nbytes": len(raw)})
                chunks.append(raw)
                offset += len(raw)
            members[name] = {"array": index[id(item)]}
        return {"name": group.name, "attrs": group.attrs, "members": members}

    header = json.dumps({"ok": True, "tree": node(tree), "arrays": arrays}).encode()
    return b"".join([_MAGIC, struct.pack("<Q", len(header)), header] + chunks)


def _decode(reply):
    """The Group tree (or the child's refusal) from a reply; every size is checked against the reply."""
    if len(reply) < 12 or reply[:4] != _MAGIC:
        raise ValueError("malformed reply")
    (length,) = struct.unpack("<Q", reply[4:12])
    if length > len(reply) - 12:
        raise ValueError("malformed reply")
    header = json.loads(reply[12:12 + length])
    if not header["ok"]:
        return header
    body = memoryview(reply)[12 + length:]
    arrays = []
    for row in header["arrays"]:
        dtype = np.dtype(row["dtype"])
        if dtype.kind not in "iuf" or row["offset"] + row["nbytes"] > len(body) or \
                math.prod(row["shape"]) * dtype.itemsize != row["nbytes"]:
            raise ValueError("malformed reply")
        start = row["offset"]
        arrays.append(np.frombuffer(body[start:start + row["nbytes"]], dtype).reshape(row["shape"]).copy())

    def node(entry):
        members = {name: node(m["group"]) if "group" in m else arrays[m["array"]]
                   for name, m in entry["members"].items()}
        return Group(entry["name"], entry["attrs"], members)

    return {"ok": True, "tree": node(header["tree"])}


def read_hdf5(data, safe_mode=True):
    """The checked content of untrusted HDF5 bytes as a `Group` tree of attributes and NumPy arrays.

    Args:
        data: the file's bytes.
        safe_mode: parse in a child process under a memory and time limit (see the module doc); False parses
            in this process, for files you trust.

    Returns:
        The root `Group`.

    Raises:
        Refused: the file uses a feature model files never need (the message says which and where).
        RuntimeError: the HDF5 library failed, crashed, ran out of its limits, or did not finish in time
            (message for the user).
    """
    if not safe_mode:
        try:
            return read_tree(data)
        except Refused:
            raise
        except (Exception, RecursionError) as error:  # noqa: BLE001 - h5py raises many types for bad bytes
            raise RuntimeError(f"not a readable HDF5 file ({type(error).__name__}: {error})") from None
    memory = CHILD_BASE_MEMORY + CHILD_MEMORY_PER_BYTE * len(data)
    seconds = CHILD_BASE_SECONDS + CHILD_SECONDS_PER_BYTE * len(data)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "HDF5_PLUGIN_PATH": os.devnull}
    child = subprocess.Popen(CHILD_COMMAND + [str(memory)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        reply, errors = child.communicate(data, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the HDF5 library did not finish reading it within {seconds:.0f} s (it loops on "
                           "corrupted bytes); the file is corrupted or hostile") from None
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    if child.returncode < 0:
        raise RuntimeError(f"the HDF5 library crashed reading it (signal {-child.returncode}); the file is "
                           "corrupted or hostile")
    if child.returncode != 0:
        last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"the HDF5 reader failed ({last[0][:300]})")
    try:
        result = _decode(reply)
    except (ValueError, KeyError, TypeError) as error:
        raise RuntimeError(f"the HDF5 reader's reply was malformed ({error})") from None
    if result["ok"]:
        return result["tree"]
    if "refused" in result:
        raise Refused(result["refused"])
    raise RuntimeError(f"not a readable HDF5 file ({result['error']})")


def _child_main(memory_bytes):
    """Limits this process (before any untrusted byte is parsed), reads the file from stdin, replies on stdout."""
    import resource

    import h5py  # noqa: F401 - loaded before the limit: the libraries are trusted, the file is not

    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    data = sys.stdin.buffer.read()
    try:
        reply = _encode(read_tree(data))
    except Refused as refusal:
        reply = _error_reply({"ok": False, "refused": str(refusal)})
    except (Exception, RecursionError) as error:  # noqa: BLE001 - reported to the parent as text
        reply = _error_reply({"ok": False, "error": f"{type(error).__name__}: {error}"[:2000]})
    sys.stdout.buffer.write(reply)
    sys.stdout.buffer.flush()


def _error_reply(header):
    text = json.dumps(header).encode()
    return _MAGIC + struct.pack("<Q", len(text)) + text


if __name__ == "__main__":
    _child_main(int(sys.argv[1]))
