"""Finding (and, when allowed, downloading) the files behind `pipekeras.datasets`.

A dataset file is looked up, in order:

1. in the directory named by the environment variable `PIPEKERAS_DATASETS`;
2. in the cache directory `~/.pipekeras/datasets`;
3. else it is downloaded from Keras' own storage
   (`https://storage.googleapis.com/tensorflow/tf-keras-datasets/<file>`, or the dataset's own origin)
   into the cache directory, checked against Keras' published checksum, and written atomically
   (a temporary file in the same directory, then `os.replace`).

Files found locally (steps 1 and 2) are not checksummed: a local copy may be a faithful rebuild of
the Keras file from the same sources, with different bytes. Only a file this module downloads itself
is checked, since it must then be byte-identical to Keras' file.

Unpickling runs whatever code a file holds, so files are read without pickle (`load_npz`) wherever their
format allows. Keras' IMDB and Reuters files store Python lists in object arrays and the CIFAR-10 batches
are pickles: those are unpickled only when the file's sha256 is trusted (`PICKLE_TRUSTED_SHA256`: Keras'
published files and the project's shared copies, plus `trust_file(path)` and the environment variable
`PIPEKERAS_TRUSTED_SHA256`); any other file is refused with a message that gives its sha256 and how to
trust it.
"""

import hashlib
import os
import sys
import tempfile
import zipfile

import numpy as np

from ..errors import DataError

ENV_VAR = "PIPEKERAS_DATASETS"
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DOWNLOAD_TIMEOUT_S = 60

# Checksums of Keras' own files (the ones served at the origins below). A 64-digit hash is sha256,
# a 32-digit one md5 (Keras publishes md5 for the word-index json files).
#
# The copies in the project's shared data directory are rebuilt from the same sources and do NOT have
# these checksums (their README lists theirs); that is why local files are never checked.
#
# Files with no entry here are downloaded without a checksum check, because no published checksum
# for them could be confirmed while writing this module: the reuters word index json and the four
# Fashion-MNIST gz files.
KNOWN_HASHES = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
    "boston_housing.npz": "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    "reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    # The CIFAR-10 python archive as published by its authors (Keras downloads it from there).
    "cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
}


# Files that need unpickling, trusted by sha256: Keras' published ones, and the copies rebuilt for the
# project's shared data directory (its README lists their checksums).
PICKLE_TRUSTED_SHA256 = frozenset({
    KNOWN_HASHES["imdb.npz"], KNOWN_HASHES["reuters.npz"], KNOWN_HASHES["cifar-10-python.tar.gz"],
    "4e885f9c2e6104f1c88b49913c9d50116bd169d0a24a3f6927d3e9fe656b0d8f",  # shared imdb.npz
})
TRUSTED_ENV_VAR = "PIPEKERAS_TRUSTED_SHA256"
_trusted_by_user = set()


def file_sha256(path):
    """The sha256 (hex) of the file at `path`."""
    return _file_digest(path, hashlib.sha256)


def trust_file(path):
    """Allows this session to unpickle the file at `path` (its current bytes, by sha256).

    Only for files whose origin you trust: unpickling can run any code the file contains.

    Args:
        path: the dataset file (e.g. your own `imdb.npz`).

    Returns:
        The file's sha256, which the environment variable `PIPEKERAS_TRUSTED_SHA256` (comma-separated
        digests) also accepts, to trust it in every session.

    Example:
        >>> pipekeras.datasets.trust_file("my_imdb.npz")
    """
    digest = file_sha256(os.fspath(path))
    _trusted_by_user.add(digest)
    return digest


