"""Reading and writing the zip containers of the native formats, safely.

Everything read from a file is treated as untrusted: JSON is parsed with the standard `json` module, arrays
with `np.load(..., allow_pickle=False)`, and every failure of the zip, JSON or NumPy readers becomes a
`SavingError` naming the file, so callers never see `zipfile.BadZipFile`, `KeyError` or JSON errors.
"""

import fcntl
import io
import json
import math
import os
import stat
import time
import zipfile
import zlib

import numpy as np

from ..errors import SavingError
from ..utils.atomic import atomic_write

# A zip entry's date is part of its bytes; a fixed one makes saving the same model twice give the same file.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Bounds on what an archive may make the reader allocate, checked before reading. Model files are written
# uncompressed, so their entries together are never larger than the file; compressed entries may add at
# most MAX_INFLATION bytes in all (a "zip bomb" of a few KB cannot claim gigabytes).
MAX_ENTRIES = 100_000
MAX_INFLATION = 64 << 20
MAX_JSON_BYTES = 64 << 20
# An .npy entry is its header (at most 64 KiB in format versions 2 and 3) and then exactly its data.
MAX_NPY_HEADER_BYTES = (1 << 16) + 16


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.dtype):
        return value.name
    raise TypeError(f"{type(value).__name__} {value!r} cannot be written as JSON")


def dumps(obj, what="config"):
    """JSON text for `obj` (tuples become lists, NumPy scalars numbers).

    Raises:
        SavingError: when `obj` holds something that is not plain data (a function, an object).
    """
    try:
        return json.dumps(obj, default=_json_default, indent=None, sort_keys=False)
    except (TypeError, ValueError) as error:
        raise SavingError(
            f"Cannot save the {what} as JSON: {error}. Only plain values (numbers, strings, lists, dicts) can be "
            "saved; a layer holding a Python function or object cannot be saved in a file that never runs code."
        ) from None


