"""Atomic file writes: a file is either fully written or left as it was.

Checkpoints are written while training runs; a crash, a full disk or Ctrl-C in the middle of a write must
not leave a truncated file in place of the last good one. `atomic_write` writes to a temporary file in the
target's directory, flushes it to disk, then renames it over the target in one step (`os.replace`).
"""

import os
import tempfile

from ..errors import SavingError


def atomic_write(path, write_fn, binary=True):
    """Writes a file atomically: `write_fn` fills a temporary file that then replaces `path`.

    If `write_fn` raises (or the process dies before the rename), `path` keeps its previous content and the
    temporary file is removed.

    Args:
        path: the file to write (str or path-like). Its directory must exist.
        write_fn: callable taking one open file object and writing the content to it.
        binary: open the temporary file in binary mode (default) or text mode (UTF-8).

    Returns:
        The path written, as a string.

    Raises:
        SavingError: when the directory does not exist, or for any OS error while writing (a full disk, no
            permission); its `errno` is the OS error's, and `path` is unchanged.
        Whatever else `write_fn` raises (KeyboardInterrupt included), after cleaning up.

    Example:
        >>> atomic_write("weights.npz", lambda f: np.savez(f, *model.get_weights()))
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise SavingError(f"Cannot write {path!r}: the directory {directory!r} does not exist.")
    try:
        fd, temp_path = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    except OSError as error:
        raise _write_error(path, error) from error
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as file:
            write_fn(file)
            file.flush()
            os.fsync(file.fileno())
        _copy_permissions(path, temp_path)
        os.replace(temp_path, path)
    except BaseException as error:
        try:
            os.remove(temp_path)
        except OSError:
            pass
        if isinstance(error, OSError) and not isinstance(error, SavingError):
            raise _write_error(path, error) from error
        raise
    return path


def _write_error(path, error):
    """A SavingError for the OSError `error` met while writing `path`, with the same errno."""
    saving_error = SavingError(f"Cannot write {path!r}: {error.strerror or error}. The previous file, if any, is "
                               "unchanged.")
    saving_error.errno = error.errno
    return saving_error


def _copy_permissions(target, temp_path):
    """mkstemp creates files readable only by the owner; give the new file the mode a plain open() would."""
    try:
        mode = os.stat(target).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.chmod(temp_path, mode)
    except OSError:
        pass