def check_unpickling_allowed(path, why):
    """Raises DataError unless the file's sha256 is trusted (see the module doc); `why` says what needs pickle.
    """
    digest = file_sha256(path)
    from_env = {d.strip().lower() for d in os.environ.get(TRUSTED_ENV_VAR, "").split(",") if d.strip()}
    if digest in PICKLE_TRUSTED_SHA256 or digest in _trusted_by_user or digest in from_env:
        return
    raise DataError(
        f"Refusing to unpickle {path!r}: {why}, and unpickling runs any code the file contains. pipekeras "
        f"unpickles only files it knows (Keras' published files, the project's shared copies) or that you "
        f"trust; this file's sha256 is {digest}. If you trust its origin, call "
        f"pipekeras.datasets.trust_file({path!r}) first, or add the digest to the environment variable "
        f"{TRUSTED_ENV_VAR} (comma-separated).")


def load_npz(path, keys, object_keys=()):
    """The arrays `keys` of an `.npz` file, read without pickle except for `object_keys`.

    Args:
        path: the file.
        keys: the arrays to return, in order.
        object_keys: arrays that Keras' layout stores as Python objects; they are unpickled only when the
            file is trusted (`check_unpickling_allowed`).

    Returns:
        A list of arrays.

    Raises:
        DataError: a missing array, an array that is not numeric (outside `object_keys`), an untrusted file
            that needs unpickling, or a file that is not a valid `.npz`.
    """
    needs_pickle = bool(object_keys)
    if needs_pickle:
        check_unpickling_allowed(path, f"Keras' layout stores {list(object_keys)} as Python object arrays")
    try:
        with np.load(path, allow_pickle=needs_pickle) as arrays:
            missing = [k for k in keys if k not in arrays.files]
            if missing:
                raise DataError(f"{path!r} has no array(s) {missing}; it holds {arrays.files}.")
            values = [arrays[k] for k in keys]
    except DataError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise DataError(f"{path!r} stores Python objects where numbers were expected; pipekeras does not "
                            "unpickle it (unpickling runs any code the file contains).") from None
        raise DataError(f"{path!r} is not a valid .npz file ({error}).") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path!r} is not a valid .npz file ({type(error).__name__}: {error}).") from None
    for key, value in zip(keys, values):
        if key not in object_keys and value.dtype.hasobject:
            raise DataError(f"{path!r}: array {key!r} holds Python objects, numbers were expected.")
    return values


def cache_dir():
    """The per-user cache directory, `~/.pipekeras/datasets` (resolved at call time)."""
    return os.path.join(os.path.expanduser("~"), ".pipekeras", "datasets")


def search_dirs():
    """The directories searched for dataset files, in order: `$PIPEKERAS_DATASETS`, then the cache."""
    dirs = []
    env = os.environ.get(ENV_VAR)
    if env:
        dirs.append(os.path.abspath(os.path.expanduser(env)))
    dirs.append(cache_dir())
    return dirs


def _candidates(fname, subdir=None):
    for directory in search_dirs():
        if subdir:
            yield os.path.join(directory, subdir, fname)
        yield os.path.join(directory, fname)


def find_file(fname, subdir=None, isdir=False):
    """Returns the first existing local copy of `fname` (a file, or a directory if `isdir`), or None.

    Each search directory is tried with `subdir/fname` first (Keras' cache layout, e.g.
    `fashion-mnist/train-images-idx3-ubyte.gz`), then `fname` directly.
    """
    check = os.path.isdir if isdir else os.path.isfile
    for path in _candidates(fname, subdir):
        if check(path):
            return path
    return None


def _hash_algorithm(expected):
    return hashlib.md5 if len(expected) == 32 else hashlib.sha256


def _download(url, fileobj):
    """Streams `url` into the open binary `fileobj`. Raises OSError (incl. URLError) on failure."""
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "pipekeras"})
    with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            fileobj.write(chunk)


def _file_digest(path, algorithm):
    digest = algorithm()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ChecksumMismatch(DataError):
    """A downloaded file's checksum is not the published one (the file was not kept)."""


