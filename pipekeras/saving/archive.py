"""Reading and writing the zip containers of the native formats, safely.

Everything read from a file is treated as untrusted: JSON is parsed with the standard `json` module, arrays
with `np.load(..., allow_pickle=False)`, and every failure of the zip, JSON or NumPy readers becomes a
`SavingError` naming the file, so callers never see `zipfile.BadZipFile`, `KeyError` or JSON errors.
"""

import io
import json
import math
import os
import zipfile

import numpy as np

from ..errors import SavingError
from ..utils.atomic import atomic_write

# A zip entry's date is part of its bytes; a fixed one makes saving the same model twice give the same file.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Refuse archives that claim absurd sizes before reading them (a corrupted header must not allocate GBs).
MAX_ENTRIES = 100_000
MAX_ENTRY_BYTES = 1 << 34


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
    """Writes bytes to `path` atomically; every OS problem becomes a SavingError naming the path."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise SavingError(f"Cannot write {path!r}: it is a directory. Give a file name, e.g. 'model.pkeras'.")
    return atomic_write(path, lambda file: file.write(data))


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
        with open(path, "rb") as file:
            return file.read()
    except OSError as error:
        raise SavingError(f"Cannot read {path!r}: {error.strerror or error}.") from None


class Archive:
    """A zip archive opened for reading from bytes; every read is checked (CRC, JSON, npy header)."""

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
        self._infos = {}
        for info in infos:
            if info.file_size > MAX_ENTRY_BYTES:
                raise SavingError(f"{source}: entry {info.filename!r} claims {info.file_size} bytes; corrupted.")
            self._infos.setdefault(info.filename, info)

    @property
    def names(self):
        return list(self._infos)

    def __contains__(self, name):
        return name in self._infos

    def read(self, name):
        info = self._infos.get(name)
        if info is None:
            raise SavingError(f"{self.source}: the entry {name!r} is missing; the file is truncated, corrupted, "
                              "or not a model file.")
        try:
            data = self._zip.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError, RuntimeError,
                OverflowError, MemoryError, __import__("zlib").error) as error:
            raise SavingError(f"{self.source}: cannot read entry {name!r} ({type(error).__name__}: {error}); the "
                              "file is truncated or corrupted.") from None
        if len(data) != info.file_size:
            raise SavingError(f"{self.source}: entry {name!r} has the wrong size; the file is corrupted.")
        return data

    def read_json(self, name):
        return loads(self.read(name), f"{self.source}: {name}")

    def read_array(self, name, shape=None, dtype=None):
        """Reads an .npy entry without pickle; checks its shape and dtype against the manifest when given."""
        data = self.read(name)
        try:
            array = np.load(io.BytesIO(data), allow_pickle=False)
        except (ValueError, OSError, EOFError, TypeError, SyntaxError, MemoryError, OverflowError) as error:
            raise SavingError(f"{self.source}: entry {name!r} is not a valid NumPy array ({error}); the file is "
                              "corrupted.") from None
        if not isinstance(array, np.ndarray) or array.dtype.hasobject:
            raise SavingError(f"{self.source}: entry {name!r} is not a numeric array.")
        if shape is not None and tuple(array.shape) != tuple(shape):
            raise SavingError(f"{self.source}: entry {name!r} has shape {array.shape}, the manifest says "
                              f"{tuple(shape)}; the file is corrupted.")
        if dtype is not None and array.dtype.name != dtype:
            raise SavingError(f"{self.source}: entry {name!r} has dtype {array.dtype}, the manifest says {dtype}; "
                              "the file is corrupted.")
        return array

    def close(self):
        self._zip.close()


def check_finite_number(value, what):
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise SavingError(f"{what} must be a number, found {value!r}; the file is corrupted.")
    return value
