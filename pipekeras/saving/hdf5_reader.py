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
So in safe mode (`hdf5_sandbox.read_hdf5`) files are parsed in other processes: this file run as a script
(it imports only NumPy and h5py) is a server that forks one parser per file, under a memory and a time
limit, and the parser sends the tree back as plain bytes (`reply_chunks`). `read_tree` parses in the calling
process, for files you trust.
"""

import io
import json
import math
import os
import struct
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
REPLY_MAGIC = b"PKH5"


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



# ----- the reply: the tree as plain bytes --------------------------------------------------------------------

def reply_chunks(header, tree=None):
    """The reply as byte chunks: magic, header length, JSON header, then every array's bytes (the body).

    `header` is `{"ok": False, "refused"/"error": text}`, or `{"ok": True}` with `tree` the Group tree; the
    header then holds the tree with arrays as indices into `header["arrays"]` (dtype, shape, offset and
    size in the body) and the body's total size.
    """
    arrays, index, body = [], {}, []
    offset = 0

    def node(group):
        nonlocal offset
        members = {}
        for name, item in group.members.items():
            if isinstance(item, Group):
                members[name] = {"group": node(item)}
                continue
            if id(item) not in index:
                index[id(item)] = len(arrays)
                raw = np.ascontiguousarray(item).reshape(-1).view(np.uint8)
                arrays.append({"dtype": item.dtype.str, "shape": list(item.shape), "offset": offset,
                               "nbytes": raw.size})
                body.append(raw)
                offset += raw.size
            members[name] = {"array": index[id(item)]}
        return {"name": group.name, "attrs": group.attrs, "members": members}

    if tree is not None:
        header = {**header, "tree": node(tree), "arrays": arrays, "body": offset}
    text = json.dumps(header).encode()
    return [REPLY_MAGIC, struct.pack("<Q", len(text)), text] + body


# ----- the parsing processes (this file run as a script) ------------------------------------------------------
# A server process imports NumPy and h5py once, then forks one fresh process per file: the file is parsed
# in a copy of a process that has never seen untrusted bytes, so no file can affect another, and a load
# costs a fork (about a millisecond) instead of an interpreter start with its imports (about 0.3 s).

def serve(control_fd):
    """The server: per request on the control socket (a JSON line of limits, a file holding the data and
    the write end of the reply pipe), forks a parser, waits for it within the time limit (killing it past
    the limit) and answers with how it ended. Returns when the caller closes the socket."""
    import signal
    import socket

    _warm_up()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 16, 2)
        except OSError:
            return
        if not message:
            return
        try:
            request = json.loads(message)
            memory, seconds = int(request["memory"]), float(request["seconds"])
            data_fd, reply_fd = fds
        except (ValueError, KeyError, TypeError):
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"status": "bad request"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            control.close()
            code = 0
            try:
                _parse_one(data_fd, reply_fd, memory, seconds)
            except BaseException:  # noqa: BLE001 - the parent sees the exit status
                code = 1
            os._exit(code)
        os.close(data_fd)
        os.close(reply_fd)
        control.send(json.dumps(_wait(pid, seconds)).encode())


def _warm_up():
    """Imports h5py and reads a small file of its own making, so that every parser forked later inherits the
    libraries loaded and initialized (a process's first read costs about 15 ms more than the next ones)."""
    import h5py

    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as file:
        group = file.create_group("layers/dense/vars")
        group.attrs["name"] = "dense"
        group.create_dataset("0", data=np.ones((2, 3), "float32"))
    reply_chunks({"ok": True}, read_tree(buffer.getvalue()))


def _wait(pid, seconds):
    """How the parser `pid` ended: exit status, signal, or killed after `seconds`."""
    import select
    import signal
    import time

    if hasattr(os, "pidfd_open"):
        pidfd = os.pidfd_open(pid)
        try:
            ended = bool(select.select([pidfd], [], [], seconds)[0])
        finally:
            os.close(pidfd)
    else:  # no pidfd (not Linux): poll
        deadline = time.monotonic() + seconds
        while not (ended := os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None) and \
                time.monotonic() < deadline:
            time.sleep(0.002)
    if not ended:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if not ended:
        return {"status": "timeout"}
    if os.WIFSIGNALED(status):
        return {"status": "signal", "signal": os.WTERMSIG(status)}
    return {"status": "exit", "code": os.WEXITSTATUS(status)}


def _parse_one(data_fd, reply_fd, memory, seconds):
    """In a forked parser: limits itself, reads the file's bytes, writes the reply."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    cpu = int(math.ceil(seconds)) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    size = os.fstat(data_fd).st_size
    parts, offset = [], 0
    while offset < size:
        part = os.pread(data_fd, min(size - offset, 1 << 30), offset)  # one part (no copy to join) below 1 GiB
        if not part:
            break
        parts.append(part)
        offset += len(part)
    os.close(data_fd)
    data = b"".join(parts)
    del parts
    try:
        chunks = reply_chunks({"ok": True}, read_tree(data))
    except Refused as refusal:
        chunks = reply_chunks({"ok": False, "refused": str(refusal)})
    except (Exception, RecursionError) as error:  # noqa: BLE001 - reported to the parent as text
        chunks = reply_chunks({"ok": False, "error": f"{type(error).__name__}: {error}"[:2000]})
    del data
    for chunk in chunks:
        view = memoryview(chunk)
        while view.nbytes:
            view = view[os.write(reply_fd, view):]
    os.close(reply_fd)


if __name__ == "__main__":
    serve(int(sys.argv[1]))