def download_file(url, target, file_hash=None):
    """Downloads `url` to the file `target`, atomically and checked: pipekeras's one download function.

    The bytes go to a temporary file next to `target`, which replaces `target` (`os.replace`) only once it is
    complete and its checksum is `file_hash`; otherwise it is deleted and `target` is left as it was.

    Args:
        url: where to download from (http, https or file URL).
        target: the file to write; its folder is created when missing.
        file_hash: expected sha256 (64 hex digits) or md5 (32) of the file; None for no check.

    Returns:
        `target`.

    Raises:
        ChecksumMismatch: the downloaded file's checksum is not `file_hash` (the message names both).
        OSError: the download failed (offline, unreachable host, HTTP error, unwritable folder).
    """
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    print(f"Downloading data from {url}", file=sys.stderr)
    tmp_path = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=f".{os.path.basename(target)}.",
                                         suffix=".part", delete=False) as tmp:
            tmp_path = tmp.name
            _download(url, tmp)
        if file_hash:
            algorithm = _hash_algorithm(file_hash)
            received = _file_digest(tmp_path, algorithm)
            if received != file_hash.lower():
                raise ChecksumMismatch(
                    f"the download from {url} has the {algorithm().name} checksum {received}, expected {file_hash} (a "
                    f"corrupt or changed file; it was not kept).")
        os.replace(tmp_path, target)
        tmp_path = None
        return target
    finally:
        if tmp_path is not None and os.path.exists(tmp_path):
            try:
                os.remove(tmp_path)
            except OSError:
                pass


def _missing_message(fname, subdir, looked, reason):
    places = "\n".join(f"  - {p}" for p in looked)
    layout = f" (directly, or under {subdir}/)" if subdir else ""
    return (f"Dataset file {fname!r} is missing: {reason}\n"
            f"Places looked:\n{places}\n"
            f"To fix: put {fname!r}{layout} in a directory and set the environment variable {ENV_VAR} to "
            f"that directory, or put it in {cache_dir()}.")


def get_file(fname, origin=None, file_hash=None, subdir=None, path=None):
    """Returns the local path of a dataset file, downloading it into the cache if needed.

    Args:
        fname: the file's name, e.g. `"mnist.npz"`.
        origin: URL to download from; defaults to Keras' storage plus `fname`.
        file_hash: expected sha256 (64 hex digits) or md5 (32) of a downloaded file; defaults to
            `KNOWN_HASHES.get(fname)`. No check when there is none.
        subdir: optional sub-directory of the search directories (Keras' cache layout).
        path: the loader's `path` argument: when it differs from `fname` it is the user's own file,
            used as is when it exists.

    Returns:
        The absolute path of the file.

    Raises:
        DataError: the file is nowhere locally and could not be downloaded (offline, server error),
            or the download's checksum is wrong. The message names the file, the places looked and
            where to put the file.
    """
    explicit = None
    if path is not None and path != fname:  # the user named a file of their own
        explicit = os.path.abspath(os.path.expanduser(path))
        if os.path.isfile(explicit):
            return explicit
        own = find_file(os.path.basename(explicit), subdir)  # Keras: `path` names a file in the cache
        if own is not None:
            return own
    found = find_file(fname, subdir)
    if found is not None:
        return found
    looked = list(_candidates(fname, subdir))
    if explicit is not None:
        looked.insert(0, explicit)
    if ENV_VAR not in os.environ:
        looked.insert(0, f"${ENV_VAR} (not set)")
    url = origin or KERAS_ORIGIN + fname
    if file_hash is None:
        file_hash = KNOWN_HASHES.get(fname)

    target_dir = os.path.join(cache_dir(), subdir) if subdir else cache_dir()
    try:
        return download_file(url, os.path.join(target_dir, fname), file_hash)
    except ChecksumMismatch as error:
        raise DataError(_missing_message(fname, subdir, looked, f"{error}")) from None
    except Exception as exc:  # offline, HTTP error, unwritable cache, ...
        raise DataError(_missing_message(
            fname, subdir, looked,
            f"it is not there and downloading it from {url} failed ({type(exc).__name__}: {exc}).")) from exc