def loads(text, source):
    """Parses JSON text read from `source`, raising SavingError on any problem."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise SavingError(f"{source}: the JSON is not valid ({type(error).__name__}: {error}); the file is "
                          "corrupted or not a model file.") from None


def array_bytes(array):
    """The .npy bytes of one array (no pickle: object arrays are refused)."""
    array = np.asarray(array)
    if array.dtype.hasobject:
        raise SavingError(f"Cannot save an array of dtype {array.dtype}: only numeric arrays are saved.")
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def zip_bytes(entries):
    """A zip archive (stored, not compressed) holding `entries`, a dict name -> bytes, in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def write_file(path, data):
    """Writes bytes to `path` atomically; every OS problem becomes a SavingError naming the path.

    What is already at `path` decides, as Keras's own `open(path, "w")` would:

    - a symbolic link is followed: the file it points to is replaced (atomically) and the link kept;
    - a read-only file is not overwritten (SavingError): make it writable or remove it first;
    - a directory, FIFO, device or socket is not replaced by a file (SavingError).

    Temporary files of earlier saves to the same path that were killed mid-write (`.NAME.*.tmp`, no longer
    locked by a writer and older than `STALE_TEMPORARY_SECONDS`) are removed first.
    """
    path = os.path.realpath(os.fspath(path)) if os.path.islink(os.fspath(path)) else os.fspath(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise SavingError(f"Cannot write {path!r}: {error.strerror or error}.") from None
    if status is not None:
        if stat.S_ISDIR(status.st_mode):
            raise SavingError(f"Cannot write {path!r}: it is a directory. Give a file name, e.g. 'model.pkeras'.")
        if not stat.S_ISREG(status.st_mode):
            raise SavingError(f"Cannot write {path!r}: it is not a regular file (a FIFO, device or socket); "
                              "pipekeras does not replace it with a file. Save to a regular file's path.")
        if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
            raise SavingError(f"Cannot write {path!r}: the file is read-only, and pipekeras does not overwrite "
                              "a read-only file. Make it writable (chmod u+w) or remove it first.")
    sweep_stale_temporaries(path)

    def write_locked(file):
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # tells sweep_stale_temporaries that this one is alive
        file.write(data)

    return atomic_write(path, write_locked)


# A temporary file that no writer locks and that has not changed for this long was left by a killed save.
STALE_TEMPORARY_SECONDS = 60.0


def sweep_stale_temporaries(path):
    """Removes the temporaries that killed saves to `path` left behind; returns how many were removed."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = "." + os.path.basename(path) + "."
    removed = 0
    try:
        names = [n for n in os.listdir(directory) if n.startswith(prefix) and n.endswith(".tmp")]
    except OSError:
        return 0
    for name in names:
        temp = os.path.join(directory, name)
        try:
            fd = os.open(temp, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or \
                    time.time() - os.fstat(fd).st_mtime < STALE_TEMPORARY_SECONDS:
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.remove(temp)
            removed += 1
        except OSError:
            continue  # locked by a writer that is alive, or already gone
        finally:
            os.close(fd)
    return removed


def read_file(path):
    """Returns the bytes of `path`; a missing or unreadable file is a SavingError."""
    try:
        path = os.fspath(path)
    except TypeError:
        raise SavingError(f"Expected a file path, received {type(path).__name__} {path!r}.") from None
    if not os.path.exists(path):
        raise SavingError(f"Cannot read {path!r}: no such file.")
    if os.path.isdir(path):
        raise SavingError(f"Cannot read {path!r}: it is a directory, not a model file.")
    try:
        # Non-blocking open, then a check of what was opened: a FIFO or a device must neither block nor
        # stream without end.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as error:
        raise SavingError(f"Cannot read {path!r}: {error.strerror or error}.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SavingError(f"Cannot read {path!r}: it is not a regular file (a FIFO, device or socket), so it "
                              "is not a model file.")
        with os.fdopen(fd, "rb", closefd=False) as file:
            return file.read()
    except OSError as error:
        raise SavingError(f"Cannot read {path!r}: {error.strerror or error}.") from None
    finally:
        os.close(fd)


class Archive:
    """A zip archive opened for reading from bytes; every read is bounded and checked (size, CRC, JSON, npy
    header against the manifest) before anything as large as the entry claims is allocated."""

    def __init__(self, data, source):
        self.source = source
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError,
                IndexError, UnicodeDecodeError, NotImplementedError, RuntimeError) as error:
            raise SavingError(f"{source}: not a readable model file ({type(error).__name__}: {error}); it is "
                              "truncated, corrupted, or not a pipekeras/Keras file.") from None
        if len(infos) > MAX_ENTRIES:
            raise SavingError(f"{source}: the archive has {len(infos)} entries; it is not a model file.")
        declared = sum(info.file_size for info in infos)
        self.declared_bytes = declared  # what the entries hold uncompressed: a bound on the weights
        if declared > len(data) + MAX_INFLATION:
            raise SavingError(f"{source}: the archive's entries claim {declared} bytes uncompressed, from a "
                              f"{len(data)}-byte file; model files are not compressed, and pipekeras refuses "
                              f"to inflate more than {MAX_INFLATION >> 20} MiB (a corrupted or hostile file).")
        self._infos = {}
        for info in infos:
            self._infos.setdefault(info.filename, info)

    @property
    def names(self):
        return list(self._infos)

    def __contains__(self, name):
        return name in self._infos

    def read(self, name, limit=None):
        """The bytes of entry `name`; refuses one that claims (or turns out to hold) more than `limit` bytes."""
        info = self._infos.get(name)
        if info is None:
            raise SavingError(f"{self.source}: the entry {name!r} is missing; the file is truncated, corrupted, "
                              "or not a model file.")
        if limit is not None and info.file_size > limit:
            raise SavingError(f"{self.source}: entry {name!r} claims {info.file_size} bytes, more than the "
                              f"{limit} it can hold; the file is corrupted.")
        try:
            with self._zip.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError, RuntimeError,
                OverflowError, MemoryError, zlib.error) as error:
            raise SavingError(f"{self.source}: cannot read entry {name!r} ({type(error).__name__}: {error}); the "
                              "file is truncated or corrupted.") from None
        if len(data) != info.file_size:
            raise SavingError(f"{self.source}: entry {name!r} has the wrong size; the file is corrupted.")
        return data

    def read_json(self, name):
        return loads(self.read(name, MAX_JSON_BYTES), f"{self.source}: {name}")

    def read_array(self, name, shape=None, dtype=None):
        """Reads an .npy entry without pickle; checks its shape and dtype against the manifest when given.

        The entry's size is checked against the manifest's shape and dtype before it is read, and its header
        before the array is made, so an entry cannot allocate more than the manifest promised.
        """
        limit = None
        if shape is not None and dtype is not None:
            expected = _expected_nbytes(shape, dtype)
            if expected is None:
                raise SavingError(f"{self.source}: the manifest gives entry {name!r} the shape {shape!r} and dtype "
                                  f"{dtype!r}; the file is corrupted.")
            limit = expected + MAX_NPY_HEADER_BYTES
        data = self.read(name, limit)
        array = _npy_array(data, f"{self.source}: entry {name!r}")
        if shape is not None and tuple(array.shape) != tuple(shape):
            raise SavingError(f"{self.source}: entry {name!r} has shape {array.shape}, the manifest says "
                              f"{tuple(shape)}; the file is corrupted.")
        if dtype is not None and array.dtype.name != dtype:
            raise SavingError(f"{self.source}: entry {name!r} has dtype {array.dtype}, the manifest says {dtype}; "
                              "the file is corrupted.")
        return array

    def close(self):
        self._zip.close()


def _expected_nbytes(shape, dtype):
    """Bytes of an array of `shape` and `dtype` (manifest values), or None when they are not valid."""
    if not isinstance(shape, (list, tuple)) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0
                                                       for d in shape):
        return None
    try:
        dtype = np.dtype(dtype)
    except (TypeError, ValueError):
        return None
    if dtype.hasobject or dtype.kind not in "biufc":
        return None
    return math.prod(shape) * dtype.itemsize


def _npy_array(data, what):
    """The array of .npy bytes; the header is checked against the data's length before anything is made."""
    stream = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if read_header is None:
            raise ValueError(f"unsupported .npy version {version}")
        shape, fortran_order, dtype = read_header(stream)
    except (ValueError, OSError, EOFError, TypeError, SyntaxError, OverflowError) as error:
        raise SavingError(f"{what} is not a valid NumPy array ({error}); the file is corrupted.") from None
    if dtype.hasobject or dtype.kind not in "biufc":
        raise SavingError(f"{what} is not a numeric array.")
    offset = stream.tell()
    if len(data) - offset != math.prod(shape) * dtype.itemsize:
        raise SavingError(f"{what} holds {len(data) - offset} data bytes, its header promises "
                          f"{math.prod(shape) * dtype.itemsize}; the file is corrupted.")
    array = np.frombuffer(data, dtype=dtype, offset=offset).reshape(shape, order="F" if fortran_order else "C")
    return array.copy(order="K")


def check_finite_number(value, what):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise SavingError(f"{what} must be a number, found {value!r}; the file is corrupted.")
    return value
